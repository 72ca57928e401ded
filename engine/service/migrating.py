"""Use cases of bulk migration: plan a move of a version's open instances onto a newer version (filter and
element mapping), check it (the dry run, in batches, its progress visible), run it (each instance in its own
transaction, its outcome in the plan's report), and read a plan with its per-instance report. The web console
runs the check and the run as background jobs; `carepath migrate` runs them in the command."""
from __future__ import annotations

import logging
from dataclasses import dataclass

from engine.care import authority
from engine.care import migrations as plans_mod
from engine.care.actors import Actor
from engine.care.migrations import PlanFilters
from engine.errors import CarepathError, InvalidInput
from engine.models import Deployment, MigrationItem, MigrationPlan
from engine.read import programs_overview
from engine.read.programs_overview import ITEM_FILTERS
from engine.store import audit

log = logging.getLogger("engine.service")


@dataclass
class PlanView:
    plan: MigrationPlan
    source: Deployment
    target: Deployment
    items: list[MigrationItem]
    page: int
    page_size: int
    matching: int  # items the filter of the report matches

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // self.page_size))


class MigrationUseCases:
    def plan_migration(self, source_id: int, target_id: int, filters: PlanFilters, mapping: dict[str, str],
                       actor: Actor) -> MigrationPlan:
        """A migration plan: the open instances of `source_id` the filters choose, to move onto `target_id` (a
        newer version of the same bundle), with tasks that are gone mapped onto their successors."""
        authority.require_admin(actor, "plan a migration")
        with self.transaction("plan a migration") as session:
            return plans_mod.create_plan(session, self.runtime, source_id, target_id, filters, mapping, actor.name)

    def check_migration(self, plan_id: int, batch: int = 50) -> MigrationPlan:
        """The dry run: every instance the plan takes, checked (not moved), a batch per transaction."""
        with self.transaction(f"check migration plan {plan_id}") as session:
            plans_mod.begin_check(session, plan_id)
        more = True
        while more:
            with self.transaction(f"check migration plan {plan_id}") as session:
                more = plans_mod.check_batch(session, self.runtime, plan_id, batch)
        return self.migration_plan_row(plan_id)

    def start_migration(self, plan_id: int, actor: Actor) -> MigrationPlan:
        """Let a checked plan run (queued: a background job or the command runs it)."""
        authority.require_admin(actor, "run a migration")
        with self.transaction(f"start migration plan {plan_id}") as session:
            return plans_mod.start_run(session, plan_id, actor.name)

    def run_migration(self, plan_id: int, batch: int = 50) -> MigrationPlan:
        """Move the plan's instances, each in its own transaction; an instance that cannot move is reported
        with why, and the others move all the same. Goes on where a stopped run left off."""
        while True:
            with self.transaction(f"run migration plan {plan_id}") as session:
                ids = plans_mod.next_to_move(session, plan_id, batch)
            if not ids:
                break
            for instance_id in ids:
                self._move_one(plan_id, instance_id)
        with self.transaction(f"finish migration plan {plan_id}") as session:
            return plans_mod.finish_run(session, plan_id)

    def _move_one(self, plan_id: int, instance_id: int) -> None:
        try:
            with self.transaction(f"move instance {instance_id}") as session:
                plans_mod.move_one(session, self.runtime, plan_id, instance_id)
        except CarepathError as exc:  # refused (a task gone), or changed meanwhile: reported, the rest go on
            with self.transaction(f"record the outcome of instance {instance_id}") as session:
                plans_mod.record_outcome(session, plan_id, instance_id, exc)
        except Exception as exc:  # noqa: BLE001 - one broken instance must not stop the others
            log.exception("moving instance %s of migration plan %s failed", instance_id, plan_id)
            with self.transaction(f"record the outcome of instance {instance_id}") as session:
                plans_mod.record_outcome(session, plan_id, instance_id,
                                         CarepathError(f"unexpected failure ({type(exc).__name__})"))

    def fail_migration(self, plan_id: int, reason: str) -> None:
        with self.transaction(f"fail migration plan {plan_id}") as session:
            plans_mod.fail(session, plan_id, reason)

    # ------------------------------------------------------------------------------------------------ reading
    def migration_plan_row(self, plan_id: int) -> MigrationPlan:
        with self.reading() as session:
            plan = plans_mod.get_plan(session, plan_id)
            session.expunge(plan)
            return plan

    def migration_plan(self, plan_id: int, viewer: Actor, *, show: str | None = None, page: int = 1,
                       page_size: int = 100) -> PlanView:
        """A plan with a page of its per-instance report (`show`: movable, blocked, moved, refused, skipped,
        waiting to move); audited, naming the patients shown."""
        authority.require_admin(viewer, "read a migration plan")
        if show is not None and show not in ITEM_FILTERS:
            raise InvalidInput(f"show one of: {', '.join(ITEM_FILTERS)}")
        if not 1 <= page <= 2**31 - 1 or not 1 <= page_size <= 1000:
            raise InvalidInput("the page is out of range")
        with self.transaction(f"read migration plan {plan_id}") as session:
            plan = plans_mod.get_plan(session, plan_id)
            matching, items = programs_overview.plan_items(session, plan.id, show, page, page_size)
            found = programs_overview.versions_by_id(session, [plan.source_id, plan.target_id])
            if items:
                audit.record(session, "migration_report_viewed", viewer.name,
                             details={"plan": plan.id, "patients": sorted({i.patient_id for i in items})})
            return PlanView(plan, found[plan.source_id], found[plan.target_id], items, page, page_size, matching)

    def migration_plans(self, viewer: Actor) -> list[tuple[MigrationPlan, Deployment, Deployment]]:
        authority.require_admin(viewer, "read migration plans")
        with self.reading() as session:
            plans = programs_overview.plans(session)
            found = programs_overview.versions_by_id(session, [i for p in plans for i in (p.source_id, p.target_id)])
            return [(p, found[p.source_id], found[p.target_id]) for p in plans]
