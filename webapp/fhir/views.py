"""FHIR R4 at /fhir/R4: read and search by patient (Patient, Task, CarePlan, Goal, CareTeam,
QuestionnaireResponse, AuditEvent), create Encounter (a discharge starts TCM) and Observation (a result for the
waiting pathways), and the CapabilityStatement at /fhir/R4/metadata. Errors are OperationOutcomes."""
from __future__ import annotations

import json
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import quote

from flask import Blueprint, current_app, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from engine.service import InvalidInput, now
from webapp.api import auth, paging, problems
from webapp.api.meta import allowed_methods
from webapp.extensions import service
from webapp.fhir import resources
from webapp.fhir.capability import capability_statement

PREFIX = "/fhir/R4"
FHIR_JSON = "application/fhir+json"
bp = Blueprint("fhir", __name__, url_prefix=PREFIX)
problems.register(bp)
READERS, WRITERS = auth.CLINICAL, ("care_manager", "nurse", "nurse_lead", "clinical_lead", "admin")
MAX_COUNT = 100
TASK_STATUSES = {"ready": "open", "in-progress": "claimed", "completed": "completed", "cancelled": "cancelled"}


@bp.before_request
def _authenticate():
    if request.endpoint == "fhir.metadata":
        return None  # what the server can do is public, as FHIR clients expect (no patient data)
    return auth.authenticate()


bp.teardown_request(auth.leave)


@bp.after_request
def _as_fhir(response):
    """Problems become OperationOutcomes; every answer is application/fhir+json."""
    if response.mimetype == problems.PROBLEM_JSON:
        body = json.loads(response.get_data(as_text=True))
        fields = [e.get("field") for e in body.get("errors") or ()]
        response.set_data(json.dumps(resources.outcome(response.status_code, body.get("detail") or body.get("title"),
                                                       expressions=fields)))
    if response.mimetype in ("application/json", problems.PROBLEM_JSON):
        response.mimetype = FHIR_JSON
    return response


