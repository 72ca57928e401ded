"""SpiffArena's form schemas read as JSON Schema.

SpiffArena lets a choice take its answers from the task's data: `"items": "options_from_task_data_var:NAME"`, or
the same placeholder inside `anyOf`, `oneOf` or `enum`. `resolve(schema, task_data)` gives plain JSON Schema:
each placeholder becomes the answers the data lists under NAME (an `enum`), or any value when it lists none.
The deploy-time check reads a form without data; a submission is checked with its task's data, so an answer
must be one the task offered, whoever sends it. The lists NAME may hold are SpiffArena's: [{value, label}],
[{const, title}], plain values, or a {value: label} mapping.
"""
from __future__ import annotations

from collections.abc import Mapping

PLACEHOLDER = "options_from_task_data_var:"
_BY_IDENTITY: dict[int, tuple[dict, bool]] = {}  # id(schema) -> (schema, whether it has placeholders)


def variable(text) -> str | None:
    """NAME of a placeholder string, else None."""
    if isinstance(text, str) and text.startswith(PLACEHOLDER):
        return text[len(PLACEHOLDER):].strip()
    return None


def listed_values(name: str, task_data: Mapping | None) -> list | None:
    """The answers the task's data lists under `name`; None when it lists none (any answer is taken then)."""
    options = (task_data or {}).get(name)
    if isinstance(options, Mapping):
        values = list(options)
    elif isinstance(options, list):
        values = []
        for option in options:
            if isinstance(option, Mapping) and "value" in option:
                values.append(option["value"])
            elif isinstance(option, Mapping) and "const" in option:
                values.append(option["const"])
            elif not isinstance(option, Mapping | list):
                values.append(option)
    else:
        return None
    return values or None


def _answers(name: str, task_data: Mapping | None) -> dict:
    values = listed_values(name, task_data)
    return {"enum": values} if values is not None else {}


def resolve(schema, task_data: Mapping | None = None):
    """`schema` with every placeholder replaced by the answers `task_data` lists (or by any value)."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "enum" and isinstance(value, list) and any(variable(v) for v in value):
                values = listed_values(next(variable(v) for v in value if variable(v)), task_data)
                if values is not None:
                    out["enum"] = values
            else:
                out[key] = resolve(value, task_data)
        return out
    if isinstance(schema, list):
        return [resolve(v, task_data) for v in schema]
    name = variable(schema)
    return _answers(name, task_data) if name is not None else schema


def has_placeholders(schema) -> bool:
    """Whether a form takes answers from the task's data. A parsed form is the same dict on every submission
    (engine.deploy.spec_cache), so the answer is kept by identity."""
    if isinstance(schema, dict):
        entry = _BY_IDENTITY.get(id(schema))
        if entry is not None and entry[0] is schema:
            return entry[1]
        found = _search(schema)
        if len(_BY_IDENTITY) >= 512:
            _BY_IDENTITY.clear()
        _BY_IDENTITY[id(schema)] = (schema, found)
        return found
    return _search(schema)


def _search(value) -> bool:
    if isinstance(value, dict):
        return any(_search(v) for v in value.values())
    if isinstance(value, list):
        return any(_search(v) for v in value)
    return variable(value) is not None
