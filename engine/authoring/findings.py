"""What lint reports: a finding with a severity, the check that found it, and where (file, line, element)."""
from __future__ import annotations

from dataclasses import dataclass

from engine.errors import Problem

SEVERITIES = {"info": 0, "warning": 1, "error": 2}


@dataclass(frozen=True)
class Finding:
    severity: str
    check: str
    file: str
    message: str
    element: str | None = None
    line: int | None = None

    def __str__(self) -> str:
        where = self.file + (f":{self.line}" if self.line else "")
        if self.element:
            where += f" [{self.element}]"
        return f"{where}: {self.severity}: {self.message} ({self.check})"

    def to_dict(self) -> dict:
        return {"severity": self.severity, "check": self.check, "file": self.file, "element": self.element,
                "line": self.line, "message": self.message}

    @classmethod
    def of(cls, problem: Problem, severity: str, check: str) -> Finding:
        return cls(severity, check, problem.file, problem.message, problem.element, problem.line)


def at(severity: str, check: str, path: str, el, message: str, element: str | None = None) -> Finding:
    """A finding on an XML element: its id and line."""
    return Finding(severity, check, path, message, element or el.get("id"), el.sourceline)
