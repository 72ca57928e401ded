"""`carepath reports refresh`: bring the summaries reports read ahead up to date now, as background work does
every CAREPATH_REPORT_SECONDS; with --whole, work everything out again (after a restore or a clock set back)."""
from __future__ import annotations

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state


@click.group("reports")
def reports():
    """The summaries the CCM worklist, TCM compliance and the dashboard read."""


@reports.command("refresh")
@click.option("--whole", is_flag=True, help="Work every summary out again, not only what changed.")
@json_option
@pass_state
def refresh(state, whole):
    """Bring the report summaries up to date now."""
    done = state.service().refresh_report_summaries(whole=whole)
    if state.json:
        output.emit_json(done)
        return
    months = ", ".join(done["built"]) or "none"
    work = "all days" if done["work"]["whole"] else f"days from {done['work']['days_from'] or '-'}"
    click.echo(f"CCM months built again: {months}; CCM patients worked out again: {done['patients']}")
    click.echo(f"dashboard work: {work}")
    click.echo(f"TCM discharges worked out: {done['tcm']['discharges']}{' (all)' if done['tcm']['whole'] else ''}")


COMMANDS = [reports]
