"""Bulk migration plans: the open instances of one pathway version, chosen by a filter, moved onto a newer
version of the same bundle. A plan is made (versions, filter, element mapping), checked (the dry run: for each
instance, "moves", or "cannot move, because task X no longer exists"), then run instance by instance, each move
in its own transaction with the plan's progress, so a run stopped half way goes on where it stopped. Every move
is in the instance's history, naming the plan."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from engine.care import characters
from engine.care import instances as instances_mod
from engine.care.actors import Actor
from engine.errors import CarepathError, InvalidInput, InvalidState, NotFound
from engine.models import MAX_ID, Deployment, Instance, InstanceStatus, MigrationItem, MigrationPlan
from engine.runtime.migration import check_move, elements
from engine.runtime.runner import Runtime
from engine.store import audit
from engine.time import clock

PLANNED, CHECKING, CHECKED, QUEUED, RUNNING, DONE, FAILED = (
    "planned", "checking", "checked", "queued", "running", "done", "failed")
# what an item's outcome says: checked by the dry run; moved, refused (with why) or skipped by the run
ITEM_CHECKED, MOVED, REFUSED, SKIPPED = "checked", "moved", "refused", "skipped"
MAX_MAPPINGS = 100


@dataclass(frozen=True)
class PlanFilters:
    """Which open instances of the source version a plan takes."""

    status: str | None = None  # running, error or suspended; None: all three
    patient_id: str | None = None
    older_than_days: int | None = None

    def check(self) -> None:
        if self.status is not None and self.status not in InstanceStatus.OPEN:
            raise InvalidInput(f"only open instances move: the status must be one of {', '.join(InstanceStatus.OPEN)}")
        characters.require_text("the patient", self.patient_id)
        if self.older_than_days is not None and not 0 <= self.older_than_days <= 36500:
            raise InvalidInput("the age must be a number of days from 0 to 36500")

    def as_dict(self) -> dict:
        return {k: v for k, v in vars(self).items() if v not in (None, "")}


def get_plan(session: Session, plan_id: int, *, for_update: bool = False) -> MigrationPlan:
    plan = session.get(MigrationPlan, plan_id, with_for_update=for_update or None) if 1 <= plan_id <= MAX_ID else None
    if plan is None:
        raise NotFound(f"migration plan {plan_id} does not exist")
    return plan


def _deployment(session: Session, deployment_id: int, which: str) -> Deployment:
    found = session.get(Deployment, deployment_id) if 1 <= deployment_id <= MAX_ID else None
    if found is None:
        raise NotFound(f"the {which} version {deployment_id} does not exist")
    return found


def create_plan(session: Session, runtime: Runtime, source_id: int, target_id: int, filters: PlanFilters,
                mapping: dict[str, str], by: str) -> MigrationPlan:
    """A plan to move the open instances of `source_id` that `filters` choose onto `target_id`, a newer version
    of the same bundle; `mapping` (old element -> new element) names where a task that is gone went."""
    filters.check()
    source, target = _deployment(session, source_id, "source"), _deployment(session, target_id, "target")
    if source.name != target.name:
        raise InvalidInput(f"{target.label} is not a version of {source.name}: instances move between versions of "
                           "one bundle")
    if target.version <= source.version:
        raise InvalidInput(f"{target.label} is not newer than {source.label}: choose a newer version to move to")
    mapping = check_mapping(session, runtime, source, target, mapping)
    plan = MigrationPlan(source_id=source.id, target_id=target.id, filters=filters.as_dict(), mapping=mapping,
                         status=PLANNED, total=0, checked=0, movable=0, done=0, moved=0, refused=0, created_by=by,
                         created_at=clock.now())
    session.add(plan)
    session.flush()
    audit.record(session, "migration_planned", by, deployment_id=target.id,
                 details={"plan": plan.id, "from": source.label, "to": target.label, "filters": plan.filters,
                          "mapping": mapping})
    return plan


def check_mapping(session: Session, runtime: Runtime, source: Deployment, target: Deployment,
                  mapping: dict[str, str]) -> dict[str, str]:
    """Each mapping's old element must be one of the source's and its new one one of the target's."""
    mapping = {str(k).strip(): str(v).strip() for k, v in (mapping or {}).items() if str(k).strip()}
    if len(mapping) > MAX_MAPPINGS:
        raise InvalidInput(f"at most {MAX_MAPPINGS} element mappings")
    old, new = known_elements(session, runtime, source), known_elements(session, runtime, target)
    for before, after in mapping.items():
        characters.require_text("an element id", before)
        characters.require_text("an element id", after)
        if before not in old:
            raise InvalidInput(f"'{before}' is not an element of {source.label}")
        if after not in new:
            raise InvalidInput(f"'{after}' is not an element of {target.label}")
    return mapping


def known_elements(session: Session, runtime: Runtime, deployment: Deployment) -> dict[str, str]:
    parsed = runtime.specs.get(session, deployment.id)
    found: dict[str, str] = {}
    for process in deployment.processes:
        if process.get("startable") and process["id"] in parsed.processes:
            found.update(elements(parsed, process["id"]))
    return found


def _matching(plan: MigrationPlan):
    filters = plan.filters or {}
    conditions = [Instance.deployment_id == plan.source_id]
    status = filters.get("status")
    conditions.append(Instance.status == status if status else Instance.status.in_(InstanceStatus.OPEN))
    if filters.get("patient_id"):
        conditions.append(Instance.patient_id == filters["patient_id"])
    if filters.get("older_than_days") is not None:
        conditions.append(Instance.started_at <= clock.now() - timedelta(days=int(filters["older_than_days"])))
    return conditions


