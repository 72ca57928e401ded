"""Template filters: relative due times, dates, role and status labels."""
from __future__ import annotations

from datetime import date, datetime, timezone

from flask import Flask

from engine.service import now as clock_now
from engine.service import roles


def _plural(n: int, unit: str) -> str:
    return f"{n} {unit}{'' if n == 1 else 's'}"


def span(seconds: float) -> str:
    seconds = abs(int(seconds))
    if seconds < 3600:
        return _plural(max(1, seconds // 60), "minute")
    if seconds < 86400:
        return _plural(seconds // 3600, "hour")
    return _plural(seconds // 86400, "day")


def relative(moment: datetime | None, now: datetime | None = None) -> str:
    """'in 3 hours', '2 days ago', 'now'."""
    if moment is None:
        return ""
    now = now or clock_now()
    delta = (moment - now).total_seconds()
    if abs(delta) < 60:
        return "now"
    return f"in {span(delta)}" if delta > 0 else f"{span(delta)} ago"


def due_text(moment: datetime | None, now: datetime | None = None) -> str:
    """'due in 2 days', 'overdue by 3 hours', or '' when there is no due time."""
    if moment is None:
        return ""
    now = now or clock_now()
    delta = (moment - now).total_seconds()
    if delta < 0:
        return f"overdue by {span(delta)}"
    return "due now" if delta < 60 else f"due in {span(delta)}"


def is_overdue(moment: datetime | None) -> bool:
    return moment is not None and moment < clock_now()


def when(moment: datetime | date | None) -> str:
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return moment.isoformat()


def age(birth: date | None) -> str:
    if birth is None:
        return ""
    today = clock_now().date()
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return str(years)


def init_app(app: Flask) -> None:
    app.add_template_filter(relative, "relative")
    app.add_template_filter(due_text, "due_text")
    app.add_template_filter(is_overdue, "is_overdue")
    app.add_template_filter(when, "when")
    app.add_template_filter(age, "age")
    app.add_template_filter(roles.label, "role_label")
    app.jinja_env.globals["ROLE_LABELS"] = roles.ROLE_LABELS
