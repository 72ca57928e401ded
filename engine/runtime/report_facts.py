"""Facts the reports need about an instance, written when a step saves it: one compact row per instance
(`instance_facts`: consent, care plan, discharge, contact, reconciliation, visit, first and latest mood scores,
stage, end) and each score or measurement on its day (`outcome_measures`), so that no report ever unpacks a
workflow.

What a step changes is found without reading the database: the facts are taken from where the workflow waits
when it is loaded and again when it is saved (only when its stored state names one of the data they come from:
most steps of most pathways skip the walk), and only a difference is written, with the step's other rows (the
same `WriteBatch`: on PostgreSQL no round trip is added). The stage is the stage of the newest task: it is
written when a step opens a task in another stage than the tasks it closed. A fact once written stays (an
upsert keeps what a later step does not see), so a branch that never held a value does not erase it.

The data names read are the shipped pathways' contract (pathways/README.md): `consent`, `care_plan`,
`mood_screenings`, `risk_tier`, TCM's `discharge_date`, `tcm_complexity`, `tcm_contact`,
`medication_reconciliation`, `tcm_visit` and the follow-ups, the data objects `hba1c_results` and `weights`,
and `program_end_reason`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.models import InboxTask, InstanceFacts, InstanceStatus, OutcomeMeasure
from engine.models.patient import RISK_TIERS
from engine.runtime.pending import WaitingTasks, data_marker, waiting_tasks
from engine.runtime.row_sync import INBOX_INSERT, committed
from engine.store.conflicts import insert_for
from engine.store.step_writes import WriteBatch, defer
from engine.time import clock

KEYS = ("consent", "care_plan", "mood_screenings", "risk_tier", "discharge_date", "tcm_complexity", "tcm_contact",
        "medication_reconciliation", "tcm_visit", "missed_visit_follow_up", "missed_contact_follow_up",
        "program_end_reason", "hba1c_results", "weights")
# how the data appear in a stored state (JSON) that holds them (TCM's others come with its discharge_date)
MARKERS = tuple(data_marker(key) for key in ("consent", "care_plan", "mood_screenings", "risk_tier",
                                             "discharge_date", "program_end_reason", "hba1c_results", "weights"))
# facts a later step may replace (the newest screening, the stage); every other fact is kept once known
REPLACED = ("stage", "risk_tier", "phq9_latest", "phq9_latest_on", "gad7_latest", "gad7_latest_on", "end_reason")
IDENTITY = ("patient_id", "process_id", "program", "deployment_id")


@dataclass(frozen=True)
class Snapshot:
    """The facts a workflow holds at one moment: columns of its row, and (measure, day, value) readings."""

    columns: dict = field(default_factory=dict)
    measures: frozenset = frozenset()


EMPTY = Snapshot()


def holds_facts(state: str | None) -> bool:
    return bool(state) and any(marker in state for marker in MARKERS)


def snapshot(workflow, state: str | None = None, waiting: WaitingTasks | None = None) -> Snapshot:
    """The facts the workflow holds now; `state`, its stored form when known, spares the walk when it names
    none of the data they come from; `waiting`, the tasks it waits at when the caller has found them already."""
    if state is not None and not holds_facts(state):
        return EMPTY
    data = _data(workflow, waiting)
    if not data:
        return EMPTY
    columns: dict = {}
    measures: set = set()
    _consent_and_plan(data, columns)
    _transitional_care(data, columns)
    _mood(data, columns, measures)
    _monitoring(data, measures)
    tier = data.get("risk_tier")
    if tier in RISK_TIERS:
        columns["risk_tier"] = tier
    reason = data.get("program_end_reason")
    if isinstance(reason, str) and reason:
        columns["end_reason"] = reason[:40]
    return Snapshot(columns, frozenset(measures))


def _data(workflow, waiting: WaitingTasks | None = None) -> dict:
    """The facts' data where the workflow waits, the newest task's last (an ended workflow: its last step's),
    with the program's data objects; screenings from every waiting task (a stage's copy may hold fewer)."""
    if workflow.completed and workflow.last_task is not None:
        tasks = [workflow.last_task]
    else:
        tasks = sorted(waiting_tasks(workflow, waiting), key=lambda t: t.last_state_change)
    merged: dict = {}
    screenings: dict = {}
    for task in tasks:
        for key in KEYS:
            value = task.data.get(key)
            if value is not None:
                merged[key] = value
        for entry in task.data.get("mood_screenings") or ():
            if isinstance(entry, dict) and entry.get("date"):
                screenings[str(entry["date"])[:10]] = entry
    for key, value in (workflow.data_objects or {}).items():
        if key in KEYS and value is not None:
            merged[key] = value
    if screenings:
        merged["mood_screenings"] = [screenings[day] for day in sorted(screenings)]
    return merged


def _day(value) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def _today() -> date:
    return clock.now().date()


def _consent_and_plan(data: dict, columns: dict) -> None:
    consent = data.get("consent")
    if isinstance(consent, dict) and consent.get("given") is True:
        columns["consent_on"] = _day(consent.get("date")) or _today()
    plan = data.get("care_plan")
    if isinstance(plan, dict) and plan.get("status") in ("active", "closed") and plan.get("agreed_on"):
        columns["care_plan_on"] = _day(plan.get("agreed_on"))


def _text(value, size: int) -> str | None:
    return value[:size] if isinstance(value, str) and value else None


def _transitional_care(data: dict, columns: dict) -> None:
    discharged = _day(data.get("discharge_date"))
    if discharged is None:
        return
    columns["discharge_on"] = discharged
    columns["tcm_complexity"] = _text(data.get("tcm_complexity"), 20)
    contact = data.get("tcm_contact")
    if isinstance(contact, dict) and _day(contact.get("date")):
        columns["contact_on"] = _day(contact.get("date"))
        columns["contact_outcome"] = _text(contact.get("outcome"), 40)
        attempts = contact.get("attempts")
        columns["contact_attempts"] = attempts if isinstance(attempts, int) and not isinstance(attempts, bool) \
            else None
    reconciled = data.get("medication_reconciliation")
    if isinstance(reconciled, dict) and _day(reconciled.get("date")):
        columns["med_rec_on"] = _day(reconciled.get("date"))
    visit = data.get("tcm_visit")
    if isinstance(visit, dict):
        if _day(visit.get("date")):
            columns["visit_on"] = _day(visit.get("date"))
            columns["visit_mdm"] = _text(visit.get("medical_decision_making"), 20)
        elif visit.get("missed_reason"):
            columns["no_visit_reason"] = _text(visit.get("missed_reason"), 40)
    for follow_up in ("missed_visit_follow_up", "missed_contact_follow_up"):
        found = data.get(follow_up)
        if isinstance(found, dict) and found.get("action") == "readmitted":
            columns["readmitted_on"] = _today()


def _score(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _mood(data: dict, columns: dict, measures: set) -> None:
    for measure, key in (("phq9", "phq9_total"), ("gad7", "gad7_total")):
        readings = [(_day(e.get("date")), _score(e.get(key))) for e in data.get("mood_screenings") or ()
                    if isinstance(e, dict)]
        readings = [(day, score) for day, score in readings if day is not None and score is not None]
        if not readings:
            continue
        readings.sort()
        columns[f"{measure}_first_on"], columns[f"{measure}_first"] = readings[0]
        columns[f"{measure}_latest_on"], columns[f"{measure}_latest"] = readings[-1]
        measures.update((measure, day, float(score)) for day, score in readings)


def _monitoring(data: dict, measures: set) -> None:
    for key, measure, field_name in (("hba1c_results", "hba1c", "value"), ("weights", "weight_kg", "kg")):
        for entry in data.get(key) or ():
            if not isinstance(entry, dict):
                continue
            day, value = _day(entry.get("date")), entry.get(field_name)
            if day is not None and isinstance(value, int | float) and not isinstance(value, bool):
                measures.add((measure, day, float(value)))


# ---------------------------------------------------------------------------------------------- writing

def queue_changes(session: Session, instance, workflow, before: Snapshot | None, state: str,
                  batch: WriteBatch, waiting: WaitingTasks | None = None) -> None:
    """Queue on `batch` what this step changed of the instance's facts (`before`: as loaded; None for an
    instance being started). Called by the runtime's save, after the step's inbox rows were queued, with the
    tasks the saved workflow waits at (`waiting`)."""
    after = snapshot(workflow, state, waiting)
    stage = _new_stage(session, instance, batch)
    ended = instance.status in InstanceStatus.ENDED and committed(instance, "status") not in InstanceStatus.ENDED
    moved = committed(instance, "deployment_id") != instance.deployment_id
    if before is not None and after == before and stage is None and not ended and not moved:
        return
    _queue(session, instance, after.columns, stage, after.measures - (before or EMPTY).measures, batch)


def _queue(session: Session, instance, columns: dict, stage: str | None, measures, batch: WriteBatch) -> None:
    row = dict.fromkeys(COLUMNS)
    row.update(columns)
    row.update(instance_id=instance.id, patient_id=instance.patient_id, process_id=instance.process_id,
               program=instance.program, deployment_id=instance.deployment_id,
               started_on=instance.started_at.date(), stage=stage, updated_at=clock.now())
    if instance.status in InstanceStatus.ENDED:
        row["ended_on"] = (instance.ended_at or clock.now()).date()
        row["end_reason"] = row["end_reason"] or instance.status
    dialect = session.get_bind().dialect.name
    batch.add(_upsert_facts(dialect), row)
    for measure, day, value in sorted(measures):
        batch.add(_upsert_measure(dialect), dict(instance_id=instance.id, patient_id=instance.patient_id,
                                                 process_id=instance.process_id, measure=measure, taken_on=day,
                                                 value=value))


def _new_stage(session: Session, instance, batch: WriteBatch) -> str | None:
    """The stage of the newest task the step opened, when the tasks it closed were in another (or it closed
    none this session knows of); else None."""
    opened = [params["stage"] for statement, params, _, _ in batch.writes if statement is INBOX_INSERT]
    if not opened:
        return None
    known = {obj.stage for obj in session.identity_map.values()
             if isinstance(obj, InboxTask) and obj.instance_id == instance.id}
    return opened[-1] if opened[-1] not in known else None


COLUMNS = tuple(c.key for c in InstanceFacts.__table__.columns)
_STATEMENTS: dict = {}


def _upsert_facts(dialect: str):
    key = ("facts", dialect)
    statement = _STATEMENTS.get(key)
    if statement is None:
        table = InstanceFacts.__table__
        insert = insert_for(dialect, table, "report facts")
        kept = {}
        for column in COLUMNS:
            if column == "instance_id":
                continue
            new, old = insert.excluded[column], table.c[column]
            if column in IDENTITY or column == "updated_at":
                kept[column] = new
            elif column == "started_on":
                kept[column] = old
            elif column in REPLACED:
                kept[column] = func.coalesce(new, old)
            else:
                kept[column] = func.coalesce(old, new)
        statement = _STATEMENTS[key] = insert.on_conflict_do_update(index_elements=["instance_id"], set_=kept)
    return statement


def _upsert_measure(dialect: str):
    key = ("measure", dialect)
    statement = _STATEMENTS.get(key)
    if statement is None:
        insert = insert_for(dialect, OutcomeMeasure.__table__, "report facts")
        statement = _STATEMENTS[key] = insert.on_conflict_do_update(
            index_elements=["instance_id", "measure", "taken_on"], set_={"value": insert.excluded.value})
    return statement


def rebuild(session: Session, runtime, instance) -> None:
    """Write an instance's facts from its workflow as it stands (instances that ran before the facts were kept;
    a maintenance job, not a step: the instance is only read)."""
    after = snapshot(runtime.load(session, instance).workflow)
    stage = session.scalar(select(InboxTask.stage).where(InboxTask.instance_id == instance.id)
                           .order_by(InboxTask.id.desc()).limit(1))
    batch = WriteBatch()
    _queue(session, instance, after.columns, stage, after.measures, batch)
    defer(session, batch)
