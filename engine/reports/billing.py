"""The CCM billing worklist: one row per patient in Chronic Care Management per calendar month, with what CMS
requires before the month can be billed and the codes its minutes support.

The rules (CMS MLN909188 "Chronic Care Management Services", and the CY 2022 Physician Fee Schedule final rule
for 99439; CPT's descriptors of the codes):
- time is clinical staff time in one calendar month; nothing carries over to the next month, and one practitioner
  bills a patient's month (the billing practitioner: the patient's primary care provider);
- 99490: the first 20 minutes; 99439: each further full 20 minutes, at most twice a month (40 and 60 minutes);
- complex CCM, for a patient the program marks complex (the assessment's risk tier): 99487 for the first 60
  minutes, 99489 for each further full 30 minutes; a complex patient's month under 60 minutes is billed as
  non-complex CCM when it reaches 20 (99487 and 99490 are never billed for the same month);
- the patient's consent is on file and a comprehensive care plan is in place (agreed) by the end of the month.
Minutes of TCM work are TCM's (time is never counted twice), so they are left out.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, func, literal, or_, select
from sqlalchemy.orm import Session

from engine.models import CcmMonth, InstanceFacts, MonthlyMinutes, Patient
from engine.reports.periods import Month, recent_months
from engine.reports.scope import Scope
from engine.reports.sql import names_of

CCM_PROGRAMS = ("ccm",)  # process ids billed as CCM
TCM_PROGRAMS = ("tcm",)  # process ids whose minutes are TCM's
BASE, ADD_ON, MAX_ADD_ONS = 20, 20, 2  # 99490, 99439
COMPLEX_BASE, COMPLEX_ADD_ON = 60, 30  # 99487, 99489
COMPLEX_TIER = "complex"

BILLABLE, SHORT, NO_CONSENT, NO_PLAN, NO_PRACTITIONER = "billable", "short", "no_consent", "no_care_plan", \
    "no_practitioner"
STATUSES = (BILLABLE, SHORT, NO_CONSENT, NO_PLAN, NO_PRACTITIONER)
STATUS_LABELS = {BILLABLE: "Billable", SHORT: "Short of 20 minutes", NO_CONSENT: "Missing consent",
                 NO_PLAN: "Missing care plan", NO_PRACTITIONER: "No billing practitioner"}


def codes(minutes: int, complex_: bool = False) -> list[str]:
    """The CPT codes a month of `minutes` supports (one entry per unit): [] under 20 minutes."""
    if complex_ and minutes >= COMPLEX_BASE:
        return ["99487"] + ["99489"] * ((minutes - COMPLEX_BASE) // COMPLEX_ADD_ON)
    if minutes < BASE:
        return []
    return ["99490"] + ["99439"] * min(MAX_ADD_ONS, (minutes - BASE) // ADD_ON)


def next_code_at(minutes: int, complex_: bool = False) -> int | None:
    """The minutes at which the month supports one more code, or None when no more can be added."""
    if complex_ and minutes >= COMPLEX_BASE:
        return COMPLEX_BASE + ((minutes - COMPLEX_BASE) // COMPLEX_ADD_ON + 1) * COMPLEX_ADD_ON
    if minutes < BASE:
        return BASE
    units = min(MAX_ADD_ONS, (minutes - BASE) // ADD_ON)
    return BASE + (units + 1) * ADD_ON if units < MAX_ADD_ONS else None


def status(minutes: int, consent_on: date | None, care_plan_on: date | None, practitioner: str | None,
           month: Month) -> str:
    """The month's status: what is missing first (consent, care plan, practitioner), else short or billable."""
    if consent_on is None or consent_on > month.last:
        return NO_CONSENT
    if care_plan_on is None or care_plan_on > month.last:
        return NO_PLAN
    if not (practitioner or "").strip():
        return NO_PRACTITIONER
    return BILLABLE if minutes >= BASE else SHORT


def summary(found: list[str]) -> str:
    """'99490 + 2 × 99439'."""
    parts = []
    for code in dict.fromkeys(found):
        n = found.count(code)
        parts.append(code if n == 1 else f"{n} × {code}")
    return " + ".join(parts)


