"""Comments on a patient or on one of their tasks, for the care team (whoever may read the record sees them),
and the notices they send: "@nina" in a comment tells Nina. Notices also tell a colleague who was asked for
input on a task, and the owner when the input came back."""
from __future__ import annotations

import re

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from engine.care.characters import refused_character
from engine.errors import InvalidInput, NotFound
from engine.models import Comment, InboxTask, Notice, User
from engine.store import audit
from engine.time import clock

MAX_BODY = 4000
MENTION = re.compile(r"(?<![\w@.])@([a-z0-9][a-z0-9._-]{1,99})", re.IGNORECASE)
COMMENT, ASKED, ANSWERED = "comment", "asked", "answered"


def clean_body(body: str, what: str = "comment") -> str:
    text = (body or "").strip()
    if problem := refused_character(text):
        raise InvalidInput(f"the {what} {problem}")
    if not text:
        raise InvalidInput(f"write the {what} first")
    if len(text) > MAX_BODY:
        raise InvalidInput(f"a {what} has at most {MAX_BODY} characters")
    return text


def mentioned(session: Session, body: str, author: str) -> list[User]:
    """The active colleagues named with @ in `body` (not the author), in the order first named."""
    names = [m.lower().rstrip(".") for m in MENTION.findall(body)]
    names = [n for n in dict.fromkeys(names) if n != author]
    if not names:
        return []
    found = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names),
                                                                        User.active.is_(True)))}
    return [found[n] for n in names if n in found]


def add(session: Session, patient_id: str, body: str, author: str, *, task: InboxTask | None = None,
        kind: str = COMMENT) -> Comment:
    """A comment (audited) and a notice to each colleague it mentions."""
    body = clean_body(body, "note" if kind != COMMENT else "comment")
    people = mentioned(session, body, author)
    comment = Comment(patient_id=patient_id, task_id=task.id if task else None, author=author, kind=kind,
                      body=body, mentions=[u.username for u in people] or None, created_at=clock.now())
    session.add(comment)
    session.flush()
    audit.record(session, "commented", author, patient_id=patient_id,
                 task_uuid=task.task_uuid if task else None, element_id=task.element_id if task else None,
                 details={"comment": comment.id, "kind": kind, "mentions": comment.mentions,
                          **({"task": task.id, "title": task.title} if task else {})})
    where = f"“{task.title}”" if task else "a patient's record"
    for user in people:
        notify(session, user.username, "mention", f"{author} mentioned you on {where}", author,
               patient_id=patient_id, task_id=task.id if task else None, comment_id=comment.id)
    return comment


def of_patient(session: Session, patient_id: str, limit: int = 100) -> list[Comment]:
    """The patient's comments (on the record and on their tasks), newest first."""
    return list(session.scalars(select(Comment).where(Comment.patient_id == patient_id)
                                .order_by(Comment.id.desc()).limit(limit)))


def of_task(session: Session, task_id: int) -> list[Comment]:
    """A task's comments and delegation notes, oldest first (a conversation)."""
    return list(session.scalars(select(Comment).where(Comment.task_id == task_id).order_by(Comment.id)))


# ------------------------------------------------------------------------------------------------ notices
def notify(session: Session, username: str, kind: str, text: str, by: str, *, patient_id: str | None = None,
           task_id: int | None = None, comment_id: int | None = None) -> None:
    session.add(Notice(username=username, kind=kind, text=text[:500], by=by, patient_id=patient_id,
                       task_id=task_id, comment_id=comment_id, created_at=clock.now()))


def notices(session: Session, username: str, limit: int = 50) -> list[Notice]:
    """The person's notices, unread first, newest first."""
    return list(session.scalars(select(Notice).where(Notice.username == username)
                                .order_by(Notice.read_at.is_not(None), Notice.id.desc()).limit(limit)))


def unread_count(session: Session, username: str) -> int:
    return session.scalar(select(func.count()).select_from(Notice).where(
        Notice.username == username, Notice.read_at.is_(None))) or 0


def mark_read(session: Session, username: str, notice_id: int | None = None) -> int:
    """Mark one notice (or all of them) read; returns how many were unread."""
    query = update(Notice).where(Notice.username == username, Notice.read_at.is_(None))
    if notice_id is not None:
        if session.scalar(select(Notice.username).where(Notice.id == notice_id)) != username:
            raise NotFound(f"no notice {notice_id}")
        query = query.where(Notice.id == notice_id)
    return session.execute(query.values(read_at=clock.now()).execution_options(synchronize_session=False)).rowcount
