"""Time and messages: fire due timers, deliver a message from another system."""
from __future__ import annotations

import time

import click

from engine.cli import output
from engine.cli.context import (
    json_option,
    parse_keys,
    parse_moment,
    parse_sets,
    pass_state,
    read_json_object,
)
from engine.jobs.sweep import TimerSweep
from engine.service import Conflict, NotFound, now


@click.command("run-timers")
@click.option("--at", "at", metavar="ISO-DATETIME",
              help="Pretend it is this moment (UTC unless a zone is given), for simulations.")
@click.option("--limit", type=click.IntRange(1), default=500, show_default=True,
              help="At most this many instances in one run.")
@click.option("--watch", type=click.FloatRange(min=0.1), metavar="SECONDS", default=None,
              help="Keep sweeping every SECONDS (the in-process scheduler of the embedded default) until stopped.")
@json_option
@pass_state
def run_timers(state, at, limit, watch):
    """Fire every timer that is due, resuming the instances that wait on them."""
    moment = parse_moment(at, "--at")
    service = state.service()
    if watch is not None:
        if moment is not None:
            raise click.UsageError("--watch runs on the real clock; it cannot be combined with --at")
        _watch(service, watch)
        return
    if moment is None:
        fired, moment = service.run_due_timers(limit=limit), now()
    else:
        fired = service.run_timers_as_of(moment, limit=limit)
    if state.json:
        output.emit_json({"fired": fired, "at": output.iso(moment)})
    else:
        click.echo(f"fired {fired} timer(s) due by {output.short(moment)}")


def _watch(service, interval: float) -> None:
    sweep = TimerSweep(service, interval_seconds=interval)
    click.echo(f"sweeping due timers every {interval:g} s; Ctrl-C stops")
    try:
        while True:
            fired = sweep.sweep_once()
            if fired:
                click.echo(f"{output.short(now())}  fired {fired} timer(s)")
            if sweep.last_error:
                click.echo(f"sweep failed: {sweep.last_error}", err=True)
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo(f"stopped after {sweep.sweeps} sweep(s), {sweep.fired} timer(s) fired")


@click.command("correlate")
@click.argument("name")
@click.option("--key", "keys", multiple=True, metavar="KEY=VALUE",
              help="A correlation key, such as patient_id=P1 (repeatable; at least one).")
@click.option("--payload", "payload_file", type=click.Path(dir_okay=False, allow_dash=True),
              help="A JSON file with the message's payload object ('-' reads standard input).")
@click.option("--set", "sets", multiple=True, metavar="KEY=VALUE",
              help="A payload field, read as JSON when it parses (repeatable).")
@json_option
@pass_state
def correlate(state, name, keys, payload_file, sets):
    """Send message NAME to the instances whose keys match, or start a pathway that begins with it.

    Exits 3 when the message reached no instance and started none; 4 when it was delivered nowhere and failed
    somewhere (each failure is listed with its instance, element and reason), or the start it asked for was
    refused.
    """
    payload = None
    if payload_file is not None or sets:
        payload = read_json_object(payload_file) if payload_file is not None else {}
        payload.update(parse_sets(sets))
    result = state.service().correlate(name, parse_keys(keys), payload, state.actor)
    if state.json:
        output.emit_json({"message": result.message, "delivered": result.delivered, "started": result.started,
                          "skipped": result.skipped, "failed": result.failed, "matched": result.matched,
                          "refused": result.refused})
    else:
        _report(name, result)
    _exit_on_nothing_done(name, result)


def _report(name: str, result) -> None:
    for ids, what in ((result.delivered, "delivered to"), (result.started, "started"),
                      (result.skipped, "skipped, not running (suspended or in error):")):
        if ids:
            click.echo(f"message '{name}' {what} instance(s) {_ids(ids)}")
    for failed in result.failed:
        where = f" at {failed['element']}" if failed.get("element") else ""
        click.echo(f"error: message '{name}' failed for instance {failed['instance']}{where}: {failed['reason']}",
                   err=True)


def _exit_on_nothing_done(name: str, result) -> None:
    """A message that reached nobody, or failed wherever it went, is an error for the sender (exit 3 or 4)."""
    if result.delivered or result.started:
        return
    if result.failed:
        click.get_current_context().exit(Conflict.exit_code)
    if result.skipped:
        return
    if result.refused:
        click.echo(f"error: message '{name}' started nothing: {result.refused}", err=True)
        click.get_current_context().exit(Conflict.exit_code)
    click.echo(f"error: no instance waits for message '{name}' with these keys, and no pathway starts "
               "with it", err=True)
    click.get_current_context().exit(NotFound.exit_code)


def _ids(ids) -> str:
    return ", ".join(str(i) for i in ids)


COMMANDS = [run_timers, correlate]
