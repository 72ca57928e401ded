"""`carepath forms import QUESTIONNAIRE.json`: a FHIR Questionnaire as a carepath form (JSON Schema and UI schema
files, as pathways/forms/ holds them), naming what could not be mapped."""
from __future__ import annotations

import json
from pathlib import Path

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state, read_json_object
from engine.service import InvalidInput


@click.group("forms")
def forms():
    """Forms of a bundle (JSON Schema and UI schema)."""


@forms.command("import")
@click.argument("questionnaire", type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--out", "folder", type=click.Path(file_okay=False), default=".", show_default=True,
              help="Where to write <name>-schema.json and <name>-uischema.json (a bundle's forms folder).")
@click.option("--name", default=None, help="The files' name [default: from the Questionnaire's name or id].")
@click.option("--force", is_flag=True, help="Overwrite files that exist.")
@click.option("--dry-run", is_flag=True, help="Print the form instead of writing files.")
@json_option
@pass_state
def import_(state, questionnaire, folder, name, force, dry_run):
    """Turn a FHIR R4 Questionnaire (JSON) into a form."""
    imported = state.service().questionnaire_form(read_json_object(questionnaire))
    if name:
        if not name.replace("-", "").replace("_", "").isalnum():
            raise InvalidInput("--name: use letters, digits, '-' and '_'")
        imported.name = name
    written = []
    if not dry_run:
        target = Path(folder)
        existing = [n for n in imported.files if (target / n).exists()]
        if existing and not force:
            raise InvalidInput(f"{', '.join(existing)} exist(s) in {target}; use --force to overwrite, or --name")
        target.mkdir(parents=True, exist_ok=True)
        for file_name, content in imported.files.items():
            (target / file_name).write_text(json.dumps(content, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
            written.append(str(target / file_name))
    if state.json:
        output.emit_json({"name": imported.name, "written": written, "schema": imported.schema,
                          "ui_schema": imported.ui_schema, "fields": imported.fields, "unmapped": imported.unmapped})
        return
    if dry_run:
        click.echo(json.dumps({"schema": imported.schema, "ui_schema": imported.ui_schema}, indent=2))
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"{len(imported.fields)} field(s) mapped")
    for item in imported.unmapped:
        click.echo(f"  not mapped: {item['linkId']}: {item['reason']}")


COMMANDS = [forms]
