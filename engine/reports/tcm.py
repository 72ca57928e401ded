"""TCM compliance: one row per hospital discharge, with whether its interactive contact, medication
reconciliation and face-to-face visit came in time, the code the discharge supports, and readmissions.

The rules (CMS MLN908628 "Transitional Care Management Services"; CPT's descriptors of 99495 and 99496):
- the 30-day TCM period starts on the day of discharge and runs for the next 29 days;
- an interactive contact (direct, telephone or electronic) with the patient or caregiver within 2 business days
  after discharge (Monday to Friday, holidays excluded: engine.time.calendar); two or more separate attempts
  made in time and documented count when the patient could not be reached;
- medication reconciliation no later than the date of the face-to-face visit;
- 99496: medical decision making of high complexity and the face-to-face visit within 7 calendar days of
  discharge; 99495: at least moderate complexity and the visit within 14 calendar days;
- a readmission within 30 days does not start another billable TCM period (TCM is reported once in the 30
  days after a discharge).
A day count is the calendar days after the discharge date (the day after discharge is day 1).
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

from sqlalchemy import String, cast, func, select
from sqlalchemy.orm import Session, aliased

from engine.errors import InvalidInput
from engine.models import InstanceFacts, Patient, TcmDischarge
from engine.reports.periods import Month, recent_months
from engine.reports.scope import Scope
from engine.time.calendar import add_business_days, holiday_calendar

TCM_PROGRAMS = ("tcm",)
CONTACT_BUSINESS_DAYS = 2
HIGH_WITHIN, MODERATE_WITHIN = 7, 14  # days after discharge: 99496, 99495
PERIOD_DAYS = 30  # the discharge day and the next 29
READMISSION_DAYS = 30
REACHED = ("reached_patient", "reached_caregiver")
ATTEMPTS_THAT_COUNT = 2

MET, MISSED, PENDING = "met", "missed", "pending"


@lru_cache(maxsize=4096)
def _deadline(discharged: date, calendar: str) -> date:
    return add_business_days(discharged, CONTACT_BUSINESS_DAYS)


def contact_deadline(discharged: date) -> date:
    """The last day of the interactive contact: the 2nd business day after the discharge."""
    return _deadline(discharged, holiday_calendar())


def contact_status(discharged: date, contact_on: date | None, outcome: str | None, attempts: int | None,
                   today: date) -> str:
    """met: the patient or caregiver reached (or two attempts documented) by the deadline; pending: no contact
    yet and the deadline not passed; missed otherwise."""
    deadline = contact_deadline(discharged)
    if contact_on is not None and contact_on <= deadline and (
            outcome in REACHED or (attempts or 0) >= ATTEMPTS_THAT_COUNT):
        return MET
    if contact_on is None and today <= deadline:
        return PENDING
    return MISSED


def visit_day(discharged: date, visit_on: date | None) -> int | None:
    return (visit_on - discharged).days if visit_on is not None else None


def tcm_code(discharged: date, contact: str, med_rec_on: date | None, visit_on: date | None, mdm: str | None,
             today: date) -> tuple[str | None, str]:
    """(the code the discharge supports, or None; why, in words)."""
    if contact == MISSED:
        return None, "no interactive contact within 2 business days"
    if visit_on is None:
        if today <= discharged + timedelta(days=MODERATE_WITHIN):
            return None, f"waiting for the face-to-face visit (by {discharged + timedelta(days=MODERATE_WITHIN)})"
        return None, f"no face-to-face visit within {MODERATE_WITHIN} days"
    day = visit_day(discharged, visit_on)
    if day > MODERATE_WITHIN:
        return None, f"visit on day {day}, after {MODERATE_WITHIN} days"
    if med_rec_on is None or med_rec_on > visit_on:
        return None, "medicines not reconciled by the visit"
    if mdm not in ("moderate", "high"):
        return None, "medical decision making below moderate complexity"
    if contact == PENDING:
        return None, "waiting for the interactive contact"
    if mdm == "high" and day <= HIGH_WITHIN:
        return "99496", f"high complexity, visit on day {day}"
    return "99495", f"{mdm} complexity, visit on day {day}"


@dataclass
class DischargeRow:
    instance_id: int
    patient_id: str
    name: str
    mrn: str
    discharge_on: date
    complexity: str | None
    contact_deadline: date
    contact_on: date | None
    contact_outcome: str | None
    contact_attempts: int | None
    contact: str
    med_rec_on: date | None
    visit_on: date | None
    visit_day: int | None
    mdm: str | None
    code: str | None
    reason: str
    readmitted_on: date | None
    no_visit_reason: str | None

    @property
    def med_rec_by_visit(self) -> bool | None:
        if self.visit_on is None:
            return None
        return self.med_rec_on is not None and self.med_rec_on <= self.visit_on

    @property
    def visit_within(self) -> int | None:
        """7 or 14 when the visit came within that many days, else None."""
        if self.visit_day is None or self.visit_day > MODERATE_WITHIN:
            return None
        return HIGH_WITHIN if self.visit_day <= HIGH_WITHIN else MODERATE_WITHIN

    @property
    def readmitted(self) -> bool:
        return self.readmitted_on is not None

    @property
    def pending(self) -> bool:
        return self.code is None and self.reason.startswith("waiting")


@dataclass
class MonthTotals:
    month: Month
    counts: Counter = field(default_factory=Counter)

    def rate(self, part: str, whole: str = "discharges") -> float | None:
        return self.counts[part] / self.counts[whole] if self.counts[whole] else None


@dataclass
class Compliance:
    first: Month
    last: Month
    rows: list[DischargeRow]  # the page shown
    months: list[MonthTotals]
    total: int
    page: int
    page_size: int
    scope_label: str
    months_offered: list[Month] = field(default_factory=list)
    show: str | None = None  # the rows of one total only
    as_of: datetime | None = None  # read from the rows background work worked out then

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))

    @property
    def overall(self) -> MonthTotals:
        whole = MonthTotals(self.first)
        for month in self.months:
            whole.counts.update(month.counts)
        return whole


def compliance(session: Session, first: Month, last: Month, scope: Scope, today: date, *, page: int = 1,
               page_size: int | None = 100, show: str | None = None, as_of: datetime | None = None) -> Compliance:
    """Discharges from the first day of `first` to the last of `last`, newest first (a page of them; `show`:
    only those a total counts, one of COUNTED), with the totals per month over all of them. `as_of`: read
    from the rows background work worked out then (engine.reports.tcm_summary), else worked out now."""
    if show is not None and show not in COUNTED:
        raise InvalidInput(f"there is no total '{show[:40]}': choose one of {', '.join(COUNTED)}")
    totals: dict[str, MonthTotals] = {}
    month = first
    while month.first <= last.first:
        totals[month.key] = MonthTotals(month)
        month = month.next()
    if as_of is not None:
        return _from_summary(session, first, last, scope, today, totals, page, page_size, show, as_of)
    rows = discharge_rows(session, today, InstanceFacts.discharge_on >= first.first,
                          InstanceFacts.discharge_on <= last.last, scope.patients(InstanceFacts.patient_id))
    for row in rows:
        _count(totals[Month.of(row.discharge_on).key].counts, row)
    if show is not None:
        rows = [row for row in rows if _count(Counter(), row)[show]]
    size = page_size or max(len(rows), 1)
    shown = rows[(page - 1) * size: page * size]
    return Compliance(first, last, shown, list(totals.values()), len(rows), page, size, scope.label,
                      recent_months(today, 37), show)


def discharge_rows(session: Session, today: date, *where) -> list[DischargeRow]:
    """The rows of the TCM discharges `where` says, newest first, as of `today`."""
    later = aliased(InstanceFacts)
    next_discharge = (select(func.min(later.discharge_on))
                      .where(later.patient_id == InstanceFacts.patient_id, later.process_id.in_(TCM_PROGRAMS),
                             later.discharge_on > InstanceFacts.discharge_on)
                      .correlate(InstanceFacts).scalar_subquery())
    f = InstanceFacts  # the columns a row needs, not the facts as objects: a row of thousands costs a third
    query = (select(f.instance_id, f.patient_id, f.discharge_on, f.tcm_complexity, f.contact_on, f.contact_outcome,
                    f.contact_attempts, f.med_rec_on, f.visit_on, f.visit_mdm, f.no_visit_reason, f.readmitted_on,
                    Patient.given_name, Patient.family_name, Patient.mrn, next_discharge.label("next_discharge"))
             .join(Patient, Patient.id == InstanceFacts.patient_id)
             .where(InstanceFacts.process_id.in_(TCM_PROGRAMS), InstanceFacts.discharge_on.is_not(None), *where)
             .order_by(InstanceFacts.discharge_on.desc(), InstanceFacts.instance_id.desc()))
    return [_row(found, today) for found in session.execute(query)]


def tally(row: DischargeRow) -> str:
    """The totals a row counts in, as the summary keeps them: ",discharges,contact_met,...,"."""
    return "," + ",".join(sorted(_count(Counter(), row))) + ","


def _from_summary(session: Session, first: Month, last: Month, scope: Scope, today: date,
                  totals: dict[str, MonthTotals], page: int, page_size: int | None, show: str | None,
                  as_of: datetime) -> Compliance:
    d = TcmDischarge
    where = [d.discharge_on >= first.first, d.discharge_on <= last.last, scope.patients(d.patient_id)]
    month_of = func.substr(cast(d.discharge_on, String(10)), 1, 7)
    for key, found, n in session.execute(select(month_of, d.tally, func.count()).where(*where)
                                         .group_by(month_of, d.tally)):
        counts = totals[key].counts
        for part in found.strip(",").split(","):
            counts[part] += n
    if show is not None:
        where.append(d.tally.like(f"%,{show},%"))
    total = totals_for(totals, show)
    size = page_size or max(total, 1)
    query = (select(d, Patient.given_name, Patient.family_name, Patient.mrn)
             .join(Patient, Patient.id == d.patient_id).where(*where)
             .order_by(d.discharge_on.desc(), d.instance_id.desc()).limit(size).offset((page - 1) * size))
    shown = [DischargeRow(r.instance_id, r.patient_id, f"{given} {family}", mrn, r.discharge_on, r.complexity,
                          r.contact_deadline, r.contact_on, r.contact_outcome, r.contact_attempts, r.contact,
                          r.med_rec_on, r.visit_on, r.visit_day, r.mdm, r.code, r.reason, r.readmitted_on,
                          r.no_visit_reason) for r, given, family, mrn in session.execute(query)]
    return Compliance(first, last, shown, list(totals.values()), total, page, size, scope.label,
                      recent_months(today, 37), show, as_of)


def totals_for(totals: dict[str, MonthTotals], show: str | None) -> int:
    """The discharges the page lists: every one, or those one total counts."""
    return sum(month.counts[show or "discharges"] for month in totals.values())


def _row(f, today: date) -> DischargeRow:
    """A discharge's row from its facts (and the patient's name, MRN and next discharge)."""
    contact = contact_status(f.discharge_on, f.contact_on, f.contact_outcome, f.contact_attempts, today)
    code, reason = tcm_code(f.discharge_on, contact, f.med_rec_on, f.visit_on, f.visit_mdm, today)
    if f.visit_on is None and f.no_visit_reason and code is None and reason.startswith("waiting"):
        reason = f"no visit: {f.no_visit_reason.replace('_', ' ')}"
    readmitted, next_discharge = f.readmitted_on, f.next_discharge
    if readmitted is None and next_discharge is not None \
            and (next_discharge - f.discharge_on).days <= READMISSION_DAYS:
        readmitted = next_discharge
    return DischargeRow(f.instance_id, f.patient_id, f"{f.given_name} {f.family_name}", f.mrn, f.discharge_on, f.tcm_complexity,
                        contact_deadline(f.discharge_on), f.contact_on, f.contact_outcome, f.contact_attempts,
                        contact, f.med_rec_on, f.visit_on, visit_day(f.discharge_on, f.visit_on), f.visit_mdm,
                        code, reason, readmitted, f.no_visit_reason)


COUNTED = ("discharges", "contact_met", "contact_missed", "contact_pending", "visit_7", "visit_14", "visit_late",
           "med_rec_by_visit", "code_99496", "code_99495", "no_code", "pending", "readmitted")


def _count(counts: Counter, row: DischargeRow) -> Counter:
    counts["discharges"] += 1
    counts[f"contact_{row.contact}"] += 1
    within = row.visit_within
    if within == HIGH_WITHIN:
        counts["visit_7"] += 1
    if within is not None:
        counts["visit_14"] += 1
    elif row.visit_on is not None:
        counts["visit_late"] += 1
    if row.med_rec_by_visit:
        counts["med_rec_by_visit"] += 1
    if row.code:
        counts[f"code_{row.code}"] += 1
    elif row.pending:
        counts["pending"] += 1
    else:
        counts["no_code"] += 1
    if row.readmitted:
        counts["readmitted"] += 1
    return counts
