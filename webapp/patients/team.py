"""A patient's care team on their page (join, leave, as lead care manager), opening a record from outside the
team by breaking the glass, and the report of those for the privacy officer and admins."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import CarepathError, InvalidInput, roles
from webapp import formatting
from webapp.extensions import service
from webapp.links import safe_next
from webapp.patients.record import act
from webapp.patients.views import TEAM_EDITORS, bp, sentence
from webapp.security import CLINICAL, requires

REPORT_READERS = ("privacy_officer",)  # and admins


@bp.route("/<patient_id>/team", methods=["POST"])
@requires(*TEAM_EDITORS)
def join_team(patient_id: str):
    form = request.form
    username, role = (form.get("username") or "").strip(), (form.get("role") or "").strip()
    lead = form.get("lead") == "1"
    if lead:
        role = roles.CARE_MANAGER
    return act(patient_id, lambda: service().join_care_team(patient_id, username, role, form.get("reason") or "",
                                                             current_user.actor, lead=lead),
                f"{username} joined the care team as {'lead care manager' if lead else roles.label(role).lower()}.",
                "h-team")


@bp.route("/<patient_id>/team/<id:member_id>/end", methods=["POST"])
@requires(*TEAM_EDITORS)
def leave_team(patient_id: str, member_id: int):
    reason = request.form.get("reason") or ""
    return act(patient_id, lambda: service().leave_care_team(patient_id, member_id, reason, current_user.actor),
                "The membership ended; it stays in the team's history.", "h-team")


@bp.route("/<patient_id>/access", methods=["POST"])
@requires(*CLINICAL)
def break_glass(patient_id: str):
    reason, duration = request.form.get("reason") or "", request.form.get("duration") or ""
    after = request.form.get("after") or ""
    try:
        grant = service().break_the_glass(patient_id, reason, duration, current_user.actor,
                                          session_token=current_user.get_id())
    except CarepathError as exc:
        patient = service().patients_by_id([patient_id]).get(patient_id)
        if patient is None:
            raise
        return render_template("patients/break_glass.html", patient=patient, patient_id=patient_id,
                               refusal=None, durations=service().glass_durations(), reason=reason,
                               error=sentence(exc.message), after=after, duration=duration), 400
    if not after:  # the patient's page says it in its own notice, for as long as the access lasts
        return redirect(url_for("patients.show", patient_id=patient_id))
    until = "the end of this session" if grant.session_id else formatting.when(grant.expires_at)
    flash(f"You opened this record from outside its care team until {until}. Your reason is recorded and "
          "reported to the privacy officer.", "info")
    return redirect(safe_next(after))


def _day(name: str, text: str | None, end: bool = False):
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: '{text}' is not a date (YYYY-MM-DD)") from None
    return formatting.day_start(date.fromordinal(day.toordinal() + 1) if end else day)


@bp.route("/access-report")
@requires(*REPORT_READERS)
def access_report():
    args = request.args
    try:
        page = int(args.get("page") or 1)
    except ValueError:
        raise InvalidInput("the page must be a number") from None
    report = service().access_report(current_user.actor, since=_day("from", args.get("from")),
                                     until=_day("to", args.get("to"), end=True),
                                     username=(args.get("user") or "").strip() or None,
                                     patient_id=(args.get("patient") or "").strip() or None, page=page)
    return render_template("patients/access_report.html", report=report, args=args,
                           page_link=lambda n: url_for("patients.access_report", **{**args.to_dict(), "page": n}))
