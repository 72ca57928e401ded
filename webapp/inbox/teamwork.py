"""Around the inbox: saved filters (tabs), the counts a page refreshes without a reload, notices (mentions,
requests for input, answers) and each person's settings (time zone)."""
from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import CarepathError, InvalidInput, NotFound, roles
from webapp.extensions import service
from webapp.inbox.views import FILTER_ARGS, bp, query_from_args
from webapp.links import safe_next
from webapp.security import CLINICAL, requires


@bp.route("/inbox/filters", methods=["POST"])
@requires(*CLINICAL)
def save_filter():
    query = {k: request.form.get(k, "") for k in ("tab", *FILTER_ARGS)}
    try:
        saved = service().save_filter(request.form.get("name", ""), query, current_user.actor,
                                      shared_role=request.form.get("share") or None)
    except CarepathError as exc:
        flash(_sentence(exc.message), "error")
        return redirect(url_for("inbox.index", **{k: v for k, v in query.items() if v}))
    flash(f"Saved “{saved.name}”: it is a tab of your inbox" + (
        f", shared with every {roles.label(saved.shared_role).lower()}." if saved.shared_role else "."), "success")
    return redirect(url_for("inbox.index", saved=saved.id))


@bp.route("/inbox/filters/<id:filter_id>/delete", methods=["POST"])
@requires(*CLINICAL)
def delete_filter(filter_id: int):
    try:
        service().delete_filter(filter_id, current_user.actor)
    except InvalidInput as exc:
        flash(_sentence(exc.message), "error")
    else:
        flash("Filter removed.", "success")
    return redirect(url_for("inbox.index"))


@bp.route("/inbox/pulse.json")
@requires(*CLINICAL)
def pulse():
    """Each tab's count and the unread notices, for the inbox's script to refresh without a reload."""
    pulse = service().inbox_pulse(query_from_args({}), current_user.actor)
    return jsonify(counts=pulse.counts, notices=pulse.notices)


@bp.route("/notices")
@requires(*CLINICAL)
def notices():
    return render_template("inbox/notices.html", notices=service().notices(current_user.actor))


@bp.route("/notices/read", methods=["POST"])
@requires(*CLINICAL)
def read_notices():
    notice = request.form.get("notice")
    try:
        service().mark_notices_read(current_user.actor, int(notice) if notice else None)
    except (ValueError, NotFound):
        raise InvalidInput("there is no such notice for you") from None
    target = request.form.get("next")
    return redirect(safe_next(target) if target else url_for("inbox.notices"))


@bp.route("/settings", methods=["GET", "POST"])
@requires(*CLINICAL)
def settings():
    """A person's own settings: the time zone times are shown in."""
    error = None
    if request.method == "POST":
        try:
            zone = service().set_time_zone(request.form.get("time_zone") or None, current_user.actor)
        except InvalidInput as exc:
            error = _sentence(exc.message)
        else:
            flash(f"Times are now shown in {zone or 'the installation’s time zone'}.", "success")
            return redirect(url_for("inbox.settings"))
    return render_template("inbox/settings.html", zones=service().time_zones(), error=error,
                           chosen=service().time_zone_of(current_user.username)), (400 if error else 200)


@bp.app_context_processor
def _notices_count():
    """The header's count of unread notices (asked only by pages that show it)."""

    def unread() -> int:
        if not getattr(current_user, "is_authenticated", False) or not current_user.holds_any(CLINICAL):
            return 0
        return service().unread_notices(current_user.actor)

    return {"unread_notices": unread}


def _sentence(text: str) -> str:
    text = text[:1].upper() + text[1:]
    return text if text.endswith((".", "!", "?")) else text + "."
