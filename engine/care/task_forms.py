"""The one check of submitted task data against the task's form (JSON Schema), for every client: web page, CLI,
API. Answers the task takes from its data (SpiffArena's `options_from_task_data_var`) must be ones it lists;
read-only fields hold what the task's data says; minutes spent are a whole number of a day at most."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from engine.care.characters import refused_in
from engine.deploy import form_schemas
from engine.errors import InvalidInput

MINUTES_FIELD = "minutes_spent"
MAX_MINUTES = 24 * 60


@dataclass(frozen=True)
class TaskForm:
    """What a submission is read against: the task's form (JSON Schema and UI schema, by file name) and the
    data the task holds, which prefills the form and lists the answers some choices take."""
    name: str | None
    schema: dict | None
    ui_schema: dict | None
    data: dict


@dataclass(frozen=True)
class Submission:
    """Answers to a task's form. `cleared` names answers to take out of the task's data (emptied on the page);
    `minutes` are the minutes spent, when the form does not ask for them itself; `unreadable` are answers the
    caller could not read (text where a number goes), refused with the rest by field.

    Answers holding a control character (a NUL...) anywhere, nested ones and field names included, are refused
    as the submission is made (FormInvalid, by field path): whether it is completed or kept as a draft, whoever
    sends it, nothing of it is stored."""
    data: dict
    cleared: tuple[str, ...] = ()
    minutes: int | str | None = None
    unreadable: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        check_characters(self.data)


def check_characters(data, form_name: str | None = None) -> None:
    """Refuse (FormInvalid) answers with a control character in any string of them, each named by its path
    ("medications.0.name"): a database may not store it, and no person typed it."""
    found = list(refused_in(data))
    if found:
        problems = tuple(FieldProblem(path, "controlCharacter", None, message) for path, message in found)
        raise FormInvalid(form_name, {".".join(map(str, path)) or "(form)": message for path, message in found},
                          problems)


@dataclass(frozen=True)
class FieldProblem:
    """What is wrong at one place of a submission, in JSON Schema's terms, for a caller to word for people:
    `path` to the field (names and row numbers), the `keyword` that failed, and that keyword's value."""
    path: tuple
    keyword: str
    value: Any = None
    message: str = ""  # the engine's own wording (for clients that do not word problems themselves)


class FormInvalid(InvalidInput):
    """Submitted data does not satisfy the form; `errors` maps each field path to what is wrong with it,
    `problems` says the same per field in JSON Schema's terms. `context` is set by the service when the task's
    page can be shown again with them (what the form needs, read in the same transaction)."""

    def __init__(self, form: str | None, errors: dict[str, str], problems: tuple[FieldProblem, ...] = ()):
        self.errors = errors
        self.problems = tuple(problems) or tuple(FieldProblem(tuple(k.split(".")), "invalid", None, m)
                                                 for k, m in errors.items())
        self.context = None
        lines = "; ".join(f"{field}: {msg}" for field, msg in errors.items())
        super().__init__(f"the form {form or ''} has {len(errors)} problem(s): {lines}".replace("  ", " "))


@lru_cache(maxsize=256)
def _validator(schema_key: str):
    schema = json.loads(schema_key)
    cls = validator_for(schema, default=Draft202012Validator)
    return cls(schema, format_checker=FormatChecker())


_BY_IDENTITY: dict[int, tuple[dict, object]] = {}  # id(schema) -> (schema, its validator)
_BY_IDENTITY_SIZE = 256


def _validator_of(schema: dict, task_data: dict | None = None):
    """The validator of a form schema. A deployment's forms are parsed once and kept (engine.deploy.spec_cache),
    so every submission to a form passes the same dict: it is found by identity, without serialising it to a
    key. The entry holds the dict itself, so its id cannot be reused by another while the entry lives; forms
    are never changed in place (a new pathway version parses its own). A form that takes answers from the
    task's data is resolved with that data each time."""
    if form_schemas.has_placeholders(schema):
        return _validator(json.dumps(form_schemas.resolve(schema, task_data), sort_keys=True, default=str))
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
        raise FormInvalid(form_name, {name: READ_ONLY for name in changed},
                          tuple(FieldProblem((name,), "readOnly", True, READ_ONLY) for name in changed))
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


def check_minutes(value) -> int | None:
    """Minutes spent on a task: a whole number from 0 to a day, or None when not given."""
    if value in (None, ""):
        return None
    try:
        minutes = int(str(value).strip())
    except ValueError:
        raise InvalidInput("Minutes spent must be a whole number") from None
    if not 0 <= minutes <= MAX_MINUTES:
        raise InvalidInput(f"Minutes spent must be between 0 and {MAX_MINUTES}")
    return minutes


def asks_minutes(schema: dict | None) -> bool:
    """Whether the form asks for the minutes spent itself (the pathway forms do); else the page may."""
    return MINUTES_FIELD in ((schema or {}).get("properties") or {})


def minutes_of(schema: dict | None, data: dict, given, form_name: str | None = None) -> int | None:
    """The minutes spent on the task: the form's own answer when it asks, else what the caller gave; refused
    by name when they are not a whole number of a day at most."""
    value = data.get(MINUTES_FIELD) if asks_minutes(schema) else given
    try:
        return check_minutes(value)
    except InvalidInput as exc:
        raise FormInvalid(form_name, {MINUTES_FIELD: exc.message},
                          (FieldProblem((MINUTES_FIELD,), "minutes", MAX_MINUTES, exc.message),)) from None


def _problems(error):
    """The field problems of one jsonschema error: each missing answer of a `required` on its own, the closest
    branch of a failed `oneOf`/`anyOf` of objects."""
    path = tuple(error.absolute_path)
    keyword = error.validator
    if keyword == "required" and isinstance(error.instance, dict):
        yield from (FieldProblem(path + (n,), "required", None, "is required")
                    for n in error.validator_value if n not in error.instance)
        return
    if keyword in ("dependentRequired", "dependencies") and isinstance(error.instance, dict):
        for trigger, names in (error.validator_value or {}).items():
            if trigger in error.instance and isinstance(names, list):
                yield from (FieldProblem(path + (n,), "required", None, "is required")
                            for n in names if n not in error.instance)
        return
    if keyword in ("oneOf", "anyOf") and error.context and isinstance(error.instance, dict):
        deeper = best_match(error.context)
        if deeper is not None:
            yield from _problems(deeper)
            return
    yield FieldProblem(path, keyword, error.validator_value, error.message)


def validate_submission(schema: dict | None, data: dict, form_name: str | None = None,
                        task_data: dict | None = None) -> None:
    """Refuse `data` (FormInvalid) unless it satisfies the form; an answer taken from the task's data must be
    one `task_data` lists."""
    if not schema:
        return
    validator = _validator_of(schema, task_data)
    errors: dict[str, str] = {}
    problems: list[FieldProblem] = []
    for error in sorted(validator.iter_errors(data), key=lambda e: list(map(str, e.absolute_path))):
        problems.extend(_problems(error))
        path = ".".join(str(p) for p in error.absolute_path)
        if error.validator == "required" and not path:
            missing = error.message.split("'")[1] if "'" in error.message else error.message
            errors.setdefault(missing, "is required")
            continue
        errors.setdefault(path or "(form)", error.message)
    if errors:
        raise FormInvalid(form_name, errors, tuple(problems))
