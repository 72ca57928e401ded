"""Background work at scale: `carepath worker` and `carepath beat` (thin wrappers over `celery -A
engine.jobs.celery_app ...`), and `carepath notify` to plan and send notifications now."""
from __future__ import annotations

import os
from datetime import date

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.config import BROKER_ENV, DATABASE_ENV
from engine.jobs import notify as notifications
from engine.service import InvalidInput

PASS_THROUGH = {"ignore_unknown_options": True, "allow_extra_args": True, "help_option_names": ["-h", "--help"]}


def _celery(state):
    from engine.jobs.celery_app import make_celery  # Celery is imported only for these commands

    settings = state.settings.jobs
    if not settings.broker_url:
        raise InvalidInput(f"no broker: set {BROKER_ENV}=redis://... or amqp://... (without one, background "
                           "work runs in-process in `carepath serve`, or `carepath run-timers --watch`)")
    # the worker's processes find the database where this command was told it is
    os.environ[DATABASE_ENV] = state.url
    return make_celery(settings), settings


@click.command("worker", context_settings=PASS_THROUGH)
@click.option("-c", "--concurrency", type=click.IntRange(1), help="Worker processes [default: one per CPU].")
@click.option("-l", "--loglevel", default="INFO", show_default=True)
@click.option("-B", "--beat", is_flag=True, help="Also run beat here (only ever in one process of the cluster).")
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@pass_state
def worker(state, concurrency, loglevel, beat, celery_args):
    """Run a Celery worker for carepath's background work (needs CELERY_BROKER_URL).

    Other arguments go to `celery worker` as they are, e.g. `carepath worker --pool solo -n w1@%h`.
    """
    app, settings = _celery(state)
    argv = ["worker", f"--loglevel={loglevel}", "-Q", settings.queue]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv += ["--beat", "--schedule", str(_schedule_file(state))]
    app.worker_main(argv + list(celery_args))


@click.command("beat", context_settings=PASS_THROUGH)
@click.option("-l", "--loglevel", default="INFO", show_default=True)
@click.argument("celery_args", nargs=-1, type=click.UNPROCESSED)
@pass_state
def beat(state, loglevel, celery_args):
    """Run Celery beat: the periodic sweep (due timers, lost jobs), notification planning and the daily digest.

    Run exactly one beat per cluster. Other arguments go to `celery beat` as they are.
    """
    app, _settings = _celery(state)
    app.start(["beat", f"--loglevel={loglevel}", "--schedule", str(_schedule_file(state)), *celery_args])


def _schedule_file(state):
    folder = state.settings.home
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "celerybeat-schedule"


@click.command("notify")
@click.option("--digest", is_flag=True, help="Plan and send the daily digest instead of reminders/escalations.")
@click.option("--day", metavar="YYYY-MM-DD", help="The digest's day [default: today, UTC].")
@json_option
@pass_state
def notify(state, digest, day):
    """Plan the notifications due now (reminders, escalations; or the digest) and send them from here."""
    chosen = None
    if digest and day:
        try:
            chosen = date.fromisoformat(day)
        except ValueError:
            raise InvalidInput(f"--day expects YYYY-MM-DD, got {day!r}") from None
    counts = notifications.send_now(state.service(), state.settings, digest, chosen)
    if state.json:
        output.emit_json(counts)
    else:
        click.echo(f"planned {counts['planned']} notification(s): {counts['sent']} sent, {counts['retry']} to retry, "
                   f"{counts['failed']} failed")


COMMANDS = [worker, beat, notify]