@dataclass
class WorklistRow:
    patient_id: str
    name: str
    mrn: str
    consent_on: date | None
    care_plan_on: date | None
    complex: bool
    minutes: int
    practitioner: str | None
    status: str
    codes: list[str] = field(default_factory=list)
    short_by: int = 0
    next_code_at: int | None = None

    @property
    def code_text(self) -> str:
        return summary(self.codes) if self.status == BILLABLE else ""

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass
class Worklist:
    month: Month
    days_left: int
    rows: list[WorklistRow]
    counts: dict[str, int]  # status -> patients
    minutes: int  # all the month's minutes of the rows counted
    total: int  # rows matching the filter
    page: int
    page_size: int
    scope_label: str
    status_filter: str | None = None
    months: list[Month] = field(default_factory=list)  # the months one may choose (this one and the 12 before)
    as_of: datetime | None = None  # read from the summary kept by background work (engine.reports.ccm_months)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def patients(self) -> int:
        return sum(self.counts.values())


def tcm_program_names(session: Session) -> list[str]:
    """The names the TCM program has had in the deployed versions (time entries carry a program's name)."""
    return names_of(session, TCM_PROGRAMS) or ["Transitional Care Management"]


def _status_sql(minutes, consent_on, care_plan_on, practitioner, month: Month):
    """`status` as SQL, from the same thresholds."""
    return case(
        (or_(consent_on.is_(None), consent_on > month.last), literal(NO_CONSENT)),
        (or_(care_plan_on.is_(None), care_plan_on > month.last), literal(NO_PLAN)),
        (func.coalesce(func.trim(practitioner), "") == "", literal(NO_PRACTITIONER)),
        (minutes >= BASE, literal(BILLABLE)),
        else_=literal(SHORT))


def rows_query(session: Session, month: Month, scope: Scope, patients=None):
    """The month's rows (patient, facts, minutes, status) as a subquery; of `patients` only, when given (ids,
    or a SELECT of them)."""
    facts = (select(InstanceFacts.patient_id.label("patient_id"),
                    func.min(InstanceFacts.consent_on).label("consent_on"),
                    func.min(InstanceFacts.care_plan_on).label("care_plan_on"),
                    func.max(case((InstanceFacts.risk_tier == COMPLEX_TIER, 1), else_=0)).label("complex"))
             .where(InstanceFacts.process_id.in_(CCM_PROGRAMS), InstanceFacts.started_on <= month.last,
                    or_(InstanceFacts.ended_on.is_(None), InstanceFacts.ended_on >= month.first),
                    scope.patients(InstanceFacts.patient_id),
                    *([InstanceFacts.patient_id.in_(patients)] if patients is not None else []))
             .group_by(InstanceFacts.patient_id).subquery())
    minutes = (select(MonthlyMinutes.patient_id.label("patient_id"), func.sum(MonthlyMinutes.minutes).label("minutes"))
               .where(MonthlyMinutes.month == month.key,
                      MonthlyMinutes.program.not_in(tcm_program_names(session)),
                      *([MonthlyMinutes.patient_id.in_(patients)] if patients is not None else []))
               .group_by(MonthlyMinutes.patient_id).subquery())
    spent = func.coalesce(minutes.c.minutes, 0)
    state = _status_sql(spent, facts.c.consent_on, facts.c.care_plan_on, Patient.primary_care_provider, month)
    return (select(facts.c.patient_id, facts.c.consent_on, facts.c.care_plan_on, facts.c.complex,
                   spent.label("minutes"), Patient.given_name, Patient.family_name, Patient.mrn,
                   Patient.primary_care_provider, state.label("status"))
            .join_from(facts, Patient, Patient.id == facts.c.patient_id)
            .outerjoin(minutes, minutes.c.patient_id == facts.c.patient_id)).subquery()


ORDER = {BILLABLE: 4, SHORT: 0, NO_CONSENT: 1, NO_PLAN: 2, NO_PRACTITIONER: 3}


