"""Bulk migration: choose the source and target versions and a filter, map tasks the new version renamed or
replaced, see the dry run's verdict on each instance, then run it as a background job with a progress bar and
a per-instance report."""
from __future__ import annotations

from flask import current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import MIGRATION_ITEM_FILTERS, CarepathError, InstanceStatus, MigrationFilters, roles
from webapp.admin import forms
from webapp.admin.blueprint import bp
from webapp.extensions import background, service
from webapp.security import requires


@bp.route("/admin/migrations")
@requires(roles.ADMIN)
def migrations():
    actor = current_user.actor
    overview = service().programs_overview(actor)
    source = forms.number(request.args, "source", "the source version")
    target = forms.number(request.args, "target", "the target version")
    elements = {}
    if source and target:  # the mapping step: the elements of both versions
        elements = {"source": service().version_elements(source, actor),
                    "target": service().version_elements(target, actor)}
    return render_template("admin/migrations.html", overview=overview, plans=service().migration_plans(actor),
                           source=source, target=target, elements=elements, statuses=InstanceStatus.OPEN)


@bp.route("/admin/migrations", methods=["POST"])
@requires(roles.ADMIN)
def plan():
    form = request.form
    source = forms.number(form, "source", "the source version")
    target = forms.number(form, "target", "the target version")
    if source is None or target is None:
        flash("Choose the version to move instances from and the newer version to move them to.", "error")
        return redirect(url_for("admin.migrations"))
    filters = MigrationFilters(status=forms.choice(form, "status", "status", InstanceStatus.OPEN),
                               patient_id=forms.text(form, "patient", 100),
                               older_than_days=forms.number(form, "older_than", "the age in days", low=0, high=36500))
    mapping = {k[len("map:"):]: v.strip() for k, v in form.items() if k.startswith("map:") and v.strip()}
    try:
        made = service().plan_migration(source, target, filters, mapping, current_user.actor)
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("admin.migrations", source=source, target=target))
    _submit(made.id, "check")
    return redirect(url_for("admin.migration", plan_id=made.id))


def _submit(plan_id: int, phase: str) -> None:
    """The dry run or the run, as a background job (within the request when the app is told to run jobs inline)."""
    if current_app.config.get("IMPORT_INLINE") or current_app.config.get("JOBS_INLINE"):
        if phase == "check":
            service().check_migration(plan_id)
        else:
            service().run_migration(plan_id)
        return
    background().submit("migration", {"plan_id": plan_id, "phase": phase}, f"migration:{plan_id}:{phase}")


@bp.route("/admin/migrations/<id:plan_id>")
@requires(roles.ADMIN)
def migration(plan_id: int):
    show = forms.choice(request.args, "show", "show", MIGRATION_ITEM_FILTERS)
    page = forms.number(request.args, "page", "the page", default=1)
    view = service().migration_plan(plan_id, current_user.actor, show=show, page=page)
    return render_template("admin/migration.html", view=view, plan=view.plan, show=show, filters=MIGRATION_ITEM_FILTERS,
                           link=lambda **kw: forms.link("admin.migration", **kw))


@bp.route("/admin/migrations/<id:plan_id>.json")
@requires(roles.ADMIN)
def migration_progress(plan_id: int):
    plan = service().migration_plan(plan_id, current_user.actor, page_size=1).plan
    return jsonify(status=plan.status, total=plan.total, checked=plan.checked, movable=plan.movable,
                   done=plan.done, moved=plan.moved, not_moved=plan.refused, error=plan.error)


@bp.route("/admin/migrations/<id:plan_id>/run", methods=["POST"])
@requires(roles.ADMIN)
def run(plan_id: int):
    try:
        service().start_migration(plan_id, current_user.actor)
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return redirect(url_for("admin.migration", plan_id=plan_id))
    _submit(plan_id, "run")
    flash("The migration runs in the background; this page follows it.", "success")
    return redirect(url_for("admin.migration", plan_id=plan_id))
