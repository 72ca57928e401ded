"""Server-side check of form data with jsonschema, worded for a care manager, one message per field path.

The whole schema is checked (draft 2020-12, or draft-07 when `$schema` says so; dates with format checking), so
what passes here passes the engine's own check of the same schema. Messages are keyed by the field's path joined
with dots (`medications.0.name`; "" for the form as a whole) and come from messages.py, not from jsonschema's
text. A SpiffArena `validationErrorMessage` on a property replaces the wording for that property.
"""
from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache

from jsonschema import Draft202012Validator, FormatChecker
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for

from . import messages
from .choices import TASK_DATA_PREFIX, from_task_data
from .conditions import MISSING, active_indexes, evaluate, json_equal
from .model import Field, Form, Kind
from .paths import error_key

_RANK = {"conversion": 0, "required": 1, "type": 2}


def normalise_schema(schema):
    """SpiffArena's `options_from_task_data_var:NAME` placeholders read as "any value" (as the engine does);
    the answers they stand for are checked against the task's data separately."""
    if isinstance(schema, dict):
        return {k: ({} if k == "items" and isinstance(v, str) else normalise_schema(v)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [normalise_schema(v) for v in schema]
    if isinstance(schema, str) and schema.startswith(TASK_DATA_PREFIX):
        return {}
    return schema


@lru_cache(maxsize=256)
def validator_class(form: Form):
    return validator_for({"$schema": form.dialect}, default=Draft202012Validator)


@lru_cache(maxsize=256)
def _validator(form: Form):
    cls = validator_class(form)
    return cls(normalise_schema(form.schema), format_checker=FormatChecker())


class _Messages:
    """One message per field path: the most telling of the problems found there (a missing answer before a
    wrong type before anything else)."""

    def __init__(self, form: Form, data):
        self.form, self.data = form, data
        self.found: dict[str, tuple[int, str]] = {}

    def add(self, path: tuple, keyword: str, value=None, rank: int | None = None, message: str | None = None):
        field, at = field_at(self.form, path, self.data)
        key = error_key(at)
        if message is None:
            message = (messages.for_error(field, keyword, value) if field is not self.form.root
                       else _form_message(keyword))
        r = _RANK.get(keyword, 3) if rank is None else rank
        if key not in self.found or r < self.found[key][0]:
            self.found[key] = (r, message)

    def ordered(self) -> dict[str, str]:
        return order_errors(self.form, self.data, {k: m for k, (_, m) in self.found.items()})


def validate(form: Form, data: Mapping, task_data: Mapping | None = None) -> dict[str, str]:
    """Messages for what is wrong with `data` ({} when it is fine), in the order the fields appear."""
    found = _Messages(form, data)
    for error in _validator(form).iter_errors(dict(data)):
        _collect(error, found.add)
    for path in _dynamic_choices(form, data, task_data or {}):
        found.add(path, "enum")
    return found.ordered()


KEYWORDS = frozenset({
    "required", "dependentRequired", "dependencies", "enum", "const", "oneOf", "anyOf", "type", "minimum",
    "maximum", "exclusiveMinimum", "exclusiveMaximum", "contains", "not", "multipleOf", "format", "minLength",
    "maxLength", "pattern", "minItems", "maxItems", "uniqueItems", "additionalProperties", "unevaluatedProperties",
})


def word(form: Form, data: Mapping, problems) -> dict[str, str]:
    """Messages for problems another check of the same schema found (the engine's, which every client's
    submission passes): each `(path, keyword, value, message)` worded as `validate` words it; a keyword of its
    own (a read-only field changed, say) keeps the message it came with. In the order the fields appear."""
    found = _Messages(form, data)
    for path, keyword, value, message in problems:
        found.add(tuple(path), keyword, value, message=None if keyword in KEYWORDS else (message or None))
    return found.ordered()


def _collect(error, add) -> None:
    path = tuple(error.absolute_path)
    keyword = error.validator
    if keyword == "required" and isinstance(error.instance, dict):
        for name in error.validator_value:
            if name not in error.instance:
                add(path + (name,), "required")
        return
    if keyword in ("dependentRequired", "dependencies") and isinstance(error.instance, dict):
        for trigger, names in (error.validator_value or {}).items():
            if trigger in error.instance and isinstance(names, list):
                for name in names:
                    if name not in error.instance:
                        add(path + (name,), "required")
        return
    if keyword in ("oneOf", "anyOf") and error.context and isinstance(error.instance, dict):
        deeper = best_match(error.context)
        if deeper is not None:
            _collect(deeper, add)
            return
    add(path, keyword, error.validator_value)


def _form_message(keyword: str) -> str:
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        return "This form was sent with answers it does not ask for"
    return "Some answers do not fit together: check them"


def field_at(form: Form, path: tuple, data) -> tuple[Field, tuple]:
    """The field a data path falls in, and that field's path (a multiple choice's item falls in the choice)."""
    field, obj, at = form.root, data, ()
    cls = validator_class(form)
    for part in path:
        if field.kind == Kind.OBJECT and isinstance(part, str):
            named = [c for c in field.children if c.name == part]
            if not named:
                break
            holder = obj if isinstance(obj, dict) else {}
            field = next((c for c in named if c.active_when is None or evaluate(c.active_when, holder, cls)),
                         named[0])
            obj = holder.get(part, MISSING)
        elif field.kind == Kind.ARRAY and isinstance(part, int) and field.item is not None:
            field = field.item
            obj = obj[part] if isinstance(obj, list) and 0 <= part < len(obj) else MISSING
        else:
            break
        at += (part,)
    return field, at


def iter_active(form: Form, data):
    """(path, field, value) of every field that applies to `data`, in page order (value may be MISSING)."""
    cls = validator_class(form)

    def walk(field: Field, value, path: tuple):
        if field.kind == Kind.OBJECT:
            obj = value if isinstance(value, dict) else {}
            values = [obj.get(c.name, MISSING) for c in field.children]
            active = active_indexes(field.children, values, cls)
            for i, child in enumerate(field.children):
                if i in active:
                    child_path = path + (child.name,)
                    yield child_path, child, values[i]
                    yield from walk(child, values[i], child_path)
        elif field.kind == Kind.ARRAY and isinstance(value, list) and field.item is not None:
            for i, row in enumerate(value):
                yield path + (i,), field.item, row
                yield from walk(field.item, row, path + (i,))

    yield from walk(form.root, data, ())


def drop_inactive(form: Form, data: Mapping) -> dict:
    """`data` without the values of conditional fields whose condition does not hold (keys the form does not
    know are kept)."""
    cls = validator_class(form)

    def clean(field: Field, value):
        if field.kind == Kind.OBJECT and isinstance(value, dict):
            values = [value.get(c.name, MISSING) for c in field.children]
            active = active_indexes(field.children, values, cls)
            known = {c.name for c in field.children}
            keep = {field.children[i].name: field.children[i] for i in sorted(active)}
            return {k: (clean(keep[k], v) if k in keep else v) for k, v in value.items()
                    if k in keep or k not in known}
        if field.kind == Kind.ARRAY and isinstance(value, list) and field.item is not None:
            return [clean(field.item, row) for row in value]
        return value

    return clean(form.root, dict(data))


def _dynamic_choices(form: Form, data, task_data: Mapping):
    for path, field, value in iter_active(form, data):
        if value is MISSING or not field.choices_from or field.kind not in (Kind.CHOICE, Kind.MULTICHOICE):
            continue
        options = from_task_data(field.choices_from, task_data)
        if not options:
            continue
        values = value if field.kind == Kind.MULTICHOICE and isinstance(value, list) else [value]
        if any(not any(json_equal(v, c.value) for c in options) for v in values):
            yield path


def order_errors(form: Form, data, errors: Mapping[str, str]) -> dict[str, str]:
    """Messages in the order their fields appear on the page; unknown keys last."""
    order = {error_key(path): i for i, (path, _, _) in enumerate(iter_active(form, data))}
    return dict(sorted(errors.items(), key=lambda kv: (kv[0] != "", order.get(kv[0], len(order)))))
