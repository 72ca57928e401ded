"""carepath's records as FHIR R4 resources: Patient, Task (an inbox row), CarePlan and Goal (the care plan
record), QuestionnaireResponse (a completed form), AuditEvent (the patient's history), and the Bundle and
OperationOutcome around them. Each function takes what the engine's service returned; none reads anything."""
from __future__ import annotations

import re
from datetime import date, datetime, timezone

from engine.service import roles

SYSTEM = "urn:carepath"
ROLE_SYSTEM = f"{SYSTEM}:role"
USER_SYSTEM = f"{SYSTEM}:username"
TASK_SYSTEM = f"{SYSTEM}:task"
FORM_PREFIX = f"{SYSTEM}:form:"
AUDIT_ACTIONS = f"{SYSTEM}:audit-action"
TASK_STATUS = {"open": "ready", "claimed": "in-progress", "completed": "completed", "cancelled": "cancelled"}
TASK_PRIORITY = {"low": "routine", "normal": "routine", "high": "urgent", "urgent": "asap"}
PLAN_STATUS = {"running": "active", "error": "active", "suspended": "on-hold", "completed": "completed",
               "terminated": "revoked"}
ACTIVITY_STATUS = {"active": "in-progress", "done": "completed", "stopped": "stopped"}
GOAL_STATUS = {"active": ("active", None), "on_track": ("active", "in-progress"), "at_risk": ("active", "worsening"),
               "met": ("completed", "achieved"), "not_met": ("completed", "not-achieved"),
               "stopped": ("cancelled", None)}
