"""How a field's place in the data (a path such as ("medications", 0, "name")) is written: as an HTML control
name (`medications[0][name]`), as an error key (`medications.0.name`) and as an element id (`f-medications-0-name`)."""
from __future__ import annotations

import re

_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")


def index_placeholder(depth: int) -> str:
    """What stands for a new row's index in a repeating group's <template>, one per nesting depth (a row
    template holds the templates of its nested groups, which keep their own placeholder)."""
    return f"__I{depth}__"


def number_placeholder(depth: int) -> str:
    return f"__N{depth}__"


def is_placeholder(part) -> bool:
    return isinstance(part, str) and part.startswith("__I") and part.endswith("__")

Path = tuple


def html_name(path: Path) -> str:
    if not path:
        return ""
    first, rest = str(path[0]), path[1:]
    return first + "".join(f"[{p}]" for p in rest)


def error_key(path: Path) -> str:
    """The key of a field's message in an errors mapping: the path joined by dots ("" for the whole form)."""
    return ".".join(str(p) for p in path)


def parse_error_key(key: str) -> Path:
    if not key:
        return ()
    return tuple(int(p) if p.isdigit() else p for p in key.split("."))


def element_id(prefix: str, path: Path, variant: int = 0) -> str:
    parts = [prefix] + [_ID_UNSAFE.sub("_", str(p)) for p in path]
    out = "-".join(parts)
    return f"{out}--{variant}" if variant else out
