"""A patient's record over time, from their page: edit the demographics, end a program with a reason, record a
hospital discharge (TCM starts), update the care plan between stages, comment for the care team."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    COMPLEXITIES,
    END_REASONS,
    SEXES,
    CarepathError,
    CarePlanInput,
    DischargeInput,
    Forbidden,
    NotFound,
    PatientInvalid,
    now,
    roles,
)
from webapp import formatting
from webapp.extensions import service
from webapp.patients.views import FIELDS, LABELS, bp, fields_from, sentence
from webapp.security import CLINICAL, MANAGE_PATIENTS, requires

RECORD_KEEPERS = (roles.CARE_MANAGER, "nurse", "nurse_lead", roles.CLINICAL_LEAD)  # discharge, care plan


def back(patient_id: str, anchor: str | None = None):
    return redirect(url_for("patients.show", patient_id=patient_id) + (f"#{anchor}" if anchor else ""))


def act(patient_id: str, work, done: str, anchor: str | None = None):
    """Run an engine change; a refusal becomes a message on the patient's page and nothing is stored."""
    try:
        work()
    except (NotFound, Forbidden):
        raise  # a 404, or a 403 page (outside the care team, a role that does not allow it), audited
    except CarepathError as exc:
        flash(sentence(exc.message), "error")
    else:
        flash(done, "success")
    return back(patient_id, anchor)


@bp.route("/<patient_id>/edit", methods=["GET", "POST"])
@requires(*MANAGE_PATIENTS)
def edit(patient_id: str):
    patient = service().patient(patient_id, current_user.actor)
    errors: dict[str, str] = {}
    values = {name: getattr(patient, name) or "" for name in FIELDS}
    values["birth_date"] = patient.birth_date.isoformat()
    values["conditions"] = "\n".join(patient.condition_names)
    if request.method == "POST":
        values, fields = fields_from(request.form)
        values["mrn"] = patient.mrn
        try:
            changes = service().update_patient(patient_id, fields, current_user.actor)
        except PatientInvalid as exc:
            errors = exc.errors
        else:
            said = ", ".join(LABELS.get(name, name).lower() for name in changes) or "nothing changed"
            flash(f"Saved {patient.name}'s details: {said}.", "success")
            return back(patient_id)
    return render_template("patients/new.html", values=values, errors=errors, sexes=SEXES, labels=LABELS,
                           editing=patient), (400 if errors else 200)


@bp.route("/<patient_id>/programs/<id:instance_id>/end", methods=["POST"])
@requires(*MANAGE_PATIENTS)
def end_program(patient_id: str, instance_id: int):
    reason = request.form.get("reason") or ""
    note = request.form.get("note") or ""
    label = END_REASONS.get(reason, reason)
    return act(patient_id, lambda: service().end_program(instance_id, reason, current_user.actor, note),
                f"The program ended ({label.lower()}): its open tasks are closed and its timers stopped.",
                "h-programs")


@bp.route("/<patient_id>/discharge", methods=["GET", "POST"])
@requires(*RECORD_KEEPERS)
def discharge(patient_id: str):
    patient = service().patient(patient_id, current_user.actor)
    values = {"discharge_date": formatting.local(now()).date().isoformat(), "facility": "",
              "complexity": "moderate", "diagnoses": "", "medications": ""}
    error = None
    if request.method == "POST":
        values = {k: request.form.get(k) or "" for k in values}
        fields = DischargeInput(values["discharge_date"], values["facility"], values["complexity"],
                                [d for d in values["diagnoses"].splitlines() if d.strip()],
                                [m for m in values["medications"].splitlines() if m.strip()])
        try:
            result = service().record_discharge(patient_id, fields, current_user.actor)
        except CarepathError as exc:
            error = sentence(exc.message)
        else:
            if result.started:
                flash("Discharge recorded: Transitional Care Management started. Its first task, the interactive "
                      "contact, is due within 2 business days.", "success")
            elif result.delivered:
                flash("Discharge recorded: the running Transitional Care Management was told of it.", "success")
            else:
                flash(sentence(f"Discharge recorded, but no program started: {result.refused or 'none waits for it'}"),
                      "error")
            return back(patient_id, "h-programs")
    return render_template("patients/discharge.html", patient=patient, values=values, error=error,
                           complexities=COMPLEXITIES), (400 if error else 200)


@bp.route("/<patient_id>/care-plan", methods=["POST"])
@requires(*RECORD_KEEPERS)
def add_plan_item(patient_id: str):
    form = request.form
    fields = CarePlanInput(kind=form.get("kind") or "", description=form.get("description") or "",
                           target=form.get("target") or "", target_date=form.get("target_date") or "",
                           owner=form.get("owner") or "", due_date=form.get("due_date") or "")
    instance = (form.get("instance") or "").strip()

    def work():
        if instance and not instance.isdigit():
            raise NotFound(f"no program {instance}")
        service().add_care_plan_item(patient_id, fields, current_user.actor, int(instance) if instance else None)

    return act(patient_id, work, f"Added the {fields.kind} to the care plan.", "h-plan")


@bp.route("/<patient_id>/care-plan/<id:item_id>", methods=["POST"])
@requires(*RECORD_KEEPERS)
def update_plan_item(patient_id: str, item_id: int):
    form = request.form
    fields = CarePlanInput(status=form.get("status") or "", note=form.get("note") or "",
                           target=form.get("target") or "", target_date=form.get("target_date") or "",
                           owner=form.get("owner") or "", due_date=form.get("due_date") or "")
    return act(patient_id, lambda: service().update_care_plan_item(patient_id, item_id, fields, current_user.actor),
                "Care plan updated.", "h-plan")


@bp.route("/<patient_id>/comments", methods=["POST"])
@requires(*CLINICAL)
def comment(patient_id: str):
    body = request.form.get("body") or ""
    return act(patient_id, lambda: service().add_comment(patient_id, body, current_user.actor),
                "Comment added.", "h-comments")
