"""Instances: the list (filters, counts per status, stuck ones, pages by id), an instance's page (diagram with
the failed element, the error and its line, the data at the failure, history) and the admin's actions on it:
suspend, resume, terminate (with a reason), retry with fixed fields, move to a newer version."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import STUCK, CarepathError, InstanceQuery, InstanceStatus, RetryRefused, roles
from webapp.admin import forms
from webapp.admin.blueprint import bp
from webapp.extensions import service
from webapp.security import requires

# the order of the console's front page: what needs a look first, then what has ended
STATUSES = (InstanceStatus.RUNNING, InstanceStatus.ERROR, InstanceStatus.SUSPENDED, InstanceStatus.COMPLETED,
            InstanceStatus.TERMINATED, STUCK)


def _query(args) -> InstanceQuery:
    return InstanceQuery(
        status=forms.choice(args, "status", "status", STATUSES),
        process_id=forms.text(args, "program"),
        deployment_id=forms.number(args, "version", "the version"),
        patient_id=forms.text(args, "patient", 100),
        older_than_days=forms.number(args, "older_than", "the age in days", low=0, high=36500),
        before_id=forms.number(args, "before", "the page"),
        after_id=forms.number(args, "after", "the page"))


@bp.route("/admin/instances")
@requires(roles.ADMIN)
def instances():
    actor = current_user.actor
    query = _query(request.args)
    found = service().instance_list(query, actor)
    overview = service().programs_overview(actor)
    return render_template("admin/instances.html", found=found, q=query, statuses=STATUSES, overview=overview,
                           link=lambda **kw: forms.link("admin.instances", **kw))


@bp.route("/admin/instances/<id:instance_id>")
@requires(roles.ADMIN)
def instance(instance_id: int):
    actor = current_user.actor
    page = service().instance_console(instance_id, actor, with_data=request.args.get("data") == "1")
    return render_template("admin/instance.html", page=page, i=page.instance, errors={}, values={},
                           **_move_check(instance_id, request.args))


def _move_check(instance_id: int, args) -> dict:
    """A move's dry run, when the page asks for one (`check` = the target version, `map:<old>` = new)."""
    target = forms.number(args, "check", "the version to check")
    if target is None:
        return {"check": None, "check_target": None, "target_elements": {}}
    mapping = {k[len("map:"):]: v.strip() for k, v in args.items() if k.startswith("map:") and v.strip()}
    actor = current_user.actor
    return {"check": service().move_check(instance_id, target, mapping, actor), "check_target": target,
            "target_elements": service().version_elements(target, actor), "mapping": mapping}


def _back(instance_id: int):
    return redirect(url_for("admin.instance", instance_id=instance_id))


def _act(instance_id: int, work, done: str):
    """Run an action; its refusal (a state it cannot be done in, a missing reason) is a message on the page."""
    try:
        result = work()
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return _back(instance_id)
    flash(done.format(status=getattr(result, "status", "")), "success")
    return _back(instance_id)


@bp.route("/admin/instances/<id:instance_id>/suspend", methods=["POST"])
@requires(roles.ADMIN)
def suspend(instance_id: int):
    return _act(instance_id, lambda: service().suspend_instance(instance_id, current_user.actor,
                                                                request.form.get("reason", "")),
                "Suspended: its tasks are read-only, with the reason shown, until it is resumed.")


@bp.route("/admin/instances/<id:instance_id>/resume", methods=["POST"])
@requires(roles.ADMIN)
def resume(instance_id: int):
    return _act(instance_id, lambda: service().resume_instance(instance_id, current_user.actor),
                "Resumed; it is {status} now (timers that came due meanwhile have fired).")


@bp.route("/admin/instances/<id:instance_id>/terminate", methods=["POST"])
@requires(roles.ADMIN)
def terminate(instance_id: int):
    return _act(instance_id, lambda: service().terminate_instance(instance_id, current_user.actor,
                                                                  request.form.get("reason", "")),
                "Terminated: its open tasks are cancelled.")


@bp.route("/admin/instances/<id:instance_id>/retry", methods=["POST"])
@requires(roles.ADMIN)
def retry(instance_id: int):
    """Retry with the fields the admin changed (the page sends each field's text, and the text it showed)."""
    fields = _changed_fields(request.form)
    try:
        result = service().retry_with_fields(instance_id, fields, current_user.actor)
    except RetryRefused as refused:
        page = service().instance_console(instance_id, current_user.actor)
        return render_template("admin/instance.html", page=page, i=page.instance, errors=refused.errors,
                               values=fields, check=None, check_target=None, target_elements={}), 400
    except CarepathError as exc:
        flash(exc.message[:1].upper() + exc.message[1:], "error")
        return _back(instance_id)
    if result.status == InstanceStatus.ERROR:
        flash("Retried, and it stopped in error again: see the error below.", "error")
    else:
        flash(f"Retried{' with ' + ', '.join(sorted(fields)) + ' changed' if fields else ''}; it is "
              f"{result.status} now.", "success")
    return _back(instance_id)


def _changed_fields(form) -> dict[str, str]:
    """The fields whose text differs from what the page showed (`field:<name>` and `shown:<name>`), and new
    fields (`new_name_<n>`, `new_value_<n>`)."""
    changed = {}
    for key in form:
        if key.startswith("field:"):
            name = key[len("field:"):]
            if form.get(key, "") != form.get(f"shown:{name}", ""):
                changed[name] = form.get(key, "")
    for n in range(5):
        name = (form.get(f"new_name_{n}") or "").strip()
        if name:
            changed[name] = form.get(f"new_value_{n}", "")
    return changed


@bp.route("/admin/instances/<id:instance_id>/move", methods=["POST"])
@requires(roles.ADMIN)
def move(instance_id: int):
    target = forms.number(request.form, "target", "the version to move to")
    if target is None:
        flash("Choose the version to move the instance to.", "error")
        return _back(instance_id)
    mapping = {k[len("map:"):]: v.strip() for k, v in request.form.items() if k.startswith("map:") and v.strip()}
    return _act(instance_id, lambda: service().move_instance(instance_id, target, current_user.actor, mapping),
                "Moved to the newer version; its history says so.")


@bp.route("/admin/instances/<id:instance_id>/fire-timers", methods=["POST"])
@requires(roles.ADMIN)
def fire_timers(instance_id: int):
    fired = service().fire_overdue_timers(instance_id, current_user.actor)
    flash(f"{fired} timer{'s' if fired != 1 else ''} fired." if fired else "Nothing was due to fire.",
          "success" if fired else "info")
    if request.form.get("back") == "background":
        return redirect(url_for("admin.background", view="timers"))
    return _back(instance_id)
