"""lint and layout: authoring checks for a program bundle, and a left-to-right diagram for a BPMN file."""
from __future__ import annotations

from pathlib import Path

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.service import SEVERITIES, CarePathways, InvalidInput

EXIT_PROBLEMS = 2


@click.command("lint")
@click.argument("path", type=click.Path(path_type=str))
@click.option("--fail-on", type=click.Choice(["error", "warning", "info"]), default="warning", show_default=True,
              help="The lowest severity that makes the exit code 2.")
@json_option
@pass_state
def lint(state, path, fail_on):
    """Check a program bundle (a folder or .zip, or one .bpmn file with the forms and DMN beside it) beyond
    what deploy refuses: diagram completeness and layout, lanes and forms of human tasks, gateway
    conditions, the data decision tables read, names.

    Every finding is listed at once with its severity, file, line and element. Exit 0 when nothing at or
    above --fail-on was found, 2 otherwise.
    """
    report = CarePathways.lint(path)
    failing = [f for f in report.findings if SEVERITIES[f.severity] >= SEVERITIES[fail_on]]
    if state.json:
        output.emit_json({"bundle": report.bundle, "clean": not failing, "counts": report.counts(),
                          "findings": [f.to_dict() for f in report.findings]})
    else:
        for finding in report.findings:
            click.echo(str(finding))
        counts = report.counts()
        summary = ", ".join(f"{counts[s]} {s}(s)" for s in ("error", "warning", "info") if counts[s])
        click.echo(f"{report.bundle}: {summary or 'clean'}")
    if failing:
        click.get_current_context().exit(EXIT_PROBLEMS)


@click.command("layout")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="FILE...")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 2 when a file's diagram differs from the computed layout.")
@json_option
@pass_state
def layout(state, files, check):
    """(Re)compute the BPMNDI of BPMN files (or of every .bpmn file in a folder), left to right: lanes as
    bands in a pool, no overlaps, orthogonal edges. Only the diagram changes (and a pool is added for a
    process with lanes but none)."""
    results = []
    for file in _bpmn_files(files):
        relaid = CarePathways.lay_out(file.read_bytes(), str(file))
        if relaid.changed and not check:
            file.write_bytes(relaid.data)
        results.append({"file": str(file), "changed": relaid.changed, "written": relaid.changed and not check,
                        "notes": relaid.layout.notes})
    if state.json:
        output.emit_json(results)
    else:
        for r in results:
            verb = ("would lay out" if check else "laid out") if r["changed"] else "unchanged"
            click.echo(f"{verb}: {r['file']}")
            for note in r["notes"]:
                click.echo(f"  note: {note}", err=True)
    if check and any(r["changed"] for r in results):
        click.get_current_context().exit(EXIT_PROBLEMS)


def _bpmn_files(paths) -> list[Path]:
    found = []
    for path in paths:
        if path.is_dir():
            found += sorted(p for p in path.rglob("*.bpmn") if not any(part.startswith(".") for part in p.parts))
        elif path.is_file():
            found.append(path)
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    return found


COMMANDS = [lint, layout]
