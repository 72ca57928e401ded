"""The studio's pages: the workspace, a draft's editor, the review page, version history, and the forms that
open, send for review, approve, publish, roll back and discard drafts."""
from __future__ import annotations

import json
from pathlib import PurePosixPath

from flask import Response, abort, flash, redirect, render_template, request, url_for

from engine.service import DraftStatus, InvalidInput, roles
from webapp.extensions import service
from webapp.studio.blueprint import actor, bp, may_edit, may_view

STARTERS = {
    "form": lambda name: {
        f"forms/{name}-schema.json": {"$schema": "https://json-schema.org/draft/2020-12/schema", "title":
                                      name.replace("_", " ").replace("-", " ").capitalize(), "type": "object",
                                      "properties": {}},
        f"forms/{name}-uischema.json": {"ui:order": []}},
}


def _version(text: str | None) -> int | None:
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        raise InvalidInput(f"version '{text[:20]}' is not a number") from None
    if not 1 <= number <= 2**31 - 1:
        raise InvalidInput(f"version {number} does not exist")
    return number


@bp.route("/")
@may_view
def index():
    workspace = service().studio_workspace(actor())
    return render_template("studio/index.html", bundles=workspace["bundles"], closed=workspace["closed"],
                           may_edit=roles.CLINICAL_LEAD in current_roles())


def current_roles():
    return actor().roles


@bp.route("/bundles/<bundle>/drafts", methods=["POST"])
@may_edit
def open_draft(bundle: str):
    draft_id = service().open_draft(bundle, actor(), _version(request.form.get("version")))
    flash(f"Draft {draft_id} opened: nothing in it reaches a care manager until it is published.", "success")
    return redirect(url_for("studio.draft", draft_id=draft_id))


@bp.route("/bundles/<bundle>/programs", methods=["POST"])
@may_edit
def new_program(bundle: str):
    program_id = (request.form.get("program_id") or "").strip()
    draft_id = service().new_program(bundle, program_id, request.form.get("name") or "", actor())
    flash("The new program calls the library's stages; add its rule to program_eligibility.dmn.", "success")
    return redirect(url_for("studio.draft", draft_id=draft_id, file=f"bpmn/{program_id}.bpmn"))


@bp.route("/bundles/<bundle>/history")
@may_view
def history(bundle: str):
    rows = service().version_history(bundle, actor())
    return render_template("studio/history.html", bundle=bundle, rows=rows,
                           may_edit=roles.CLINICAL_LEAD in current_roles())


@bp.route("/bundles/<bundle>/versions/<id:version>/rollback", methods=["POST"])
@may_edit
def roll_back(bundle: str, version: int):
    draft_id = service().roll_back(bundle, version, actor())
    flash(f"Draft {draft_id} holds version {version}'s files: test it, send it for review and publish it to roll "
          "back.", "success")
    return redirect(url_for("studio.review", draft_id=draft_id))


@bp.route("/bundles/<bundle>/versions/<id:version>/files/<path:path>")
@may_view
def version_file(bundle: str, version: int, path: str):
    return Response(service().version_file(bundle, version, path, actor()), mimetype=_mimetype(path))


def _mimetype(path: str) -> str:
    return "application/json" if path.endswith(".json") else "application/xml"


@bp.route("/drafts/<id:draft_id>")
@may_view
def draft(draft_id: int):
    view = service().draft_files(draft_id, actor())
    paths = [f["path"] for f in view.files]
    chosen = request.args.get("file") or next((p for p in paths if p.endswith(".bpmn")), None)
    current = next((f for f in view.files if f["path"] == chosen), None)
    if chosen and current is None:
        abort(404)
    context = _editor_context(view, current)
    return render_template("studio/draft.html", view=view, draft=view.draft, current=current, context=context,
                           groups=_groups(view.files), editable=context["canEdit"])


def _groups(files):
    order = (("Diagrams", "bpmn"), ("Forms", "form"), ("UI schemas", "ui"), ("Decision tables", "dmn"),
             ("Test cases", "test"))
    return [(label, [f for f in files if f["kind"] == kind]) for label, kind in order]


