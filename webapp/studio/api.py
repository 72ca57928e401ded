"""The editor's JSON routes: a file's content and version, saving it (a conflict is 409, a file that is not sound
400, both naming the file), lint, tidy layout, tests, the walk that records a case, and the form preview drawn by
`forms`, the renderer care managers see."""
from __future__ import annotations

import json

from flask import Response, jsonify

import forms
from engine.demo import answers as sample_answers
from engine.service import InvalidInput
from webapp.extensions import service
from webapp.studio.blueprint import actor, body, bp, json_errors, may_edit, may_view

MAX_TEXT = 5 * 1024 * 1024


def _findings(findings) -> list[dict]:
    return [f.to_dict() for f in findings]


def _text(data: dict, key: str = "content") -> bytes:
    value = data.get(key)
    if not isinstance(value, str):
        raise InvalidInput(f"{key} must be text")
    if len(value) > MAX_TEXT:
        raise InvalidInput(f"{key} is over 5 MB")
    return value.encode("utf-8")


def _base_version(data: dict) -> int | None:
    value = data.get("base_version")
    if value is None or (isinstance(value, int) and not isinstance(value, bool) and 0 <= value < 2**31):
        return value
    raise InvalidInput("base_version must be the version number of the file you edited")


@bp.route("/drafts/<id:draft_id>/content/<path:path>")
@may_view
@json_errors
def file_content(draft_id: int, path: str):
    content, version = service().draft_file(draft_id, path, actor())
    return jsonify({"path": path, "version": version, "content": content.decode("utf-8", "replace")})


@bp.route("/drafts/<id:draft_id>/content/<path:path>", methods=["POST"])
@may_edit
@json_errors
def save_file(draft_id: int, path: str):
    data = body()
    saved = service().save_draft_file(draft_id, path, _text(data), _base_version(data), actor())
    return jsonify({"path": saved.path, "version": saved.version, "findings": _findings(saved.findings),
                    "lint_ms": round(saved.lint_ms, 1)})


@bp.route("/drafts/<id:draft_id>/lint")
@may_view
@json_errors
def lint(draft_id: int):
    return jsonify({"findings": _findings(service().lint_draft(draft_id, actor()))})


@bp.route("/drafts/<id:draft_id>/tidy/<path:path>", methods=["POST"])
@may_edit
@json_errors
def tidy(draft_id: int, path: str):
    saved = service().tidy_draft_file(draft_id, path, _base_version(body()), actor())
    content, version = service().draft_file(draft_id, path, actor())
    return jsonify({"version": version, "content": content.decode("utf-8"), "findings": _findings(saved.findings)})


@bp.route("/drafts/<id:draft_id>/tests", methods=["POST"])
@may_edit
@json_errors
def run_tests(draft_id: int):
    run = service().run_draft_tests(draft_id, actor())
    return jsonify({"passed": run.passed, "failed": run.failed, "results": run.results,
                    "run_at": run.run_at.isoformat()})


@bp.route("/drafts/<id:draft_id>/walk", methods=["POST"])
@may_edit
@json_errors
def walk(draft_id: int):
    """Play the case being recorded. With `answer` ({key, schema, ui_schema, post}: the form of an open task as
    the lead filled it in), the post is first read by `forms` into typed answers, as a task page reads it, and
    added to the case; answers the form refuses come back drawn with their messages (the engine checks them
    again against the draft's form when the case plays)."""
    data = body()
    case = data.get("case")
    if not isinstance(case, dict):
        raise InvalidInput("case must be a JSON object")
    if data.get("answer") is not None:
        refused = _add_answer(case, data["answer"])
        if refused is not None:
            return jsonify(refused), 400
    outcome = service().walk_draft(draft_id, str(data.get("file") or ""), case, actor())
    result = outcome.to_dict()
    for number, task in enumerate(result["open_tasks"]):
        visit = len((case.get("tasks") or {}).get(task["key"], {}).get("data", []))
        schema = task.get("schema")
        task["suggested"] = sample_answers.answers(schema, visit=visit) if isinstance(schema, dict) else {}
        task["html"] = _walk_form(task, {**task["data"], **task["suggested"]}, None, f"walk{number}")
    result["case"] = case
    return jsonify(result)


def _form_of(task: dict):
    schema, ui_schema = task.get("schema"), task.get("ui_schema") or {}
    if not isinstance(schema, dict) or not isinstance(ui_schema, dict):
        return None
    try:
        return forms.load_form(schema, ui_schema)
    except forms.FormDefinitionError:
        return None


