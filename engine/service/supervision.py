"""Use cases of team leads (a nurse lead, a clinical lead; admins too): the team's workload per person, the
team's tasks (overdue ones first) filtered by person and role, reassigning claimed or queued tasks with a
reason the new assignee reads, and escalations (boundary timers, overdue tasks) with acknowledge. Leads open
any task of their team read-only (engine.care.access)."""
from __future__ import annotations

from dataclasses import dataclass

from engine.care import authority, characters, escalations, supervision
from engine.care.actors import Actor
from engine.errors import InvalidInput
from engine.models import InboxTask, TaskStatus
from engine.read import inbox
from engine.read import supervision as supervision_read
from engine.read.inbox import InboxPage, InboxQuery
from engine.read.supervision import EscalationList, Workload
from engine.store import audit

TEAM_VIEWS = ("overdue", "claimed", "queued", "all")


@dataclass(frozen=True)
class TeamQuery:
    view: str = "overdue"  # overdue, claimed, queued, all (open or claimed)
    person: str | None = None  # claimed by
    role: str | None = None
    page: int = 1
    page_size: int = 50


class SupervisionUseCases:
    def team_roles(self, viewer: Actor) -> tuple[str, ...]:
        """The team roles `viewer` leads (Forbidden when none)."""
        return authority.require_lead(viewer, "oversee a team")

    def team_workload(self, viewer: Actor) -> Workload:
        """Per team member, the team's tasks they have claimed, due today and overdue; and each queue's."""
        led = authority.require_lead(viewer, "see the team's workload")
        with self.reading() as session:
            return supervision_read.workload(session, led)

    def team_tasks(self, query: TeamQuery, viewer: Actor) -> InboxPage:
        """A page of the team's tasks (soonest due first), audited naming the patients shown."""
        led = authority.require_lead(viewer, "see the team's tasks")
        if query.view not in TEAM_VIEWS:
            raise InvalidInput(f"show one of: {', '.join(TEAM_VIEWS)}")
        if query.role is not None and query.role not in led:
            raise InvalidInput(f"you do not lead the role '{query.role}'")
        characters.require_text("the person", query.person)
        if not 1 <= query.page <= 2**31 - 1:
            raise InvalidInput("the page is out of range")
        status = {"claimed": (TaskStatus.CLAIMED,), "queued": (TaskStatus.OPEN,)}.get(query.view, TaskStatus.ACTIVE)
        question = InboxQuery(status=status, roles=(query.role,) if query.role else led,
                              assignee=query.person or None, overdue=query.view == "overdue", sort="due",
                              page=query.page, page_size=query.page_size)
        with self.transaction("read the team's tasks") as session:
            page = inbox.page(session, question)
            audit.record(session, "inbox_viewed", viewer.name, details={
                "query": {"team": query.view, **inbox.described(question)},
                "patients": sorted({t.patient_id for t in page.tasks})})
            return page

    def reassign_tasks(self, task_ids: list[int], assignee: str, reason: str, actor: Actor) -> list[InboxTask]:
        """Give claimed or queued tasks of the team to a colleague who holds their role, with a reason (kept in
        the history, and shown to the new assignee); all of them or, when one cannot be given, none."""
        led = authority.require_lead(actor, "reassign the team's tasks")
        why = authority.require_reason(reason, "reassign them")
        characters.require_text("the colleague's user name", assignee)
        with self.transaction("reassign tasks") as session:
            return supervision.reassign(session, task_ids, assignee, why, actor, led)

    def escalations(self, viewer: Actor, *, acknowledged: bool = False, page: int = 1) -> EscalationList:
        """The team's escalations: boundary timers that fired and overdue tasks (or those acknowledged)."""
        led = authority.require_lead(viewer, "see the team's escalations")
        if not 1 <= page <= 100_000:
            raise InvalidInput("the page is out of range")
        with self.transaction("read the team's escalations") as session:
            found = supervision_read.escalations(session, led, _oversees_all(viewer), acknowledged=acknowledged,
                                                 page=page)
            audit.record(session, "escalations_viewed", viewer.name, details={
                "acknowledged": acknowledged, "patients": sorted({r.patient_id for r in found.rows if r.patient_id})})
            return found

    def acknowledge_escalations(self, refs: list[str], actor: Actor, note: str = "") -> int:
        """Mark escalations as seen (with an optional note); returns how many were not seen before."""
        led = authority.require_lead(actor, "acknowledge escalations")
        text = authority.require_reason(note, "acknowledge it", required=False)
        if not refs:
            raise InvalidInput("choose at least one escalation to acknowledge")
        if len(refs) > 200:
            raise InvalidInput("acknowledge at most 200 escalations at once")
        visible = set(led)
        every = _oversees_all(actor)
        with self.transaction("acknowledge escalations") as session:
            return escalations.acknowledge(session, list(refs), text, actor.name,
                                           lambda role: role in visible or (role is None and every))


def _oversees_all(actor: Actor) -> bool:
    return actor.is_admin or "clinical_lead" in actor.roles