def _json(resource: dict, status: int = 200, headers: dict | None = None):
    response = current_app.response_class(json.dumps(resource, default=str), status=status, mimetype=FHIR_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _base() -> str:
    return request.url_root.rstrip("/") + PREFIX + "/"


def _viewer():
    return auth.caller().actor


def _patient_param() -> str:
    value = request.args.get("patient") or request.args.get("subject")
    if not value:
        raise InvalidInput("patient: search by patient (patient=Patient/<MRN>, or the MRN)")
    return value.removeprefix("Patient/")


def _count() -> int:
    text = request.args.get("_count") or "50"
    if not text.isdigit() or not 1 <= int(text) <= MAX_COUNT:
        raise InvalidInput(f"_count: a number from 1 to {MAX_COUNT}")
    return int(text)


def _filters() -> dict:
    return {k: v for k, v in request.args.items() if k not in ("_cursor", "_count")}


def _next_url(kind: str, position: int) -> str:
    args = {**_filters(), "_count": str(_count()), "_cursor": paging.encode(kind, _filters(), position)}
    return request.base_url + "?" + "&".join(f"{k}={_quote(v)}" for k, v in args.items())


def _quote(value: str) -> str:
    return quote(value, safe="|/:")


def _searchset(found: list[dict], next_url: str | None = None, total: int | None = None):
    return _json(resources.bundle(found, _base(), request.url, next_url, total))


# ------------------------------------------------------------------------------------------------ metadata
@bp.route("/metadata")
def metadata():
    try:
        release = version("carepath")
    except PackageNotFoundError:
        release = "unknown"
    return _json(capability_statement(_base(), resources.instant(now()), release))


# ------------------------------------------------------------------------------------------------ Patient
@bp.route("/Patient/<patient_id>")
@auth.needs("fhir:read", READERS)
def read_patient(patient_id: str):
    return _json(resources.patient(service().patient(patient_id, viewer=_viewer()), service().api_settings.mrn_system))


@bp.route("/Patient")
@auth.needs("fhir:read", READERS)
def search_patients():
    """By _id or identifier (one patient, or none), by name, or every patient the caller may read."""
    mrn_system = service().api_settings.mrn_system
    wanted = request.args.get("_id") or _identifier(request.args.get("identifier"), mrn_system)
    if wanted is not None:
        found = service().patients_by_id([wanted]) if wanted else {}
        if not found:
            return _searchset([], total=0)
        return _searchset([resources.patient(service().patient(wanted, viewer=_viewer()), mrn_system)], total=1)
    count = _count()
    page = (paging.decode("Patient", _filters(), request.args.get("_cursor")) or 0) + 1
    listed = service().find_patients(request.args.get("name"), page, count, viewer=_viewer())
    shown = [p for p in listed.patients if not auth.caller().person or p.id in listed.access]
    more = not request.args.get("name") and page * count < listed.total
    return _searchset([resources.patient(p, mrn_system) for p in shown], _next_url("Patient", page) if more else None)


def _identifier(text: str | None, mrn_system: str) -> str | None:
    """The MRN an identifier search names ("" when it names another system's), or None without one."""
    if text is None:
        return None
    system, bar, value = text.rpartition("|") if "|" in text else ("", "", text)
    return value if not bar or system in ("", mrn_system) else ""


# ------------------------------------------------------------------------------------------------ Task
@bp.route("/Task/<id:task_id>")
@auth.needs("fhir:read", READERS)
def read_task(task_id: int):
    return _json(resources.task(service().fhir_task(task_id, _viewer())))


@bp.route("/Task")
@auth.needs("fhir:read", READERS)
def search_tasks():
    status = request.args.get("status")
    if status is not None and status not in TASK_STATUSES:
        raise InvalidInput(f"status: one of {', '.join(TASK_STATUSES)}")
    count = _count()
    page = (paging.decode("Task", _filters(), request.args.get("_cursor")) or 0) + 1
    statuses = (TASK_STATUSES[status],) if status else tuple(TASK_STATUSES.values())
    found = service().fhir_tasks(_patient_param(), _viewer(), statuses=statuses, page=page, page_size=count)
    more = page * count < found.total
    return _searchset([resources.task(t) for t in found.tasks], _next_url("Task", page) if more else None,
                      found.total)


# ------------------------------------------------------------------------------------------------ care plan
@bp.route("/CarePlan/<logical>")
@auth.needs("fhir:read", READERS)
def read_care_plan(logical: str):
    """`logical` is the FHIR logical id (text, not a row id): program-<instance> or patient-<MRN>."""
    plan_id = logical
    if plan_id.startswith("program-") and plan_id[8:].isdigit() and 1 <= int(plan_id[8:]) < 2**31:
        records = service().fhir_program_care_plan(int(plan_id[8:]), _viewer())
    elif plan_id.startswith("patient-") and len(plan_id) > 8:
        records = service().fhir_care_plans(plan_id[8:], _viewer())
    else:
        raise NotFound(f"no CarePlan {plan_id[:80]}: ids are program-<instance> and patient-<MRN>")
    found = [p for p in resources.care_plans(records) if p["id"] == plan_id]
    if not found:
        raise NotFound(f"CarePlan {plan_id} has nothing planned yet")
    return _json(found[0])


@bp.route("/CarePlan")
@auth.needs("fhir:read", READERS)
def search_care_plans():
    return _searchset(resources.care_plans(service().fhir_care_plans(_patient_param(), _viewer())))


@bp.route("/Goal/<id:item_id>")
@auth.needs("fhir:read", READERS)
def read_goal(item_id: int):
    records = service().fhir_care_plan_item(item_id, _viewer())
    goals = [i for i in records.items if i.kind == "goal"]
    if not goals:
        raise NotFound(f"no Goal {item_id}")
    return _json(resources.goal(goals[0], records))


@bp.route("/Goal")
@auth.needs("fhir:read", READERS)
def search_goals():
    records = service().fhir_care_plans(_patient_param(), _viewer())
    return _searchset([resources.goal(i, records) for i in records.items if i.kind == "goal"])


@bp.route("/CareTeam/<patient_id>")
@auth.needs("fhir:read", READERS)
def read_care_team(patient_id: str):
    return _json(service().care_team(patient_id, _viewer()).to_fhir())


@bp.route("/CareTeam")
@auth.needs("fhir:read", READERS)
def search_care_teams():
    return _searchset([service().care_team(_patient_param(), _viewer()).to_fhir()])


# ------------------------------------------------------------------------------------------------ answers, history
@bp.route("/QuestionnaireResponse/<id:task_id>")
@auth.needs("fhir:read", READERS)
def read_answers(task_id: int):
    return _json(resources.questionnaire_response(service().fhir_form_result(task_id, _viewer())))


@bp.route("/QuestionnaireResponse")
@auth.needs("fhir:read", READERS)
def search_answers():
    count = _count()
    after = paging.decode("QuestionnaireResponse", _filters(), request.args.get("_cursor"))
    found = service().fhir_form_results(_patient_param(), _viewer(), after_task=after, limit=count + 1)
    page = found[:count]
    more = len(found) > count
    return _searchset([resources.questionnaire_response(r) for r in page],
                      _next_url("QuestionnaireResponse", page[-1].task_id) if more else None)


@bp.route("/AuditEvent/<id:event_id>")
@auth.needs("fhir:read", READERS)
def read_audit_event(event_id: int):
    return _json(resources.audit_event(service().fhir_history_event(event_id, _viewer())))


@bp.route("/AuditEvent")
@auth.needs("fhir:read", READERS)
def search_audit_events():
    count = _count()
    after = paging.decode("AuditEvent", _filters(), request.args.get("_cursor"))
    found = service().fhir_history(_patient_param(), _viewer(), after_id=after, limit=count + 1)
    page = found[:count]
    more = len(found) > count
    return _searchset([resources.audit_event(e) for e in page], _next_url("AuditEvent", page[-1].id) if more else None)


# ------------------------------------------------------------------------------------------------ inbound
@bp.route("/Encounter", methods=["POST"])
@auth.needs("fhir:write", WRITERS)
def create_encounter():
    """A discharge starts Transitional Care Management (once per Encounter identifier)."""
    return _received(_body("Encounter"))


@bp.route("/Observation", methods=["POST"])
@auth.needs("fhir:write", WRITERS)
def create_observation():
    """A result (HbA1c, weight, blood pressure) for the patient's waiting pathways (once per identifier)."""
    return _received(_body("Observation"))


def _body(kind: str) -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise InvalidInput(f"the body must be a FHIR {kind} in JSON (Content-Type: application/fhir+json)")
    return body


def _received(resource: dict):
    received = service().receive_fhir(resource, _viewer())
    answer, inbound = received.answer, received.inbound
    text = _said(inbound, answer, received.tasks)
    headers = {"Idempotent-Replayed": "true"} if received.replayed else {}
    if answer.get("started"):
        headers["Location"] = f"{_base()}CarePlan/program-{answer['started'][0]}"
    if answer["outcome"] in ("refused", "failed", "skipped"):  # nothing done: the same resource may come again
        return _json(resources.outcome(422, text, code="business-rule"), 422, headers)
    status = 201 if answer["outcome"] in ("started", "delivered") and not received.replayed else 200
    return _json(resources.outcome(status, text), status, headers)


def _said(inbound, answer: dict, tasks) -> str:
    outcome = answer["outcome"]
    what = f"{inbound.resource_type} {inbound.identifier}"
    if outcome == "ignored":
        return f"{what}: {answer['reason']}"
    head = {"started": f"started instance(s) {answer['started']}",
            "delivered": f"delivered as {inbound.name} to instance(s) {answer['delivered']}",
            "matched_nothing": f"sent as {inbound.name}; no pathway of patient {inbound.patient_id} waits for it",
            "refused": f"not started: {answer.get('refused')}", "skipped": "the matching instances are not running",
            "failed": f"a pathway failed on it: {answer.get('failed')}"}.get(outcome, outcome)
    due = "; ".join(f"{t.title} due {resources.instant(t.due_at)}" for t in tasks if t.due_at)
    return f"{what}: {head}" + (f". Open: {due}" if due else "")


# ------------------------------------------------------------------------------------------------ elsewhere
@bp.route("/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
@bp.route("/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def elsewhere(rest: str):
    allowed = allowed_methods(current_app, PREFIX, "fhir.elsewhere", request.path)
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound(f"carepath has no FHIR {rest.split('/')[0][:60] or 'endpoint'} here; see {PREFIX}/metadata")
