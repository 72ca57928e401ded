"""The `carepath` command line: deploy pathways, start them, work the inbox, fire timers, send messages.

Every command parses its input, calls one method of the engine's service (`engine.service`) and prints the
result: a readable table, or JSON with --json. Exit codes: 0 ok, 1 unexpected failure, 2 invalid input or bundle
refused, 3 not found, 4 conflict or invalid state (including a database that was not initialised), 5 forbidden.

Other packages add commands through the `carepath.commands` entry point group (the web app adds `serve` and
`demo`); nothing outside this package imports it.
"""
from __future__ import annotations

from engine.cli import (
    authoring,
    clients,
    deploy,
    events,
    forms,
    instances,
    jobs,
    migrations,
    patients,
    reports,
    tasks,
    testing,
    users,
    walk,
)
from engine.cli.group import cli

__all__ = ["cli", "main"]

for _module in (deploy, patients, instances, migrations, tasks, events, walk, users, authoring, jobs, testing, clients, forms,
                reports):
    for _command in _module.COMMANDS:
        cli.add_command(_command)


def main() -> None:
    cli(prog_name="carepath")
