"""`carepath walk`: deploy the shipped pathways and walk a demo patient through one, step by step."""
from __future__ import annotations

import json
from collections import Counter
from datetime import timedelta
from pathlib import Path

import click

from engine.cli import output
from engine.cli.context import json_option, open_tasks, pass_state
from engine.cli.deploy import deploy_result_dict
from engine.cli.instances import view_dict
from engine.demo.pathways import choose_bundle, default_pathways, first_startable
from engine.demo.tasks import complete_with_answers
from engine.service import InstanceStatus, InvalidState, PatientInput, TaskStatus


@click.command("walk")
@click.option("--pathways", "pathways_path", type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="The pathway bundle folder [default: ./pathways, else the shipped pathways]; without any "
                   ".bpmn file the demo uses the test pathway review_loop.")
@click.option("--patient", "patient_id", default="DEMO-001", show_default=True, help="The demo patient's id.")
@click.option("--max-steps", type=click.IntRange(1), default=25, show_default=True,
              help="Stop after completing this many tasks.")
@json_option
@pass_state
def walk(state, pathways_path, patient_id, max_steps):
    """Set up the database, deploy the pathways, and walk a demo patient through one on the command line (the
    patient is added to the registry first, a synthetic record, when it is not there).

    Each open task is completed with answers built from its form (a field's default, else the first
    choice, the next choice when the same task comes back, else a plain value of its type) until the
    pathway ends or waits only for time or messages.
    """
    say = (lambda *_a, **_k: None) if state.json else click.echo
    service, actor = state.service(), state.actor
    summary: dict = {"database": output.display_url(state.url), "steps": []}

    summary["revision"] = service.init_db()
    say(f"1. database ready: {summary['database']}")
    source, name, note = choose_bundle(pathways_path or default_pathways())
    if note:
        say(f"   note: {note}")
    result = service.deploy(source, actor, name=name)
    summary["deploy"] = deploy_result_dict(result)
    say(f"2. {result.message}")
    process = first_startable(result.deployment)
    summary["patient_registered"] = _register(service, patient_id, actor)
    if summary["patient_registered"]:
        say(f"   registered the demo patient {patient_id} (a synthetic record)")
    instance = service.start(process["id"], patient_id, None, actor)
    say(f"3. started {instance.program} (instance {instance.id}) for patient {patient_id}, as {actor.name}")
    say("\ninbox:")
    if not state.json:
        output.echo_tasks(open_tasks(service, instance.id, actor), "  (empty)")

    visits: Counter = Counter()
    while True:
        view = service.instance(instance.id)
        pending = [t for t in view.tasks if t.status in TaskStatus.ACTIVE]
        if view.instance.status != InstanceStatus.RUNNING or not pending:
            break
        if len(summary["steps"]) >= max_steps:
            say(f"\nstopped after {max_steps} steps (--max-steps); the instance is still running")
            break
        task = pending[0]
        data = complete_with_answers(service, task, actor, visits[task.element_id])
        visits[task.element_id] += 1
        summary["steps"].append({"task": task.id, "title": task.title, "role": task.role, "data": data})
        say(f"\nstep {len(summary['steps'])}: task {task.id} '{task.title}' ({task.role or 'anyone'}) "
            f"<- {json.dumps(data, default=str)}")

    summary["instance"] = view_dict(view)
    if state.json:
        output.emit_json(summary)
    else:
        _finish(view, patient_id)
    if view.instance.status == InstanceStatus.ERROR:
        raise InvalidState(f"the demo pathway stopped in error at {output.error_text(view.instance.error)}")


def _register(service, patient_id: str, actor) -> bool:
    """Add the demo patient to the registry, a plain synthetic record, unless it is there; True when added."""
    if service.patients_by_id([patient_id]):
        return False
    service.add_patient(PatientInput(mrn=patient_id, given_name="Demo", family_name="Patient",
                                     birth_date="1950-01-01", sex="unknown"), actor)
    return True


def _finish(view, patient_id: str) -> None:
    i = view.instance
    click.echo(f"\ninstance {i.id} is {i.status}")
    if i.status == InstanceStatus.RUNNING and (view.timers or view.messages):
        click.echo("it waits for:")
        output.echo_waits(view)
        if view.timers:
            click.echo(f"  -> fire the timers: carepath run-timers --at {_minute_after(view.timers[0].due_at)}")
        for m in view.messages:
            click.echo(f"  -> send the message: carepath correlate '{m.message_name}' --key patient_id={patient_id}")
    click.echo(f"see it all with: carepath instance show {i.id}")


def _minute_after(moment) -> str:
    """The first whole minute at or after `moment`, short enough to type."""
    moment = output.utc(moment)
    if moment.second or moment.microsecond:
        moment = moment.replace(second=0, microsecond=0) + timedelta(minutes=1)
    return output.short(moment)


COMMANDS = [walk]
