"""Values a workflow's state cannot hold (an integer past CPython's digit limit for JSON text, an object JSON cannot
write): finding the task that brought one in, and saying why in words, so the runtime can put that task in
error instead of failing every later save."""
from __future__ import annotations

import json
import math
import sys

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.deep_merge import DeepMerge

from engine.runtime.state_codec import json_encoder
from engine.sandbox.limits import OversizedInteger, approx_json_size

UNSTORABLE = (ValueError, TypeError, RecursionError)  # what JSON encoding raises for a value it cannot write
_SEARCH_BUDGET = 10_000_000  # characters of a value looked through for its oversized integer


def unstorable_value(workflow: BpmnWorkflow) -> tuple | None:
    """(task, why) for the first task whose own data (what it changed of its parent's, its internal data)
    holds a value the state cannot hold; None when there is none. Look before pruning (`restore_tree`)."""
    for flow in (workflow, *workflow.subprocesses.values()):
        for task in flow.tasks.values():
            if task.parent is None:
                continue  # a root: what the process started with; no task brought it in
            own = DeepMerge.get_updated_keys(task.parent.data, task.data)
            for name, value in (*own.items(), *task.internal_data.items()):
                reason = unstorable_reason(value)
                if reason is not None:
                    return task, f"{name!r} cannot be stored: {reason}"
    return None


def unstorable_reason(value) -> str | None:
    """Why the state could not hold `value`, in words; None when it can."""
    try:
        json.dumps(value, cls=json_encoder())
        return None
    except UNSTORABLE as exc:
        limit = sys.get_int_max_str_digits()  # JSON writes an int as decimal text: CPython's limit holds
        try:
            approx_json_size(value, _SEARCH_BUDGET, limit / math.log10(2) if limit else math.inf)
        except OversizedInteger as found:
            digits = int((found.bits - 0.5) * math.log10(2)) + 1
            return f"it holds an integer of about {digits:,} digits; the limit is {limit:,} digits"
        return str(exc)
