"""ISO 8601 durations and moments as pathway authors write them (P7D, PT4H, P1M, 2026-12-01T09:00)."""
from __future__ import annotations

from datetime import datetime, timezone

from SpiffWorkflow.bpmn.specs.event_definitions.timer import TimerEventDefinition


def parse_duration(text: str, start: datetime):
    """The moment `text` (an ISO 8601 duration) after `start`; raises ValueError when it is not one."""
    try:
        parsed = TimerEventDefinition.parse_iso_duration(text.strip())
        return start + TimerEventDefinition.get_timedelta_from_start(parsed, start)
    except Exception as exc:  # SpiffWorkflow raises a bare Exception('Invalid duration')
        raise ValueError(f"'{text}' is not an ISO 8601 duration (like P7D, PT4H or P1M)") from exc


def due_from(value: str | None, now: datetime) -> datetime | None:
    """A due moment from a task property: a duration from now, or an ISO date/datetime."""
    if not value:
        return None
    value = str(value).strip()
    if value.upper().startswith("P"):
        try:
            return parse_duration(value, now)
        except ValueError:
            return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc)
