"""Programs and versions: every bundle's versions with their instance counts, the programs open or closed to
new starts, and a bundle upload: checked first (the report `carepath deploy` gives), deployed on request."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import BundleRefused, CarepathError, InvalidInput, roles
from webapp.admin.blueprint import bp
from webapp.extensions import service
from webapp.security import requires

MAX_BUNDLE = 50 * 1024 * 1024  # the engine's limit for a bundle; uploads elsewhere stay at 5 MB


@bp.route("/admin/programs")
@requires(roles.ADMIN)
def programs():
    overview = service().programs_overview(current_user.actor)
    return render_template("admin/programs.html", overview=overview)


@bp.route("/admin/programs/<process_id>/availability", methods=["POST"])
@requires(roles.ADMIN)
def availability(process_id: str):
    wanted = request.form.get("open")
    if wanted not in ("yes", "no"):
        raise InvalidInput("say whether the program takes new starts (open: yes or no)")
    row = service().set_program_open(process_id, wanted == "yes", current_user.actor, request.form.get("reason", ""))
    flash(f"{process_id} {'takes new starts again' if row.open_for_starts else 'is closed to new starts'}; "
          "running instances carry on as they are.", "success")
    return redirect(url_for("admin.programs") + "#programs")


@bp.route("/admin/uploads", methods=["POST"])
@requires(roles.ADMIN)
def upload():
    request.max_content_length = MAX_BUNDLE
    wants_json = request.accept_mimetypes.best == "application/json"
    upload_file = request.files.get("bundle")
    try:
        if upload_file is None or not upload_file.filename:
            raise InvalidInput("choose the bundle's .zip file to upload")
        checked = service().check_bundle_upload(upload_file.filename, upload_file.read(), current_user.actor,
                                                request.form.get("name"))
    except (InvalidInput, BundleRefused) as exc:
        if wants_json:
            return jsonify(error=exc.message), 400
        flash(exc.message, "error")
        return redirect(url_for("admin.programs") + "#upload"), 303
    target = url_for("admin.upload_report", upload_id=checked.id)
    return jsonify(report=target) if wants_json else redirect(target, 303)


@bp.route("/admin/uploads/<id:upload_id>")
@requires(roles.ADMIN)
def upload_report(upload_id: int):
    found = service().bundle_upload(upload_id, current_user.actor)
    return render_template("admin/upload.html", upload=found)


@bp.route("/admin/uploads/<id:upload_id>/deploy", methods=["POST"])
@requires(roles.ADMIN)
def deploy(upload_id: int):
    try:
        result = service().deploy_upload(upload_id, current_user.actor)
    except CarepathError as exc:
        flash(exc.message, "error")
        return redirect(url_for("admin.upload_report", upload_id=upload_id))
    flash(result.message[:1].upper() + result.message[1:] + ".", "success")
    return redirect(url_for("admin.programs") + f"#bundle-{result.deployment.name}")
