"""The script and expression sandbox: RestrictedPython with guards, an import allow-list and limits.

    engine = SandboxedScriptEngine()                      # or SandboxedScriptEngine(SandboxLimits(...))
    workflow = BpmnWorkflow(spec, script_engine=engine)
    problems = check_source("import os", "exec")           # deploy-time check, runs nothing
"""
from .compiler import check_source
from .connectors import ConnectorRegistry, register_connector, unregister_connector
from .environment import SandboxEnvironment
from .errors import (
    AccessRefused,
    ImportRefused,
    MemoryLimitExceeded,
    RefusedCode,
    SandboxViolation,
    SizeLimitExceeded,
    TimeLimitExceeded,
)
from .limits import SandboxLimits
from .policy import ALLOWED_IMPORTS
from .script_engine import SandboxedScriptEngine

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
