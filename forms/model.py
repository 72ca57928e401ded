"""The typed tree a form is turned into: one `Field` per thing on the page, built once per schema + UI schema."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """What a field holds, which decides how it is read from a post, checked and worded in messages (the
    values are the strings templates compare with)."""

    TEXT = "text"
    TEXTAREA = "textarea"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date"
    BOOLEAN = "boolean"
    CHOICE = "choice"
    MULTICHOICE = "multichoice"
    OBJECT = "object"
    ARRAY = "array"
    DISPLAY = "display"
    HIDDEN = "hidden"
    NOTE = "note"


SCALAR_KINDS = frozenset({Kind.TEXT, Kind.TEXTAREA, Kind.INTEGER, Kind.NUMBER, Kind.DATE, Kind.BOOLEAN, Kind.CHOICE,
                          Kind.HIDDEN})


@dataclass(frozen=True)
class Choice:
    """One answer of a choice: its JSON value, what the care manager reads, and how it travels in HTML."""

    value: Any
    label: str
    token: str


@dataclass(frozen=True)
class Bounds:
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = None
    exclusive_maximum: float | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.minimum, self.maximum, self.exclusive_minimum,
                                            self.exclusive_maximum))


@dataclass(frozen=True)
class Field:
    """One property of the form.

    `name` is the property name (empty for the root object and for an array's item template). `kind` says what the
    value is (Kind.TEXT, Kind.INTEGER, Kind.CHOICE, Kind.ARRAY ...); `widget` how it is shown (input, textarea, radio, select, checkbox,
    checkboxes, date, hidden, display). `active_when` is None for a field that is always there, else a condition
    (see conditions.py) on the data of the object holding the field: the field is shown, read and checked only
    while it holds. Two fields of one object may share a name when branches of a condition declare it
    differently; `variant` tells them apart in element ids.
    """

    name: str
    kind: str
    widget: str
    label: str
    schema: dict = field(repr=False, compare=False, hash=False, default_factory=dict)
    json_type: str | None = None
    description: str | None = None
    help: str | None = None
    placeholder: str | None = None
    required: bool = False
    readonly: bool = False
    label_hidden: bool = False
    choices: tuple[Choice, ...] = ()
    choices_from: str | None = None
    bounds: Bounds = Bounds()
    min_length: int | None = None
    max_length: int | None = None
    min_items: int | None = None
    max_items: int | None = None
    default: Any = None
    has_default: bool = False
    input_type: str = "text"
    error_message: str | None = None
    children: tuple[Field, ...] = ()
    item: Field | None = None
    active_when: Any = field(default=None, compare=False, hash=False)
    variant: int = 0
    addable: bool = True
    removable: bool = True
    orderable: bool = False
    inline: bool = False
    rows: int | None = None
    autocomplete: str | None = None
    autofocus: bool = False

    @property
    def conditional(self) -> bool:
        return self.active_when is not None

    @property
    def is_group(self) -> bool:
        return self.kind in (Kind.OBJECT, Kind.ARRAY)


@dataclass(frozen=True, eq=False)
class Form:
    """A loaded form: its root object field plus what validation needs. Immutable, shared from a cache."""

    root: Field
    schema: dict = field(repr=False)
    ui_schema: dict = field(repr=False)
    title: str | None = None
    description: str | None = None
    dialect: str = "https://json-schema.org/draft/2020-12/schema"

    @property
    def fields(self) -> tuple[Field, ...]:
        return self.root.children

    def walk(self):
        """Every field of the form, depth first (array item templates included)."""
        stack = list(reversed(self.root.children))
        while stack:
            f = stack.pop()
            yield f
            stack.extend(reversed(f.children))
            if f.item is not None:
                stack.append(f.item)
