"""How far each summary background work keeps for reports is brought up to date (models.ReportRefresh), and the
timings they share: engine.reports.ccm_months, work_summary and tcm_summary."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from engine.models import ReportRefresh

STALE_AFTER = timedelta(minutes=5)  # not brought up to date for this long: the report works its figures out live
REBUILD_EVERY = timedelta(hours=1)  # everything worked out again, catching what the changes since missed
OVERLAP = timedelta(seconds=30)  # changes are looked for this long before the last refresh: late commits


def fresh(session: Session, name: str, now: datetime) -> ReportRefresh | None:
    """The summary's state when it may be read at `now` (brought up to date in the last STALE_AFTER), else None."""
    state = session.get(ReportRefresh, name)
    return state if state is not None and now - state.refreshed_at <= STALE_AFTER else None


def locked(session: Session, name: str) -> ReportRefresh | None:
    """The summary's state, locked for its refresh (None before its first)."""
    return session.get(ReportRefresh, name, with_for_update=True)


def due_whole(state: ReportRefresh | None, now: datetime) -> bool:
    """Whether everything is to be worked out again: never yet, or not for REBUILD_EVERY."""
    return state is None or now - state.rebuilt_at >= REBUILD_EVERY


def done(session: Session, state: ReportRefresh | None, name: str, now: datetime, whole: bool,
         months: str = "") -> None:
    """Record a refresh as of `now` (`whole`: everything was worked out again)."""
    if state is None:
        state = ReportRefresh(name=name, rebuilt_at=now)
        session.add(state)
    if whole:
        state.rebuilt_at = now
    state.refreshed_at = state.changes_from = now
    state.months = months
