"""Pathway diagrams: an instance's BPMN file for the viewer, and the viewer itself (bpmn-js from npm)."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

from engine.config import Settings
from webapp.extensions import service
from webapp.security import CLINICAL, requires

bp = Blueprint("diagrams", __name__)

# bpmn-js is installed from the npm registry by the set-up command (package.json at the repository root)
NODE_MODULES = Settings.from_env().web.node_modules or Path(__file__).resolve().parents[2] / "node_modules"
SERVED = ("bpmn-js/dist/",)


@bp.route("/vendor/<path:filename>")
def vendor(filename: str):
    if not filename.startswith(SERVED) or ".." in filename.split("/"):
        abort(404)
    return send_from_directory(NODE_MODULES, filename, max_age=86400)


@bp.route("/instances/<id:instance_id>/diagram/<process_id>.bpmn")
@requires(*CLINICAL)
def process_file(instance_id: int, process_id: str):
    return Response(service().diagram_file(instance_id, process_id), mimetype="application/xml")
