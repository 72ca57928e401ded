"""TCM compliance worked out ahead: background work keeps a row per discharge (models.TcmDischarge) with
whether its contact, reconciliation and visit came in time, the code it supports and the totals it counts in, so
six months of discharges at 100,000 patients are a page of rows and a grouped count, not thousands of rows worked
out in Python while someone waits.

How it is kept (`refresh`, with the other summaries, every 30 seconds by background work):
- every discharge once, and again every REBUILD_EVERY (engine.reports.refreshes);
- in between, the discharges of each patient whose TCM facts were written since the last refresh (less
  OVERLAP): a new discharge also makes the one before it a readmission;
- and, each time, every discharge of the last OPEN_DAYS: their contact or visit may still be pending, and turns
  missed as the days pass without a new fact.

Reading (`as_of`): when brought up to date in the last STALE_AFTER; else the report works the rows out live.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session

from engine.models import InstanceFacts, TcmDischarge
from engine.reports import refreshes, tcm
from engine.reports.refreshes import OVERLAP

NAME = "tcm"
OPEN_DAYS = 45  # a discharge this recent may still change with the days alone (contact in 2 business days,
# a visit in 14, a readmission in 30)
BATCH = 1000


def as_of(session: Session, now: datetime) -> datetime | None:
    """When the rows were worked out, if they may be read; else None (work them out live)."""
    state = refreshes.fresh(session, NAME, now)
    return state.refreshed_at if state is not None else None


def refresh(session: Session, now: datetime, everything: bool = False) -> dict:
    """Bring the rows up to date as of `now`; returns how many discharges were worked out."""
    state = refreshes.locked(session, NAME)
    today = now.date()
    whole = everything or refreshes.due_whole(state, now)
    if whole:
        session.execute(delete(TcmDischarge))
        rows = tcm.discharge_rows(session, today)
    else:
        changed = select(InstanceFacts.patient_id).where(InstanceFacts.process_id.in_(tcm.TCM_PROGRAMS),
                                                         InstanceFacts.updated_at >= state.changes_from - OVERLAP)
        recent = InstanceFacts.discharge_on >= today - timedelta(days=OPEN_DAYS)
        rows = tcm.discharge_rows(session, today, recent | InstanceFacts.patient_id.in_(changed))
        ids = [row.instance_id for row in rows]
        for start in range(0, len(ids), BATCH):
            session.execute(delete(TcmDischarge).where(TcmDischarge.instance_id.in_(ids[start:start + BATCH])))
    for start in range(0, len(rows), BATCH):
        session.execute(insert(TcmDischarge), [_values(row) for row in rows[start:start + BATCH]])
    refreshes.done(session, state, NAME, now, whole)
    return {"discharges": len(rows), "whole": whole}


def _values(row: tcm.DischargeRow) -> dict:
    return {"instance_id": row.instance_id, "patient_id": row.patient_id, "discharge_on": row.discharge_on,
            "complexity": row.complexity, "contact_deadline": row.contact_deadline, "contact_on": row.contact_on,
            "contact_outcome": row.contact_outcome, "contact_attempts": row.contact_attempts,
            "contact": row.contact, "med_rec_on": row.med_rec_on, "visit_on": row.visit_on,
            "visit_day": row.visit_day, "mdm": row.mdm, "code": row.code, "reason": row.reason[:200],
            "readmitted_on": row.readmitted_on, "no_visit_reason": row.no_visit_reason, "tally": tcm.tally(row)}