ACHIEVEMENT = "http://terminology.hl7.org/CodeSystem/goal-achievement"
AUDIT_TYPE = {"system": "http://dicom.nema.org/resources/ontology/DCM", "code": "110110", "display": "Patient Record"}
CREATES = ("started", "patient_added", "care_team_joined", "comment_added", "api_client_added")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def instant(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def fhir_id(value) -> str:
    """An id FHIR takes ([A-Za-z0-9-.]{1,64})."""
    return re.sub(r"[^A-Za-z0-9.-]", "-", str(value))[:64] or "unknown"


def patient_ref(patient_id: str, display: str | None = None) -> dict:
    ref = {"reference": f"Patient/{fhir_id(patient_id)}"}
    return ref | ({"display": display} if display else {})


def person(username: str | None, names: dict | None = None) -> dict | None:
    if not username:
        return None
    return {"identifier": {"system": USER_SYSTEM, "value": username}, "display": (names or {}).get(username, username)}


def _clean(value):
    """Leave out what FHIR forbids: empty strings, lists and objects, and None."""
    if isinstance(value, dict):
        cleaned = {k: _clean(v) for k, v in value.items()}
        return {k: v for k, v in cleaned.items() if v not in (None, "", [], {})}
    if isinstance(value, list):
        return [v for v in (_clean(v) for v in value) if v not in (None, "", [], {})]
    return value


# ------------------------------------------------------------------------------------------------ Patient
def patient(p, mrn_system: str) -> dict:
    telecom = [{"system": "phone", "value": p.phone}] if p.phone else []
    telecom += [{"system": "email", "value": p.email}] if p.email else []
    return _clean({
        "resourceType": "Patient", "id": fhir_id(p.id), "meta": {"lastUpdated": instant(p.updated_at)},
        "identifier": [{"use": "usual", "system": mrn_system, "value": p.mrn}],
        "name": [{"use": "official", "family": p.family_name, "given": [p.given_name], "text": p.name}],
        "gender": p.sex, "birthDate": p.birth_date.isoformat(), "telecom": telecom,
        "address": [{"text": p.address}] if p.address else [],
        "communication": [{"language": {"text": p.preferred_language}}] if p.preferred_language else [],
        "generalPractitioner": [{"display": p.primary_care_provider}] if p.primary_care_provider else []})


# ------------------------------------------------------------------------------------------------ Task
def task(t) -> dict:
    """An inbox row: status, owner, the role as performerType, the due time as restriction.period.end,
    priority (routine, urgent, asap)."""
    role = {"coding": [{"system": ROLE_SYSTEM, "code": t.role, "display": roles.label(t.role)}],
            "text": roles.label(t.role)} if t.role else None
    output = [{"type": {"text": "answers"}, "valueReference": {"reference": f"QuestionnaireResponse/{t.id}"}}] \
        if t.status == "completed" and t.form_schema else []
    return _clean({
        "resourceType": "Task", "id": str(t.id),
        "identifier": [{"system": TASK_SYSTEM, "value": t.task_uuid}],
        "basedOn": [{"reference": f"CarePlan/program-{t.instance_id}"}],
        "status": TASK_STATUS.get(t.status, "requested"), "businessStatus": {"text": t.stage},
        "intent": "order", "priority": TASK_PRIORITY.get(t.priority_name, "routine"),
        "code": {"coding": [{"system": f"{SYSTEM}:element", "code": t.element_id}], "text": t.title},
        "description": t.title, "for": patient_ref(t.patient_id),
        "executionPeriod": {"start": instant(t.created_at), "end": instant(t.completed_at)},
        "authoredOn": instant(t.created_at),
        "lastModified": instant(t.completed_at or t.claimed_at or t.created_at),
        "performerType": [role] if role else [], "owner": person(t.assignee),
        "restriction": {"period": {"end": instant(t.due_at)}} if t.due_at else None,
        "input": [{"type": {"text": "form"}, "valueCanonical": FORM_PREFIX + t.form_schema}] if t.form_schema else [],
        "output": output, "note": [{"text": t.documentation}] if t.documentation else []})


# ------------------------------------------------------------------------------------------------ care plan
def care_plans(records) -> list[dict]:
    """One CarePlan per program (`program-<instance>`) and one for what is planned across programs
    (`patient-<id>`), each with its goals, its interventions as activities and its barriers as notes."""
    by_program: dict = {}
    for item in records.items:
        by_program.setdefault(item.instance_id, []).append(item)
    return [care_plan(records, key, items) for key, items in by_program.items()]


def care_plan(records, instance_id, items) -> dict:
    program = records.programs.get(instance_id) if instance_id else None
    goals = [i for i in items if i.kind == "goal"]
    activities = [{"detail": _clean({
        "kind": "Task", "status": ACTIVITY_STATUS.get(i.status, "unknown"), "description": i.description,
        "performer": [{"display": i.owner}] if i.owner else [],
        "scheduledString": f"by {i.due_date.isoformat()}" if i.due_date else None})}
        for i in items if i.kind == "intervention"]
    notes = [{"text": f"Barrier ({i.status}): {i.description}"} for i in items if i.kind == "barrier"]
    return _clean({
        "resourceType": "CarePlan",
        "id": f"program-{instance_id}" if instance_id else fhir_id(f"patient-{records.patient_id}"),
        "status": PLAN_STATUS.get(program.status, "unknown") if program else "active", "intent": "plan",
        "title": program.program if program else "Care plan across programs",
        "subject": patient_ref(records.patient_id),
        "period": {"start": instant(program.started_at), "end": instant(program.ended_at)} if program else None,
        "careTeam": [{"reference": f"CareTeam/{fhir_id(records.patient_id)}"}],
        "goal": [{"reference": f"Goal/{g.id}", "display": g.description[:200]} for g in goals],
        "activity": activities, "note": notes,
        "identifier": [{"system": f"{SYSTEM}:instance", "value": str(instance_id)}] if instance_id else []})


def goal(item, records) -> dict:
    lifecycle, achieved = GOAL_STATUS.get(item.status, ("active", None))
    progress = [p for p in item.progress or () if isinstance(p, dict)]
    target = _clean({"measure": {"text": item.target} if item.target else None, "detailString": item.target,
                     "dueDate": item.target_date.isoformat() if item.target_date else None})
    if target and "measure" not in target:
        target["measure"] = {"text": "target date"}
    return _clean({
        "resourceType": "Goal", "id": str(item.id), "lifecycleStatus": lifecycle,
        "achievementStatus": {"coding": [{"system": ACHIEVEMENT, "code": achieved}]} if achieved else None,
        "description": {"text": item.description}, "subject": patient_ref(records.patient_id),
        "startDate": item.created_at.date().isoformat() if item.created_at else None,
        "target": [target] if target else [],
        "statusDate": item.updated_at.date().isoformat() if item.updated_at else None,
        "note": [_progress_note(p) for p in progress if p.get("note") or p.get("status")],
        "identifier": [{"system": f"{SYSTEM}:care-plan-item", "value": item.item_key}] if item.item_key else []})


def _progress_note(entry: dict) -> dict:
    text = " ".join(str(x) for x in (entry.get("date"), entry.get("status"), entry.get("note")) if x)
    return {"text": text or "progress recorded"}


# ------------------------------------------------------------------------------------------------ answers
def questionnaire_response(result) -> dict:
    """A completed form's answers, item by item in the form's order, titled as the form titles them; a choice
    answers a coding (its value and the title the form shows for it)."""
    properties = (result.form or {}).get("properties") or {}
    return _clean({
        "resourceType": "QuestionnaireResponse", "id": str(result.task_id),
        "identifier": {"system": TASK_SYSTEM, "value": str(result.task_id)},
        "basedOn": [{"reference": f"CarePlan/program-{result.instance_id}"}],
        "questionnaire": FORM_PREFIX + result.form_name if result.form_name else None,
        "status": "completed", "subject": patient_ref(result.patient_id), "authored": instant(result.completed_at),
        "author": person(result.completed_by),
        "item": _items(result.answers, properties, result.form_name or "form") or
        [{"linkId": "(none)", "text": f"{result.title}: completed without answers"}]})


def _items(answers: dict, properties: dict, form: str) -> list[dict]:
    names = [n for n in properties if n in answers] + [n for n in answers if n not in properties]
    found = []
    for name in names:
        found += _item(name, answers[name], properties.get(name) if isinstance(properties.get(name), dict) else {},
                       f"{form}:{name}")
    return found


def _item(name: str, value, schema: dict, system: str) -> list[dict]:
    text = schema.get("title") or name.replace("_", " ")
    if isinstance(value, dict):
        nested = _items(value, schema.get("properties") or {}, system)
        return [{"linkId": name, "text": text, "item": nested}] if nested else []
    if isinstance(value, list):
        if value and all(isinstance(v, dict) for v in value):
            rows = [_items(v, (schema.get("items") or {}).get("properties") or {}, system) for v in value]
            return [{"linkId": name, "text": text, "item": row} for row in rows if row]
        answers = [a for a in (_answer(v, schema.get("items") or {}, system) for v in value) if a]
        return [{"linkId": name, "text": text, "answer": answers}] if answers else []
    answer = _answer(value, schema, system)
    return [{"linkId": name, "text": text, "answer": [answer]}] if answer else []


def _answer(value, schema: dict, system: str) -> dict | None:
    options = {o.get("const"): o.get("title") for o in schema.get("oneOf") or schema.get("anyOf") or ()
               if isinstance(o, dict) and "const" in o}
    if isinstance(schema.get("enum"), list):  # a choice without titles (enumNames, when given, are the titles)
        names = schema.get("enumNames") if isinstance(schema.get("enumNames"), list) else []
        options = {v: (names[n] if n < len(names) else v) for n, v in enumerate(schema["enum"])
                   if isinstance(v, str | int) and not isinstance(v, bool)}
    if value is None or value == "":
        return None
    if options and not isinstance(value, bool) and value in options:
        return {"valueCoding": {"system": f"{SYSTEM}:{system}", "code": str(value),
                                "display": str(options[value] or value)}}
    if isinstance(value, bool):
        return {"valueBoolean": value}
    if isinstance(value, int) and -2**31 <= value < 2**31:
        return {"valueInteger": value}
    if isinstance(value, int | float):
        return {"valueDecimal": value}
    if schema.get("format") == "date" and isinstance(value, str) and DATE.match(value):
        try:
            return {"valueDate": date.fromisoformat(value).isoformat()}
        except ValueError:
            pass
    return {"valueString": str(value)}


# ------------------------------------------------------------------------------------------------ history
def audit_event(e) -> dict:
    """One event of the patient's history: what was done (its action), when, by whom, through which door."""
    via = (e.details or {}).get("via") if isinstance(e.details, dict) else None
    agents = [{"who": {"display": e.actor}, "requestor": True}]
    if via:
        agents.append({"who": {"display": str(via)}, "requestor": False, "type": {"text": "through"}})
    entities = [{"what": patient_ref(e.patient_id), "type": {"code": "1", "display": "Person",
                                                             "system": "http://terminology.hl7.org/CodeSystem/audit-entity-type"}}]
    if e.instance_id:
        entities.append({"what": {"reference": f"CarePlan/program-{e.instance_id}"}})
    return _clean({
        "resourceType": "AuditEvent", "id": str(e.id), "type": AUDIT_TYPE,
        "subtype": [{"system": AUDIT_ACTIONS, "code": e.action, "display": e.action.replace("_", " ")}],
        "action": "C" if e.action in CREATES else "E", "recorded": instant(e.at), "outcome": "0",
        "agent": agents, "source": {"observer": {"display": "carepath"}}, "entity": entities})


# ------------------------------------------------------------------------------------------------ wrappers
def bundle(resources: list[dict], base: str, self_url: str, next_url: str | None, total: int | None = None) -> dict:
    links = [{"relation": "self", "url": self_url}] + ([{"relation": "next", "url": next_url}] if next_url else [])
    entries = [{"fullUrl": f"{base}{r['resourceType']}/{r['id']}", "resource": r, "search": {"mode": "match"}}
               for r in resources]
    return {"resourceType": "Bundle", "type": "searchset", **({"total": total} if total is not None else {}),
            "link": links, "entry": entries}


ISSUE_CODES = {400: "invalid", 401: "login", 403: "forbidden", 404: "not-found", 405: "not-supported",
               409: "conflict", 415: "not-supported", 422: "duplicate", 429: "throttled", 500: "exception"}


def outcome(status: int, diagnostics: str, *, severity: str | None = None, expressions=(), code: str | None = None) -> dict:
    issue = {"severity": severity or ("error" if status >= 400 else "information"),
             "code": code or ISSUE_CODES.get(status, "processing" if status >= 400 else "informational"),
             "diagnostics": diagnostics}
    if expressions:
        issue["expression"] = [e for e in expressions if e][:20]
    return {"resourceType": "OperationOutcome", "issue": [issue]}
