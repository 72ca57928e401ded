"""Patients: the list and search, adding one, importing many from CSV, a patient's page, starting a program."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.care import patient_imports as patient_import
from engine.care import patients
from engine.care.patients import PatientInput, PatientInvalid
from engine.deploy import versions as deployments
from engine.errors import CarepathError, InvalidInput
from engine.models import InstanceStatus
from webapp.extensions import background, database, pathways
from webapp.patients.page import patient_page
from webapp.security import CLINICAL, MANAGE_PATIENTS, requires

bp = Blueprint("patients", __name__, url_prefix="/patients")

FIELDS = ("mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address",
          "primary_care_provider", "preferred_language")


@bp.route("/")
@requires(*CLINICAL)
def index():
    text = (request.args.get("q") or "").strip()[:100]
    try:
        page = max(1, int(request.args.get("page") or 1))
    except ValueError:
        page = 1
    with database().transaction() as s:
        if text:
            found = patients.search(s, text, limit=100)
            total = len(found)
        else:
            found = patients.list_patients(s, limit=50, offset=(page - 1) * 50)
            total = patients.count_patients(s)
        programs = patients.current_programs(s, [p.id for p in found])
    return render_template("patients/index.html", patients=found, programs=programs, q=text, page=page, total=total,
                           pages=max(1, -(-total // 50)), may_manage=current_user.holds_any(MANAGE_PATIENTS))


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
            with database().transaction() as s:
                patient = patients.add_patient(s, fields, by=current_user.username)
                patient_id = patient.id
        except PatientInvalid as exc:
            errors = exc.errors
        else:
            flash(f"Added {fields.given_name} {fields.family_name}.", "success")
            return redirect(url_for("patients.show", patient_id=patient_id))
    return render_template("patients/new.html", values=values, errors=errors,
                           sexes=patients.SEXES), (400 if errors else 200)


@bp.route("/<patient_id>")
@requires(*CLINICAL)
def show(patient_id: str):
    page = patient_page(pathways(), patient_id, current_user.actor)
    with database().transaction() as s:
        startable = deployments.programs_to_start(s)
    active = {i.process_id for i in page.instances if i.status not in InstanceStatus.ENDED}
    return render_template("patients/show.html", page=page, patient=page.patient,
                           programs=[p for p in startable if p["id"] not in active],
                           may_start=current_user.holds_any(MANAGE_PATIENTS))


@bp.route("/<patient_id>/programs", methods=["POST"])
@requires(*MANAGE_PATIENTS)
def start_program(patient_id: str):
    program = (request.form.get("program") or "").strip()
    with database().transaction() as s:
        patient = patients.get_patient(s, patient_id)
        startable = {p["id"]: p for p in deployments.programs_to_start(s)}
        start_data = {"chronic_conditions": list(patient.conditions or [])}
    if program not in startable:
        raise InvalidInput(f"'{program}' is not a program that can be started here")
    active = [i for i in pathways().instances(patient_id=patient_id)
              if i.process_id == program and i.status not in InstanceStatus.ENDED]
    if active:
        flash(f"{startable[program]['name']} is already running for this patient.", "error")
        return redirect(url_for("patients.show", patient_id=patient_id))
    pathways().start(program, patient_id, start_data, current_user.actor)
    flash(f"Started {startable[program]['name']}.", "success")
    return redirect(url_for("patients.show", patient_id=patient_id))


# ------------------------------------------------------------------------------------------------ import
@bp.route("/import", methods=["GET", "POST"])
@requires(*MANAGE_PATIENTS)
def import_csv():
    if request.method == "GET":
        return render_template("patients/import.html", columns=patient_import.COLUMNS, error=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template("patients/import.html", columns=patient_import.COLUMNS,
                               error="Choose a CSV file to import."), 400
    try:
        with database().transaction() as s:
            job = patient_import.create_job(s, upload.filename, upload.read(), by=current_user.username)
            job_id = job.id
    except CarepathError as exc:
        return render_template("patients/import.html", columns=patient_import.COLUMNS, error=exc.message), 400
    _run_in_background(job_id)
    return redirect(url_for("patients.import_status", job_id=job_id))


def _run_in_background(job_id: int) -> None:
    if current_app.config.get("IMPORT_INLINE"):  # tests: the import runs within the request
        patient_import.run_job(database(), job_id)
        return
    background().import_patients(job_id)


def _job_for_me(job_id: int):
    with database().transaction() as s:
        job = patient_import.get_job(s, job_id)
        if job.created_by != current_user.username and "admin" not in current_user.roles:
            abort(404)
        s.expunge(job)
        return job


@bp.route("/import/<int:job_id>")
@requires(*MANAGE_PATIENTS)
def import_status(job_id: int):
    return render_template("patients/import_status.html", job=_job_for_me(job_id))


@bp.route("/import/<int:job_id>.json")
@requires(*MANAGE_PATIENTS)
def import_progress(job_id: int):
    job = _job_for_me(job_id)
    return jsonify(status=job.status, total=job.total_rows, done=job.done_rows, added=job.added,
                   rejected=len(job.rejected or []), error=job.error)
