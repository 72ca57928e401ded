"""Errors the engine raises to its callers (CLI, web app, workers).

Every error carries a message meant for a person; none of them should surface as a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass, field


class CarepathError(Exception):
    """Base class: a failure with a message fit to show a user."""

    exit_code = 1

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class NotFound(CarepathError):
    exit_code = 3


class Conflict(CarepathError):
    """The thing changed under us (a concurrent completion, a task already done)."""

    exit_code = 4


class Forbidden(CarepathError):
    """The actor may not do this (task claimed by someone else, role missing)."""

    exit_code = 5


class RoleMissing(Forbidden):
    """The actor does not hold the role the thing belongs to (a task of another role's queue)."""


class InvalidInput(CarepathError):
    """Input that is wrong in itself (bad JSON, unknown option, bad value)."""

    exit_code = 2


class InvalidState(CarepathError):
    """The operation does not fit the current state (resume a running instance...)."""

    exit_code = 4


@dataclass(frozen=True)
class Problem:
    """One problem found in a bundle: which file, which element, which line, what is wrong."""

    file: str
    message: str
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line:
            where += f":{self.line}"
        if self.element:
            where += f" [{self.element}]"
        return f"{where}: {self.message}"

    def to_dict(self) -> dict:
        return {"file": self.file, "element": self.element, "line": self.line, "message": self.message}


@dataclass
class BundleRefused(CarepathError):
    """A bundle that does not validate; nothing of it was stored."""

    problems: list[Problem] = field(default_factory=list)
    exit_code = 2

    def __post_init__(self):
        lines = "\n".join(f"  - {p}" for p in self.problems)
        CarepathError.__init__(self, f"bundle refused, {len(self.problems)} problem(s):\n{lines}")
