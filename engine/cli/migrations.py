"""`carepath migrate`: move instances onto a newer pathway version, one instance or many with the same plan the
admin console makes: the source and target versions, a filter, tasks mapped by hand where the new version
renamed or replaced them; a dry run first (what each instance would do), the moves only with --execute."""
from __future__ import annotations

import re

import click

from engine.cli import output
from engine.cli.context import Id, json_option, pass_state, split_pair
from engine.service import InstanceStatus, InvalidInput, MigrationFilters, NotFound

VERSION = re.compile(r"^(?P<name>.+?)(?::| v)(?P<version>\d+)$")
REPORT_HEADERS = ["instance", "patient", "at", "dry run", "outcome"]


def resolve_version(service, text: str, option: str) -> int:
    """A version as `NAME:VERSION`, `NAME vVERSION` or a deployment id."""
    text = (text or "").strip()
    deployments = service.versions()
    if text.isdigit():
        if any(d.id == int(text) for d in deployments):
            return int(text)
        raise NotFound(f"{option}: no pathway version with id {text}")
    match = VERSION.match(text)
    if match is None:
        raise InvalidInput(f"{option} expects NAME:VERSION (review_loop:2) or a version id, got '{text}'")
    for d in deployments:
        if d.name == match["name"].strip() and d.version == int(match["version"]):
            return d.id
    raise NotFound(f"{option}: {match['name']} has no version {match['version']}")


def _mapping(pairs: tuple[str, ...]) -> dict[str, str]:
    return {key: value.strip() for key, value in (split_pair(p, "--map") for p in pairs)}


def _items(service, plan_id: int, actor) -> list:
    found, page = [], 1
    while True:
        view = service.migration_plan(plan_id, actor, page=page, page_size=1000)
        found += view.items
        if page >= view.pages:
            return found
        page += 1


def _item_dict(item) -> dict:
    return {"instance_id": item.instance_id, "patient_id": item.patient_id, "at": item.at_elements,
            "movable": item.movable, "reason": item.reason, "outcome": item.outcome,
            "outcome_reason": item.outcome_reason}


def _plan_dict(plan) -> dict:
    return {"id": plan.id, "source_id": plan.source_id, "target_id": plan.target_id, "filters": plan.filters,
            "mapping": plan.mapping, "status": plan.status, "instances": plan.checked, "movable": plan.movable,
            "moved": plan.moved, "not_moved": plan.refused}


def _report(state, service, plan) -> None:
    items = _items(service, plan.id, state.actor)
    if state.json:
        output.emit_json({**_plan_dict(plan), "items": [_item_dict(i) for i in items]})
        return
    click.echo(f"migration plan {plan.id}: {plan.checked} instance(s), {plan.movable} can move"
               + (f"; moved {plan.moved}, not moved {plan.refused}" if plan.done else ""))
    rows = [[i.instance_id, i.patient_id, i.at_elements, "moves" if i.movable else f"cannot move: {i.reason}",
             i.outcome if i.outcome != "checked" else "-"] for i in items]
    output.echo_table(REPORT_HEADERS, rows, "no open instance matches")
    for i in items:
        if i.outcome_reason:
            click.echo(f"  instance {i.instance_id} not moved: {i.outcome_reason}")


@click.command("migrate")
@click.argument("instance_id", type=Id("instance"), required=False)
@click.option("--from", "source", metavar="NAME:VERSION", help="Move the open instances of this version.")
@click.option("--to", "target", metavar="NAME:VERSION",
              help="The newer version to move to [default for one instance: the newest].")
@click.option("--status", type=click.Choice(InstanceStatus.OPEN), help="Only instances in this status.")
@click.option("--patient", "patient_id", help="Only this patient's instance.")
@click.option("--older-than-days", type=click.IntRange(0, 36500), help="Only instances started this long ago.")
@click.option("--map", "maps", multiple=True, metavar="OLD=NEW",
              help="A task of the old version the new one renamed or replaced, and its successor (repeatable).")
@click.option("--plan", "plan_id", type=Id("migration plan"), help="A plan made before (in the admin console).")
@click.option("--execute", is_flag=True, help="Move the instances (without it: the dry run only).")
@json_option
@pass_state
def migrate(state, instance_id, source, target, status, patient_id, older_than_days, maps, plan_id, execute):
    """Move pathway instances onto a newer version of their bundle, where they stand.

    \b
    carepath migrate 7                                   one instance onto the newest version
    carepath migrate 7 --to review_loop:3 --map review=assess
    carepath migrate --from review_loop:1 --to review_loop:2 [--status running] [--map review=assess]
    carepath migrate --from review_loop:1 --to review_loop:2 --execute
    carepath migrate --plan 4 [--execute]

    Many instances: a dry run lists each one, "moves" or "cannot move" and why; --execute then moves them, each
    on its own, and reports each (an instance that cannot move is left where it is).
    """
    service = state.service()
    if instance_id is not None:
        if source or plan_id:
            raise InvalidInput("give an instance id, or --from/--plan for many instances, not both")
        return _one(state, service, instance_id, target, maps)
    if plan_id is None:
        if not source or not target:
            raise InvalidInput("name the instances to move: an instance id, --from and --to, or --plan")
        filters = MigrationFilters(status=status, patient_id=patient_id, older_than_days=older_than_days)
        plan = service.plan_migration(resolve_version(service, source, "--from"),
                                      resolve_version(service, target, "--to"), filters, _mapping(maps), state.actor)
        plan_id = plan.id
    plan = service.migration_plan(plan_id, state.actor, page_size=1).plan  # an admin's, and there
    if plan.status in ("planned", "checking", "checked"):
        plan = service.check_migration(plan_id)
    if execute and plan.status == "checked":
        service.start_migration(plan_id, state.actor)
    if execute or plan.status in ("queued", "running"):
        plan = service.run_migration(plan_id)
    _report(state, service, plan)


def _one(state, service, instance_id: int, target: str | None, maps: tuple[str, ...]) -> None:
    if target or maps:
        target_id = resolve_version(service, target, "--to") if target else None
        if target_id is None:
            raise InvalidInput("--map needs --to: the version the tasks are mapped onto")
        result = service.move_instance(instance_id, target_id, state.actor, _mapping(maps))
    else:
        result = service.migrate(instance_id, state.actor)
    if state.json:
        output.emit_json(output.instance_dict(result))
        return
    click.echo(f"instance {instance_id} moved to pathway version {result.deployment_id}; it is {result.status}")


COMMANDS = [migrate]
