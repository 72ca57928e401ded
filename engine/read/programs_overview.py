"""Programs and versions as an admin sees them: each bundle's versions (who deployed each and when, the content
hash, the change note and approver when the studio published it, how many instances run on it), the programs
each version starts and whether they take new starts, the bundles uploaded and waiting to be deployed, and the
migration plans."""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine import models
from engine.models import (
    BundleUpload,
    Deployment,
    InstanceStatus,
    MigrationItem,
    MigrationPlan,
    ProgramAvailability,
)
from engine.read.instance_console import open_per_version

# the studio's record of how a version was published (change note, approver), where the studio is installed
PUBLICATION = getattr(models, "PathwayPublication", None)


@dataclass
class VersionRow:
    deployment: Deployment
    counts: dict[str, int]  # instances per status
    change_note: str | None = None
    published_by: str | None = None
    approved_by: str | None = None

    @property
    def open_instances(self) -> int:
        return sum(self.counts.get(s, 0) for s in InstanceStatus.OPEN)

    @property
    def total_instances(self) -> int:
        return sum(self.counts.values())


@dataclass
class ProgramRow:
    process_id: str
    name: str
    bundle: str
    open_for_starts: bool
    reason: str | None
    changed_by: str | None
    changed_at: object | None


@dataclass
class BundleRow:
    name: str
    versions: list[VersionRow] = field(default_factory=list)  # newest first

    @property
    def newest(self) -> VersionRow:
        return self.versions[0]


def bundles(session: Session) -> list[BundleRow]:
    counts = open_per_version(session)
    notes = _publications(session)
    found: dict[str, BundleRow] = {}
    for d in session.scalars(select(Deployment).order_by(Deployment.name, Deployment.version.desc())):
        row = VersionRow(d, counts.get(d.id, {}))
        note = notes.get(d.id)
        if note is not None:
            row.change_note = getattr(note, "change_note", None)
            row.published_by = getattr(note, "published_by", None)
            row.approved_by = getattr(note, "approved_by", None)
        found.setdefault(d.name, BundleRow(d.name)).versions.append(row)
    return list(found.values())


def _publications(session: Session) -> dict[int, object]:
    if PUBLICATION is None:
        return {}
    return {p.deployment_id: p for p in session.scalars(select(PUBLICATION))}


def program_rows(session: Session, bundle_rows: list[BundleRow]) -> list[ProgramRow]:
    """The startable programs of each bundle's newest version, with whether they take new starts."""
    availability = {r.process_id: r for r in session.scalars(select(ProgramAvailability))}
    rows = []
    for bundle in bundle_rows:
        for process in bundle.newest.deployment.processes:
            if not process.get("startable"):
                continue
            kept = availability.get(process["id"])
            rows.append(ProgramRow(process["id"], process.get("name") or process["id"], bundle.name,
                                   kept is None or kept.open_for_starts, kept.reason if kept else None,
                                   kept.changed_by if kept else None, kept.changed_at if kept else None))
    return sorted(rows, key=lambda r: r.name.lower())


def uploads(session: Session, limit: int = 20) -> list[BundleUpload]:
    return list(session.scalars(select(BundleUpload).order_by(BundleUpload.id.desc()).limit(limit)))


def plans(session: Session, limit: int = 50) -> list[MigrationPlan]:
    return list(session.scalars(select(MigrationPlan).order_by(MigrationPlan.id.desc()).limit(limit)))


def versions_by_id(session: Session, ids) -> dict[int, Deployment]:
    ids = sorted(set(ids))
    if not ids:
        return {}
    return {d.id: d for d in session.scalars(select(Deployment).where(Deployment.id.in_(ids)))}


ITEM_FILTERS = ("movable", "blocked", "waiting", "moved", "refused", "skipped")


def plan_items(session: Session, plan_id: int, show: str | None, page: int,
               page_size: int) -> tuple[int, list[MigrationItem]]:
    """How many of a plan's instances the report's filter matches, and a page of them."""
    where = [MigrationItem.plan_id == plan_id, *_item_filter(show)]
    matching = session.scalar(select(func.count()).select_from(MigrationItem).where(*where)) or 0
    items = list(session.scalars(select(MigrationItem).where(*where).order_by(MigrationItem.instance_id)
                                 .offset((page - 1) * page_size).limit(page_size)))
    return matching, items


def _item_filter(show: str | None) -> list:
    if show == "movable":
        return [MigrationItem.movable.is_(True)]
    if show == "blocked":
        return [MigrationItem.movable.is_(False)]
    if show == "waiting":
        return [MigrationItem.outcome == "checked"]
    if show in ("moved", "refused", "skipped"):
        return [MigrationItem.outcome == show]
    return []
