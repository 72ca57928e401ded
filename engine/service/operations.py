"""Use cases of the admin console's operations: the instance list (filters, counts per status, stuck
instances), an instance's page (diagram with the failed element, the data at the failure, history), the
admin's actions on it (suspend, resume, terminate with a reason, retry with fixed fields, move to a newer
version), and background work (timers, stored jobs, the notification outbox, a retry of what failed). Every
one is for admins only, whichever door it is called through."""
from __future__ import annotations

from dataclasses import dataclass, field

from engine.care import authority, repair, requeue
from engine.care import instances as instances_mod
from engine.care.actors import Actor
from engine.errors import InvalidInput, NotFound
from engine.models import Deployment, Instance, InstanceStatus
from engine.read import background, diagrams, instance_console, instance_data, instance_views
from engine.read.instance_console import Failure, InstanceList, InstanceQuery
from engine.read.instance_views import InstanceView
from engine.runtime.migration import check_move, elements
from engine.store import audit


@dataclass
class InstanceConsole:
    """What the admin's page of one instance shows."""

    view: InstanceView
    version: Deployment
    diagrams: list[dict]  # each with current, done and failed elements
    failure: Failure | None  # where it failed and the data there (its read audited)
    data: dict | None  # the pathway's data now, when asked for (its read audited)
    suspension: dict | None  # who suspended it, when, why
    stuck: bool
    newer: list[Deployment]  # versions it could move to
    fields: dict[str, tuple[str, dict]] = field(default_factory=dict)  # field -> (form, schema) a retry edits

    @property
    def instance(self) -> Instance:
        return self.view.instance


