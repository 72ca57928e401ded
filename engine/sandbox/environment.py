"""SandboxEnvironment: SpiffWorkflow's script environment, running code under the sandbox.

Semantics follow SpiffWorkflow's TaskDataEnvironment: an expression sees task data as names; a script reads and
writes task data as variables, `del x` removes x from the data, and the helpers, modules and functions it defines
do not end up in the data. Unlike TaskDataEnvironment, a script that fails changes nothing: it runs on a copy of
the data, which replaces the task data only when the script has finished within its limits.
"""
from __future__ import annotations

from types import ModuleType

from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from engine.sandbox.compiler import compile_source
from engine.sandbox.errors import SandboxViolation, SizeLimitExceeded
from engine.sandbox.integers import refuse_int
from engine.sandbox.limits import SCALARS, OversizedInteger, SandboxLimits, approx_json_size, copy_data
from engine.sandbox.namespace import Namespace
from engine.sandbox.timelimit import Deadline


class SandboxEnvironment(BasePythonScriptEngineEnvironment):
    def __init__(self, limits: SandboxLimits | None = None, environment_globals: dict | None = None):
        """environment_globals: extra helpers (name -> function or value) pre-bound for every script."""
        super().__init__(environment_globals)
        self.limits = limits or SandboxLimits()
        self.max_int_bits = self.limits.max_int_bits
        self.namespace = Namespace(self.limits, self.globals)

    def evaluate(self, expression, context, external_context=None):
        code = compile_source(expression, "eval")
        deadline = self._deadline("expression")
        scope = self.namespace.globals_for(context, external_context, deadline.check)
        with deadline:
            result = _run(eval, code, scope)  # noqa: S307 - restricted code, compiled by compile_source
        deadline.finish()
        self._check_size(result, "the expression's value")
        return result

    def execute(self, script, context, external_context=None):
        code = compile_source(script, "exec")
        external = external_context or {}
        deadline = self._deadline("script")
        scope = self.namespace.globals_for(copy_data(context), external, deadline.check)
        with deadline:
            _run(exec, code, scope)  # noqa: S102 - restricted code, compiled by compile_source
        deadline.finish()
        data = self._data_after(scope, context, external)
        self._check_size(data, "the task data after this script", context)
        for name in [name for name in context if name not in data]:
            del context[name]
        context.update(data)
        return True

    def _deadline(self, what: str) -> Deadline:
        return Deadline(self.limits.time_limit_seconds, what, self.limits.max_memory_bytes)

    def call_service(self, context, **kwargs):
        raise NotImplementedError("service tasks are called through SandboxedScriptEngine.call_service")

    def _data_after(self, scope: dict, before: dict, external: dict) -> dict:
        helpers = self.namespace.helpers
        data = {}
        for name, value in scope.items():
            if name in self.namespace.reserved or (name.startswith("_") and name not in before):
                continue
            if (name in helpers and value is helpers[name]) or (name in external and value is external[name]):
                continue
            if callable(value) or isinstance(value, ModuleType):
                continue
            data[name] = value
        # task data that happens to use a reserved name is kept as it was
        data.update({name: before[name] for name in self.namespace.reserved if name in before})
        return data

    def _check_size(self, value, what: str, before: dict | None = None) -> None:
        """Refuse a value over the data limit, or holding an integer too large to store (an addition loop can
        grow one past the limits that the operators hold to). When the data the script started from held one
        already, it is not the script's doing: the runtime names the task that brought it in."""
        if isinstance(value, SCALARS):
            if type(value) is int and value.bit_length() > self.max_int_bits:
                refuse_int(self.limits, what, value.bit_length())
            return
        limit = self.limits.max_data_bytes
        try:
            size = approx_json_size(value, limit, self.max_int_bits)
        except OversizedInteger as found:
            if before is not None and _holder(before, limit, self.max_int_bits):
                size = approx_json_size(value, limit)
            else:
                refuse_int(self.limits, f"a value in {what}{_holder(value, limit, self.max_int_bits)}", found.bits)
        if size > limit:
            raise SizeLimitExceeded(f"{what} is over {limit:,} bytes of JSON (about {size:,} or more)")


def _holder(value, budget: int, max_int_bits: int) -> str:
    """` ('name')`: the top-level name of `value` (task data) that holds an integer over the limit."""
    for name, item in value.items() if isinstance(value, dict) else ():
        try:
            approx_json_size(item, budget, max_int_bits)
        except OversizedInteger:
            return f" ({name!r})"
    return ""


def _run(run, code, scope):
    try:
        return run(code, scope)
    except (SystemExit, GeneratorExit) as escape:
        # never let pathway code stop the process; these are not reachable by name, this is a second fence
        raise SandboxViolation(f"{type(escape).__name__} is not allowed in pathway scripts") from None
