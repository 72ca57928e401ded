"""What each person sets for themselves: the time zone times are shown in (the installation's unless they chose
one), and their saved inbox filters (named, shown as tabs, optionally shared with the holders of a role)."""
from __future__ import annotations

import functools
import zoneinfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine import roles
from engine.care.actors import Actor
from engine.care.characters import refused_character
from engine.errors import Conflict, InvalidInput, NotFound
from engine.models import SavedFilter, UserPreference
from engine.store import audit
from engine.time import clock

# the inbox's arguments a saved filter keeps (engine.read.inbox and the web inbox read them)
FILTER_KEYS = ("tab", "q", "program", "stage", "priority", "role", "due_from", "due_to", "sort", "dir")
NAME_MAX = 60
VALUE_MAX = 100
FIRST_ZONES = ("America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles",
               "America/Anchorage", "Pacific/Honolulu", "UTC")


@functools.lru_cache(maxsize=1)
def time_zones() -> tuple[str, ...]:
    """The zones a person may choose: the US ones first, then every other IANA zone by name."""
    known = zoneinfo.available_timezones()
    rest = sorted(z for z in known if z not in FIRST_ZONES and "/" in z and not z.startswith(("Etc/", "SystemV/")))
    return tuple(z for z in FIRST_ZONES if z in known or z == "UTC") + tuple(rest)


def check_zone(name: str) -> str:
    name = (name or "").strip()
    if problem := refused_character(name):
        raise InvalidInput(f"the time zone {problem}")
    if name not in time_zones():
        raise InvalidInput(f"'{name}' is not a time zone; choose one such as America/New_York")
    return name


def time_zone(session: Session, username: str) -> str | None:
    """The person's own time zone, None when they keep the installation's."""
    return session.scalar(select(UserPreference.time_zone).where(UserPreference.username == username))


def set_time_zone(session: Session, username: str, zone: str | None) -> str | None:
    """Choose a time zone (None or "": the installation's); audited."""
    zone = check_zone(zone) if zone else None
    row = session.get(UserPreference, username)
    before = row.time_zone if row else None
    if row is None:
        row = UserPreference(username=username, time_zone=zone, updated_at=clock.now())
        session.add(row)
    else:
        row.time_zone, row.updated_at = zone, clock.now()
    if before != zone:
        audit.record(session, "preference_set", username, details={"time_zone": {"before": before, "after": zone}})
    return zone


# ------------------------------------------------------------------------------------------------ saved filters
def _clean_query(query: dict) -> dict:
    cleaned = {}
    for key, value in (query or {}).items():
        if key not in FILTER_KEYS or value in (None, ""):
            continue
        text = str(value).strip()
        if problem := refused_character(text):
            raise InvalidInput(f"the filter's {key} {problem}")
        cleaned[key] = text[:VALUE_MAX]
    if not any(k != "tab" for k in cleaned):
        raise InvalidInput("set a filter (a search, a program, a stage, a priority, a role or dates) to save it")
    return cleaned


def save_filter(session: Session, actor: Actor, name: str, query: dict, shared_role: str | None) -> SavedFilter:
    name = " ".join((name or "").split())
    if problem := refused_character(name):
        raise InvalidInput(f"the filter's name {problem}")
    if not name:
        raise InvalidInput("name the filter: the name is its tab")
    if len(name) > NAME_MAX:
        raise InvalidInput(f"a filter's name has at most {NAME_MAX} characters")
    shared_role = (shared_role or "").strip() or None
    if shared_role is not None and (shared_role not in roles.TEAM_ROLES or shared_role not in actor.roles):
        raise InvalidInput("a filter is shared with a team role you hold")
    if session.scalar(select(SavedFilter.id).where(SavedFilter.username == actor.name, SavedFilter.name == name)):
        raise Conflict(f"you already have a filter called '{name}'; choose another name")
    row = SavedFilter(username=actor.name, name=name, query=_clean_query(query), shared_role=shared_role,
                      created_at=clock.now())
    session.add(row)
    session.flush()
    audit.record(session, "filter_saved", actor.name, details={"filter": row.id, "name": name,
                                                                "shared_with": shared_role})
    return row


def filters_for(session: Session, actor: Actor) -> list[SavedFilter]:
    """The person's own filters, then those colleagues shared with a role they hold."""
    held = [r for r in actor.roles if r in roles.TEAM_ROLES]
    query = select(SavedFilter).where(or_(SavedFilter.username == actor.name, SavedFilter.shared_role.in_(held)))
    found = list(session.scalars(query.order_by(SavedFilter.created_at, SavedFilter.id)))
    return [f for f in found if f.username == actor.name] + [f for f in found if f.username != actor.name]


def get_filter(session: Session, actor: Actor, filter_id: int) -> SavedFilter:
    row = session.get(SavedFilter, filter_id) if 1 <= filter_id < 2**31 else None
    if row is None or not (row.username == actor.name or row.shared_role in actor.roles):
        raise NotFound(f"no saved filter {filter_id}")
    return row


def delete_filter(session: Session, actor: Actor, filter_id: int) -> None:
    row = get_filter(session, actor, filter_id)
    if row.username != actor.name:
        raise InvalidInput(f"'{row.name}' is {row.username}'s filter: only they can remove it")
    session.delete(row)
    audit.record(session, "filter_removed", actor.name, details={"filter": filter_id, "name": row.name})
