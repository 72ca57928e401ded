"""The patient registry: `carepath patients add | list | import`. A pathway starts only for a registered patient."""
from __future__ import annotations

from pathlib import Path

import click

from engine.cli import output
from engine.cli.context import json_option, pass_state
from engine.service import PatientInput


def _patient_dict(p) -> dict:
    return {"mrn": p.id, "name": p.name, "birth_date": p.birth_date.isoformat() if p.birth_date else None, "sex": p.sex,
            "conditions": p.condition_names, "risk_tier": p.risk_tier}


@click.group("patients")
def patients():
    """Add, find and import patients (the registry pathways start for)."""


@patients.command("add")
@click.argument("mrn")
@click.option("--given", "given_name", required=True, help="Given name.")
@click.option("--family", "family_name", required=True, help="Family name.")
@click.option("--birth-date", required=True, metavar="YYYY-MM-DD")
@click.option("--sex", default="unknown", show_default=True, help="female, male, other or unknown.")
@click.option("--phone", default="")
@click.option("--email", default="")
@click.option("--address", default="")
@click.option("--pcp", "primary_care_provider", default="", help="Primary care provider.")
@click.option("--language", "preferred_language", default="", help="Preferred language.")
@click.option("--condition", "conditions", multiple=True, help="A chronic condition (repeatable).")
@json_option
@pass_state
def add(state, mrn, **fields):
    """Register a patient under their MRN; every field is checked and a refusal names each one."""
    fields["conditions"] = list(fields["conditions"])
    patient = state.service().add_patient(PatientInput(mrn=mrn, **fields), state.actor)  # refusals: per field
    if state.json:
        output.emit_json(_patient_dict(patient))
    else:
        click.echo(f"added patient {patient.id} ({patient.name})")


@patients.command("list")
@click.option("--search", "text", default=None, help="A name's beginning, or an exact MRN.")
@click.option("--page", type=click.IntRange(1), default=1, show_default=True)
@json_option
@pass_state
def list_(state, text, page):
    """Patients by name, 50 a page, with the programs each is in now (audited as a read)."""
    found = state.service().find_patients(text, page, viewer=state.actor)
    if state.json:
        output.emit_json({"patients": [_patient_dict(p) | {"programs": found.programs.get(p.id, [])}
                                       for p in found.patients], "total": found.total, "page": found.page})
        return
    output.echo_table(["mrn", "name", "born", "programs", "risk"],
                      [[p.id, p.name, p.birth_date, ", ".join(found.programs.get(p.id, [])),
                        p.risk_tier] for p in found.patients], empty="(no patients)")


@patients.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@json_option
@pass_state
def import_(state, file):
    """Import patients from a CSV file (the columns the web app's import takes): good rows are added, refused
    rows are listed with their line."""
    service = state.service()
    job = service.import_patients(file.name, file.read_bytes(), state.actor)
    service.run_patient_import(job.id)
    done = service.patient_import(job.id, state.actor)
    if state.json:
        output.emit_json({"added": done.added, "rejected": done.rejected or [], "status": done.status,
                          "error": done.error})
        return
    click.echo(f"{done.added} patient(s) added, {len(done.rejected or [])} row(s) refused")
    for row in done.rejected or []:
        click.echo(f"  line {row['line']}: " + "; ".join(f"{k}: {v}" for k, v in row["errors"].items()), err=True)


COMMANDS = [patients]
