"""The task inbox: tabs with counts (and saved filters as tabs), filters, search, sorting, pages."""
from __future__ import annotations

from datetime import date, datetime

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from flask_login import current_user

from engine.service import (
    COMPLETED,
    FOLLOW_UP,
    MINE,
    OVERDUE,
    PRIORITIES,
    ROLE_PREFIX,
    SORT_COLUMNS,
    InboxQuery,
    InvalidInput,
    NotFound,
    roles,
    tabs_for,
)
from webapp import formatting, links
from webapp.extensions import service
from webapp.security import CLINICAL, requires

bp = Blueprint("inbox", __name__)

FILTER_ARGS = ("q", "program", "stage", "priority", "role", "due_from", "due_to")


def _day(name: str, text: str | None, end: bool = False) -> datetime | None:
    """A date typed in a filter, as the moment its day starts (or, with `end`, the next one starts) in the
    person's time zone."""
    if not text:
        return None
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise InvalidInput(f"{name}: '{text}' is not a date (YYYY-MM-DD)") from None
    return formatting.day_start(date.fromordinal(day.toordinal() + 1) if end else day)


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
    sort = args.get("sort") or ("completed" if tab == COMPLETED else "follow_up" if tab == FOLLOW_UP else "due")
    if sort not in SORT_COLUMNS:
        raise InvalidInput(f"unknown sort '{sort}'")
    try:
        page = int(args.get("page") or 1)  # the engine says which pages there can be
    except ValueError:
        raise InvalidInput("page must be a number") from None
    return InboxQuery(
        username=current_user.username, viewer_roles=team_roles, tab=tab, program=args.get("program") or None,
        stage=args.get("stage") or None, priority_at_least=PRIORITIES[priority] if priority else None,
        due_from=_day("due from", args.get("due_from")), due_before=_day("due to", args.get("due_to"), end=True),
        roles=(role,) if role else (), team=team, search=(args.get("q") or "").strip()[:100] or None, sort=sort,
        descending=(args.get("dir") or ("desc" if tab == COMPLETED else "asc")) == "desc",
        today_ends=formatting.today_ends(), page=page, page_size=current_app.config["INBOX_PAGE_SIZE"])


def filter_roles() -> list[str]:
    """The roles the Role filter offers: mine, or every team role for someone who oversees the team."""
    return list(roles.TEAM_ROLES) if current_user.oversees_team else list(current_user.team_roles)


@bp.route("/")
def home():
    return redirect(links.home())  # the inbox; an admin's console, a privacy officer's audit trail


def _with_saved(args):
    """The arguments of a saved filter (`saved=<id>`), with the page's own on top; else the page's."""
    saved_id = args.get("saved")
    if not saved_id:
        return args, None
    try:
        chosen = service().saved_filter(int(saved_id), current_user.actor)
    except (ValueError, NotFound):
        raise InvalidInput("there is no such saved filter for you") from None
    merged = {**chosen.query, **{k: v for k, v in args.items() if v and k != "saved"}}
    return merged, chosen


def _error_page(message: str, args):
    return render_template("inbox/index.html", error=message, result=None, args=args, tabs=[], programs=[],
                           stages=[], priorities=list(PRIORITIES), filter_roles=[], saved=[], current=None), 400


@bp.route("/inbox")
@requires(*CLINICAL)
def index():
    try:
        args, current = _with_saved(request.args.to_dict())
        q = query_from_args(args)
        result = service().inbox(q, current_user.actor)
    except InvalidInput as exc:
        return _error_page(exc.message, request.args)
    if q.page > result.pages and result.total:
        return redirect(url_for("inbox.index", **{**request.args.to_dict(), "page": result.pages}))
    tabs = [(tab, _tab_label(tab, q.team), result.counts.get(tab, 0)) for tab in tabs_for(q.viewer_roles)]
    waiting_queues = [t for t in tabs if t[0].startswith(ROLE_PREFIX) and t[2]]
    link_args = {**args, "saved": current.id} if current else args
    return render_template("inbox/index.html", result=result, q=q, args=link_args, tabs=tabs, current=current,
                           programs=service().inbox_programs(), stages=service().inbox_stages(),
                           priorities=list(PRIORITIES), error=None, link=_link(link_args),
                           waiting_queues=waiting_queues, filter_roles=filter_roles(),
                           saved=service().saved_filters(current_user.actor),
                           filtered=any(args.get(k) for k in FILTER_ARGS),
                           share_roles=current_user.team_roles, filter_args=FILTER_ARGS)


def _tab_label(tab: str, team: bool = False) -> str:
    if tab == MINE:
        return "My tasks"
    if tab == OVERDUE:
        return "Team overdue" if team else "Overdue"
    if tab == COMPLETED:
        return "Completed by me"
    if tab == FOLLOW_UP:
        return "Follow-up due"
    return roles.label(tab[len(ROLE_PREFIX):]) + " queue"


def _link(args):
    """url for the inbox with some arguments changed (None drops one)."""

    def link(**changes):
        merged = {k: v for k, v in dict(args).items() if v}
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
