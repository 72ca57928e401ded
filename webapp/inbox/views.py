"""The task inbox: tabs with counts, filters, search, sorting, pages."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    COMPLETED,
    MINE,
    OVERDUE,
    PRIORITIES,
    ROLE_PREFIX,
    SORT_COLUMNS,
    InboxQuery,
    InvalidInput,
    roles,
    tabs_for,
)
from webapp.extensions import service
from webapp.security import CLINICAL, requires

bp = Blueprint("inbox", __name__)


def _day(name: str, text: str | None, end: bool = False) -> datetime | None:
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: '{text}' is not a date (YYYY-MM-DD)") from None
    moment = datetime.combine(day, time.min, tzinfo=timezone.utc)
    return moment + timedelta(days=1) if end else moment


def query_from_args(args) -> InboxQuery:
    team_roles = tuple(current_user.team_roles)
    team = current_user.oversees_team
    # someone with no work of their own (a clinical lead) starts on what needs their attention
    tab = args.get("tab") or (OVERDUE if team and not team_roles else MINE)
    if tab not in tabs_for(team_roles):
        raise InvalidInput(f"there is no inbox tab '{tab}' for you")
    priority = args.get("priority") or None
    if priority is not None and priority not in PRIORITIES:
        raise InvalidInput(f"priority '{priority}' is not one of {', '.join(PRIORITIES)}")
    role = args.get("role") or None
    if role is not None and role not in filter_roles():
        raise InvalidInput(f"you do not hold the role '{role}'")
    sort = args.get("sort") or ("completed" if tab == COMPLETED else "due")
    if sort not in SORT_COLUMNS:
        raise InvalidInput(f"unknown sort '{sort}'")
    try:
        page = int(args.get("page") or 1)  # the engine says which pages there can be
    except ValueError:
        raise InvalidInput("page must be a number") from None
    return InboxQuery(
        username=current_user.username, viewer_roles=team_roles, tab=tab, program=args.get("program") or None,
        priority_at_least=PRIORITIES[priority] if priority else None,
        due_from=_day("due from", args.get("due_from")), due_before=_day("due to", args.get("due_to"), end=True),
        roles=(role,) if role else (), team=team, search=(args.get("q") or "").strip()[:100] or None, sort=sort,
        descending=(args.get("dir") or ("desc" if tab == COMPLETED else "asc")) == "desc",
        page=page, page_size=current_app.config["INBOX_PAGE_SIZE"])


def filter_roles() -> list[str]:
    """The roles the Role filter offers: mine, or every team role for someone who oversees the team."""
    return list(roles.TEAM_ROLES) if current_user.oversees_team else list(current_user.team_roles)


@bp.route("/")
def home():
    return redirect(url_for("inbox.index"))


@bp.route("/inbox")
@requires(*CLINICAL)
def index():
    args = request.args
    try:
        q = query_from_args(args)
        result = service().inbox(q, current_user.actor)
    except InvalidInput as exc:
        return render_template("inbox/index.html", error=exc.message, result=None, args=args, tabs=[],
                               programs=[], priorities=list(PRIORITIES), filter_roles=[]), 400
    programs = service().inbox_programs()
    if q.page > result.pages and result.total:
        return redirect(url_for("inbox.index", **{**args.to_dict(), "page": result.pages}))
    tabs = [(tab, _tab_label(tab, q.team), result.counts.get(tab, 0)) for tab in tabs_for(q.viewer_roles)]
    waiting_queues = [t for t in tabs if t[0].startswith(ROLE_PREFIX) and t[2]]
    return render_template("inbox/index.html", result=result, q=q, args=args, tabs=tabs, programs=programs,
                           priorities=list(PRIORITIES), error=None, link=_link(args), waiting_queues=waiting_queues,
                           filter_roles=filter_roles())


def _tab_label(tab: str, team: bool = False) -> str:
    if tab == MINE:
        return "My tasks"
    if tab == OVERDUE:
        return "Team overdue" if team else "Overdue"
    if tab == COMPLETED:
        return "Completed by me"
    return roles.label(tab[len(ROLE_PREFIX):]) + " queue"


def _link(args):
    """url for the inbox with some arguments changed (None drops one)."""

    def link(**changes):
        merged = {k: v for k, v in args.to_dict().items() if v}
        for key, value in changes.items():
            if value is None:
                merged.pop(key, None)
            else:
                merged[key] = value
        return url_for("inbox.index", **merged)

    return link


def sort_link(args, q: InboxQuery, key: str) -> str:
    same = q.sort == key
    return _link(args)(sort=key, dir="asc" if same and q.descending else ("desc" if same else "asc"), page=None)


bp.add_app_template_global(sort_link, "inbox_sort_link")
