"""What happens to a demo patient besides their tasks, so that every report has months of history to show:

- time logged on the patient page (calls, coordination): a few entries a month while a care program runs;
- monitoring that reaches a program as messages: HbA1c results every six to ten weeks (diabetes), weekly weights
  (heart failure);
- how a TCM discharge went: the day of the interactive contact (most within 2 business days, some late), the
  medication reconciliation, the face-to-face visit (some in 7 days, some in 14, some later or never) and the
  complexity of the visit's decision making;
- whether a patient's mood scores improve, stay or worsen from one screening to the next.

Everything is drawn from the patient's own random generator, so the same seed and moment give the same history.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone

from engine.service import LOG_TIME_ACTIVITIES, Actor, CarepathError, LoggedTime
from engine.time.calendar import add_business_days

CARE_PROGRAMS = ("ccm", "diabetes", "heart_failure", "behavioural_health")  # time is logged for these
LOGGERS = (("carl", ("care_manager",)), ("nina", ("nurse", "care_manager")))
# PHQ-9 or GAD-7 points a later screening moves each item by, and how often: most patients improve
MOOD_TRENDS = ((-1, 60), (0, 25), (1, 15))


@dataclass(order=True)
class Event:
    at: datetime
    order: int
    run: object = field(compare=False)  # run(service) at `at`


@dataclass
class Plan:
    """A patient's history besides the tasks: events at moments, when chosen tasks are done and with what."""

    events: list[Event] = field(default_factory=list)
    when: dict[str, datetime] = field(default_factory=dict)  # element id -> when the task is done
    answers: dict[str, dict] = field(default_factory=dict)  # element id -> answers that steer it
    mood_trend: int = 0

    def due(self, until: datetime) -> list[Event]:
        """The events up to `until`, taken off the plan, in time order."""
        self.events.sort()
        taken = [e for e in self.events if e.at <= until]
        self.events = self.events[len(taken):]
        return taken


def _at(day: date, rng: random.Random, first: int = 9, last: int = 17) -> datetime:
    return datetime.combine(day, time(rng.randint(first, last - 1), rng.randint(0, 59)), tzinfo=timezone.utc)


def plan_for(rng: random.Random, program: str, patient_id: str, started: datetime, present: datetime,
             program_name: str) -> Plan:
    plan = Plan(mood_trend=rng.choices([t for t, _ in MOOD_TRENDS], [w for _, w in MOOD_TRENDS])[0])
    if program in CARE_PROGRAMS:
        _logged_time(plan, rng, patient_id, started, present, program_name)
    if program == "diabetes":
        _hba1c_results(plan, rng, patient_id, started, present)
    elif program == "heart_failure":
        _weights(plan, rng, patient_id, started, present)
    return plan


def _logged_time(plan: Plan, rng: random.Random, patient_id: str, started: datetime, present: datetime,
                 program_name: str) -> None:
    day = started.date() + timedelta(days=10)
    while day < present.date():
        if day.weekday() < 5 and rng.random() < 0.09:  # about two a month
            moment = _at(day, rng)
            if moment < present:
                username, held = LOGGERS[rng.randrange(len(LOGGERS))]
                entry = LoggedTime(day.isoformat(), rng.choice([5, 8, 10, 12, 15, 20]),
                                   rng.choice(LOG_TIME_ACTIVITIES), username, program_name)
                actor = Actor.person(username, *held)
                plan.events.append(Event(moment, len(plan.events),
                                         lambda service, e=entry, a=actor: service.log_time(patient_id, e, a)))
        day += timedelta(days=1)


def _message(name: str, patient_id: str, payload: dict):
    def send(service):
        try:
            service.correlate(name, {"patient_id": patient_id}, payload)
        except CarepathError:
            pass  # the program has ended: nothing waits for it any more
    return send


def _hba1c_results(plan: Plan, rng: random.Random, patient_id: str, started: datetime, present: datetime) -> None:
    value = rng.uniform(7.4, 10.2)
    day = started.date() + timedelta(days=rng.randint(15, 30))
    while day < present.date():
        moment = _at(day, rng, 7, 12)
        payload = {"code": "4548-4", "name": "Hemoglobin A1c", "value": round(value, 1), "unit": "%",
                   "date": day.isoformat()}
        plan.events.append(Event(moment, len(plan.events), _message("lab_result", patient_id, payload)))
        value = max(5.8, value + rng.choice([-0.7, -0.5, -0.4, -0.3, -0.1, 0.2, 0.4]))
        day += timedelta(days=rng.randint(42, 70))


