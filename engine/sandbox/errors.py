"""The exceptions the sandbox raises: one base class, one subclass per kind of refusal.

SpiffWorkflow wraps them into a WorkflowTaskException named after the class ("TimeLimitExceeded:script exceeded
its time limit of 2.0 s") with the script line that was running.
"""
from __future__ import annotations

import re


class SandboxViolation(Exception):
    """A script or expression did something pathway code may not do. The message names what was refused."""


class RefusedCode(SandboxViolation, SyntaxError):
    """The code was refused before running: a syntax error or a construct the sandbox policy forbids.

    It is also a SyntaxError so that SpiffWorkflow reports its line number (`lineno`).
    """

    def __init__(self, errors: list[str] | tuple[str, ...]):
        message = "; ".join(errors)
        super().__init__(message)
        self.errors = tuple(errors)
        found = re.match(r"Line (\d+):", errors[0]) if errors else None
        self.lineno = int(found.group(1)) if found else None

    def __str__(self) -> str:
        return self.args[0]


class ImportRefused(SandboxViolation):
    """An import of a module outside the allow-list."""


class AccessRefused(SandboxViolation):
    """Access to a private attribute, a forbidden builtin (open, type...), or a write to a protected object."""


class TimeLimitExceeded(SandboxViolation):
    """The code ran longer than its time limit."""


class SizeLimitExceeded(SandboxViolation):
    """The code would build a value (text, list, integer, task data) larger than the limits allow."""


class MemoryLimitExceeded(SandboxViolation):
    """The process's memory grew past the memory budget while the code ran."""
