"""Reports: each view parses its query, calls one method of the service (which checks who may see what and audits
the patients shown), and renders the page or its CSV."""
from __future__ import annotations

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    CCM_STATUS_LABELS,
    CCM_STATUSES,
    LOG_TIME_ACTIVITIES,
    LOG_TIME_NO_PROGRAM,
    REPORT_ROLES,
    InvalidInput,
    LoggedTime,
    TimeLogInvalid,
    now,
    roles,
)
from webapp.extensions import service
from webapp.reports import exports
from webapp.security import requires

bp = Blueprint("reports", __name__, url_prefix="/reports")
LOGGERS = roles.TEAM_ROLES + (roles.ADMIN,)
FILTERS = ("program", "team", "from", "to")


@bp.app_context_processor
def _log_time_choices():
    """What the patient page's log-time form (reports/_log_time.html) offers, wherever it is included."""
    return {"log_time_activities": LOG_TIME_ACTIVITIES, "log_time_no_program": LOG_TIME_NO_PROGRAM,
            "log_time_today": now().date().isoformat(),
            "may_log_time": getattr(current_user, "is_authenticated", False) and current_user.holds_any(LOGGERS)}


def _page() -> int:
    text = request.args.get("page") or "1"
    if not text.isdigit() or len(text) > 10:
        raise InvalidInput("the page must be a whole number")
    return int(text)


def _csv_wanted() -> bool:
    return request.args.get("format") == "csv"


def _filters() -> dict:
    return {"program": request.args.get("program"), "team": request.args.get("team"),
            "start": request.args.get("from"), "end": request.args.get("to")}


def _args(**changes) -> dict:
    """The current query's arguments with `changes` (None drops one): for links that keep the filters."""
    args = {k: v for k, v in request.args.items() if v}
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = value
    return args


@bp.app_template_global()
def report_url(endpoint: str, **changes) -> str:
    return url_for(endpoint, **_args(**changes))


@bp.route("/")
@requires(*REPORT_ROLES)
def index():
    return render_template("reports/index.html", access=service().report_access(current_user.actor))


# ------------------------------------------------------------------------------------------------ CCM
@bp.route("/ccm")
@requires(*REPORT_ROLES)
def ccm():
    status = request.args.get("status") or None
    if _csv_wanted():
        found = service().ccm_worklist(request.args.get("month"), current_user.actor, status=status, page_size=None)
        return exports.csv_response(
            f"ccm-billing-{found.month.key}.csv",
            ["month", "patient_id", "mrn", "patient", "consent_on", "care_plan_on", "complex", "minutes",
             "billing_practitioner", "status", "codes", "short_by_minutes", "days_left"],
            ([found.month.key, r.patient_id, r.mrn, r.name, r.consent_on, r.care_plan_on, r.complex, r.minutes,
              r.practitioner, r.status_label, r.code_text, r.short_by if r.status == "short" else "",
              found.days_left] for r in found.rows))
    found = service().ccm_worklist(request.args.get("month"), current_user.actor, status=status, page=_page())
    return render_template("reports/ccm.html", worklist=found, statuses=CCM_STATUSES, labels=CCM_STATUS_LABELS)


@bp.route("/ccm/<patient_id>/<month>")
@requires(*REPORT_ROLES)
def ccm_minutes(patient_id: str, month: str):
    return render_template("reports/ccm_minutes.html",
                           detail=service().ccm_month_minutes(patient_id, month, current_user.actor))


# ------------------------------------------------------------------------------------------------ TCM
@bp.route("/tcm")
@requires(*REPORT_ROLES)
def tcm():
    first, last = request.args.get("from"), request.args.get("to")
    if _csv_wanted():
        found = service().tcm_compliance(first, last, current_user.actor, page_size=None,
                                         show=request.args.get("show") or None)
        return exports.csv_response(
            f"tcm-compliance-{found.first.key}-to-{found.last.key}.csv",
            ["patient_id", "mrn", "patient", "discharge_on", "complexity", "contact_deadline", "contact_on",
             "contact_outcome", "contact_attempts", "contact", "med_rec_on", "med_rec_by_visit", "visit_on",
             "visit_day", "visit_within_days", "medical_decision_making", "code", "why", "readmitted_on"],
            ([r.patient_id, r.mrn, r.name, r.discharge_on, r.complexity, r.contact_deadline, r.contact_on,
              r.contact_outcome, r.contact_attempts, r.contact, r.med_rec_on, r.med_rec_by_visit, r.visit_on,
              r.visit_day, r.visit_within, r.mdm, r.code, r.reason, r.readmitted_on] for r in found.rows))
    return render_template("reports/tcm.html", report=service().tcm_compliance(
        first, last, current_user.actor, page=_page(), show=request.args.get("show") or None))