def _weights(plan: Plan, rng: random.Random, patient_id: str, started: datetime, present: datetime) -> None:
    kg = rng.uniform(68, 112)
    day = started.date() + timedelta(days=rng.randint(10, 20))
    while day < present.date():
        moment = _at(day, rng, 6, 9)
        kg += rng.uniform(-0.9, 0.7) + (2.6 if rng.random() < 0.06 else 0.0)  # now and then, fluid builds up
        payload = {"code": "29463-7", "name": "Body weight", "value": round(kg, 1), "unit": "kg",
                   "date": day.isoformat()}
        plan.events.append(Event(moment, len(plan.events), _message("observation", patient_id, payload)))
        day += timedelta(days=7)


def discharge_day(rng: random.Random, present: datetime) -> date:
    """When a demo TCM patient left hospital: over the last five months, a few of them in the last week."""
    return (present - timedelta(days=rng.randint(0, 6) if rng.random() < 0.2 else rng.randint(7, 150))).date()


EARLIEST_DISCHARGE_DAYS = 175  # earlier stays stay inside the demo's history (patients registered 200 days back)


def earlier_discharges(rng: random.Random, present: datetime, latest: date) -> list[date]:
    """A demo TCM patient's earlier hospital stays before the `latest` discharge, oldest first: none, one or two,
    most five to ten weeks apart, about one in five within 30 days of the next (a readmission)."""
    found: list[date] = []
    following = latest
    for _ in range(rng.choices([0, 1, 2], [20, 45, 35])[0]):
        day = following - timedelta(days=rng.randint(12, 28) if rng.random() < 0.2 else rng.randint(35, 70))
        if (present.date() - day).days > EARLIEST_DISCHARGE_DAYS:
            break
        found.append(day)
        following = day
    return sorted(found)


def tcm_plan(plan: Plan, rng: random.Random, discharged: date, complexity: str) -> None:
    """How the discharge's follow-up went: the contact on the 1st, 2nd or (late) 3rd business day, reached or
    two attempts; reconciliation the day after; the visit on a day from 4 to 20 (the 7- and 14-day windows
    met, missed, or the patient readmitted before it); the visit's decision-making complexity."""
    contacted = add_business_days(discharged, rng.choices([1, 2, 3], [50, 30, 20])[0])
    reached = rng.random() < 0.85
    plan.when["interactive_contact"] = _at(contacted, rng, 9, 16)
    plan.answers["interactive_contact"] = {"tcm_contact": {
        "outcome": "reached_patient" if reached else "not_reached", "date": contacted.isoformat(),
        "method": "telephone", "attempts": 1 if reached else 2, "warning_signs": False,
        "understands_discharge_instructions": True}}
    reconciled = contacted + timedelta(days=1)
    plan.when["medication_reconciliation"] = _at(reconciled, rng, 9, 16)
    plan.answers["medication_reconciliation"] = {"medication_reconciliation": {
        "date": reconciled.isoformat(), "sources": ["discharge_summary", "patient_interview"],
        "discrepancies_found": rng.choice([0, 0, 1, 2])}}
    seen = discharged + timedelta(days=max((reconciled - discharged).days + 1,
                                           rng.choices([4, 6, 7, 8, 10, 13, 15, 20], [15, 15, 15, 15, 15, 10, 8, 7])[0]))
    mdm = complexity if rng.random() < 0.8 else ("moderate" if complexity == "high" else "high")
    visit = {"tcm_visit": {"date": seen.isoformat(), "setting": rng.choice(["office", "home", "telehealth"]),
                           "medical_decision_making": mdm, "medicines_reviewed": True}}
    for element in ("face_to_face_visit", "late_face_to_face_visit"):
        plan.when[element], plan.answers[element] = _at(seen, rng, 9, 16), visit
    readmitted = rng.random() < 0.12
    plan.answers["missed_visit_follow_up"] = {"missed_visit_follow_up": (
        {"action": "readmitted", "note": "Readmitted before the visit"} if readmitted
        else {"action": "rebooked", "rebooked_for": seen.isoformat()})}
    plan.answers["missed_contact_follow_up"] = {"missed_contact_follow_up": {
        "reason": "workload", "action": "nurse_reminded"}}


def mood_items(answers: dict, trend: int, screening: int) -> dict:
    """PHQ-9 items 1-8 and GAD-7 items at a later screening: each item moved by `trend` per screening since the
    first (item 9, self-harm, stays as it was)."""
    if screening <= 0 or trend == 0:
        return answers
    moved = dict(answers)
    for name, value in answers.items():
        if isinstance(value, int) and (name.startswith("gad7_") or name.startswith("phq9_")) and name != "phq9_9":
            moved[name] = max(0, min(3, value + trend * screening))
    return moved

