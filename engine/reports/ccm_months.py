"""The CCM billing worklist worked out ahead: background work keeps one row per patient in CCM per month
(models.CcmMonth) with its status and sort keys, so a worklist page over 100,000 patients reads a page of an index
and the month's counts instead of working every patient out while someone waits.

How it is kept (`refresh`, every REFRESH_SECONDS from the sweep: beat with a broker, else the in-process thread):
- the months a worklist offers (this month and the 12 before) are built whole once (the same query the worklist
  runs live: engine.reports.billing), and months that leave the picker are dropped;
- after that, only the patients whose rows may have changed are worked out again, in every built month: time
  recorded (time_entries.recorded_at), a CCM instance's facts written (consent, care plan, risk tier, start and
  end: instance_facts.updated_at), the patient's record edited (names, billing practitioner: patients.updated_at),
  each since the last refresh, less OVERLAP for transactions that committed after it looked;
- this month and the one before are rebuilt whole every REBUILD_EVERY, which also catches what the changes miss
  (a TCM program renamed in a new version, a transaction longer than OVERLAP).

Reading (`as_of`): a month is read from the summary when it is built and the summary was brought up to date in
the last STALE_AFTER; the worklist says "as of" when. Otherwise (no background work running, a month not built
yet) the worklist is worked out live, exactly as before: slower, never wrong.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, delete, func, insert, literal, select, text, union
from sqlalchemy.orm import Session

from engine.models import CcmMonth, InstanceFacts, Patient, ReportRefresh, TimeEntry
from engine.reports import billing, refreshes
from engine.reports.periods import Month, recent_months
from engine.reports.refreshes import OVERLAP
from engine.reports.scope import Scope

NAME = "ccm_months"
REFRESH_SECONDS = 30.0
MAX_CHANGED = 20_000  # more patients changed than this since the last refresh: rebuild the months instead
COLUMNS = ("month", "patient_id", "consent_on", "care_plan_on", "complex", "minutes", "given_name", "family_name",
           "mrn", "primary_care_provider", "status", "rank", "sort_minutes")


def as_of(session: Session, month: Month, now: datetime) -> datetime | None:
    """When the summary's figures for `month` were taken, if it may be read for it; else None (work it live)."""
    state = refreshes.fresh(session, NAME, now)
    return state.refreshed_at if state is not None and month.key in _months(state) else None


def refresh(session: Session, now: datetime, everything: bool = False) -> dict:
    """Bring the summary up to date as of `now` (`everything`: build every month again); returns what was done
    (months built, patients worked out)."""
    state = refreshes.locked(session, NAME)
    wanted = [m.key for m in recent_months(now.date())]
    built = _months(state) if state is not None else []
    session.execute(delete(CcmMonth).where(CcmMonth.month.not_in(wanted)))
    whole = list(wanted) if everything else [key for key in wanted if key not in built]
    if refreshes.due_whole(state, now):
        whole += [key for key in wanted[:2] if key not in whole]
    changed = 0
    kept = [key for key in wanted if key not in whole]
    if kept and state is not None:
        since = state.changes_from - OVERLAP
        changed = session.scalar(select(func.count()).select_from(_changed_patients(since).subquery())) or 0
        if changed > MAX_CHANGED:
            whole, kept = wanted, []
    for key in whole:
        _build(session, Month.parse(key, now.date()))
    if whole and session.get_bind().dialect.name == "postgresql":
        session.execute(text("ANALYZE ccm_months"))  # a month's rows, new at once: plan with their numbers
    if changed:
        for key in kept:
            _build(session, Month.parse(key, now.date()), _changed_patients(since))
    refreshes.done(session, state, NAME, now, set(wanted[:2]) <= set(whole), ",".join(wanted))
    return {"built": whole, "patients": changed if kept else 0}


def _months(state: ReportRefresh) -> list[str]:
    return [key for key in (state.months or "").split(",") if key]


def _changed_patients(since: datetime):
    """SELECT of the patients whose worklist rows may differ from what the summary holds: time recorded, CCM
    facts written or the record edited since `since`."""
    return union(
        select(TimeEntry.patient_id).where(TimeEntry.recorded_at >= since),
        select(InstanceFacts.patient_id).where(InstanceFacts.updated_at >= since,
                                               InstanceFacts.process_id.in_(billing.CCM_PROGRAMS)),
        select(Patient.id).where(Patient.updated_at >= since))


def _build(session: Session, month: Month, patients=None) -> None:
    """Work out the month's rows again (of `patients` only, when given: a SELECT of ids) with the worklist's
    own query."""
    gone = delete(CcmMonth).where(CcmMonth.month == month.key)
    if patients is not None:
        gone = gone.where(CcmMonth.patient_id.in_(patients))
    session.execute(gone)
    rows = billing.rows_query(session, month, Scope(True), patients)
    rank = case(*((rows.c.status == s, n) for s, n in billing.ORDER.items()), else_=9)
    sort_minutes = case((rows.c.status == billing.SHORT, -rows.c.minutes), else_=0)
    source = select(literal(month.key), rows.c.patient_id, rows.c.consent_on, rows.c.care_plan_on,
                    func.coalesce(rows.c.complex, 0), rows.c.minutes, rows.c.given_name, rows.c.family_name,
                    rows.c.mrn, rows.c.primary_care_provider, rows.c.status, rank, sort_minutes)
    session.execute(insert(CcmMonth).from_select(list(COLUMNS), source))

