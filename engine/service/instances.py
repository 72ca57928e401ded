"""Use cases of a program instance: start one for a patient, follow it, suspend, resume, terminate, retry after
an error, move it onto a newer pathway version."""
from __future__ import annotations

from engine.care import access, teams
from engine.care import instances as instances_mod
from engine.care import patients as patients_mod
from engine.care.actors import SYSTEM, Actor
from engine.deploy import versions
from engine.errors import InvalidInput
from engine.models import Instance
from engine.read import diagrams, instance_data, instance_views
from engine.read.instance_views import InstanceView
from engine.store import audit


class InstanceUseCases:
    def start(self, program: str, patient_id: str, data: dict | None = None, actor: Actor = SYSTEM) -> Instance:
        """Start the pathway `program` (a process id) on its newest version for a patient, with start data: the
        operator's and other systems' start. A patient has one open instance of a pathway at most."""
        with self.transaction(f"start {program}") as session:
            return instances_mod.start(session, self.runtime, program, patient_id, actor, data)

    def start_program(self, patient_id: str, program: str, actor: Actor, team: dict[str, str] | None = None) -> Instance:
        """A care team member starts a care program for a registered patient: one of the programs offered to
        start (`programs()`), with what the patient's record knows (their chronic conditions). `team` sets the
        patient's care team first ("lead": the lead care manager, and a user name per team role; the roles the
        pathway names, `team_roles_of`, join with its reason), so the program's first tasks go to them."""
        with self.transaction(f"start {program} for {patient_id}") as session:
            patient = patients_mod.get_patient(session, patient_id)
            access.require_change(session, actor, patient_id, "programs")
            offered = {p["id"]: p for p in versions.programs_to_start(session)}
            if program not in offered:
                raise InvalidInput(f"'{program}' is not a program that can be started here")
            if team:
                if any(team.values()):
                    access.require_change(session, actor, patient_id, "care team")
                deployment, process = versions.resolve_program(session, program)
                named = teams.named_roles(self.runtime.specs.get(session, deployment.id).spec(process["id"]))
                teams.join_at_start(session, patient.id, team, offered[program]["name"], named, actor.name)
            data = {"chronic_conditions": list(patient.conditions or [])}
            return instances_mod.start(session, self.runtime, program, patient.id, actor, data)

    def suspend(self, instance_id: int, actor: Actor = SYSTEM, reason: str = "") -> Instance:
        with self.transaction(f"suspend instance {instance_id}") as session:
            return instances_mod.suspend(session, self.runtime, instance_id, actor, reason)

    def resume(self, instance_id: int, actor: Actor = SYSTEM) -> Instance:
        with self.transaction(f"resume instance {instance_id}") as session:
            return instances_mod.resume(session, self.runtime, instance_id, actor)

    def terminate(self, instance_id: int, actor: Actor = SYSTEM, reason: str = "") -> Instance:
        with self.transaction(f"terminate instance {instance_id}") as session:
            return instances_mod.terminate(session, self.runtime, instance_id, actor, reason)

    def retry(self, instance_id: int, actor: Actor = SYSTEM, data: dict | None = None,
              upgrade: bool = False) -> Instance:
        """Run an instance in error again, with fixed data, or (`upgrade`) on the newest version of its bundle."""
        with self.transaction(f"retry instance {instance_id}") as session:
            return instances_mod.retry(session, self.runtime, instance_id, actor, data, upgrade)

    def migrate(self, instance_id: int, actor: Actor = SYSTEM) -> Instance:
        """Move an open instance onto the newest version of its bundle, where it stands."""
        with self.transaction(f"move instance {instance_id} to the newest version") as session:
            return instances_mod.migrate(session, self.runtime, instance_id, actor)

    def instance(self, instance_id: int, viewer: Actor | None = None) -> InstanceView:
        """An instance with its tasks, waits and history. With a `viewer`, for someone who may read the
        patient's record; the view is audited."""
        with self.transaction(f"read instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            if viewer is not None:
                access.require_patient(session, viewer, instance.patient_id)
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "instance"})
            return instance_views.instance_view(session, instance)

    def instances(self, patient_id: str | None = None, status: str | None = None, limit: int = 100,
                  viewer: Actor | None = None):
        """Instances, newest first. With a `viewer`, only those of patients whose record they may read, and
        the read is audited (the patients it names)."""
        with self.transaction("list instances") as session:
            found = instance_views.list_instances(session, patient_id, status, limit)
            if viewer is not None:
                allowed = access.readable(session, viewer, {i.patient_id for i in found})
                found = [i for i in found if i.patient_id in allowed]
                audit.record(session, "instances_listed", viewer.name, details={
                    "patient": patient_id, "status": status, "patients": sorted({i.patient_id for i in found})})
            return found

    def instance_data(self, instance_id: int, viewer: Actor | None = None) -> dict:
        """The data of the instance's most recent step. With a `viewer`, the read is audited."""
        with self.transaction(f"read the data of instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            if viewer is not None:
                access.require_patient(session, viewer, instance.patient_id)
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "data"})
            workflow = self.runtime.load(session, instance).workflow
            return dict((workflow.last_task or workflow.task_tree).data)

    def current_data(self, instance_id: int, viewer: Actor | None = None) -> dict:
        """What the pathway knows about its patient now: read from where it waits (inside a running stage), its
        data objects included. With a `viewer`, the read is audited."""
        with self.transaction(f"read the data of instance {instance_id}") as session:
            instance = instances_mod.get_instance(session, instance_id)
            if viewer is not None:
                access.require_patient(session, viewer, instance.patient_id)
                audit.record(session, "viewed", viewer.name, instance=instance, details={"what": "data"})
            return instance_data.current_data(session, self.runtime, instance)

    def diagram_file(self, instance_id: int, process_id: str) -> bytes:
        """The BPMN file an instance's process (or one of its stages) is drawn from, for the diagram viewer."""
        with self.reading() as session:
            instance = instances_mod.get_instance(session, instance_id)
            return diagrams.diagram_file(session, self.runtime.specs, instance, process_id)
