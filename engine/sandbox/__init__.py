"""The script and expression sandbox: RestrictedPython with guards, an import allow-list and limits. Every
script, condition, timer expression and decision of a pathway runs here. May import `engine.time` (the clock
and the business calendar scripts see) and `engine.errors`; nothing that touches the database.

A C call cannot be interrupted, so the limits hold in two ways: an operation that could build a huge value or
run for long in one C call is refused before it starts (arith.py, integers.py, text.py, access.py), and
between any two other operations that can allocate, a check looks at the deadline and the memory budget
(checkpoints.py, timelimit.py, memory.py).

    engine = SandboxedScriptEngine()                      # or SandboxedScriptEngine(SandboxLimits(...))
    workflow = BpmnWorkflow(spec, script_engine=engine)
    problems = check_source("import os", "exec")           # deploy-time check, runs nothing
"""
from engine.sandbox.compiler import check_source
from engine.sandbox.connectors import ConnectorRegistry, register_connector, unregister_connector
from engine.sandbox.environment import SandboxEnvironment
from engine.sandbox.errors import (
    AccessRefused,
    ImportRefused,
    MemoryLimitExceeded,
    RefusedCode,
    SandboxViolation,
    SizeLimitExceeded,
    TimeLimitExceeded,
)
from engine.sandbox.limits import SandboxLimits
from engine.sandbox.policy import ALLOWED_IMPORTS
from engine.sandbox.script_engine import SandboxedScriptEngine

__all__ = [
    "ALLOWED_IMPORTS",
    "AccessRefused",
    "ConnectorRegistry",
    "ImportRefused",
    "MemoryLimitExceeded",
    "RefusedCode",
    "SandboxEnvironment",
    "SandboxLimits",
    "SandboxViolation",
    "SandboxedScriptEngine",
    "SizeLimitExceeded",
    "TimeLimitExceeded",
    "check_source",
    "register_connector",
    "unregister_connector",
]
