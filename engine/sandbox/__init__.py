"""The script and expression sandbox: RestrictedPython with guards, an import allow-list and limits. Every
script, condition, timer expression and decision of a pathway runs here. May import `engine.time` (the clock
and the business calendar scripts see) and `engine.errors`; nothing that touches the database.

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
