"""Patients: the list and search, adding one, importing many from CSV, a patient's page, starting a program."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    IMPORT_COLUMNS,
    SEXES,
    CarepathError,
    Conflict,
    InvalidInput,
    PatientInput,
    PatientInvalid,
)
from webapp.extensions import background, service
from webapp.patients.timeline import timeline
from webapp.security import CLINICAL, MANAGE_PATIENTS, requires

bp = Blueprint("patients", __name__, url_prefix="/patients")

FIELDS = ("mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address",
          "primary_care_provider", "preferred_language")


@bp.route("/")
@requires(*CLINICAL)
def index():
    try:
        page = int(request.args.get("page") or 1)  # the engine says which pages there can be
    except ValueError:
        raise InvalidInput("the page must be a number") from None
    found = service().find_patients(request.args.get("q"), page, viewer=current_user.actor)
    return render_template("patients/index.html", patients=found.patients, programs=found.programs,
                           q=(request.args.get("q") or "").strip()[:100], page=found.page, total=found.total,
                           pages=found.pages, may_manage=current_user.holds_any(MANAGE_PATIENTS))


@bp.route("/new", methods=["GET", "POST"])
@requires(*MANAGE_PATIENTS)
def new():
    values = {name: "" for name in FIELDS} | {"conditions": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
        values["conditions"] = request.form.get("conditions") or ""
        fields = PatientInput(conditions=[c for c in values["conditions"].splitlines() if c.strip()],
                              **{k: values[k] for k in FIELDS})
        try:
            patient = service().add_patient(fields, current_user.actor)
        except PatientInvalid as exc:
            errors = exc.errors
        else:
            flash(f"Added {fields.given_name} {fields.family_name}.", "success")
            return redirect(url_for("patients.show", patient_id=patient.id))
    return render_template("patients/new.html", values=values, errors=errors, sexes=SEXES), (400 if errors else 200)


@bp.route("/<patient_id>")
@requires(*CLINICAL)
def show(patient_id: str):
    page = service().patient_page(patient_id, current_user.actor)
    startable = [p for p in service().programs() if p["id"] not in page.running_programs]
    return render_template("patients/show.html", page=page, patient=page.patient,
                           history=timeline(page.history, page.instances), programs=startable,
                           may_start=current_user.holds_any(MANAGE_PATIENTS))


@bp.route("/<patient_id>/programs", methods=["POST"])
@requires(*MANAGE_PATIENTS)
def start_program(patient_id: str):
    program = (request.form.get("program") or "").strip()
    try:
        instance = service().start_program(patient_id, program, current_user.actor)
    except Conflict as exc:  # already running for this patient
        flash(exc.message[:1].upper() + exc.message[1:] + ".", "error")
    else:
        flash(f"Started {instance.program}.", "success")
    return redirect(url_for("patients.show", patient_id=patient_id))


# ------------------------------------------------------------------------------------------------ import
@bp.route("/import", methods=["GET", "POST"])
@requires(*MANAGE_PATIENTS)
def import_csv():
    if request.method == "GET":
        return render_template("patients/import.html", columns=IMPORT_COLUMNS, error=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("patients/import.html", columns=IMPORT_COLUMNS,
                               error="Choose a CSV file to import."), 400
    try:
        job = service().import_patients(upload.filename, upload.read(), current_user.actor)
    except CarepathError as exc:
        return render_template("patients/import.html", columns=IMPORT_COLUMNS, error=exc.message), 400
    _run_in_background(job.id)
    return redirect(url_for("patients.import_status", job_id=job.id))


def _run_in_background(job_id: int) -> None:
    if current_app.config.get("IMPORT_INLINE"):  # tests: the import runs within the request
        service().run_patient_import(job_id)
        return
    background().import_patients(job_id)


@bp.route("/import/<id:job_id>")
@requires(*MANAGE_PATIENTS)
def import_status(job_id: int):
    return render_template("patients/import_status.html", job=service().patient_import(job_id, current_user.actor))


@bp.route("/import/<id:job_id>.json")
@requires(*MANAGE_PATIENTS)
def import_progress(job_id: int):
    job = service().patient_import(job_id, current_user.actor)
    return jsonify(status=job.status, total=job.total_rows, done=job.done_rows, added=job.added,
                   rejected=len(job.rejected or []), error=job.error)
