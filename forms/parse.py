"""An HTML form post -> typed JSON data for the form.

Control names are `name`, `object[name]`, `list[0][name]`; a multiple choice posts its name once per ticked
box. Values are read by the field's type: whole numbers, numbers, dates (YYYY-MM-DD), yes/no, answers of a
choice as their JSON values. A repeating group or a multiple choice with nothing in it reads as [] (so a
list emptied on the page empties the task's list); a section left blank that is not required is left out. What cannot be read is kept as typed (a string) with a message, so showing the form
again loses nothing. Blank rows of a repeating group are left out. Only fields that apply are read: a
conditional field whose condition does not hold for the posted answers is dropped. Read-only fields are not
taken from the post but from the task's data (in a repeating group's row, where rows move, their value travels
in a hidden input with the row).
"""
from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from . import messages
from .choices import from_task_data
from .conditions import MISSING, active_indexes, lookup
from .model import Field, Form, Kind
from .paths import error_key

ACTION_FIELD = "action"
_INTEGER = re.compile(r"^[+-]?\d+(\.0*)?$")
_NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class Action:
    """What the button that sent the form asks for: `submit`, `draft`, or a row change of a repeating group
    without script (`add`, `remove`, `up`, `down`, with `target`: the group's or row's control name)."""

    kind: str
    target: str | None = None

    @property
    def is_submit(self) -> bool:
        return self.kind == "submit"


def submission_action(post, field: str = ACTION_FIELD) -> Action:
    """The action a post asks for. No action (an API client, a test) means `submit`. Anything but `submit`
    should be saved as a draft and the form shown again."""
    values = normalise_post(post).get(field) or ["submit"]
    raw = values[0]
    kind, _, target = raw.partition(":")
    if kind in ("add", "remove", "up", "down") and target:
        return Action(kind, target)
    return Action(kind if kind in ("submit", "draft") else "draft")


def normalise_post(post) -> dict[str, list[str]]:
    """A post as {name: [values]}: from a werkzeug/Django multi-dict (`getlist`), a plain mapping whose values
    are strings or lists, or (name, value) pairs."""
    if post is None:
        return {}
    out: dict[str, list[str]] = {}
    if hasattr(post, "getlist") and hasattr(post, "keys"):
        for key in post.keys():
            out[str(key)] = [_str(v) for v in post.getlist(key)]
        return out
    items: Iterable = post.items() if isinstance(post, Mapping) else post
    for key, value in items:
        values = value if isinstance(value, list | tuple) else [value]
        out.setdefault(str(key), []).extend(_str(v) for v in values if v is not None)
    return out


def _str(value) -> str:
    return value if isinstance(value, str) else str(value)


def read_post(form: Form, post, task_data: Mapping | None = None, action: Action | None = None):
    """(data, conversion messages) for a post; see the module's docstring."""
    reader = _Reader(form, normalise_post(post), task_data or {}, action)
    data = reader.object(form.root, (), (), required=True)
    return (data if isinstance(data, dict) else {}), reader.errors


