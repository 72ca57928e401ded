"""Drafts of a bundle, stored on the server: opened from a pathway version (the newest, or an older one) or from
the new-program template, saved file by file, every change recorded with who made it and when.

Each file carries a version number. A save names the version it was made from; when the stored file has moved
on since (another lead saved it), the save is refused as a Conflict naming who saved it and when, and nothing of
either edit is lost: the stored file stays as the other lead left it, and the refused content is still in the
editor that sent it.
"""
from __future__ import annotations

import re
from pathlib import PurePosixPath

from lxml import etree
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.deploy.bundle import MAX_FILE_BYTES, MAX_FILES, Bundle, wanted
from engine.deploy.bundle_xml import BPMN_NS
from engine.errors import Conflict, InvalidInput, InvalidState, NotFound
from engine.models import (
    MAX_ID,
    Deployment,
    DeploymentFile,
    DraftStatus,
    StudioChange,
    StudioDraft,
    StudioDraftFile,
)
from engine.store import audit
from engine.time import clock

FOLDERS = ("bpmn/", "dmn/", "forms/")
BUNDLE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")
PATH = re.compile(r"^(bpmn|dmn|forms)/[A-Za-z0-9][A-Za-z0-9_.-]{0,150}\.(bpmn|dmn|json)$")


def get(session: Session, draft_id: int, *, for_update: bool = False) -> StudioDraft:
    if not 1 <= draft_id <= MAX_ID:
        raise NotFound(f"draft {draft_id} does not exist")
    draft = session.get(StudioDraft, draft_id, with_for_update=for_update or None)
    if draft is None:
        raise NotFound(f"draft {draft_id} does not exist")
    return draft


def open_draft(draft: StudioDraft) -> None:
    if draft.status not in DraftStatus.OPEN:
        raise InvalidState(f"draft {draft.id} is {draft.status.replace('_', ' ')}: it can no longer be changed")


def check_path(path: str) -> str:
    path = (path or "").strip()
    if not PATH.match(path) or ".." in path:
        raise InvalidInput(f"file name '{path[:80]}': use bpmn/NAME.bpmn, dmn/NAME.dmn or forms/NAME.json (letters, "
                           "digits, '_', '-', '.')")
    suffix = PurePosixPath(path).suffix
    folder = path.split("/", 1)[0]
    if (folder, suffix) not in (("bpmn", ".bpmn"), ("bpmn", ".json"), ("dmn", ".dmn"), ("forms", ".json")):
        raise InvalidInput(f"file name '{path}': a {suffix} file does not belong in {folder}/")
    return path


def check_bundle_name(name: str) -> str:
    name = (name or "").strip()
    if not BUNDLE_NAME.match(name):
        raise InvalidInput(f"bundle name '{name[:80]}': letters, digits, '_', '-' or '.', starting with a letter or digit")
    return name


def files(session: Session, draft_id: int) -> dict[str, StudioDraftFile]:
    rows = session.scalars(select(StudioDraftFile).where(StudioDraftFile.draft_id == draft_id)
                           .order_by(StudioDraftFile.path))
    return {row.path: row for row in rows}


def bundle_of(session: Session, draft: StudioDraft) -> Bundle:
    """The draft as a bundle, as it would be deployed."""
    return Bundle(draft.bundle, {path: row.content for path, row in files(session, draft.id).items()})


def content_hash(session: Session, draft: StudioDraft) -> str:
    return bundle_of(session, draft).content_hash


def _record(session: Session, draft: StudioDraft, action: str, actor: str, path: str | None = None,
            version: int | None = None, summary: str | None = None) -> None:
    now = clock.now()
    session.add(StudioChange(draft_id=draft.id, path=path, action=action, actor=actor, at=now, file_version=version,
                             summary=(summary or "")[:500] or None))
    draft.updated_by, draft.updated_at = actor, now
    audit.record(session, f"studio_{action}", actor, deployment_id=draft.base_deployment_id,
                 details={"draft": draft.id, "bundle": draft.bundle, **({"file": path} if path else {}),
                          **({"version": version} if version else {}), **({"summary": summary} if summary else {})})


def create(session: Session, bundle: str, title: str, actor: str, content: dict[str, bytes],
           base: Deployment | None) -> StudioDraft:
    now = clock.now()
    draft = StudioDraft(bundle=bundle, title=title[:200], status=DraftStatus.EDITING,
                        base_deployment_id=base.id if base else None, created_by=actor, created_at=now,
                        updated_by=actor, updated_at=now)
    session.add(draft)
    session.flush()
    session.add_all(StudioDraftFile(draft_id=draft.id, path=path, content=data, version=1, updated_by=actor,
                                    updated_at=now) for path, data in sorted(content.items()))
    what = f"from {base.label}" if base else "from the new program template"
    _record(session, draft, "opened", actor, summary=f"draft opened {what}")
    session.flush()
    return draft


def deployment_files(session: Session, deployment_id: int) -> dict[str, bytes]:
    rows = session.execute(select(DeploymentFile.path, DeploymentFile.content)
                           .where(DeploymentFile.deployment_id == deployment_id)).all()
    return {path: content for path, content in rows}


