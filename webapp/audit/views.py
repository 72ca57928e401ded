"""The audit trail: events filtered by patient, person, action, time range and outcome, newest first; who saw
a patient in the last N days (linked from the patient's page); the same events as CSV."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from engine.service import AUDIT_OUTCOMES, AuditQuery, roles
from webapp.admin import forms
from webapp.extensions import service
from webapp.security import requires

bp = Blueprint("audit", __name__, url_prefix="/audit")
READERS = (roles.ADMIN, roles.PRIVACY_OFFICER)
# actions people filter by most; any other can be typed
COMMON_ACTIONS = ("viewed", "patient_viewed", "inbox_viewed", "patients_listed", "refused", "access_granted",
                  "completed", "started", "terminated", "signed_in", "user_roles_changed", "deployed",
                  "audit_viewed", "audit_exported")


def _query(args, page_size: int = 50) -> AuditQuery:
    return AuditQuery(patient_id=forms.text(args, "patient", 100), actor=forms.text(args, "user", 200),
                      action=forms.text(args, "action", 50), since=forms.day(args, "from", "from"),
                      until=forms.day(args, "to", "to", end=True),
                      outcome=forms.choice(args, "outcome", "outcome", AUDIT_OUTCOMES),
                      before=forms.keyset(args, "before"), after=forms.keyset(args, "after"), page_size=page_size)


def cursor(event) -> str:
    return f"{event.at.isoformat()}_{event.id}"


@bp.route("/")
@requires(*READERS)
def index():
    query = _query(request.args)
    found = service().audit_events(query, current_user.actor)
    return render_template("audit/index.html", found=found, q=query, outcomes=AUDIT_OUTCOMES, actions=COMMON_ACTIONS,
                           cursor=cursor, link=lambda **kw: forms.link("audit.index", **kw))


@bp.route("/export.csv")
@requires(*READERS)
def export():
    rows = service().audit_export(_query(request.args), current_user.actor)

    def lines():
        for row in rows:
            buffer = io.StringIO()
            csv.writer(buffer).writerow([_cell(v) for v in row])
            yield buffer.getvalue()

    return Response(stream_with_context(lines()), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-trail.csv"})


def _cell(value):
    """A spreadsheet must not run what a cell holds: text starting with = + - @ is written with a quote."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.route("/patients/<patient_id>/viewers")
@requires(*READERS)
def viewers(patient_id: str):
    days = forms.number(request.args, "days", "the number of days", default=90, high=3660)
    report = service().patient_viewers(patient_id, days, current_user.actor)
    return render_template("audit/viewers.html", report=report)
