"""Template filters: times in the signed-in person's time zone (their setting, else the installation's:
CAREPATH_TIME_ZONE), relative due times, dates, role and status labels; and the moments a day typed in a form
stands for in that zone."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import Flask, current_app, g, has_request_context
from flask_login import current_user

from engine.service import now as clock_now
from engine.service import roles
from webapp.extensions import service

UTC = ZoneInfo("UTC")


def zone() -> ZoneInfo:
    """The time zone of this request's person: their own, else the installation's (UTC outside a request)."""
    if not has_request_context():
        return UTC
    if "carepath_zone" not in g:
        name = None
        if getattr(current_user, "is_authenticated", False):
            name = service().time_zone_of(current_user.username)
        settings = current_app.config.get("CAREPATH_SETTINGS")
        g.carepath_zone = ZoneInfo(name or getattr(settings, "time_zone", None) or "UTC")
    return g.carepath_zone


def zone_name() -> str:
    return zone().key


def local(moment: datetime) -> datetime:
    return moment.astimezone(zone())


def day_start(day: date, hour: int = 0) -> datetime:
    """The moment a day (at `hour`) begins in the person's zone, in UTC: what a date typed in a form means."""
    return datetime.combine(day, time(hour), tzinfo=zone()).astimezone(timezone.utc)


def today_ends(now: datetime | None = None) -> datetime:
    """The end of the person's today, in UTC (follow-ups set for today are due before it)."""
    today = local(now or clock_now()).date()
    return day_start(today + timedelta(days=1))


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
    """A moment in the person's time zone, with the zone's abbreviation ('2026-12-07 09:00 EST'); a date as
    it is."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        shown = local(moment)
        return shown.strftime("%Y-%m-%d %H:%M ") + (shown.tzname() or zone_name())
    return moment.isoformat()


def day(moment: datetime | date | None) -> str:
    """The date of a moment in the person's time zone ('2026-12-07')."""
    if moment is None:
        return ""
    if isinstance(moment, datetime):
        return local(moment).date().isoformat()
    return moment.isoformat()


def age(birth: date | None) -> str:
    if birth is None:
        return ""
    today = local(clock_now()).date()
    years = today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
    return str(years)


def init_app(app: Flask) -> None:
    app.add_template_filter(relative, "relative")
    app.add_template_filter(due_text, "due_text")
    app.add_template_filter(is_overdue, "is_overdue")
    app.add_template_filter(when, "when")
    app.add_template_filter(day, "day")
    app.add_template_filter(age, "age")
    app.add_template_filter(roles.label, "role_label")
    app.jinja_env.globals["ROLE_LABELS"] = roles.ROLE_LABELS
    app.jinja_env.globals["time_zone_name"] = zone_name