def _walk_form(task: dict, values: dict, errors, prefix: str) -> str:
    form = _form_of(task)
    if form is None:
        return ""
    return str(forms.render_form(form, values, errors=errors, task_data=task.get("data") or values, action="#",
                                 buttons=False, title=False, draft_label=None, id_prefix=prefix))


def _add_answer(case: dict, answer) -> dict | None:
    """Read a filled-in form into the case's answers for its task; None when it fits, else what to show."""
    if not isinstance(answer, dict) or not isinstance(answer.get("key"), str) or not isinstance(answer.get("post"), list):
        raise InvalidInput("answer must name the task (key) and hold the form's fields (post)")
    form = _form_of(answer)
    if form is None:
        raise InvalidInput(f"the form of {answer['key']} cannot be read; give its answers as JSON")
    pairs = [(str(p[0]), str(p[1])) for p in answer["post"] if isinstance(p, list) and len(p) == 2]
    task_data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
    values, errors = forms.parse_submission(form, pairs + [("action", "submit")], task_data=task_data, draft=False)
    if errors:
        return {"error": f"{len(errors)} answer(s) the form refuses: " + "; ".join(f"{path or 'the form'}: {message}" for path, message in errors.items()),
                "html": _walk_form(answer, values, errors, str(answer.get("prefix") or "walk"))}
    tasks = case.setdefault("tasks", {})
    entry = tasks.setdefault(answer["key"], {"data": []}) if isinstance(tasks, dict) else None
    if not isinstance(entry, dict) or not isinstance(entry.setdefault("data", []), list):
        raise InvalidInput(f"case.tasks.{answer['key']} must be an object with a list of answers (data)")
    entry["data"].append(json.loads(json.dumps(values, default=str)))
    return None


@bp.route("/drafts/<id:draft_id>/cases", methods=["POST"])
@may_edit
@json_errors
def save_case(draft_id: int):
    data = body()
    case = data.get("case")
    if not isinstance(case, dict):
        raise InvalidInput("case must be a JSON object")
    saved = service().save_test_case(draft_id, str(data.get("file") or ""), str(data.get("name") or ""), case,
                                     actor())
    return jsonify({"path": saved.path, "version": saved.version})


@bp.route("/drafts/<id:draft_id>/forms", methods=["POST"])
@may_edit
@json_errors
def new_form(draft_id: int):
    name = str(body().get("name") or "").strip()
    schema_path, ui_path = f"forms/{name}-schema.json", f"forms/{name}-uischema.json"
    starter = {"$schema": "https://json-schema.org/draft/2020-12/schema",
               "title": name.replace("_", " ").replace("-", " ").capitalize(), "type": "object", "properties": {}}
    service().save_draft_file(draft_id, schema_path, (json.dumps(starter, indent=2) + "\n").encode(), None, actor())
    service().save_draft_file(draft_id, ui_path, b'{\n  "ui:order": []\n}\n', None, actor())
    return jsonify({"schema": schema_path, "ui_schema": ui_path})


@bp.route("/drafts/<id:draft_id>/preview", methods=["POST"])
@may_view
@json_errors
def preview(draft_id: int):
    """The form as a care manager would see it, drawn by `forms`; with `post`, the answers checked as the
    engine's form check words them."""
    data = body()
    schema, ui_schema = data.get("schema"), data.get("ui_schema") or {}
    if not isinstance(schema, dict) or not isinstance(ui_schema, dict):
        raise InvalidInput("the schema and the UI schema must be JSON objects")
    try:
        form = forms.load_form(schema, ui_schema)
    except forms.FormDefinitionError as exc:
        return jsonify({"html": "", "message": f"The form cannot be drawn: {exc}"})
    values, errors, message = {}, None, ""
    if isinstance(data.get("post"), list):
        pairs = [(str(k), str(v)) for k, v in data["post"] if isinstance(k, str)]
        values, errors = forms.parse_submission(form, pairs)
        message = "The answers fit the form." if not errors else f"{len(errors)} answer(s) the form refuses."
    html = forms.render_form(form, values, errors=errors, action="#", buttons=False, draft_label=None,
                             id_prefix="preview")
    return jsonify({"html": str(html), "message": message})  # Markup: forms escaped every value


@bp.route("/drafts/<id:draft_id>/raw/<path:path>")
@may_view
def file_content_raw(draft_id: int, path: str):
    """A draft file as it is (the review page's diagrams)."""
    content, _ = service().draft_file(draft_id, path, actor())
    return Response(content, mimetype="application/json" if path.endswith(".json") else "application/xml")
