"""The inbox: list tasks, show one, claim, release, assign and complete."""
from __future__ import annotations

import click

from engine.cli import output
from engine.cli.context import Id, data_options, json_option, parse_moment, pass_state, read_data
from engine.demo.answers import choices_of, resolve, type_of
from engine.service import PRIORITIES, InboxQuery, InvalidInput, TaskStatus

STATUSES = (TaskStatus.OPEN, TaskStatus.CLAIMED, TaskStatus.COMPLETED, TaskStatus.CANCELLED)
SORTS = ("due", "priority", "created", "patient")


def parse_statuses(text: str) -> list[str]:
    wanted = [s.strip().lower() for s in text.split(",") if s.strip()]
    if wanted == ["all"]:
        return list(STATUSES)
    unknown = [s for s in wanted if s not in STATUSES]
    if unknown or not wanted:
        raise InvalidInput(f"--status: unknown status {', '.join(unknown) or 'none'}; "
                           f"use a comma list of {', '.join(STATUSES)}, or all")
    return wanted


def parse_priority(text: str | None) -> int | None:
    if text is None:
        return None
    if text.lower() in PRIORITIES:
        return PRIORITIES[text.lower()]
    try:
        return int(text)
    except ValueError:
        raise InvalidInput(f"--priority: use one of {', '.join(PRIORITIES)} or a number, got '{text}'") from None


@click.command("tasks")
@click.option("--mine", is_flag=True, help="Only tasks assigned to me (--as).")
@click.option("--role", "roles", multiple=True, metavar="ROLE", help="Only this role's queue (repeatable).")
@click.option("--overdue", is_flag=True, help="Only tasks past their due date.")
@click.option("--patient", "patient_id", help="Only this patient's tasks.")
@click.option("--program", help="Only tasks of this pathway (its display name).")
@click.option("--instance", "instance_id", type=Id("instance"), help="Only tasks of this instance.")
@click.option("--status", default="open,claimed", show_default=True,
              help="Comma list of open, claimed, completed, cancelled; or all.")
@click.option("--priority", help="At least this priority: low, normal, high, urgent (or a number).")
@click.option("--due-before", help="Due before this ISO date-time.")
@click.option("--due-from", help="Due at or after this ISO date-time.")
@click.option("--completed-by", help="Only tasks completed by this user.")
@click.option("--sort", type=click.Choice(SORTS), default="due", show_default=True)
@click.option("--limit", type=click.IntRange(1, 1000), default=50, show_default=True)
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@json_option
@pass_state
def tasks(state, mine, roles, overdue, patient_id, program, instance_id, status, priority, due_before,
          due_from, completed_by, sort, limit, page):
    """List inbox tasks (by default every open or claimed task, soonest due first)."""
    q = InboxQuery(
        assignee=state.actor.name if mine else None, roles=tuple(roles), status=tuple(parse_statuses(status)),
        overdue=overdue, patient_id=patient_id, program=program, instance_id=instance_id,
        priority_at_least=parse_priority(priority), due_before=parse_moment(due_before, "--due-before"),
        due_from=parse_moment(due_from, "--due-from"), completed_by=completed_by, sort=sort,
        descending=False, page=page, page_size=limit,
    )
    result = state.service().inbox(q, state.actor)
    found, total = result.tasks, result.total
    if state.json:
        output.emit_json({"tasks": [output.task_dict(t) for t in found], "total": total, "page": page,
                          "limit": limit})
        return
    output.echo_tasks(found, "no tasks match" if total else "no tasks")
    if found and (total > len(found) or page > 1):
        first = q.offset + 1
        click.echo(f"\n{first}-{q.offset + len(found)} of {total}; --page {page + 1} for more"
                   if q.offset + len(found) < total else f"\n{first}-{q.offset + len(found)} of {total}")


@click.group("task")
def task():
    """One task: show it with its form fields."""