def find_version(session: Session, bundle: str, version: int | None) -> Deployment:
    query = select(Deployment).where(Deployment.name == bundle)
    query = query.where(Deployment.version == version) if version else query.order_by(Deployment.version.desc())
    found = session.scalars(query.limit(1)).first()
    if found is None:
        raise NotFound(f"bundle '{bundle}' has no version {version}" if version else f"no bundle called '{bundle}'")
    return found


def save_file(session: Session, draft: StudioDraft, path: str, content: bytes, base_version: int | None,
              actor: str, action: str = "saved", summary: str | None = None) -> StudioDraftFile:
    """Store a file of the draft (a new one when `base_version` is None). A save made from a version that is no
    longer the stored one is a Conflict, whoever made it."""
    open_draft(draft)
    path = check_path(path)
    if len(content) > MAX_FILE_BYTES:
        raise InvalidInput(f"{path}: {len(content) / 1048576:.1f} MB, over the limit of "
                           f"{MAX_FILE_BYTES // 1048576} MB; nothing was saved")
    if not wanted(path):
        raise InvalidInput(f"{path}: not a bundle file")
    row = session.get(StudioDraftFile, (draft.id, path), with_for_update=True)
    now = clock.now()
    if row is None:
        if base_version not in (None, 0):
            raise Conflict(f"{path} was removed from draft {draft.id} meanwhile; nothing was saved. Copy your "
                           "changes, reload the draft and add the file again")
        count = session.scalar(select(func.count()).select_from(StudioDraftFile)
                               .where(StudioDraftFile.draft_id == draft.id)) or 0
        if count >= MAX_FILES:
            raise InvalidInput(f"draft {draft.id} has {count} files, the most a bundle may hold")
        row = StudioDraftFile(draft_id=draft.id, path=path, content=content, version=1, updated_by=actor,
                              updated_at=now)
        session.add(row)
        _record(session, draft, "added" if action == "saved" else action, actor, path, 1, summary)
        session.flush()
        return row
    if base_version is None or base_version != row.version:
        raise Conflict(f"{path} was saved by {row.updated_by} at {row.updated_at:%Y-%m-%d %H:%M} UTC (version "
                       f"{row.version}) after the version {base_version or 'none'} you edited; nothing was saved. "
                       "Your changes are still in your editor: copy them, reload the file and apply them again")
    if row.content == content:
        return row
    row.content, row.version, row.updated_by, row.updated_at = content, row.version + 1, actor, now
    _record(session, draft, action, actor, path, row.version, summary)
    session.flush()
    return row


def remove_file(session: Session, draft: StudioDraft, path: str, base_version: int | None, actor: str) -> None:
    open_draft(draft)
    row = session.get(StudioDraftFile, (draft.id, check_path(path)), with_for_update=True)
    if row is None:
        raise NotFound(f"draft {draft.id} has no file {path}")
    if base_version != row.version:
        raise Conflict(f"{path} was saved by {row.updated_by} after the version you saw; it was not removed")
    session.delete(row)
    _record(session, draft, "removed", actor, path, row.version)
    session.flush()


def changes(session: Session, draft_id: int, limit: int = 200) -> list[StudioChange]:
    return list(session.scalars(select(StudioChange).where(StudioChange.draft_id == draft_id)
                                .order_by(StudioChange.id.desc()).limit(limit)))


def editors(session: Session, draft_id: int) -> set[str]:
    """Everyone who changed the draft's files (an approver must be someone else)."""
    return set(session.scalars(select(StudioChange.actor).where(
        StudioChange.draft_id == draft_id, StudioChange.action.notin_(("opened", "submitted", "reviewed")))))


def open_drafts(session: Session) -> list[StudioDraft]:
    return list(session.scalars(select(StudioDraft).where(StudioDraft.status.in_(DraftStatus.OPEN))
                                .order_by(StudioDraft.bundle, StudioDraft.id)))


def recent_drafts(session: Session, limit: int = 50) -> list[StudioDraft]:
    return list(session.scalars(select(StudioDraft).where(StudioDraft.status.notin_(DraftStatus.OPEN))
                                .order_by(StudioDraft.updated_at.desc()).limit(limit)))


def discard(session: Session, draft: StudioDraft, actor: str) -> None:
    open_draft(draft)
    draft.status = DraftStatus.DISCARDED
    _record(session, draft, "discarded", actor)


def record(session: Session, draft: StudioDraft, action: str, actor: str, summary: str | None = None) -> None:
    _record(session, draft, action, actor, summary=summary)


def catalogue(rows: dict[str, StudioDraftFile]) -> tuple[list[dict], list[str]]:
    """The draft's executable processes ({id, label}) and decision ids, for the editor's pickers."""
    processes, decisions = [], []
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False)
    for path, row in rows.items():
        if not path.endswith((".bpmn", ".dmn")):
            continue
        try:
            root = etree.fromstring(row.content, parser)
        except (etree.XMLSyntaxError, ValueError):
            continue
        if path.endswith(".dmn"):
            decisions += [d.get("id") for d in root.iterfind(".//{*}decision") if d.get("id")]
            continue
        for proc in root.iterfind(f"{{{BPMN_NS}}}process"):
            if proc.get("isExecutable", "true") == "true" and proc.get("id"):
                processes.append({"id": proc.get("id"), "label": f"{proc.get('name') or proc.get('id')} ({path})"})
    return sorted(processes, key=lambda p: p["id"]), sorted(decisions)
