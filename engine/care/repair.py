"""Fixing an instance's data before it is retried: the admin edits named fields, typed as text; each is read
as its form says (a number where the form asks for one) and checked against that form's field, where a form has
the field (the failed task's form first, then the forms of the instance's tasks, then any form of its bundle).
A field no form knows is read as JSON when it parses, else as text."""
from __future__ import annotations

import json
import re

from jsonschema import Draft202012Validator, FormatChecker

from engine.care import characters
from engine.errors import InvalidInput

FIELD_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,99}$")
MAX_FIELDS = 50
MAX_TEXT = 20_000


class RetryRefused(InvalidInput):
    """Fields that do not fit their form (or are not fields at all): `errors` maps each to what is wrong."""

    def __init__(self, errors: dict[str, str]):
        self.errors = errors
        listed = "; ".join(f"{name}: {message}" for name, message in errors.items())
        super().__init__(f"the data was not changed and the instance not retried: {listed}")


def read_fields(raw: dict[str, str], schemas: dict[str, tuple[str, dict]]) -> dict:
    """The edited fields as values (`raw`: field name -> the text typed), each checked against its form's
    field in `schemas` (field name -> (form file, JSON Schema)); RetryRefused names every field that is wrong."""
    if len(raw) > MAX_FIELDS:
        raise RetryRefused({"(fields)": f"at most {MAX_FIELDS} fields at once"})
    values, errors = {}, {}
    for name, text in raw.items():
        problem = _name_problem(name)
        if problem is None and (refused := characters.refused_character(text)):
            problem = refused
        if problem is None and len(text) > MAX_TEXT:
            problem = f"is {len(text)} characters long; at most {MAX_TEXT}"
        if problem is not None:
            errors[name[:100]] = problem
            continue
        form = schemas.get(name)
        try:
            value = _read(text, form[1] if form else None)
        except ValueError as exc:
            errors[name] = str(exc)
            continue
        if form is not None and (wrong := _against(value, form)):
            errors[name] = wrong
            continue
        values[name] = value
    if errors:
        raise RetryRefused(errors)
    return values


def _name_problem(name: str) -> str | None:
    if not isinstance(name, str) or not FIELD_NAME.match(name):
        return "is not a field name (letters, digits and _, starting with a letter or _)"
    return None


def _types(schema: dict) -> list[str]:
    kind = schema.get("type")
    if isinstance(kind, list):
        return [str(k) for k in kind]
    if kind:
        return [str(kind)]
    if "enum" in schema:
        return sorted({_json_type(v) for v in schema["enum"]})
    return []


def _json_type(value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _read(text: str, schema: dict | None):
    """The value of `text`: as the field's type says; without a form, JSON when it parses, else the text."""
    stripped = text.strip()
    kinds = _types(schema) if schema else []
    if stripped == "" and (not kinds or "null" in kinds):
        return None
    if not kinds:
        try:
            return json.loads(stripped, parse_constant=_no_constant)
        except ValueError:
            return text
    if kinds == ["string"] or (len(kinds) == 2 and set(kinds) == {"string", "null"}):
        return text
    if "boolean" in kinds and stripped.lower() in ("true", "yes", "false", "no"):
        return stripped.lower() in ("true", "yes")
    try:
        value = json.loads(stripped, parse_constant=_no_constant)
    except ValueError:
        if "string" in kinds:
            return text
        raise ValueError(f"'{stripped[:40]}' is not a {' or '.join(kinds)}") from None
    if "string" in kinds and _json_type(value) not in kinds:
        return text
    return value


def _no_constant(name: str):
    raise ValueError(name)


def _against(value, form: tuple[str, dict]) -> str | None:
    name, schema = form
    validator = Draft202012Validator(schema, format_checker=FormatChecker())
    found = sorted(validator.iter_errors(value), key=lambda e: list(e.path))
    if not found:
        return None
    return f"{found[0].message} (the form {name} asks for this)"
