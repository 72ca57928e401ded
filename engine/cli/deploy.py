"""init-db, deploy, versions and programs: the schema, the pathway versions deployed, the care programs to start."""
from __future__ import annotations

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state


@click.command("init-db")
@click.option("--app-role", metavar="ROLE", help="PostgreSQL: let ROLE run the app without owning the schema "
                                                  "(it may only add to the audit trail). Run as the owner.")
@json_option
@pass_state
def init_db(state, app_role):
    """Create or upgrade the database schema (safe to run again)."""
    revision = state.service().init_db(app_role)
    url = output.display_url(state.url)
    if state.json:
        output.emit_json({"database": url, "revision": revision})
    else:
        click.echo(f"database ready: {url} (schema revision {revision})")


def deploy_result_dict(result) -> dict:
    return {"deployment": output.deployment_dict(result.deployment), "created": result.created,
            "message": result.message, "warnings": [w.to_dict() for w in result.warnings]}


def echo_deploy_result(result) -> None:
    click.echo(result.message)
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    startable = [p["id"] for p in result.deployment.processes if p.get("startable")]
    if startable and result.created:
        click.echo(f"startable pathways: {', '.join(startable)}")


@click.command("deploy")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--name", help="Bundle name [default: the folder or zip file name].")
@json_option
@pass_state
def deploy(state, path, name):
    """Validate a bundle (a folder or .zip of BPMN, DMN and form files) and store it as a new pathway version.

    Deploying the same content again changes nothing. A bundle with problems is refused as a whole
    (exit 2), each problem listed with its file, line and element.
    """
    result = state.service().deploy(path, state.actor, name=name)
    if state.json:
        output.emit_json(deploy_result_dict(result))
    else:
        echo_deploy_result(result)


def _startable(deployment) -> str:
    names = []
    for p in deployment.processes:
        if p.get("startable"):
            label = p["id"] if not p.get("name") or p.get("name") == p["id"] else f"{p['id']} ({p['name']})"
            names.append(label)
    return ", ".join(names)


@click.command("versions")
@click.option("--bundle", "name", help="Only the versions of this bundle.")
@json_option
@pass_state
def versions(state, name):
    """List the pathway versions deployed (each bundle's numbered versions) and the pathways each can start."""
    versions = [d for d in state.service().versions() if not name or d.name == name]
    if state.json:
        output.emit_json([output.deployment_dict(d) for d in versions])
        return
    rows = [[d.name, d.version, d.content_hash[:12], d.deployed_at, d.deployed_by, _startable(d)]
            for d in versions]
    output.echo_table(["name", "version", "hash", "deployed at", "by", "startable pathways"], rows,
                      "nothing deployed yet; try `carepath deploy PATH`")


@click.command("programs")
@json_option
@pass_state
def programs(state):
    """List the care programs a care team can start for a patient (on their bundle's newest version)."""
    found = state.service().programs()
    if state.json:
        output.emit_json(found)
        return
    output.echo_table(["program", "name"], [[p["id"], p["name"]] for p in found],
                      "no program to start; deploy the pathways first (`carepath deploy pathways/`)")


COMMANDS = [init_db, deploy, versions, programs]
