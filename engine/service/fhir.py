"""Use cases behind the FHIR R4 read API and the JSON API's program list: a patient's care plan record,
completed forms, history and one task (the care team is `care_team`, engine.service.care_teams), each read with the same access rule as the patient's page
(engine.care.access: the care team, its leads, a broken glass; the system and administrators see all) and
audited as a view of the patient's data, naming the viewer."""
from __future__ import annotations

from sqlalchemy.orm import Session

from engine.care import access, patients
from engine.care import instances as instances_mod
from engine.care import tasks as tasks_mod
from engine.care.actors import Actor
from engine.errors import NotFound
from engine.models import AuditEvent, InboxTask, TaskStatus
from engine.read import fhir_records
from engine.read.fhir_records import CarePlanRecords, FormResult
from engine.read.inbox import InboxPage, InboxQuery
from engine.store import audit

ALL_STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETED, TaskStatus.CANCELLED)


def _viewed(session: Session, viewer: Actor, patient_id: str, what: str, **details) -> None:
    access.require_patient(session, viewer, patient_id)
    audit.record(session, "viewed", viewer.name, patient_id=patient_id, details={"what": what, **details})


class FhirUseCases:
    def fhir_care_plans(self, patient_id: str, viewer: Actor) -> CarePlanRecords:
        """The patient's care plan record: goals, interventions and barriers, program by program."""
        with self.transaction(f"read the care plan of {patient_id}") as session:
            patients.get_patient(session, patient_id)
            _viewed(session, viewer, patient_id, "care plan")
            return fhir_records.care_plan_records(session, patient_id)

    def fhir_program_care_plan(self, instance_id: int, viewer: Actor) -> CarePlanRecords:
        """The care plan record of the patient whose program this instance is (the caller keeps its items)."""
        with self.transaction(f"read the care plan of instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            _viewed(session, viewer, instance.patient_id, "care plan", instance=instance_id)
            return fhir_records.care_plan_records(session, instance.patient_id)

    def fhir_care_plan_item(self, item_id: int, viewer: Actor) -> CarePlanRecords:
        """One item of a care plan (a goal), with its program."""
        with self.transaction(f"read care plan item {item_id}") as session:
            item = fhir_records.care_plan_item(session, item_id)
            if item is None:
                raise NotFound(f"no care plan item {item_id}")
            _viewed(session, viewer, item.patient_id, "care plan", item=item_id)
            return fhir_records.care_plan_records(session, item.patient_id, item_id)

    def fhir_form_results(self, patient_id: str, viewer: Actor, *, after_task: int | None = None,
                          limit: int = 50) -> list[FormResult]:
        """The patient's completed forms, oldest first, each with the answers it was completed with."""
        with self.transaction(f"read the completed forms of {patient_id}") as session:
            _viewed(session, viewer, patient_id, "completed forms")
            return fhir_records.form_results(session, self.runtime, patient_id, after_task=after_task, limit=limit)

    def fhir_form_result(self, task_id: int, viewer: Actor) -> FormResult:
        with self.transaction(f"read the answers of task {task_id}") as session:
            found = fhir_records.form_result(session, self.runtime, task_id)
            if found is None:
                raise NotFound(f"task {task_id} has no completed form")
            _viewed(session, viewer, found.patient_id, "completed form", task=task_id)
            return found

    def fhir_history(self, patient_id: str, viewer: Actor, *, after_id: int | None = None,
                     limit: int = 50) -> list[AuditEvent]:
        """The events about the patient (their programs, tasks, record), oldest first; reads of the record are
        left out, as on the patient's page."""
        with self.transaction(f"read the history of {patient_id}") as session:
            _viewed(session, viewer, patient_id, "history")
            return fhir_records.history(session, patient_id, after_id=after_id, limit=limit)

    def fhir_history_event(self, event_id: int, viewer: Actor) -> AuditEvent:
        with self.transaction(f"read audit event {event_id}") as session:
            found = fhir_records.event(session, event_id)
            if found is None:
                raise NotFound(f"no audit event {event_id} about a patient")
            _viewed(session, viewer, found.patient_id, "history", event=event_id)
            return found

    def fhir_tasks(self, patient_id: str, viewer: Actor, *, statuses=ALL_STATUSES, page: int = 1,
                   page_size: int = 50) -> InboxPage:
        """A patient's tasks (open, claimed, completed, cancelled), oldest first, for someone who may read the
        patient's record; the read is audited with the tasks it shows (`inbox`)."""
        with self.reading() as session:
            patients.get_patient(session, patient_id)
            access.require_patient(session, viewer, patient_id)
        return self.inbox(InboxQuery(patient_id=patient_id, status=tuple(statuses), sort="created", page=page,
                                     page_size=page_size), viewer)

    def fhir_task(self, task_id: int, viewer: Actor) -> InboxTask:
        """One task's row, for someone who may open its page (its role's holders, its assignee, the patient's
        team: engine.care.access)."""
        with self.transaction(f"read task {task_id}") as session:
            row = tasks_mod.get_task(session, task_id)
            access.require_task_read(session, viewer, row)
            audit.record(session, "viewed", viewer.name, instance=row.instance, task_uuid=row.task_uuid,
                         element_id=row.element_id, details={"what": "task"})
            return row

    def program_catalogue(self) -> list[dict]:
        """Every bundle with its versions (oldest first) and the pathways each version has; a pathway a care team
        can start for a patient (`programs()`) says so."""
        offered = {p["id"] for p in self.programs()}
        bundles: dict[str, dict] = {}
        for d in self.versions():
            entry = bundles.setdefault(d.name, {"bundle": d.name, "versions": []})
            entry["newest_version"] = d.version
            entry["versions"].append({
                "version": d.version, "deployment_id": d.id, "deployed_at": d.deployed_at, "deployed_by": d.deployed_by,
                "content_hash": d.content_hash,
                "pathways": [{"id": p["id"], "name": p.get("name") or p["id"], "startable": bool(p.get("startable")),
                              "program": p["id"] in offered,
                              "starts_on_messages": list(p.get("message_start_events") or []),
                              "documentation": p.get("documentation")} for p in d.processes]})
        for entry in bundles.values():
            newest = entry["versions"][-1]["version"]
            for version in entry["versions"]:
                for pathway in version["pathways"]:
                    pathway["program"] = pathway["program"] and version["version"] == newest
        return sorted(bundles.values(), key=lambda b: b["bundle"])