def begin_check(session: Session, plan_id: int) -> MigrationPlan:
    """Start (or start again) the dry run: the matching instances are counted; the items found so far go."""
    plan = get_plan(session, plan_id, for_update=True)
    if plan.status not in (PLANNED, CHECKING, CHECKED):
        raise InvalidState(f"migration plan {plan.id} is {plan.status}; its dry run is over")
    session.execute(delete(MigrationItem).where(MigrationItem.plan_id == plan.id))
    plan.status, plan.checked, plan.movable = CHECKING, 0, 0
    plan.total = session.scalar(select(func.count()).select_from(Instance).where(*_matching(plan))) or 0
    return plan


def check_batch(session: Session, runtime: Runtime, plan_id: int, limit: int = 50) -> bool:
    """Check the next `limit` instances of the dry run; True while more are left."""
    plan = get_plan(session, plan_id, for_update=True)
    if plan.status != CHECKING:
        return False
    last = session.scalar(select(func.max(MigrationItem.instance_id)).where(MigrationItem.plan_id == plan.id)) or 0
    found = list(session.scalars(select(Instance).where(*_matching(plan), Instance.id > last)
                                 .order_by(Instance.id).limit(limit)))
    target = session.get(Deployment, plan.target_id)
    parsed = runtime.specs.get(session, target.id)
    for instance in found:
        check = check_move(runtime.load(session, instance).workflow, instance, target, parsed, plan.mapping)
        session.add(MigrationItem(plan_id=plan.id, instance_id=instance.id, patient_id=instance.patient_id,
                                  at_elements=", ".join(check.at)[:500] or None, movable=check.movable,
                                  reason=check.reason or None, outcome=ITEM_CHECKED, at=clock.now()))
        plan.checked += 1
        plan.movable += int(check.movable)
    if len(found) < limit:
        plan.status = CHECKED
        plan.total = plan.checked
        return False
    return True


def start_run(session: Session, plan_id: int, by: str) -> MigrationPlan:
    plan = get_plan(session, plan_id, for_update=True)
    if plan.status != CHECKED:
        raise InvalidState(f"migration plan {plan.id} is {plan.status}: run it once its dry run has checked "
                           "every instance")
    if not plan.checked:
        raise InvalidState(f"migration plan {plan.id} found no instance to move")
    plan.status, plan.started_by, plan.started_at = QUEUED, by, clock.now()
    audit.record(session, "migration_started", by, deployment_id=plan.target_id,
                 details={"plan": plan.id, "instances": plan.checked, "movable": plan.movable})
    return plan


def next_to_move(session: Session, plan_id: int, limit: int = 50) -> list[int]:
    plan = get_plan(session, plan_id)
    if plan.status not in (QUEUED, RUNNING):
        return []
    if plan.status == QUEUED:
        plan.status = RUNNING
    return list(session.scalars(select(MigrationItem.instance_id).where(
        MigrationItem.plan_id == plan_id, MigrationItem.outcome == ITEM_CHECKED)
        .order_by(MigrationItem.instance_id).limit(limit)))


def move_one(session: Session, runtime: Runtime, plan_id: int, instance_id: int) -> str:
    """Move one instance of a running plan (its outcome recorded with the plan's progress); a refusal raises,
    and the caller records it with `record_outcome` in a transaction of its own."""
    plan = get_plan(session, plan_id, for_update=True)
    item = session.get(MigrationItem, (plan_id, instance_id))
    if item is None or item.outcome != ITEM_CHECKED or plan.status != RUNNING:
        return SKIPPED
    instance = instances_mod.get_instance(session, instance_id, for_update=True)
    if instance.deployment_id != plan.source_id or instance.status not in InstanceStatus.OPEN:
        where = "ended" if instance.status in InstanceStatus.ENDED else "is on another version now"
        return _outcome(plan, item, SKIPPED, f"the instance {where}")
    actor = Actor.system_actor(plan.started_by or "migration")
    instances_mod.migrate(session, runtime, instance_id, actor, target=session.get(Deployment, plan.target_id),
                          mapping=plan.mapping, plan_id=plan.id)
    return _outcome(plan, item, MOVED, None)


def record_outcome(session: Session, plan_id: int, instance_id: int, error: CarepathError) -> None:
    plan = get_plan(session, plan_id, for_update=True)
    item = session.get(MigrationItem, (plan_id, instance_id))
    if item is not None and item.outcome == ITEM_CHECKED:
        _outcome(plan, item, REFUSED, error.message)


def _outcome(plan: MigrationPlan, item: MigrationItem, outcome: str, reason: str | None) -> str:
    item.outcome, item.outcome_reason, item.at = outcome, reason, clock.now()
    plan.done += 1
    plan.moved += int(outcome == MOVED)
    plan.refused += int(outcome != MOVED)
    return outcome


def finish_run(session: Session, plan_id: int) -> MigrationPlan:
    plan = get_plan(session, plan_id, for_update=True)
    if plan.status == RUNNING:
        plan.status, plan.finished_at = DONE, clock.now()
        audit.record(session, "migration_finished", plan.started_by or "migration", deployment_id=plan.target_id,
                     details={"plan": plan.id, "moved": plan.moved, "not_moved": plan.refused})
    return plan


def fail(session: Session, plan_id: int, reason: str) -> None:
    plan = get_plan(session, plan_id, for_update=True)
    if plan.status in (CHECKING, QUEUED, RUNNING):
        plan.status, plan.error, plan.finished_at = FAILED, reason[:500], clock.now()
