"""Use cases of the inbox: list and count tasks, open one for its page, claim, release, assign, set a follow-up
date, save a draft, complete it."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from engine.care import accounts, characters
from engine.care import tasks as tasks_mod
from engine.care.actors import Actor
from engine.care.task_forms import FormInvalid, Submission
from engine.care.tasks import Reader
from engine.errors import InvalidInput
from engine.models import InboxTask
from engine.read import inbox, task_context
from engine.read.inbox import InboxPage, InboxQuery
from engine.read.task_context import TaskContext
from engine.store import audit


@dataclass(frozen=True)
class Completion:
    task: InboxTask  # the task, completed
    next_task: InboxTask | None  # the patient's next task for the same person, when there is one now


class TaskUseCases:
    # ------------------------------------------------------------------------------------------------ reading
    def inbox(self, query: InboxQuery, viewer: Actor | None = None) -> InboxPage:
        """A page of tasks: a person's tab (with every tab's count), or every task the filters match. With a
        `viewer`, the read is audited: one event naming the query and the patients the page shows. A query
        with text or a number that cannot be asked (a control character, a page past any there can be) is
        refused (InvalidInput) naming the field."""
        _check_query(query)
        with self.transaction("read the inbox") as session:
            page = inbox.page(session, query)
            if viewer is not None:
                audit.record(session, "inbox_viewed", viewer.name, details={
                    "query": inbox.described(query), "patients": sorted({t.patient_id for t in page.tasks})})
            return page

    def inbox_programs(self) -> list[str]:
        """The names of the programs tasks can belong to (for an inbox's filter)."""
        with self.reading() as session:
            return inbox.programs(session)

    def tasks(self, query: InboxQuery | None = None, *, limit: int | None = None, viewer: Actor | None = None,
              **filters) -> list[InboxTask]:
        """Tasks the query (or the filters, InboxQuery's fields) asks for: by default every open or claimed
        task, soonest due first. With a `viewer`, the read is audited."""
        return self.inbox(_query(query, limit, filters), viewer).tasks

    def count_tasks(self, query: InboxQuery | None = None, **filters) -> int:
        return self.inbox(_query(query, None, filters)).total

    def task(self, task_id: int) -> InboxTask:
        with self.reading() as session:
            return tasks_mod.get_task(session, task_id)

    def task_form(self, task_id: int) -> dict | None:
        """The JSON Schema of a task's form, as the pathway version its instance runs on has it (None: no form)."""
        with self.reading() as session:
            row = tasks_mod.get_task(session, task_id)
            if not row.form_schema:
                return None
            return self.runtime.specs.get(session, row.instance.deployment_id).forms.get(row.form_schema)

    def task_context(self, task_id: int, viewer: Actor) -> TaskContext:
        """What a task's page needs (the form, the data it holds, the viewer's draft, the patient, colleagues
        who hold its role), for someone holding its role; audited as a view of patient data."""
        with self.transaction(f"open task {task_id}") as session:
            return task_context.task_context(session, self.runtime, task_id, viewer)

    # ------------------------------------------------------------------------------------------------ working
    def claim(self, task_id: int, actor: Actor) -> InboxTask:
        with self.transaction(f"claim task {task_id}") as session:
            return tasks_mod.claim(session, task_id, actor)

    def release(self, task_id: int, actor: Actor) -> InboxTask:
        """Give a claimed task back to its role's queue (its assignee, or an admin)."""
        with self.transaction(f"release task {task_id}") as session:
            return tasks_mod.release(session, task_id, actor)

    def assign(self, task_id: int, assignee: str, actor: Actor) -> InboxTask:
        """Give a task to a colleague: an active account that holds the task's role (an admin holds every
        role)."""
        assignee = (assignee or "").strip()
        if not assignee:
            raise InvalidInput("Choose a colleague to assign the task to.")
        characters.require_text("the colleague's user name", assignee)
        with self.transaction(f"assign task {task_id}") as session:
            colleague = accounts.find_by_name(session, assignee)
            if colleague is None:
                raise InvalidInput(f"nobody signs in as '{assignee}': choose a colleague who has an account")
            if not colleague.active:
                raise InvalidInput(f"{colleague.display_name or colleague.username} cannot sign in at the moment, "
                                   "so cannot be given tasks")
            return tasks_mod.assign(session, task_id, colleague.username, actor, frozenset(colleague.roles))

    def set_follow_up(self, task_id: int, follow_up_at: datetime | None, actor: Actor) -> InboxTask:
        with self.transaction(f"set follow-up of task {task_id}") as session:
            return tasks_mod.set_follow_up(session, task_id, follow_up_at, actor)

    def save_draft(self, task_id: int, answers: Submission | Reader, actor: Actor, *,
                   task_uuid: str | None = None) -> InboxTask:
        """Keep answers as the actor's draft of the task; a refusal carries the page's context (`context`)."""
        with self.transaction(f"save a draft of task {task_id}") as session:
            try:
                return tasks_mod.save_draft(session, self.runtime, task_id, answers, actor, task_uuid=task_uuid)
            except FormInvalid as exc:
                exc.context = task_context.page_context(session, tasks_mod.get_task(session, task_id), exc.form,
                                                        actor)
                session.expunge_all()  # kept as read: the rollback that follows would expire them
                raise

    def complete(self, task_id: int, answers: Submission | Reader | dict | None, actor: Actor, cleared=(), *,
                 minutes: int | str | None = None, task_uuid: str | None = None) -> InboxTask:
        """Complete a task with answers (checked against its form, once, for every client), as `complete_task`
        does, without looking for the patient's next task. Returns the task."""
        return self._complete(task_id, answers, actor, cleared, minutes, task_uuid, with_next=False).task

    def complete_task(self, task_id: int, answers: Submission | Reader | dict | None, actor: Actor, cleared=(), *,
                      minutes: int | str | None = None, task_uuid: str | None = None) -> Completion:
        """Complete a task: one transaction and one decode of the workflow, whoever calls. The answers are
        checked against the task's form (read-only fields as the task holds them, choices the task's data
        lists), the task and the steps that follow run, the minutes spent are recorded, the drafts are dropped,
        and the patient's next task for the same person is found (read once the completion has committed).
        `answers` is a Submission, a function that reads one against the task's form (a web page's post), or
        the data alone (with `cleared` and `minutes`). A refusal (FormInvalid) carries what the task's page
        needs to be shown again (`context`)."""
        return self._complete(task_id, answers, actor, cleared, minutes, task_uuid, with_next=True)

    def _complete(self, task_id, answers, actor: Actor, cleared, minutes, task_uuid, *, with_next: bool) -> Completion:
        if not isinstance(answers, Submission) and not callable(answers):
            answers = Submission(answers if answers is not None else {}, tuple(cleared or ()), minutes)
        with self.transaction(f"complete task {task_id}") as session:
            try:
                row = tasks_mod.complete(session, self.runtime, task_id, answers, actor, task_uuid=task_uuid)
            except FormInvalid as exc:
                if getattr(exc, "form", None) is not None:
                    exc.context = task_context.page_context(session, tasks_mod.get_task(session, task_id),
                                                            exc.form, actor)
                    session.expunge_all()  # kept as read: the rollback that follows would expire them
                raise
        if not with_next:
            return Completion(row, None)
        with self.reading() as session:  # after the commit: the writes and the COMMIT went in one round trip
            return Completion(row, task_context.next_task_for(session, row.patient_id, actor, row.id))


MAX_PAGE = 2**31 - 1  # there cannot be more pages than rows
INT_RANGE = range(-2**31, 2**31)  # what the database's integer columns hold


def _check_query(query: InboxQuery) -> None:
    """Refuse, naming the field, a query whose text holds a control character or whose number is out of
    range of what the database holds: the same answer on every database, never a database error."""
    if not 1 <= query.page <= MAX_PAGE:
        raise InvalidInput(f"the page must be a number from 1 to {MAX_PAGE}")
    for name, value in vars(query).items():
        label = _LABELS.get(name) or name.replace("_", " ")
        for item in value if isinstance(value, tuple) else (value,):
            characters.require_text(f"the {label}", item)
            if isinstance(item, int) and not isinstance(item, bool) and item not in INT_RANGE:
                raise InvalidInput(f"the {label} {item} is out of range")


_LABELS = {"search": "search text", "priority_at_least": "priority", "roles": "role"}


def _query(query: InboxQuery | None, limit: int | None, filters: dict) -> InboxQuery:
    if query is not None:
        return query
    if limit is not None:
        filters["page_size"] = limit
    for name in ("roles", "status"):
        if name in filters and filters[name] is not None and not isinstance(filters[name], tuple):
            filters[name] = tuple(filters[name])
    return InboxQuery(**{k: v for k, v in filters.items() if v is not None})
