"""What the console's views share: reading numbers, dates and choices from a request (a wrong one is a 400
naming it), and links that keep a list's filters."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from flask import request, url_for

from engine.service import InvalidInput

MAX_ID = 2**31 - 1


def number(args, name: str, label: str, *, low: int = 1, high: int = MAX_ID, default: int | None = None) -> int | None:
    text = (args.get(name) or "").strip()
    if not text:
        return default
    try:
        value = int(text)
    except ValueError:
        raise InvalidInput(f"{label} must be a whole number, not '{text[:40]}'") from None
    if not low <= value <= high:
        raise InvalidInput(f"{label} must be between {low} and {high}")
    return value


def choice(args, name: str, label: str, allowed) -> str | None:
    value = (args.get(name) or "").strip() or None
    if value is not None and value not in allowed:
        raise InvalidInput(f"{label} '{value[:40]}' is not one of: {', '.join(allowed)}")
    return value


def text(args, name: str, limit: int = 200) -> str | None:
    return (args.get(name) or "").strip()[:limit] or None


def day(args, name: str, label: str, *, end: bool = False) -> datetime | None:
    """A date (YYYY-MM-DD) as the start of that day in UTC, or (`end`) the start of the next."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    try:
        moment = datetime.combine(date.fromisoformat(value), time.min, tzinfo=timezone.utc)
    except ValueError:
        raise InvalidInput(f"{label}: '{value[:40]}' is not a date (YYYY-MM-DD)") from None
    return moment + timedelta(days=1) if end else moment


def keyset(args, name: str) -> tuple[datetime, int] | None:
    """A page cursor `<ISO time>_<id>` (the audit viewer's)."""
    value = (args.get(name) or "").strip()
    if not value:
        return None
    moment, _, number_text = value.rpartition("_")
    try:
        at = datetime.fromisoformat(moment)
        key = int(number_text)
    except ValueError:
        raise InvalidInput(f"'{value[:60]}' is not a page of this list") from None
    if not 1 <= key <= 2**63 - 1:
        raise InvalidInput(f"'{value[:60]}' is not a page of this list")
    return (at if at.tzinfo else at.replace(tzinfo=timezone.utc)), key


def link(endpoint: str, **changes) -> str:
    """This page's URL with some arguments changed (None drops one), the rest of its filters kept."""
    merged = {k: v for k, v in request.args.to_dict().items() if v}
    for key, value in changes.items():
        if value is None:
            merged.pop(key, None)
        else:
            merged[key] = value
    return url_for(endpoint, **(request.view_args or {}), **merged)


def checked_ids(form, name: str, label: str) -> list[int]:
    found = []
    for value in form.getlist(name):
        try:
            number_value = int(value)
        except ValueError:
            raise InvalidInput(f"'{value[:40]}' is not a {label}") from None
        if not 1 <= number_value <= MAX_ID:
            raise InvalidInput(f"'{value[:40]}' is not a {label}")
        found.append(number_value)
    return found
