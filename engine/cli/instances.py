"""Pathway instances: start, list, show, and the admin's lifecycle commands."""
from __future__ import annotations

import click

from engine.cli import output
from engine.cli.context import Id, data_options, json_option, pass_state, read_data
from engine.service import InstanceStatus, InvalidState

INSTANCE_HEADERS = ["id", "patient", "program", "status", "started", "updated", "started by"]


def view_dict(view) -> dict:
    return {
        **output.instance_dict(view.instance),
        "tasks": [output.task_dict(t) for t in view.tasks if t.status in ("open", "claimed")],
        "timers": [output.timer_dict(t) for t in view.timers],
        "messages": [output.message_dict(m) for m in view.messages],
        "history": [output.event_dict(e) for e in view.history],
    }


def echo_status(view) -> None:
    """One instance in a few lines: status, error, open tasks, what else it waits for."""
    i = view.instance
    click.echo(f"instance {i.id}: {i.program} for patient {i.patient_id} is {i.status}")
    if i.error:
        click.echo(f"  error at {output.error_text(i.error)}")
    open_tasks = [t for t in view.tasks if t.status in ("open", "claimed")]
    for t in open_tasks:
        who = f"claimed by {t.assignee}" if t.assignee else f"open for {t.role or 'anyone'}"
        click.echo(f"  task {t.id}: {t.title} ({who}, due {output.relative(t.due_at)})")
    output.echo_waits(view)


@click.command("start")
@click.argument("program")
@click.option("--patient", "patient_id", required=True, help="The patient's id.")
@data_options
@json_option
@pass_state
def start(state, program, patient_id, data_file, sets):
    """Start PROGRAM (a pathway id or name, or a bundle with one startable pathway) for a registered patient.

    Exits 3 when the patient is not in the registry, and 4 when the new instance stops in error at once (what
    it created is shown all the same).
    """
    service = state.service()
    instance = service.start(program, patient_id, read_data(data_file, sets), state.actor)
    view = service.instance(instance.id)
    if state.json:
        output.emit_json(view_dict(view))
    else:
        echo_status(view)
    if view.instance.status == InstanceStatus.ERROR:  # shown above (one JSON document); the exit code says so
        click.echo(f"error: instance {instance.id} stopped in error as it started, at "
                   f"{output.error_text(view.instance.error)}", err=True)
        click.get_current_context().exit(InvalidState.exit_code)


@click.command("instances")
@click.option("--patient", "patient_id", help="Only this patient's instances.")
@click.option("--status", type=click.Choice(InstanceStatus.ALL), help="Only instances in this status.")
@click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True)
@json_option
@pass_state
def instances(state, patient_id, status, limit):
    """List pathway instances, newest first."""
    found = state.service().instances(patient_id=patient_id, status=status, limit=limit, viewer=state.actor)
    if state.json:
        output.emit_json([output.instance_dict(i) for i in found])
        return
    rows = [[i.id, i.patient_id, i.program, i.status, i.started_at, i.updated_at, i.started_by] for i in found]
    output.echo_table(INSTANCE_HEADERS, rows, "no instances")


@click.group("instance")
def instance():
    """One pathway instance: show it or its data."""


@instance.command("show")
@click.argument("instance_id", type=Id("instance"))
@click.option("--history", "history_limit", type=click.IntRange(0), default=50, show_default=True,
              help="Show the latest N history events.")
@json_option
@pass_state
def show(state, instance_id, history_limit):
    """Status, error, current tasks, waiting timers and messages, and history."""
    view = state.service().instance(instance_id, viewer=state.actor)
    if state.json:
        output.emit_json(view_dict(view))
        return
    i = view.instance
    click.echo(f"instance {i.id}: {i.program} ({i.process_id}, deployment {i.deployment_id})")
    click.echo(f"patient:  {i.patient_id}")
    click.echo(f"status:   {i.status}")
    click.echo(f"started:  {output.short(i.started_at)} by {i.started_by}")
    click.echo(f"updated:  {output.short(i.updated_at)}")
    if i.ended_at:
        click.echo(f"ended:    {output.short(i.ended_at)}")
    if i.error:
        click.echo(f"error:    {output.error_text(i.error)}")
    click.echo("\ncurrent tasks:")
    output.echo_tasks([t for t in view.tasks if t.status in ("open", "claimed")], "  none")
    click.echo("\nwaiting for:")
    if view.timers or view.messages:
        output.echo_waits(view)
    else:
        click.echo("  nothing else")
    click.echo("\nhistory:")
    events = view.history[-history_limit:] if history_limit else []
    rows = [[e.at, e.actor, e.action, e.element_id, _details(e.details)] for e in events]
    output.echo_table(["at", "actor", "action", "element", "details"], rows, "  none")


def _details(details) -> str:
    if not details:
        return ""
    parts = []
    for key, value in details.items():
        if value in (None, "", {}, []):
            continue
        parts.append(f"{key}={value}")
    return ", ".join(parts)


@instance.command("data")
@click.argument("instance_id", type=Id("instance"))
@pass_state
def data(state, instance_id):
    """The instance's current pathway data, as JSON."""
    output.emit_json(state.service().instance_data(instance_id, viewer=state.actor))


def _lifecycle(state, instance_id, result, verb: str) -> None:
    if state.json:
        output.emit_json(output.instance_dict(result))
    else:
        click.echo(f"instance {instance_id} {verb}; it is now {result.status}")


@click.command("suspend")
@click.argument("instance_id", type=Id("instance"))
@click.option("--reason", default="", help="Why (kept in the history).")
@json_option
@pass_state
def suspend(state, instance_id, reason):
    """Pause a running instance: its tasks cannot be completed and its timers do not fire."""
    _lifecycle(state, instance_id, state.service().suspend(instance_id, state.actor, reason), "suspended")


@click.command("resume")
@click.argument("instance_id", type=Id("instance"))
@json_option
@pass_state
def resume(state, instance_id):
    """Resume a suspended instance (timers that came due meanwhile fire now)."""
    _lifecycle(state, instance_id, state.service().resume(instance_id, state.actor), "resumed")


@click.command("terminate")
@click.argument("instance_id", type=Id("instance"))
@click.option("--reason", default="", help="Why (kept in the history).")
@json_option
@pass_state
def terminate(state, instance_id, reason):
    """End an instance for good; its open tasks are cancelled."""
    _lifecycle(state, instance_id, state.service().terminate(instance_id, state.actor, reason), "terminated")


@click.command("retry")
@click.argument("instance_id", type=Id("instance"))
@click.option("--upgrade", is_flag=True,
              help="First move the instance onto the newest deployed version of its bundle (the fixed pathway).")
@data_options
@json_option
@pass_state
def retry(state, instance_id, upgrade, data_file, sets):
    """Run an instance in error again, optionally with corrected data or on the fixed pathway version."""
    result = state.service().retry(instance_id, state.actor, read_data(data_file, sets), upgrade=upgrade)
    if state.json:
        output.emit_json(output.instance_dict(result))
        return
    click.echo(f"instance {instance_id} retried; it is now {result.status}")
    if result.error:
        click.echo(f"  error at {output.error_text(result.error)}")


COMMANDS = [start, instances, instance, suspend, resume, terminate, retry]  # migrate: engine.cli.migrations
