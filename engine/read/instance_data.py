"""What a pathway knows about its patient right now, read from where it waits.

A running program's data lives on its waiting tasks, often inside a running stage (the care plan and the
scores travel through the stages); the program's own last step may be far behind. So the data of every
waiting task (inbox, timer, message) is read, in the order the rows were created, each later one adding to
and replacing what came before. An ended instance's data is its last step's. The program's data objects come
last (those set): they belong to the whole program, not to one branch (a monitoring branch's results, say),
and what a task holds of them is the copy it took when it opened.
"""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.models import InboxTask, Instance, InstanceStatus, MessageWait, TaskStatus, TimerWait


def waiting_task_ids(session: Session, instance_id: int) -> list[str]:
    ids = list(session.scalars(select(InboxTask.task_uuid).where(
        InboxTask.instance_id == instance_id, InboxTask.status.in_(TaskStatus.ACTIVE)).order_by(InboxTask.id)))
    ids += session.scalars(select(TimerWait.task_uuid).where(TimerWait.instance_id == instance_id))
    ids += session.scalars(select(MessageWait.task_uuid).where(MessageWait.instance_id == instance_id))
    return ids


def current_data(session: Session, runtime, instance: Instance) -> dict:
    workflow = runtime.load(session, instance).workflow
    merged: dict = {}
    if instance.status not in InstanceStatus.ENDED:
        for task_id in waiting_task_ids(session, instance.id):
            try:
                task = workflow.get_task_from_id(uuid.UUID(task_id))
            except (ValueError, KeyError, TypeError):
                continue
            if task is not None:
                merged.update(task.data)
    if not merged:
        task = workflow.last_task or workflow.task_tree
        merged = dict(task.data)
    return with_data_objects(merged, workflow)


def with_data_objects(data: dict, workflow) -> dict:
    """`data` with the workflow's data objects (those set) added, replacing a task's copy of them."""
    return data | {name: value for name, value in workflow.data_objects.items() if value is not None}
