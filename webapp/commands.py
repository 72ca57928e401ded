"""The web app's commands of `carepath`: `serve`, and `demo` (seed demo data, then serve).

The `carepath` command group is the engine's (engine.cli, which knows nothing of Flask); these two join it
through the `carepath.commands` entry points (pyproject.toml). They get the group's invocation state (database,
actor) as the click context's object.
"""
from __future__ import annotations

import logging
import os

import click
from werkzeug.serving import run_simple

from engine.demo import seed as seeding
from engine.demo.pathways import choose_bundle, default_pathways
from webapp import create_app
from webapp.extensions import background

pass_state = click.pass_obj  # the `carepath` group's invocation state: its service(), url and actor


def _request_log() -> None:
    """The app's own request log (routes, not paths: a path or query can name a patient) instead of the
    development server's, which logs every path and query string."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    requests = logging.getLogger("webapp.requests")
    if not requests.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        requests.addHandler(handler)
        requests.setLevel(logging.INFO)


def _run(app, host: str, port: int, sweep_seconds: float) -> None:
    """Serve the app; without a broker, the in-process scheduler fires timers and runs queued work here."""
    _request_log()
    with app.app_context():
        jobs = background()
    if sweep_seconds > 0:
        jobs.start(sweep_seconds)
    click.echo(f"serving on http://{host}:{port}/ (Ctrl+C stops)"
               + ("" if jobs.in_process else "; timers and jobs run on the Celery workers"))
    try:
        run_simple(host, port, app, threaded=True, use_reloader=False, use_debugger=False)
    finally:
        jobs.close()


def _loopback(host: str) -> bool:
    return host in ("127.0.0.1", "localhost", "::1")


def _app(state, host: str):
    overrides = {"DATABASE_URL": state.url, "CAREPATH_SERVICE": state.service()}
    if _loopback(host) and os.environ.get("CAREPATH_SECURE_COOKIES") is None:
        # plain http on this machine only: the browser would drop a Secure cookie; anywhere else, serve over https
        overrides.update(SESSION_COOKIE_SECURE=False, REMEMBER_COOKIE_SECURE=False)
    return create_app(overrides)


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--sweep-seconds", type=float, default=5.0, show_default=True,
              help="Fire due timers this often in-process (0: leave it to Celery beat and workers).")
@pass_state
def serve(state, host, port, sweep_seconds):
    """Run the web app (a development server fit for one machine; use gunicorn behind https beyond that)."""
    state.service().init_db()
    _run(_app(state, host), host, port, sweep_seconds)


@click.command("demo")
@click.option("--patients", "patient_count", type=click.IntRange(0, 5000), default=50, show_default=True,
              help="How many synthetic patients to create.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The demo's date (YYYY-MM-DD), seen at 15:00 UTC: the same date and seed give the same "
                   "patients, tasks and history, and the web app then runs as of that date [default: now].")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the synthetic data.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--no-serve", is_flag=True, help="Seed the demo data and stop (no web server).")
@pass_state
def demo(state, patient_count, today, seed, host, port, no_serve):
    """Set up the embedded database with the shipped pathways, demo users for every role and synthetic
    patients at different stages of the programs, then serve the web app."""
    service = state.service()
    service.init_db()
    source, name, note = choose_bundle(default_pathways())
    if note:
        click.echo(f"note: {note}")
    result = service.deploy(source, name=name)
    click.echo(result.message)
    present = seeding.reference_moment(today.date() if today else None)
    summary = seeding.seed_demo(service, patient_count, present, seed)
    click.echo(f"{len(summary.users)} users, {summary.patients} patients, programs started: "
               + (", ".join(f"{k} {v}" for k, v in sorted(summary.instances.items())) or "none")
               + f", {summary.steps} tasks completed"
               + (f", {summary.left_open} left open for a person to answer" if summary.left_open else "")
               + f", as of {present:%Y-%m-%d %H:%M} UTC")
    for problem in summary.errors[:10]:
        click.echo(f"  note: {problem}")
    click.echo(f"sign in as any of {', '.join(summary.users)} with the password '{seeding.PASSWORD}'")
    if not no_serve:
        if today:  # the web app's clock starts at the demo's moment and runs on from there
            seeding.keep_time_from(present)
        _run(_app(state, host), host, port, 5.0)

