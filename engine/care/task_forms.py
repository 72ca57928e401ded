"""Server-side check of submitted task data against the task's JSON Schema form."""
from __future__ import annotations

import json
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.validators import validator_for

from engine.errors import InvalidInput


class FormInvalid(InvalidInput):
    """Submitted data does not satisfy the form; `errors` maps each field path to what is wrong with it."""

    def __init__(self, form: str | None, errors: dict[str, str]):
        self.errors = errors
        lines = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
        super().__init__(f"the form {form or ''} has {len(errors)} problem(s): {lines}".replace("  ", " "))


def normalise_schema(schema):
    """SpiffArena's `"items": "options_from_task_data_var:NAME"` is not JSON Schema: read it as any items.
    The placeholder also stands for a subschema elsewhere (`"anyOf": ["options_from_task_data_var:NAME"]`,
    SpiffArena's 1-2-forms example): read it as any value there too, as the deploy-time check does."""
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key == "items" and isinstance(value, str):
                out[key] = {}
            else:
                out[key] = normalise_schema(value)
        return out
    if isinstance(schema, list):
        return [normalise_schema(v) for v in schema]
    if isinstance(schema, str) and schema.startswith("options_from_task_data_var:"):
        return {}
    return schema


@lru_cache(maxsize=256)
def _validator(schema_key: str):
    schema = normalise_schema(json.loads(schema_key))
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, format_checker=FormatChecker())


_BY_IDENTITY: dict[int, tuple[dict, object]] = {}  # id(schema) -> (schema, its validator)
_BY_IDENTITY_SIZE = 256


def _validator_of(schema: dict):
    """The validator of a form schema. A deployment's forms are parsed once and kept (engine.deploy.spec_cache), so every
    submission to a form passes the same dict: it is found by identity, without serialising it to a key. The
    entry holds the dict itself, so its id cannot be reused by another while the entry lives; forms are never
    changed in place (a new deployment version parses its own)."""
    entry = _BY_IDENTITY.get(id(schema))
    if entry is not None and entry[0] is schema:
        return entry[1]
    validator = _validator(json.dumps(schema, sort_keys=True))
    if len(_BY_IDENTITY) >= _BY_IDENTITY_SIZE:
        _BY_IDENTITY.clear()  # rare; the validators stay in _validator's own cache
    _BY_IDENTITY[id(schema)] = (schema, validator)
    return validator


_BRANCHES = ("allOf", "anyOf", "oneOf")
_CONDITIONAL = ("if", "then", "else")


def _fields(schema: dict | None):
    """(name, property schema) of each top-level answer a form declares: its properties, those of if/then/else
    and allOf-like branches, and those of dependentSchemas (a conditional field is still the form's own)."""
    if not isinstance(schema, dict):
        return
    yield from (schema.get("properties") or {}).items()
    for key in _CONDITIONAL:
        yield from _fields(schema.get(key))
    for key in _BRANCHES:
        for branch in schema.get(key) or ():
            yield from _fields(branch)
    for dependent in (schema.get("dependentSchemas") or schema.get("dependencies") or {}).values():
        yield from _fields(dependent)


def field_names(schema: dict | None) -> set[str]:
    """The top-level answers a form declares, conditional ones included."""
    return {name for name, _ in _fields(schema)}


def read_only_fields(schema: dict | None) -> set[str]:
    """The top-level fields a form shows but does not ask for (`readOnly`): the pathway sets them."""
    return {name for name, prop in _fields(schema) if isinstance(prop, dict) and prop.get("readOnly") is True}


READ_ONLY = "is read-only: the pathway sets it, a submission cannot change it"


def as_shown(schema: dict | None, data: dict, task_data: dict, form_name: str | None = None) -> dict:
    """The submission as the form stands when it is sent: its read-only fields hold what the task's data says,
    whatever the client sent or left out, so a rule that reads one (enrol only an eligible candidate) holds for
    every client, not only for the web page. A submission that changes a read-only field is refused."""
    fixed = read_only_fields(schema)
    if not fixed:
        return data
    changed = sorted(name for name in fixed if name in data and data[name] != task_data.get(name))
    if changed:
        raise FormInvalid(form_name, {name: READ_ONLY for name in changed})
    return {**{name: task_data[name] for name in fixed if name in task_data}, **data}


def check_cleared(schema: dict | None, cleared, form_name: str | None = None) -> list[str]:
    """The answers a submission clears (emptied on the page), checked: each must be a field of the task's form,
    so a submission can only take back what the form asks for."""
    cleared = list(cleared or ())
    if not cleared:
        return []
    if any(not isinstance(name, str) for name in cleared):
        raise InvalidInput("the answers to clear must be given by their field names")
    unknown = sorted(set(cleared) - field_names(schema))
    if unknown:
        raise InvalidInput(f"cannot clear {', '.join(repr(n) for n in unknown)}: not a field of the form "
                           f"{form_name or '(none)'}")
    fixed = sorted(set(cleared) & read_only_fields(schema))
    if fixed:
        raise InvalidInput(f"cannot clear {', '.join(repr(n) for n in fixed)}: read-only on the form "
                           f"{form_name or '(none)'}, the pathway sets it")
    return cleared


def validate_submission(schema: dict | None, data: dict, form_name: str | None = None) -> None:
    if not schema:
        return
    validator = _validator_of(schema)
    errors: dict[str, str] = {}
    for error in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path)):
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and not path:
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            errors.setdefault(missing, "is required")
            continue
        errors.setdefault(path or "(form)", error.message)
    if errors:
        raise FormInvalid(form_name, errors)