def worklist(session: Session, month: Month, scope: Scope, today: date, *, status_filter: str | None = None,
             page: int = 1, page_size: int | None = 50, as_of: datetime | None = None) -> Worklist:
    """A page of the month's worklist (short first, closest to 20 minutes first; then what is missing; then
    billable), with the counts per status; `page_size` None: every row (an export). `as_of`: read from the
    summary kept by background work (engine.reports.ccm_months), whose figures were taken then.

    Worked out live, it is one pass over the month: each row of the page carries the counts of the whole month
    (window sums over every row, taken before the status filter), so the month's rows are worked out once, not
    once for the counts and again for the page. A page with no rows (past the end) counts them on its own."""
    if as_of is not None:
        wanted = _summary_rows(month, scope, status_filter)
        counts, spent = _summary_counts(session, month, scope)
        found = session.execute(_paged(wanted, page, page_size)).all()
    else:
        rows = rows_query(session, month, scope)
        totals = [func.sum(case((rows.c.status == s, 1), else_=0)).over().label(f"n_{s}") for s in STATUSES]
        whole = select(rows, *totals, func.sum(rows.c.minutes).over().label("month_minutes")).subquery()
        wanted = select(whole).where(whole.c.status == status_filter) if status_filter else select(whole)
        order = case(*((whole.c.status == s, n) for s, n in ORDER.items()), else_=9)
        wanted = wanted.order_by(order, case((whole.c.status == SHORT, -whole.c.minutes), else_=0),
                                 whole.c.family_name, whole.c.given_name, whole.c.patient_id)
        found = session.execute(_paged(wanted, page, page_size)).all()
        if found:
            counts = {s: int(getattr(found[0], f"n_{s}") or 0) for s in STATUSES}
            spent = int(found[0].month_minutes or 0)
        else:
            counts, spent = _counts(session, rows)
    listed = [_row(r) for r in found]
    total = counts.get(status_filter, 0) if status_filter else sum(counts.values())
    return Worklist(month, month.days_left(today), listed, counts, spent, total, page, page_size or max(total, 1),
                    scope.label, status_filter, recent_months(today), as_of)


def _paged(query, page: int, page_size: int | None):
    return query if page_size is None else query.limit(page_size).offset((page - 1) * page_size)


def _summary_rows(month: Month, scope: Scope, status_filter: str | None):
    """SELECT of the month's summary rows in the worklist's order, under the viewer's scope (and a status)."""
    query = (select(CcmMonth.patient_id, CcmMonth.consent_on, CcmMonth.care_plan_on, CcmMonth.complex,
                    CcmMonth.minutes, CcmMonth.given_name, CcmMonth.family_name, CcmMonth.mrn,
                    CcmMonth.primary_care_provider, CcmMonth.status)
             .where(CcmMonth.month == month.key, scope.patients(CcmMonth.patient_id)))
    if status_filter:
        query = query.where(CcmMonth.rank == ORDER[status_filter])
    return query.order_by(CcmMonth.rank, CcmMonth.sort_minutes, CcmMonth.family_name, CcmMonth.given_name,
                          CcmMonth.patient_id)


def _summary_counts(session: Session, month: Month, scope: Scope) -> tuple[dict[str, int], int]:
    """The month's patients per status under the viewer's scope, and all their minutes."""
    found = {s: 0 for s in STATUSES}
    spent = 0
    query = (select(CcmMonth.status, func.count(), func.sum(CcmMonth.minutes))
             .where(CcmMonth.month == month.key, scope.patients(CcmMonth.patient_id)).group_by(CcmMonth.status))
    for status, n, total in session.execute(query):
        found[status], spent = int(n), spent + int(total or 0)
    return found, spent



def _counts(session: Session, rows) -> tuple[dict[str, int], int]:
    """The month's patients per status, and all their minutes."""
    counts = {s: 0 for s in STATUSES}
    spent = 0
    for found, n, total in session.execute(select(rows.c.status, func.count(), func.sum(rows.c.minutes))
                                           .group_by(rows.c.status)):
        counts[found], spent = int(n), spent + int(total or 0)
    return counts, spent


def _row(r) -> WorklistRow:
    complex_ = bool(r.complex)
    minutes = int(r.minutes or 0)
    found = codes(minutes, complex_) if r.status == BILLABLE else []
    return WorklistRow(r.patient_id, f"{r.given_name} {r.family_name}", r.mrn, r.consent_on, r.care_plan_on,
                       complex_, minutes, r.primary_care_provider, r.status, found,
                       max(0, BASE - minutes), next_code_at(minutes, complex_))


def short_of_base(session: Session, month: Month, scope: Scope, today: date, limit: int = 100,
                  as_of: datetime | None = None) -> Worklist:
    """A care manager's list: their patients short of 20 minutes this month, closest to 20 first."""
    return worklist(session, month, scope, today, status_filter=SHORT, page_size=limit, as_of=as_of)

