"""Compiling pathway code with the sandbox policy, cached per source string, and the deploy-time check."""
from __future__ import annotations

from functools import lru_cache
from types import CodeType

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from engine.sandbox.errors import RefusedCode
from engine.sandbox.policy import SandboxPolicy

MODES = {"eval": compile_restricted_eval, "exec": compile_restricted_exec}

# SpiffWorkflow finds the failing line of a script by looking for traceback frames of this file name.
FILENAME = "<string>"


@lru_cache(maxsize=2048)
def _compile(source: str, mode: str) -> tuple[CodeType | None, tuple[str, ...]]:
    result = MODES[mode](source, filename=FILENAME, policy=SandboxPolicy)
    return result.code, tuple(result.errors)


def compile_source(source: str, mode: str) -> CodeType:
    """Restricted code for `source` ('eval' for expressions, 'exec' for scripts); raises RefusedCode."""
    if mode not in MODES:
        raise ValueError(f"mode must be 'eval' or 'exec', not {mode!r}")
    if not isinstance(source, str):
        raise TypeError(f"pathway code must be a string, not {type(source).__name__}")
    code, errors = _compile(source, mode)
    if code is None:
        raise RefusedCode(errors or ("the code could not be compiled",))
    return code


def check_source(source: str, mode: str) -> list[str]:
    """Compile-only check for deploy time: the reasons `source` would be refused, [] when it is fine.

    mode is 'eval' (conditions, timer and other expressions) or 'exec' (script tasks). Syntax errors and policy
    errors read like 'Line 2: import of 'os' is not allowed in pathway scripts (...)'. Nothing is run.
    """
    try:
        compile_source(source, mode)
    except RefusedCode as refused:
        return list(refused.errors)
    except TypeError as error:
        return [str(error)]
    return []