class OperationUseCases:
    # ------------------------------------------------------------------------------------------------ reading
    def instance_list(self, query: InstanceQuery, viewer: Actor) -> InstanceList:
        """A page of instances (newest first) under the filters, with counts per status; audited, naming the
        patients shown."""
        authority.require_admin(viewer, "list pathway instances")
        query.check()
        with self.transaction("list instances") as session:
            found = instance_console.list_instances(session, query)
            audit.record(session, "instances_listed", viewer.name, details={
                "filters": {k: v for k, v in vars(query).items() if v not in (None, 50)},
                "patients": sorted({r.instance.patient_id for r in found.rows})})
            return found

    def instance_counts(self, viewer: Actor) -> dict[str, int]:
        """How many instances each status holds, and how many are stuck (no patient data: not audited)."""
        authority.require_admin(viewer, "count pathway instances")
        with self.reading() as session:
            return instance_console.status_counts(session, InstanceQuery(), [])[0]

    def instance_console(self, instance_id: int, viewer: Actor, *, with_data: bool = False) -> InstanceConsole:
        """An instance for the admin's page: its view, diagrams (the failed element marked), the data at its
        failure, and (`with_data`) its data now. Reading data is audited as a view of patient data."""
        authority.require_admin(viewer, "open an instance's page")
        with self.transaction(f"read instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "instance"})
            view = instance_views.instance_view(session, instance, history_limit=500)
            version = session.get(Deployment, instance.deployment_id)
            drawn = [d.to_dict() for d in diagrams.instance_diagrams(session, self.runtime, instance)]
            failure, data, fields = None, None, {}
            if instance.status == InstanceStatus.ERROR and instance.error:
                workflow = self.runtime.load(session, instance).workflow
                at_failure, process_id = instance_console.failure_data(workflow, instance.error)
                failure = instance_console.failure_of(instance, at_failure)
                audit.record(session, "viewed", viewer.name, instance=instance,
                             details={"what": "data at the failure"})
                fields = self._retry_fields(session, instance)
                _mark_failed(drawn, instance.error.get("element"), process_id)
            if with_data:
                data = instance_data.current_data(session, self.runtime, instance)
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "data"})
            return InstanceConsole(view, version, drawn, failure, data,
                                   instance_console.suspension_of(session, instance),
                                   _is_stuck(instance), instance_console.newer_versions(session, instance), fields)

    def _retry_fields(self, session, instance: Instance) -> dict[str, tuple[str, dict]]:
        parsed = self.runtime.specs.get(session, instance.deployment_id)
        preferred = []
        element = (instance.error or {}).get("element")
        for spec in [parsed.spec(instance.process_id), *parsed.subprocess_specs(instance.process_id).values()]:
            task_spec = spec.task_specs.get(element) if element else None
            props = (getattr(task_spec, "extensions", None) or {}).get("properties", {}) if task_spec else {}
            if props.get("formJsonSchemaFilename"):
                preferred.append(props["formJsonSchemaFilename"])
        preferred += instance_console.instance_forms(session, instance.id)
        return instance_console.form_fields(parsed.forms, preferred)

    # ------------------------------------------------------------------------------------------------ acting
    def suspend_instance(self, instance_id: int, actor: Actor, reason: str) -> Instance:
        """The console's suspend: an admin's, with the reason care managers read on the instance's tasks."""
        authority.require_admin(actor, "suspend an instance")
        why = authority.require_reason(reason, "suspend it")
        with self.transaction(f"suspend instance {instance_id}") as session:
            return instances_mod.suspend(session, self.runtime, instance_id, actor, why)

    def resume_instance(self, instance_id: int, actor: Actor) -> Instance:
        authority.require_admin(actor, "resume an instance")
        with self.transaction(f"resume instance {instance_id}") as session:
            return instances_mod.resume(session, self.runtime, instance_id, actor)

    def terminate_instance(self, instance_id: int, actor: Actor, reason: str) -> Instance:
        """The console's terminate: an admin's, and a reason is required (it is kept in the history)."""
        authority.require_admin(actor, "terminate an instance")
        why = authority.require_reason(reason, "terminate it")
        with self.transaction(f"terminate instance {instance_id}") as session:
            return instances_mod.terminate(session, self.runtime, instance_id, actor, why)

    def move_instance(self, instance_id: int, target_id: int, actor: Actor,
                      mapping: dict[str, str] | None = None) -> Instance:
        """Move one open instance onto a newer version of its bundle, tasks that are gone mapped by hand."""
        authority.require_admin(actor, "move an instance")
        with self.transaction(f"move instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            target = _newer_version(session, instance, target_id)
            return instances_mod.migrate(session, self.runtime, instance_id, actor, target=target, mapping=mapping)

    def retry_with_fields(self, instance_id: int, fields: dict[str, str], actor: Actor) -> Instance:
        """Retry an instance in error after setting named fields, typed as text: each read and checked against
        its form where a form has the field (RetryRefused names every field that is wrong; nothing changes)."""
        authority.require_admin(actor, "retry an instance")
        with self.transaction(f"retry instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            values = repair.read_fields(dict(fields or {}), self._retry_fields(session, instance))
            return instances_mod.retry(session, self.runtime, instance_id, actor, values or None)

    def move_check(self, instance_id: int, target_id: int, mapping: dict[str, str] | None, viewer: Actor):
        """Whether an instance can move to a version (the dry run for one instance)."""
        authority.require_admin(viewer, "move an instance")
        with self.reading() as session:
            instance = instances_mod.get_instance(session, instance_id)
            target = _newer_version(session, instance, target_id)
            parsed = self.runtime.specs.get(session, target.id)
            return check_move(self.runtime.load(session, instance).workflow, instance, target, parsed, mapping)

    def version_elements(self, deployment_id: int, viewer: Actor) -> dict[str, str]:
        """The BPMN elements of a version's pathways (id -> label), for mapping tasks in a migration."""
        authority.require_admin(viewer, "read a pathway version's elements")
        with self.reading() as session:
            deployment = _version(session, deployment_id)
            parsed = self.runtime.specs.get(session, deployment.id)
            found: dict[str, str] = {}
            for process in deployment.processes:
                if process.get("startable") and process["id"] in parsed.processes:
                    found.update(elements(parsed, process["id"]))
            return found

    # ------------------------------------------------------------------------------------------------ background
    def background_overview(self, viewer: Actor) -> background.Overview:
        authority.require_admin(viewer, "watch background work")
        with self.reading() as session:
            return background.overview(session)

    def background_timers(self, view: str, page: int, viewer: Actor) -> background.Rows:
        """Timers overdue (due, not fired) or coming due within a day, soonest first."""
        authority.require_admin(viewer, "watch background work")
        _check_page(page)
        with self.reading() as session:
            return background.timers(session, view, page)

    def background_jobs(self, status: str | None, page: int, viewer: Actor) -> background.Rows:
        authority.require_admin(viewer, "watch background work")
        _check_page(page)
        with self.reading() as session:
            return background.jobs(session, status, page)

    def notification_outbox(self, status: str | None, page: int, viewer: Actor) -> background.Rows:
        authority.require_admin(viewer, "read the notification outbox")
        _check_page(page)
        with self.reading() as session:
            return background.outbox(session, status, page)

    def fire_overdue_timers(self, instance_id: int, actor: Actor) -> int:
        """Fire an instance's due timers now (the sweep is behind or down); returns how many fired."""
        authority.require_admin(actor, "fire timers")
        return self.fire_instance_timers(instance_id)

    def retry_job(self, job_id: int, actor: Actor):
        """A failed background job goes back to its queue with fresh attempts (the next sweep rings for it)."""
        authority.require_admin(actor, "retry background work")
        with self.transaction(f"retry background job {job_id}") as session:
            return requeue.retry_job(session, job_id, actor.name)

    def retry_notification(self, notification_id: int, actor: Actor):
        authority.require_admin(actor, "retry a notification")
        with self.transaction(f"retry notification {notification_id}") as session:
            return requeue.retry_notification(session, notification_id, actor.name)


MAX_PAGE = 100_000  # offset pages of the background lists (small tables)


def _check_page(page: int) -> None:
    if not 1 <= page <= MAX_PAGE:
        raise InvalidInput(f"the page must be a number from 1 to {MAX_PAGE}")


def _is_stuck(instance: Instance) -> bool:
    return (instance.status == InstanceStatus.RUNNING and not instance.open_tasks and not instance.timer_rows
            and not instance.message_rows)


def _mark_failed(drawn: list[dict], element: str | None, process_id: str | None) -> None:
    """The failed element on the diagram of the process it failed in (the program's, or a stage's)."""
    for diagram in drawn:
        diagram["failed"] = [element] if element and diagram["process_id"] == process_id else []
    if element and drawn and not any(d["failed"] for d in drawn):
        drawn[0]["failed"] = [element]


def _version(session, deployment_id: int) -> Deployment:
    found = session.get(Deployment, deployment_id) if 1 <= deployment_id <= 2**31 - 1 else None
    if found is None:
        raise NotFound(f"pathway version {deployment_id} does not exist")
    return found


def _newer_version(session, instance: Instance, target_id: int) -> Deployment:
    target = _version(session, target_id)
    current = session.get(Deployment, instance.deployment_id)
    if target.name != current.name or target.version <= current.version:
        raise InvalidInput(f"{target.label} is not a newer version of {current.label}")
    return target
