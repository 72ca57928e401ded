"""Tasks (the inbox's filters, one task with its form, claim, release, assign, complete) and instances (status,
current steps, history)."""
from __future__ import annotations

from engine.service import PRIORITIES, InboxQuery, InvalidInput, Submission
from webapp.api import auth, paging, schemas
from webapp.api.base import make
from webapp.extensions import service

bp = make("api-tasks", "Tasks and instances", "Work tasks as the inbox does, and follow pathway instances")
MAX_INSTANCES = 5000  # how far an instance list pages (narrow it by patient or status beyond)


def _inbox_query(query: dict, page: int) -> InboxQuery:
    actor = auth.caller().actor
    person = auth.caller().person
    return InboxQuery(
        username=actor.name if person else None, viewer_roles=tuple(sorted(actor.roles)) if person else (),
        team="clinical_lead" in actor.roles, tab=query["tab"], status=tuple(query["status"]),
        assignee=query["assignee"], roles=tuple(query["role"]), overdue=query["overdue"],
        patient_id=query["patient_id"], instance_id=query["instance_id"], program=query["program"],
        priority_at_least=PRIORITIES[query["priority_at_least"]] if query["priority_at_least"] else None,
        due_from=query["due_from"], due_before=query["due_before"], search=query["search"], sort=query["sort"],
        descending=query["descending"], page=page, page_size=query["limit"])


@bp.route("/tasks")
@bp.arguments(schemas.TaskQuery, location="query")
@bp.response(200, schemas.TaskPage)
@auth.needs("tasks:read")
def list_tasks(query):
    """Tasks, with the inbox's filters: a person's tab (mine, role:<role>, overdue, completed), or every task the
    filters match (by default the open and claimed ones, soonest due first). The read is audited, naming the
    patients it shows."""
    if query["tab"] and not auth.caller().person:
        raise InvalidInput("tab: a service account has no inbox of its own; filter by role, assignee or status")
    page = (paging.decode("tasks", query, query["cursor"]) or 0) + 1
    found = service().inbox(_inbox_query(query, page), viewer=auth.caller().actor)
    more = page * query["limit"] < found.total
    return {"items": found.tasks, "total": found.total,
            "next_cursor": paging.encode("tasks", query, page) if more else None}


@bp.route("/tasks/<id:task_id>")
@bp.response(200, schemas.TaskDetail)
@auth.needs("tasks:read")
def get_task(task_id: int):
    """A task with its form: the JSON Schema and UI schema, and the data it holds now (which prefills it), and
    the caller's saved draft. For the holders of its role (as its page is); the read is audited."""
    ctx = service().task_context(task_id, auth.caller().actor)
    task = ctx.task
    return {**{name: getattr(task, name) for name in TASK_ATTRIBUTES},
            "form": {"name": task.form_schema, "schema": ctx.schema, "ui_schema": ctx.ui_schema,
                     "data": dict(ctx.data or {})}, "draft": ctx.draft}


TASK_ATTRIBUTES = ("id", "task_uuid", "instance_id", "patient_id", "title", "documentation", "element_id", "program",
                   "stage", "role", "assignee", "status", "priority_name", "due_at", "follow_up_at", "created_at",
                   "claimed_at", "completed_at", "completed_by", "form_schema")


@bp.route("/tasks/<id:task_id>/claim", methods=["POST"])
@bp.response(200, schemas.TaskOut)
@auth.needs("tasks:write")
def claim(task_id: int):
    """Take the task from its role's queue (409 when someone else just did)."""
    return service().claim(task_id, auth.caller().actor)


@bp.route("/tasks/<id:task_id>/release", methods=["POST"])
@bp.response(200, schemas.TaskOut)
@auth.needs("tasks:write")
def release(task_id: int):
    """Give a claimed task back to its role's queue (its assignee, or an admin)."""
    return service().release(task_id, auth.caller().actor)


@bp.route("/tasks/<id:task_id>/assign", methods=["POST"])
@bp.arguments(schemas.AssignIn)
@bp.response(200, schemas.TaskOut)
@auth.needs("tasks:write")
def assign(body, task_id: int):
    """Give the task to a colleague who holds its role."""
    return service().assign(task_id, body["assignee"], auth.caller().actor)


@bp.route("/tasks/<id:task_id>/complete", methods=["POST"])
@bp.arguments(schemas.CompleteIn)
@bp.response(200, schemas.Completion)
@auth.needs("tasks:write")
def complete(body, task_id: int):
    """Complete the task with answers, checked against its form once, as for every client: a refusal names each
    field (400, `errors`: pointer and detail). The task and what follows it run; the answer says the patient's
    next task for the caller, when there is one now. Completing a task that is done already is a 409."""
    done = service().complete_task(task_id, Submission(body["data"], tuple(body["cleared"]), body["minutes"]),
                                   auth.caller().actor, task_uuid=body["task_uuid"])
    return {"task": done.task, "next_task": done.next_task}


# ------------------------------------------------------------------------------------------------ instances
def _instance_dict(instance) -> dict:
    error = instance.error or None
    return {"id": instance.id, "patient_id": instance.patient_id, "program": instance.program,
            "process_id": instance.process_id, "deployment_id": instance.deployment_id, "status": instance.status,
            "error": {k: error.get(k) for k in ("element", "name", "type", "line")} if error else None,
            "started_by": instance.started_by, "started_at": instance.started_at, "updated_at": instance.updated_at,
            "ended_at": instance.ended_at}


@bp.route("/instances")
@bp.arguments(schemas.InstanceQuery, location="query")
@bp.response(200, schemas.InstancePage)
@auth.needs("instances:read")
def list_instances(query):
    """Pathway instances, newest first, of the patients whose record the caller may read; the read is audited."""
    start = paging.decode("instances", query, query["cursor"]) or 0
    end = start + query["limit"]
    if end > MAX_INSTANCES:
        raise InvalidInput(f"cursor: an instance list pages through {MAX_INSTANCES} instances; filter by patient or "
                           "status to see older ones")
    found = service().instances(query["patient_id"], query["status"], limit=end + 1, viewer=auth.caller().actor)
    return {"items": [_instance_dict(i) for i in found[start:end]],
            "next_cursor": paging.encode("instances", query, end) if len(found) > end else None}


@bp.route("/instances/<id:instance_id>")
@bp.response(200, schemas.InstanceDetail)
@auth.needs("instances:read")
def get_instance(instance_id: int):
    """An instance: its status (and error), its tasks, the timers and messages it waits for, and its history."""
    view = service().instance(instance_id, viewer=auth.caller().actor)
    return {**_instance_dict(view.instance), "tasks": view.tasks, "timers": view.timers, "waits": view.messages,
            "history": view.history}