def _editor_context(view, current) -> dict:
    paths = [f["path"] for f in view.files]
    draft_id = view.draft.id
    can_edit = roles.CLINICAL_LEAD in current_roles() and view.draft.status in DraftStatus.OPEN
    placeholder = "__PATH__"
    kind = current["kind"] if current else None
    context = {
        "draftId": draft_id, "canEdit": can_edit, "files": paths,
        "file": {"path": current["path"], "version": current["version"], "kind": kind} if current else None,
        "roles": [{"value": r, "label": roles.label(r)} for r in roles.TEAM_ROLES],
        "forms": sorted(PurePosixPath(p).name for p in paths if p.endswith("-schema.json")),
        "uiForms": sorted(PurePosixPath(p).name for p in paths if p.endswith("-uischema.json")),
        "processes": [], "decisions": [],
        "urls": {
            "fileTemplate": url_for("studio.file_content", draft_id=draft_id, path=placeholder),
            "saveTemplate": url_for("studio.save_file", draft_id=draft_id, path=placeholder),
            "lint": url_for("studio.lint", draft_id=draft_id), "tests": url_for("studio.run_tests", draft_id=draft_id),
            "walk": url_for("studio.walk", draft_id=draft_id), "saveCase": url_for("studio.save_case", draft_id=draft_id),
            "preview": url_for("studio.preview", draft_id=draft_id),
            "newForm": url_for("studio.new_form", draft_id=draft_id),
            "formsScript": url_for("form_assets", filename="forms.js"),
        },
    }
    for f in view.processes:
        context["processes"].append({"value": f["id"], "label": f["label"]})
    context["decisions"] = [{"value": d, "label": d} for d in view.decisions]
    if current:
        context["urls"]["file"] = context["urls"]["fileTemplate"].replace(placeholder, current["path"])
        context["urls"]["save"] = context["urls"]["saveTemplate"].replace(placeholder, current["path"])
        context["urls"]["tidy"] = url_for("studio.tidy", draft_id=draft_id, path=current["path"])
    return context


@bp.route("/drafts/<id:draft_id>/files", methods=["POST"])
@may_edit
def add_file(draft_id: int):
    kind = request.form.get("kind")
    name = (request.form.get("name") or "").strip()
    if kind not in STARTERS:
        raise InvalidInput("choose what to add: a form")
    for path, content in STARTERS[kind](name).items():
        service().save_draft_file(draft_id, path, (json.dumps(content, indent=2) + "\n").encode(), None, actor())
    flash(f"Added form {name}.", "success")
    return redirect(url_for("studio.draft", draft_id=draft_id, file=f"forms/{name}-schema.json"))


@bp.route("/drafts/<id:draft_id>/files/remove", methods=["POST"])
@may_edit
def remove_file(draft_id: int):
    path = request.form.get("path") or ""
    service().remove_draft_file(draft_id, path, _version(request.form.get("version")), actor())
    flash(f"Removed {path}.", "success")
    return redirect(url_for("studio.draft", draft_id=draft_id))


@bp.route("/drafts/<id:draft_id>/questionnaire", methods=["POST"])
@may_edit
def import_questionnaire(draft_id: int):
    upload = request.files.get("file")
    name = (request.form.get("name") or "").strip()
    try:
        resource = json.loads(upload.read()) if upload else None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"{upload.filename or 'the file'}: not JSON ({exc})") from None
    result = service().import_questionnaire(draft_id, name, resource, actor())
    for problem in result["problems"]:
        flash(f"Not mapped: {problem}", "info")
    flash(f"Imported the questionnaire as {result['schema']}.", "success")
    return redirect(url_for("studio.draft", draft_id=draft_id, file=result["schema"]))


@bp.route("/drafts/<id:draft_id>/review")
@may_view
def review(draft_id: int):
    page = service().review_page(draft_id, actor())
    return render_template("studio/review.html", page=page, draft=page.draft,
                           may_edit=roles.CLINICAL_LEAD in current_roles())


@bp.route("/drafts/<id:draft_id>/publish", methods=["POST"])
@may_edit
def publish(draft_id: int):
    result = service().request_publish(draft_id, request.form.get("note") or "", actor())
    if result is None:
        flash("Waiting for a second person's approval: another clinical lead or an admin approves it, and it is "
              "published then.", "success")
        return redirect(url_for("studio.review", draft_id=draft_id))
    return _published(result)


def _published(result):
    flash(f"Published {result.deployment.label}: new starts take it; running instances stay on theirs.", "success")
    return redirect(url_for("studio.history", bundle=result.deployment.name))


@bp.route("/drafts/<id:draft_id>/decide", methods=["POST"])
@may_view
def decide(draft_id: int):
    decision = request.form.get("decision") or ""
    result = service().review_draft(draft_id, decision, request.form.get("comment"), actor())
    if result is not None:
        return _published(result)
    flash("Approved." if decision == "approved" else "Changes requested: the draft is back with its author.",
          "success")
    return redirect(url_for("studio.review", draft_id=draft_id))


@bp.route("/drafts/<id:draft_id>/publish-approved", methods=["POST"])
@may_edit
def publish_approved(draft_id: int):
    return _published(service().publish_draft(draft_id, actor()))


@bp.route("/drafts/<id:draft_id>/discard", methods=["POST"])
@may_edit
def discard(draft_id: int):
    service().discard_draft(draft_id, actor())
    flash(f"Draft {draft_id} discarded.", "success")
    return redirect(url_for("studio.index"))