class _Reader:
    def __init__(self, form: Form, values: dict[str, list[str]], task_data: Mapping, action: Action | None):
        from .validate import validator_class

        self.values = values
        self.task_data = task_data
        self.action = action
        self.errors: dict[str, str] = {}
        self.validator_cls = validator_class(form)

    # --- raw access ------------------------------------------------------------------------------------------

    def first(self, name: str) -> str | None:
        for v in self.values.get(name, ()):
            return v
        return None

    def blank_under(self, name: str) -> bool:
        """True when every control named `name` or `name[...]` was left empty."""
        for key, vals in self.values.items():
            if key == name or key.startswith(name + "["):
                if any(v.strip() for v in vals):
                    return False
        return True

    def indexes(self, name: str) -> list[int]:
        found = set()
        pattern = re.compile(re.escape(name) + r"\[(\d+)\]")
        for key in self.values:
            m = pattern.match(key)
            if m:
                found.add(int(m.group(1)))
        return sorted(found)

    # --- by kind ---------------------------------------------------------------------------------------------

    def read(self, field: Field, name: str, path: tuple, errors: dict):
        """The value of one field (MISSING when not given); conversion messages go to `errors`."""
        if field.kind == Kind.NOTE:
            return MISSING
        if (field.readonly or field.kind == Kind.DISPLAY) and field.kind != Kind.HIDDEN:
            if not any(isinstance(p, int) for p in path):  # the task's data says what it is, not the post
                return lookup(self.task_data, path)
            raw = self.first(name)  # in a row, the value travels with its row (rows move and go)
            if raw is None:
                return MISSING
            if field.json_type == "string":
                return raw
            try:
                return json.loads(raw)
            except ValueError:
                return raw
        if field.kind == Kind.OBJECT:
            if not field.required and self.blank_under(name):
                return MISSING
            return self.object(field, name, path, required=True, errors=errors)
        if field.kind == Kind.ARRAY:
            return self.array(field, name, path, errors)
        if field.kind == Kind.MULTICHOICE:
            return self.multichoice(field, name, path, errors)
        if field.kind == Kind.BOOLEAN and field.widget == "checkbox":
            return any(v == "true" for v in self.values.get(name, ()))
        raw = self.first(name)
        if raw is None or not raw.strip():
            return MISSING
        value, ok = convert(field, raw, self.task_data)
        if not ok:
            errors[error_key(path)] = messages.conversion(field)
        return value

    def object(self, field: Field, name, path: tuple, required: bool, errors: dict | None = None):
        children = field.children
        candidates, child_errors = [], []
        for child in children:
            errs: dict[str, str] = {}
            child_path = path + (child.name,)
            candidates.append(self.read(child, f"{name}[{child.name}]" if name else child.name, child_path, errs))
            child_errors.append(errs)
        out = {}
        for i in sorted(active_indexes(children, candidates, self.validator_cls)):
            if candidates[i] is not MISSING:
                out[children[i].name] = candidates[i]
            (errors if errors is not None else self.errors).update(child_errors[i])
        if not out and not required:
            return MISSING
        return out

    def array(self, field: Field, name: str, path: tuple, errors: dict):
        indexes = [i for i in self.indexes(name) if not self.blank_under(f"{name}[{i}]")]
        action = self.action
        if action is not None and action.kind in ("remove", "up", "down") and action.target:
            m = re.fullmatch(re.escape(name) + r"\[(\d+)\]", action.target)
            if m and int(m.group(1)) in indexes:
                at = indexes.index(int(m.group(1)))
                if action.kind == "remove":
                    indexes.pop(at)
                elif action.kind == "up" and at > 0:
                    indexes[at - 1], indexes[at] = indexes[at], indexes[at - 1]
                elif action.kind == "down" and at < len(indexes) - 1:
                    indexes[at + 1], indexes[at] = indexes[at], indexes[at + 1]
        rows = []
        for position, index in enumerate(indexes):
            value = self.read(field.item, f"{name}[{index}]", path + (position,), errors)
            if value is not MISSING:
                rows.append(value)
        return rows

    def multichoice(self, field: Field, name: str, path: tuple, errors: dict):
        tokens = [v for v in self.values.get(name, ()) if v.strip()]
        options = field.choices or from_task_data(field.choices_from, self.task_data)
        by_token = {c.token: c.value for c in options}
        out = []
        for t in tokens:
            if t in by_token:
                out.append(by_token[t])
            else:
                out.append(t)
                if options:
                    errors[error_key(path)] = messages.CHOOSE_FROM_OPTIONS
        return out


def unanswered(form: Form, data: Mapping) -> list[str]:
    """The names of the form's own answers (its top-level fields a person fills in) that `data` read from a post
    does not hold: a field the person emptied, or a conditional field that no longer applies. Completing the task
    should clear these from the task's data, or an earlier answer would outlive the one just given."""
    names = []
    for field in form.fields:
        if field.kind in (Kind.NOTE, Kind.DISPLAY) or field.readonly or field.name in data or field.name in names:
            continue
        names.append(field.name)
    return names


def convert(field: Field, raw: str, task_data: Mapping | None = None):
    """(value, True) for a posted text read as the field's type, or (the text as typed, False)."""
    kind = field.kind
    text = raw.strip()
    if kind == Kind.INTEGER or (kind == Kind.HIDDEN and field.json_type == "integer"):
        if _INTEGER.match(text.replace(",", "")):
            return int(float(text.replace(",", ""))), True
        return raw, False
    if kind == Kind.NUMBER or (kind == Kind.HIDDEN and field.json_type == "number"):
        cleaned = text.replace(",", "")
        if _NUMBER.match(cleaned):
            value = float(cleaned)
            if math.isfinite(value):
                return (int(value) if re.fullmatch(r"[+-]?\d+", cleaned) else value), True
        return raw, False
    if kind == Kind.DATE:
        if _DATE.match(text):
            try:
                date.fromisoformat(text)
                return text, True
            except ValueError:
                pass
        return raw, False
    if kind == Kind.BOOLEAN or (kind == Kind.HIDDEN and field.json_type == "boolean"):
        if text in ("true", "false"):
            return text == "true", True
        return raw, False
    if kind == Kind.CHOICE:
        options = field.choices or from_task_data(field.choices_from, task_data)
        for c in options:
            if c.token == raw or c.token == text:
                return c.value, True
        return raw, not options  # choices from task data that is not there: keep the text, no message
    if kind == Kind.TEXTAREA:
        return raw.replace("\r\n", "\n").strip(), True
    return text, True