@task.command("show")
@click.argument("task_id", type=Id("task"))
@json_option
@pass_state
def show(state, task_id):
    """A task's details and the fields its form asks for."""
    service = state.service()
    row = service.task(task_id)
    schema = service.task_form(task_id)
    if state.json:
        output.emit_json({**output.task_dict(row), "documentation": row.documentation, "form": schema})
        return
    click.echo(f"task {row.id}: {row.title} [{row.status}]")
    for label, value in [("patient", row.patient_id), ("pathway", f"{row.program} (instance {row.instance_id})"),
                         ("role", row.role or "anyone"), ("assignee", row.assignee or "-"),
                         ("priority", row.priority_name), ("due", output.due(row.due_at)),
                         ("form", row.form_schema or "-")]:
        click.echo(f"{label + ':':<10}{value}")
    if row.completed_at:
        click.echo(f"{'done:':<10}{output.short(row.completed_at)} by {row.completed_by}")
    if row.documentation:
        click.echo(f"\n{row.documentation}")
    if schema:
        click.echo("\nfields:")
        output.echo_table(["field", "type", "required", "choices", "title"], describe(schema))


def describe(schema: dict | None) -> list[list]:
    """Rows (field, type, required, choices, title) for `task show`."""
    if not schema:
        return []
    required = set(schema.get("required") or [])
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = resolve(prop, schema)
        choices = ", ".join(str(c) for c in choices_of(prop))
        rows.append([name, type_of(prop) or "any", "yes" if name in required else "", choices, prop.get("title")])
    return rows


def _done(state, row, text: str) -> None:
    if state.json:
        output.emit_json(output.task_dict(row))
    else:
        click.echo(text)


@click.command("claim")
@click.argument("task_id", type=Id("task"))
@json_option
@pass_state
def claim(state, task_id):
    """Take a task: it leaves the role queue and only you can work it."""
    row = state.service().claim(task_id, state.actor)
    _done(state, row, f"task {row.id} ({row.title}) claimed by {row.assignee}")


@click.command("release")
@click.argument("task_id", type=Id("task"))
@json_option
@pass_state
def release(state, task_id):
    """Give a claimed task back to its role's queue."""
    row = state.service().release(task_id, state.actor)
    _done(state, row, f"task {row.id} ({row.title}) is back in the {row.role or 'open'} queue")


@click.command("assign")
@click.argument("task_id", type=Id("task"))
@click.argument("assignee")
@json_option
@pass_state
def assign(state, task_id, assignee):
    """Give a task to a colleague (user name ASSIGNEE), who must hold the task's role."""
    row = state.service().assign(task_id, assignee, state.actor)
    _done(state, row, f"task {row.id} ({row.title}) assigned to {row.assignee}")


@click.command("complete")
@click.argument("task_id", type=Id("task"))
@data_options
@click.option("--clear", "cleared", multiple=True, metavar="FIELD",
              help="Take an earlier answer to this form's FIELD out of the task's data (repeatable).")
@click.option("--minutes", metavar="N", help="Minutes of clinical staff time spent on the task (when its form "
                                               "does not ask for them itself).")
@json_option
@pass_state
def complete(state, task_id, data_file, sets, cleared, minutes):
    """Submit a task's form data (checked against its form) and run the pathway on."""
    service = state.service()
    row = service.complete(task_id, read_data(data_file, sets), state.actor, cleared, minutes=minutes)
    view = service.instance(row.instance_id)
    if state.json:
        next_tasks = [output.task_dict(t) for t in view.tasks if t.status in TaskStatus.ACTIVE]
        output.emit_json({"task": output.task_dict(row), "instance": output.instance_dict(view.instance),
                          "next_tasks": next_tasks})
        return
    click.echo(f"task {row.id} ({row.title}) {row.status}; instance {view.instance.id} is {view.instance.status}")
    if view.instance.error:
        click.echo(f"  error at {output.error_text(view.instance.error)}")
    following = [t for t in view.tasks if t.status in TaskStatus.ACTIVE]
    if following:
        click.echo("next:")
        output.echo_tasks(following)


COMMANDS = [tasks, task, claim, release, assign, complete]
