"""Use cases of working beside colleagues: delegate a task for input and hand it back, notices (mentions,
requests, answers), saved inbox filters shown as tabs, what is new in the inbox since a page was drawn, and
each person's time zone."""
from __future__ import annotations

from dataclasses import dataclass

from engine.care import comments, delegation, preferences
from engine.care.actors import Actor
from engine.models import InboxTask, Notice, SavedFilter
from engine.read import inbox
from engine.read.inbox import InboxQuery


@dataclass(frozen=True)
class InboxPulse:
    """How much work each of a person's tabs holds now and their unread notices: for a page that refreshes its
    counts without a reload."""

    counts: dict[str, int]
    notices: int


class TeamworkUseCases:
    # ------------------------------------------------------------------------------------------------ delegation
    def delegate(self, task_id: int, colleague: str, note: str, actor: Actor) -> InboxTask:
        """Hand a task to a colleague for input, saying what is needed; it comes back with their note."""
        with self.transaction(f"delegate task {task_id}") as session:
            return delegation.delegate(session, task_id, colleague, note, actor)

    def resolve_delegation(self, task_id: int, note: str, actor: Actor) -> InboxTask:
        """The colleague asked hands the task back to its owner, with their note."""
        with self.transaction(f"hand back task {task_id}") as session:
            return delegation.resolve(session, task_id, note, actor)

    def take_back(self, task_id: int, actor: Actor) -> InboxTask:
        """The owner takes a delegated task back before the colleague answered."""
        with self.transaction(f"take back task {task_id}") as session:
            return delegation.take_back(session, task_id, actor)

    # ------------------------------------------------------------------------------------------------ notices
    def notices(self, viewer: Actor, limit: int = 50) -> list[Notice]:
        with self.reading() as session:
            return comments.notices(session, viewer.name, limit)

    def unread_notices(self, viewer: Actor) -> int:
        with self.reading() as session:
            return comments.unread_count(session, viewer.name)

    def mark_notices_read(self, viewer: Actor, notice_id: int | None = None) -> int:
        with self.transaction("mark notices read") as session:
            return comments.mark_read(session, viewer.name, notice_id)

    def inbox_pulse(self, query: InboxQuery, viewer: Actor) -> InboxPulse:
        """Each tab's count and the unread notices now (no task or patient is named: not a read of patient
        data)."""
        with self.reading() as session:
            counts = inbox.tab_counts(session, query.username, query.viewer_roles, team=query.team,
                                      today_ends=query.today_ends)
            return InboxPulse(counts, comments.unread_count(session, viewer.name))

    def inbox_stages(self) -> list[str]:
        """The names of the stages tasks can be in (for an inbox's Stage filter)."""
        with self.reading() as session:
            return inbox.stages(session)

    # ------------------------------------------------------------------------------------------------ filters
    def saved_filters(self, viewer: Actor) -> list[SavedFilter]:
        """The viewer's saved inbox filters, then those shared with a role they hold."""
        with self.reading() as session:
            return preferences.filters_for(session, viewer)

    def saved_filter(self, filter_id: int, viewer: Actor) -> SavedFilter:
        with self.reading() as session:
            return preferences.get_filter(session, viewer, filter_id)

    def save_filter(self, name: str, query: dict, actor: Actor, shared_role: str | None = None) -> SavedFilter:
        """Keep the inbox's filter under a name (a tab); shared with a team role the person holds, its holders
        see it too."""
        with self.transaction("save an inbox filter") as session:
            return preferences.save_filter(session, actor, name, query, shared_role)

    def delete_filter(self, filter_id: int, actor: Actor) -> None:
        with self.transaction("remove an inbox filter") as session:
            preferences.delete_filter(session, actor, filter_id)

    # ------------------------------------------------------------------------------------------------ preferences
    def time_zone_of(self, username: str) -> str | None:
        """The person's own time zone; None: the installation's (engine.config Settings.time_zone)."""
        with self.reading() as session:
            return preferences.time_zone(session, username)

    def set_time_zone(self, zone: str | None, actor: Actor) -> str | None:
        with self.transaction("set a time zone") as session:
            return preferences.set_time_zone(session, actor.name, zone)

    @staticmethod
    def time_zones() -> tuple[str, ...]:
        return preferences.time_zones()
