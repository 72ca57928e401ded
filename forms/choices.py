"""The answers of a choice field: from `enum` (+ `enumNames`), from `oneOf`/`anyOf` of {const, title}, or from the
task's data (SpiffArena's `options_from_task_data_var:NAME`); how each answer travels in an HTML form."""
from __future__ import annotations

import json
import re
from collections.abc import Mapping

from .model import Choice

TASK_DATA_PREFIX = "options_from_task_data_var:"
_IDENTIFIER = re.compile(r"^[a-z][a-z0-9_]*$")


def token(value) -> str:
    """The text an answer is posted as: strings as they are, other values as JSON (1, 2.5, true, null)."""
    return value if isinstance(value, str) else json.dumps(value)


def humanise(value) -> str:
    """A readable label for a bare enum value: `adjust_medication` reads "Adjust medication"."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if value is None:
        return "None"
    text = str(value)
    if _IDENTIFIER.match(text):
        text = text.replace("_", " ")
        return text[0].upper() + text[1:]
    return text


def humanise_name(name: str) -> str:
    """A label for a property without a title: `weight_kg` reads "Weight kg", `firstName` "First name"."""
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", name).replace("_", " ").strip()
    return (text[0].upper() + text[1:].lower()) if text else name


def _choice(value, label) -> Choice:
    return Choice(value=value, label=str(label) if label not in (None, "") else humanise(value), token=token(value))


def task_data_variable(schema) -> str | None:
    """NAME of SpiffArena's `options_from_task_data_var:NAME`, in `anyOf`/`oneOf`, `enum` or `items`."""
    if isinstance(schema, str) and schema.startswith(TASK_DATA_PREFIX):
        return schema[len(TASK_DATA_PREFIX):].strip()
    if isinstance(schema, dict):
        for word in ("anyOf", "oneOf", "enum"):
            options = schema.get(word)
            if isinstance(options, list):
                for option in options:
                    if isinstance(option, str) and option.startswith(TASK_DATA_PREFIX):
                        return option[len(TASK_DATA_PREFIX):].strip()
    return None


def from_schema(schema: dict, ui: Mapping) -> tuple[Choice, ...]:
    """Static answers of `schema` (a property, or an array's `items`); () when it is not a choice."""
    if not isinstance(schema, dict):
        return ()
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and not any(isinstance(v, str) and v.startswith(TASK_DATA_PREFIX)
                                                    for v in enum):
        names = ui.get("ui:enumNames") or (ui.get("ui:options") or {}).get("enumNames") or schema.get("enumNames")
        names = names if isinstance(names, list) else []
        return tuple(_choice(v, names[i] if i < len(names) else None) for i, v in enumerate(enum))
    for word in ("oneOf", "anyOf"):
        options = schema.get(word)
        if isinstance(options, list) and options and all(_is_option(o) for o in options):
            return tuple(_choice(_option_value(o), o.get("title")) for o in options)
    return ()


def _is_option(option) -> bool:
    return isinstance(option, dict) and ("const" in option or (isinstance(option.get("enum"), list)
                                                                and len(option["enum"]) == 1))


def _option_value(option: dict):
    return option["const"] if "const" in option else option["enum"][0]


def from_task_data(variable: str | None, task_data: Mapping | None) -> tuple[Choice, ...]:
    """Answers listed in the task's data: a list of {value, label} (SpiffArena), of {const, title}, of plain
    values, or a {value: label} mapping. () when the variable is missing."""
    if not variable or not task_data:
        return ()
    options = task_data.get(variable)
    if isinstance(options, Mapping):
        return tuple(_choice(v, label) for v, label in options.items())
    if not isinstance(options, list):
        return ()
    out = []
    for option in options:
        if isinstance(option, Mapping) and "value" in option:
            out.append(_choice(option["value"], option.get("label", str(option["value"]))))
        elif isinstance(option, Mapping) and _is_option(option):
            out.append(_choice(_option_value(option), option.get("title")))
        elif not isinstance(option, Mapping | list):
            out.append(Choice(value=option, label=str(option), token=token(option)))
    return tuple(out)


def boolean_choices(schema: dict, ui: Mapping) -> tuple[Choice, ...]:
    """Yes / No, or the titles a `oneOf` gives true and false."""
    labels = {True: "Yes", False: "No"}
    for option in from_schema(schema, ui):
        if isinstance(option.value, bool):
            labels[option.value] = option.label
    return (Choice(True, labels[True], "true"), Choice(False, labels[False], "false"))
