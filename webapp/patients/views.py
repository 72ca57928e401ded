"""Patients: My patients and the registry's search, adding one, importing many from CSV, a patient's page (or,
outside their care team, the way in by breaking the glass), starting a program with its care team."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    IMPORT_COLUMNS,
    MY_PATIENT_SORTS,
    SEXES,
    AccessRefused,
    CarepathError,
    Conflict,
    InvalidInput,
    MyPatientsQuery,
    PatientInput,
    PatientInvalid,
    roles,
)
from webapp.extensions import background, service
from webapp.patients.timeline import timeline
from webapp.security import CLINICAL, MANAGE_PATIENTS, requires

bp = Blueprint("patients", __name__, url_prefix="/patients")

FIELDS = ("mrn", "given_name", "family_name", "birth_date", "sex", "phone", "email", "address",
          "primary_care_provider", "preferred_language")
LABELS = {"mrn": "MRN", "given_name": "Given name", "family_name": "Family name", "birth_date": "Birth date",
          "sex": "Sex", "phone": "Phone", "email": "E-mail", "address": "Address",
          "primary_care_provider": "Primary care provider", "preferred_language": "Preferred language",
          "conditions": "Chronic conditions"}
TEAM_EDITORS = (roles.CARE_MANAGER, "nurse_lead", roles.CLINICAL_LEAD)


def _default_list() -> str:
    """Team members land on their own patients; admins and leads on the whole registry."""
    return "mine" if current_user.team_roles else "all"


@bp.route("/")
@requires(*CLINICAL)
def index():
    chosen = request.args.get("list")
    shown = chosen or ("all" if request.args.get("q") else _default_list())
    if shown == "mine":
        page = _mine(fallback=not chosen)
        if page is not None:
            return page
    try:
        page = int(request.args.get("page") or 1)  # the engine says which pages there can be
    except ValueError:
        raise InvalidInput("the page must be a number") from None
    found = service().find_patients(request.args.get("q"), page, viewer=current_user.actor)
    return render_template("patients/index.html", patients=found.patients, programs=found.programs,
                           access=found.access, q=(request.args.get("q") or "").strip()[:100], page=found.page,
                           total=found.total, pages=found.pages, may_manage=current_user.holds_any(MANAGE_PATIENTS))


def _mine(fallback: bool = False):
    """My patients; None when it is empty and the registry is shown instead (`fallback`: nothing was chosen)."""
    args = request.args
    sort = args.get("sort") or "name"
    if sort not in MY_PATIENT_SORTS:
        raise InvalidInput(f"unknown sort '{sort}'")
    query = MyPatientsQuery(username=current_user.username, search=(args.get("q") or "").strip()[:100] or None,
                            program=args.get("program") or None, risk=args.get("risk") or None,
                            attention=args.get("attention") == "1", lead_only=args.get("lead") == "1",
                            sort=sort, descending=args.get("dir") == "desc")
    found = service().my_patients(query, current_user.actor)
    if fallback and not found.rows:
        return None

    def sort_link(key: str) -> str:
        again = query.sort == key
        return url_for("patients.index", **{**{k: v for k, v in args.items() if v}, "list": "mine", "sort": key,
                                            "dir": "asc" if again and query.descending else "desc" if again else "asc"})

    return render_template("patients/mine.html", found=found, q=query, args=args, sort_link=sort_link,
                           may_manage=current_user.holds_any(MANAGE_PATIENTS))


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


def fields_from(form) -> tuple[dict, PatientInput]:
    values = {name: (form.get(name) or "").strip() for name in FIELDS}
    values["conditions"] = form.get("conditions") or ""
    fields = PatientInput(conditions=[c for c in values["conditions"].splitlines() if c.strip()],
                          **{k: values[k] for k in FIELDS})
    return values, fields


@bp.route("/new", methods=["GET", "POST"])
@requires(*MANAGE_PATIENTS)
def new():
    values = {name: "" for name in FIELDS} | {"conditions": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values, fields = fields_from(request.form)
        try:
            patient = service().add_patient(fields, current_user.actor)
        except PatientInvalid as exc:
            errors = exc.errors
        else:
            flash(f"Added {fields.given_name} {fields.family_name}.", "success")
            return redirect(url_for("patients.show", patient_id=patient.id))
    return render_template("patients/new.html", values=values, errors=errors, sexes=SEXES, labels=LABELS,
                           editing=None), (400 if errors else 200)


@bp.route("/<patient_id>")
@requires(*CLINICAL)
def show(patient_id: str):
    try:
        page = service().patient_page(patient_id, current_user.actor)
    except AccessRefused as refusal:
        return _refused(patient_id, refusal)
    startable = [p for p in service().programs() if p["id"] not in page.running_programs]
    may_team = current_user.holds_any(TEAM_EDITORS)
    return render_template("patients/show.html", page=page, patient=page.patient, record=page.record,
                           history=timeline(page.history, page.instances, page.record), programs=startable,
                           may_start=current_user.holds_any(MANAGE_PATIENTS), may_team=may_team,
                           colleagues=service().colleagues_for_team() if may_team else {},
                           team_roles=service().team_member_roles(),
                           asked=_asked_roles(startable) if current_user.holds_any(MANAGE_PATIENTS) else {})


def _asked_roles(programs: list[dict]) -> dict[str, list[str]]:
    """role -> "Program: why" for each program that asks for the role on the team when it starts."""
    asked: dict[str, list[str]] = {}
    for program in programs:
        for named in service().team_roles_of(program["id"]):
            asked.setdefault(named.role, []).append(f"{program['name']}: {named.reason}")
    return asked


def _refused(patient_id: str, refusal: AccessRefused):
    """Outside the care team: a 403 that offers to break the glass (for a clinical role), recorded as a refusal."""
    return refused_page(patient_id, refusal)


def refused_page(patient_id: str, refusal: AccessRefused, after: str | None = None):
    """The 403 of a record (or a task of it) outside the person's care team, audited as a refusal like every
    other; a person with a clinical role may open it by breaking the glass, then goes on to `after`."""
    service().record_refusal(current_user.actor, f"{request.method} {request.url_rule.rule}", refusal.message)
    patient = service().patients_by_id([patient_id]).get(patient_id)
    return render_template("patients/break_glass.html", patient=patient, patient_id=patient_id, refusal=refusal,
                           durations=service().glass_durations(), reason="", error=None, after=after), 403


@bp.route("/<patient_id>/programs", methods=["POST"])
@requires(*MANAGE_PATIENTS)
def start_program(patient_id: str):
    program = (request.form.get("program") or "").strip()
    team = {key[len("team_"):]: value for key, value in request.form.items()
            if key.startswith("team_") and value.strip()}
    try:
        instance = service().start_program(patient_id, program, current_user.actor, team=team or None)
    except (Conflict, InvalidInput) as exc:  # already running for this patient, a team member refused...
        flash(sentence(exc.message), "error")
    else:
        flash(f"Started {instance.program}." + (" Its care team is set." if team else ""), "success")
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
