"""Data objects: a task that waits (for a person, a message or a called process) and both reads and writes a data
object loses what other tasks write to it meanwhile.

SpiffWorkflow copies a data object into a task's data when the task becomes ready (its dataInputAssociation)
and copies it back when the task completes (its dataOutputAssociation). For a script task both happen in one
engine step; a user task may stay open for days, and whatever another branch (say a monitoring branch
recording results) writes to the data object in between is overwritten with the task's stale copy.
"""
from __future__ import annotations

from engine.authoring.context import LintContext
from engine.authoring.findings import Finding, at
from engine.authoring.model import BpmnModel

CHECK = "data"
IMMEDIATE = frozenset({"scriptTask", "businessRuleTask", "serviceTask", "sendTask", "task"})


def check_data_objects(ctx: LintContext) -> list[Finding]:
    found = []
    for file in ctx.files:
        model = file.model
        reads, writes = _uses(model)
        for node_id, objects in reads.items():
            node = model.nodes[node_id]
            if node.kind in IMMEDIATE or node.is_event or node.is_gateway:
                continue
            for name in sorted(objects & writes.get(node_id, set())):
                others = sorted(n for n, written in writes.items()
                                if name in written and n != node_id and model.nodes[n].process == node.process)
                if others:
                    found.append(at("warning", CHECK, file.path, node.el,
                                    f'{node.kind} reads data object "{name}" when it starts and writes it back when '
                                    f"it is completed: what {', '.join(others)} write(s) to it meanwhile is lost. "
                                    "Read and write it in a script task after this one"))
    return found


def _uses(model: BpmnModel) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """node -> the data objects it reads, and node -> those it writes (through data object references)."""
    reads: dict[str, set[str]] = {}
    writes: dict[str, set[str]] = {}
    for link in model.associations.values():
        if link.kind != "data":
            continue
        if link.target in model.nodes and link.source in model.artifacts:
            name = model.artifacts[link.source].el.get("dataObjectRef")
            if name:
                reads.setdefault(link.target, set()).add(name)
        elif link.source in model.nodes and link.target in model.artifacts:
            name = model.artifacts[link.target].el.get("dataObjectRef")
            if name:
                writes.setdefault(link.source, set()).add(name)
    return reads, writes
