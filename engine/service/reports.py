"""Use cases of reports: the CCM billing worklist (and the minutes behind a month), time logged on a patient's
page, TCM compliance, the program dashboard with the patients and tasks behind each number, and the bottleneck
heatmap. Each shows a viewer the patients of their scope only (engine.reports.scope), and each read that
shows patients is an audit event naming them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select

from engine import roles
from engine.care import accounts, characters, time_log
from engine.care.actors import Actor
from engine.care.time_log import LoggedTime
from engine.errors import InvalidInput, NotFound
from engine.models import Instance, Patient, TimeEntry
from engine.reports import (
    billing,
    ccm_months,
    dashboard,
    drill,
    heatmap,
    scope,
    tcm,
    tcm_summary,
    work_summary,
)
from engine.reports.periods import DateRange, Month, recent_months
from engine.reports.sql import interactive
from engine.reports.sql import programs as report_programs
from engine.runtime import report_facts
from engine.store import audit
from engine.time import clock

MAX_PAGE = 2**31 - 1
DASHBOARD_DAYS = 182  # a dashboard's default range: the last 26 weeks
HEATMAP_DAYS = 90
TCM_MONTHS = 6  # TCM compliance shows this month and the five before it unless asked otherwise


@dataclass
class ReportAccess:
    """What the reports offer a viewer: whose patients they show; for a care manager (not everyone's), their
    patients short of 20 minutes this month."""

    scope_label: str
    everyone: bool
    months: list[Month]
    short: billing.Worklist | None = None


@dataclass
class MonthMinutes:
    patient: Patient
    month: Month
    entries: list[TimeEntry]
    counted: int  # the minutes that count for CCM (TCM's left out)
    tcm_programs: list[str]


@dataclass
class TimeLogForm:
    patient_id: str
    programs: list[str]
    staff: list[tuple[str, str]]  # (username, display name)
    activities: tuple[str, ...] = time_log.ACTIVITIES
    no_program: str = time_log.NO_PROGRAM
    max_minutes: int = time_log.MAX_LOGGED_MINUTES


@dataclass
class Dashboard:
    filters: dashboard.Filters
    charts: list[dashboard.Chart]
    programs: dict[str, str]
    teams: tuple[str, ...]
    team: str | None
    scope_label: str
    work_as_of: datetime | None = None  # open work, throughput, stages and risk tiers: from the summary taken then


@dataclass
class HeatmapPage:
    heatmap: heatmap.Heatmap
    versions: list[tuple[int, str, list[tuple[str, str]]]] = field(default_factory=list)  # id, label, programs


def _page(page: int) -> int:
    if not isinstance(page, int) or not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"the page must be a number from 1 to {MAX_PAGE}")
    return page


def _text(name: str, value: str | None, limit: int = 200) -> str | None:
    value = (value or "").strip()
    characters.require_text(name, value)
    if len(value) > limit:
        raise InvalidInput(f"the {name} is too long (at most {limit} characters)")
    return value or None


class ReportUseCases:
    def report_access(self, viewer: Actor) -> ReportAccess:
        """Whose patients the viewer's reports show (Forbidden: reports are not for them), and a care manager's
        patients short of 20 minutes this month, closest to 20 first (audited naming them)."""
        now = clock.now()
        today = now.date()
        with self.transaction("reports") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            access = ReportAccess(found.label, found.everyone, recent_months(today))
            if not found.everyone:
                month = Month.of(today)
                access.short = billing.short_of_base(session, month, found, today,
                                                     as_of=ccm_months.as_of(session, month, now))
                self._audit_report(session, viewer, "ccm_short", [r.patient_id for r in access.short.rows],
                                   month=access.short.month.key)
        return access

    # ------------------------------------------------------------------------------------------------ CCM
    def ccm_worklist(self, month: str | None, viewer: Actor, *, status: str | None = None, page: int = 1,
                     page_size: int | None = 50) -> billing.Worklist:
        """One row per CCM patient in the month (`page_size` None: all of them, an export), with the counts per
        status; audited naming the patients shown."""
        now = clock.now()
        today = now.date()
        wanted = Month.parse(month, today)
        if wanted.first > today:
            raise InvalidInput(f"{wanted.label()} has not started yet: choose this month or an earlier one")
        status = _text("status", status, 40)
        if status is not None and status not in billing.STATUSES:
            raise InvalidInput(f"there is no status '{status}': choose one of {', '.join(billing.STATUSES)}")
        with self.transaction("CCM billing worklist") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            result = billing.worklist(session, wanted, found, today, status_filter=status, page=_page(page),
                                      page_size=page_size, as_of=ccm_months.as_of(session, wanted, now))
            self._audit_report(session, viewer, "ccm_billing", [r.patient_id for r in result.rows],
                               export=page_size is None, month=wanted.key, status=status, page=page)
        return result

    def ccm_month_minutes(self, patient_id: str, month: str | None, viewer: Actor) -> MonthMinutes:
        """The time entries behind a patient's minutes in a month, for a viewer whose scope holds the patient."""
        today = clock.now().date()
        wanted = Month.parse(month, today)
        with self.transaction(f"minutes of {patient_id}") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            patient = session.scalar(select(Patient).where(Patient.id == patient_id,
                                                           found.patients(Patient.id)))
            if patient is None:
                raise NotFound(f"no patient '{patient_id}' among {found.label}")
            entries = list(session.scalars(select(TimeEntry).where(
                TimeEntry.patient_id == patient.id, TimeEntry.month == wanted.key)
                .order_by(TimeEntry.spent_on, TimeEntry.recorded_at, TimeEntry.id)))
            tcm_names = billing.tcm_program_names(session)
            self._audit_report(session, viewer, "ccm_minutes", [patient.id], month=wanted.key)
        counted = sum(e.minutes for e in entries if e.program not in tcm_names)
        return MonthMinutes(patient, wanted, entries, counted, tcm_names)

    def time_log_form(self, patient_id: str, viewer: Actor) -> TimeLogForm:
        """What the log-time form offers for a patient: their programs and the care team's people."""
        with self.reading() as session:
            if session.get(Patient, patient_id) is None:
                raise NotFound(f"no patient '{patient_id}'")
            return TimeLogForm(patient_id, self._patient_programs(session, patient_id), self._staff(session))

    def log_time(self, patient_id: str, entry: LoggedTime, actor: Actor) -> dict:
        """Record clinical staff time spent on a patient's care outside any task (a care team member or an
        admin); TimeLogInvalid names every field that is wrong."""
        with self.transaction(f"log time for {patient_id}") as session:
            return time_log.log_time(session, patient_id, entry, actor, self._patient_programs(session, patient_id))

    @staticmethod
    def _patient_programs(session, patient_id: str) -> list[str]:
        return sorted(set(session.scalars(select(Instance.program).where(Instance.patient_id == patient_id))))

    @staticmethod
    def _staff(session) -> list[tuple[str, str]]:
        return [(u.username, u.display_name or u.username) for u in accounts.users_holding(session, None)
                if any(r in roles.TEAM_ROLES for r in u.roles)]

    # ------------------------------------------------------------------------------------------------ TCM
    def tcm_compliance(self, first: str | None, last: str | None, viewer: Actor, *, page: int = 1,
                       page_size: int | None = 100, show: str | None = None) -> tcm.Compliance:
        """Discharges from the first month to the last (this month and the two before by default), with the
        totals and rates per month; audited naming the patients shown."""
        now = clock.now()
        today = now.date()
        last_month = Month.parse(last, today)
        first_month = Month.parse(first, (last_month.first.replace(day=1)))
        if not first:
            for _ in range(TCM_MONTHS - 1):
                first_month = first_month.previous()
        if first_month.first > last_month.first:
            raise InvalidInput("the first month is after the last: choose a first month on or before the last")
        if (last_month.year - first_month.year) * 12 + last_month.month - first_month.month >= 36:
            raise InvalidInput("choose at most 36 months")
        with self.transaction("TCM compliance") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            result = tcm.compliance(session, first_month, last_month, found, today, page=_page(page),
                                    page_size=page_size, show=_text("total", show, 40),
                                    as_of=tcm_summary.as_of(session, now))
            self._audit_report(session, viewer, "tcm_compliance", [r.patient_id for r in result.rows],
                               export=page_size is None, months=f"{first_month.key}/{last_month.key}", page=page)
        return result

    # ------------------------------------------------------------------------------------------------ dashboard
    def _filters(self, session, program: str | None, team: str | None, start, end, programs: dict,
                 days: int) -> dashboard.Filters:
        program = _text("program", program, 200)
        if program is not None and program not in programs:
            raise InvalidInput(f"there is no program '{program}'")
        team_scope = scope.team_scope(session, _text("team", team, 50))
        return dashboard.Filters(DateRange.parse(start, end, days, clock.now().date()), program, team_scope)

    def dashboard(self, viewer: Actor, *, program: str | None = None, team: str | None = None, start=None,
                  end=None) -> Dashboard:
        """The program dashboard's charts for the filters (counts only: no patient is shown)."""
        with self.transaction("program dashboard") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            programs = report_programs(session)
            filters = self._filters(session, program, team, start, end, programs, DASHBOARD_DAYS)
            as_of = work_summary.as_of(session, clock.now())
            charts = dashboard.charts(session, filters, found, programs, as_of)
            audit.record(session, "report_viewed", viewer.name, details={
                "report": "dashboard", "program": filters.program, "team": team or None,
                "from": filters.range.start.isoformat(), "to": filters.range.end.isoformat()})
        summarised = as_of if found.everyone and filters.team is None else None
        return Dashboard(filters, charts, programs, scope.TEAMS, team or None, found.label, summarised)

    def dashboard_drill(self, viewer: Actor, chart: str, key: str, series: str, *, program: str | None = None,
                        team: str | None = None, start=None, end=None) -> drill.Drill:
        """The patients or tasks behind one number of the dashboard; audited naming the patients shown."""
        chart, key, series = _text("chart", chart, 40) or "", _text("key", key, 200) or "", \
            _text("series", series, 200) or ""
        with self.transaction("dashboard detail") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            programs = report_programs(session)
            filters = self._filters(session, program, team, start, end, programs, DASHBOARD_DAYS)
            result = drill.drill(session, chart, key, series, filters, found, programs)
            self._audit_report(session, viewer, f"dashboard:{chart}", result.patient_ids, key=key, series=series)
        return result

    # ------------------------------------------------------------------------------------------------ heatmap
    def heatmap(self, viewer: Actor, *, version: int | None = None, program: str | None = None, start=None,
                end=None) -> HeatmapPage:
        """Each step's count, waiting and working times and overdue share for a pathway version's program (the
        newest version when none is given), with the versions to choose from."""
        with self.transaction("bottleneck heatmap") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            choices = heatmap.versions(session)
            if not choices:
                raise NotFound("no pathway is deployed yet")
            deployment_id = version if version is not None else choices[0].id
            r = DateRange.parse(start, end, HEATMAP_DAYS, clock.now().date())
            result = heatmap.heatmap(session, self.runtime.specs, deployment_id, _text("program", program), r, found)
            audit.record(session, "report_viewed", viewer.name, details={
                "report": "heatmap", "version": deployment_id, "program": result.process_id,
                "from": r.start.isoformat(), "to": r.end.isoformat()})
            versions = [(d.id, d.label, [(p["id"], p.get("name") or p["id"]) for p in d.processes
                                         if p.get("startable") and not p.get("called")]) for d in choices]
        return HeatmapPage(result, versions)

    def heatmap_tasks(self, viewer: Actor, version: int, program: str, stage: str, element: str, *, start=None,
                      end=None, overdue: bool = False) -> tuple[list[heatmap.StepTask], int]:
        """The tasks behind one step of the heatmap; audited naming their patients."""
        program, stage, element = _text("program", program), _text("stage", stage), _text("step", element)
        if not (program and stage and element):
            raise InvalidInput("say which program, stage and step")
        with self.transaction("heatmap step") as session:
            interactive(session)
            found = scope.scope_for(session, viewer)
            r = DateRange.parse(start, end, HEATMAP_DAYS, clock.now().date())
            tasks, total = heatmap.step_tasks(session, version, program, stage, element, r, found,
                                              overdue_only=overdue)
            self._audit_report(session, viewer, "heatmap_step", list(dict.fromkeys(t.task.patient_id
                                                                                   for t in tasks)),
                               version=version, program=program, step=element)
        return tasks, total

    def heatmap_diagram(self, version: int, process_id: str, viewer: Actor) -> bytes:
        with self.reading() as session:
            scope.scope_for(session, viewer)
            return heatmap.version_file(session, self.runtime.specs, version, process_id)

    # ------------------------------------------------------------------------------------------------ upkeep
    def rebuild_report_facts(self, batch: int = 200) -> int:
        """Write every instance's report facts from its workflow (after an upgrade: instances that ran before
        the facts were kept get theirs). Returns the instances done."""
        done, last = 0, 0
        while True:
            with self.transaction("rebuild report facts") as session:
                found = list(session.scalars(select(Instance).where(Instance.id > last).order_by(Instance.id)
                                             .limit(batch)))
                for instance in found:
                    report_facts.rebuild(session, self.runtime, instance)
            if not found:
                return done
            done += len(found)
            last = found[-1].id

    def refresh_report_summaries(self, *, whole: bool = False) -> dict:
        """Bring the summaries reports read ahead up to date (the CCM billing worklist's months, the
        dashboard's open work and throughput, TCM compliance's rows): what background work runs every 30 seconds.
        `whole`: work everything out again, not only what changed (after a restore or a clock set back).
        Returns what was done."""
        now = clock.now()
        with self.transaction("refresh report summaries") as session:
            interactive(session)
            done = ccm_months.refresh(session, now, whole)
            done["work"] = work_summary.refresh(session, now, whole)
            done["tcm"] = tcm_summary.refresh(session, now, whole)
        return done

    @staticmethod
    def _audit_report(session, viewer: Actor, report: str, patient_ids: list[str], *, export: bool = False,
                      **what) -> None:
        audit.record(session, "report_exported" if export else "report_viewed", viewer.name,
                     details={"report": report, **{k: v for k, v in what.items() if v is not None},
                              "patients": patient_ids})