# ------------------------------------------------------------------------------------------------ dashboard
@bp.route("/dashboard")
@requires(*REPORT_ROLES)
def dashboard():
    board = service().dashboard(current_user.actor, **_filters())
    wanted = request.args.get("chart")
    if _csv_wanted():
        chart = next((c for c in board.charts if c.key == wanted), None)
        if chart is None:
            raise InvalidInput(f"there is no chart '{(wanted or '')[:40]}' on the dashboard")
        return exports.csv_response(
            f"{chart.key}-{board.filters.range.start}-to-{board.filters.range.end}.csv",
            [chart.category] + [heading for _, heading in chart.series],
            ([row.label] + list(row.values) for row in chart.rows))
    return render_template("reports/dashboard.html", board=board)


@bp.route("/dashboard/detail")
@requires(*REPORT_ROLES)
def dashboard_detail():
    found = service().dashboard_drill(current_user.actor, request.args.get("chart") or "",
                                      request.args.get("key") or "", request.args.get("series") or "",
                                      **_filters())
    return render_template("reports/drill.html", drill=found)


# ------------------------------------------------------------------------------------------------ heatmap
def _version() -> int | None:
    text = request.args.get("version") or ""
    if not text:
        return None
    if not text.isdigit() or len(text) > 10 or not 1 <= int(text) <= 2**31 - 1:
        raise InvalidInput("the pathway version must be a version's number")
    return int(text)


@bp.route("/heatmap")
@requires(*REPORT_ROLES)
def heatmap():
    page = service().heatmap(current_user.actor, version=_version(), program=request.args.get("program") or None,
                             start=request.args.get("from"), end=request.args.get("to"))
    found = page.heatmap
    if _csv_wanted():
        return exports.csv_response(
            f"heatmap-{found.deployment_id}-{found.process_id}-{found.range.start}-to-{found.range.end}.csv",
            ["stage", "step", "element_id", "tasks", "completed", "waiting_median_hours", "waiting_p90_hours",
             "working_median_hours", "working_p90_hours", "overdue", "overdue_share"],
            ([s.stage, s.title, s.element_id, s.count, s.completed, _hours(s.waiting_median), _hours(s.waiting_p90),
              _hours(s.working_median), _hours(s.working_p90), s.overdue, round(s.overdue_share, 3)]
             for s in found.steps))
    return render_template("reports/heatmap.html", page=page, map=found)


def _hours(seconds: float | None) -> float | None:
    return round(seconds / 3600, 2) if seconds is not None else None


@bp.route("/heatmap/<id:version>/<process_id>.bpmn")
@requires(*REPORT_ROLES)
def heatmap_diagram(version: int, process_id: str):
    return Response(service().heatmap_diagram(version, process_id, current_user.actor), mimetype="application/xml")


@bp.route("/heatmap/tasks")
@requires(*REPORT_ROLES)
def heatmap_tasks():
    version = _version()
    if version is None:
        raise InvalidInput("say which pathway version")
    tasks, total = service().heatmap_tasks(
        current_user.actor, version, request.args.get("program") or "", request.args.get("stage") or "",
        request.args.get("element") or "", start=request.args.get("from"), end=request.args.get("to"),
        overdue=request.args.get("overdue") == "1")
    return render_template("reports/heatmap_tasks.html", tasks=tasks, total=total,
                           step=request.args.get("title") or request.args.get("element"),
                           overdue=request.args.get("overdue") == "1")


# ------------------------------------------------------------------------------------------------ log time
FIELDS = ("spent_on", "minutes", "activity", "username", "program")


@bp.route("/patients/<patient_id>/time", methods=["GET", "POST"])
@requires(*LOGGERS)
def log_time(patient_id: str):
    values = {"spent_on": "", "minutes": "", "activity": "", "username": current_user.username, "program": ""}
    errors: dict[str, str] = {}
    if request.method == "POST":
        values = {name: (request.form.get(name) or "").strip() for name in FIELDS}
        try:
            service().log_time(patient_id, LoggedTime(**values), current_user.actor)
        except TimeLogInvalid as exc:
            errors = exc.errors  # the form again, with what was typed and what is wrong with it
        else:
            who = "" if values["username"] == current_user.username else f" for {values['username']}"
            flash(f"Logged {values['minutes']} minutes{who} on {values['spent_on']}.", "success")
            return redirect(url_for("patients.show", patient_id=patient_id) + "#h-minutes")
    form = service().time_log_form(patient_id, current_user.actor)
    return render_template("reports/log_time.html", form=form, values=values, errors=errors), \
        (400 if errors else 200)
