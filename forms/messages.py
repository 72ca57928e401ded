"""What a care manager reads when an answer is missing or cannot be accepted: plain sentences chosen from the
field's kind and bounds (never jsonschema's own text)."""
from __future__ import annotations

from dataclasses import replace

from .model import Field, Kind

CHOOSE_FROM_OPTIONS = "Choose from the options given"
DATE_EXAMPLE = "Enter a real date, for example 2026-03-31"


def fmt(number) -> str:
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return str(number)


def lower_label(label: str) -> str:
    """"Weight (kg)" -> "weight (kg)"; "HbA1c target" and "PHQ-9 total" keep their capitals."""
    if not label:
        return label
    first = label.split(" ", 1)[0]
    if first[1:] == first[1:].lower() and first[:1].isupper():
        return label[0].lower() + label[1:]
    return label


_BOUND_OF = {"minimum": "minimum", "maximum": "maximum", "exclusiveMinimum": "exclusive_minimum",
             "exclusiveMaximum": "exclusive_maximum"}


def number_rule(field: Field, keyword: str | None = None, value=None) -> str:
    """"Enter a whole number between 0 and 3": the field's bounds, with the one a failed keyword (perhaps
    from a conditional branch) sets instead of the field's own."""
    noun = "a whole number" if field.kind == Kind.INTEGER else "a number"
    b = field.bounds
    if keyword in _BOUND_OF and isinstance(value, int | float) and not isinstance(value, bool):
        b = replace(b, **{_BOUND_OF[keyword]: value})
    if b.minimum is not None and b.maximum is not None and b.exclusive_minimum is None \
            and b.exclusive_maximum is None:
        return f"Enter {noun} between {fmt(b.minimum)} and {fmt(b.maximum)}"
    lower = (f"greater than {fmt(b.exclusive_minimum)}" if b.exclusive_minimum is not None
             else f"of at least {fmt(b.minimum)}" if b.minimum is not None else None)
    upper = (f"less than {fmt(b.exclusive_maximum)}" if b.exclusive_maximum is not None
             else f"of no more than {fmt(b.maximum)}" if b.maximum is not None else None)
    if lower and upper:
        return f"Enter {noun} {lower} and {upper.removeprefix('of ')}"
    if lower:
        return f"Enter {noun} {lower}".replace(f"of at least {fmt(b.minimum)}", f"of {fmt(b.minimum)} or more")
    if upper:
        return f"Enter {noun} {upper}".replace(f"of no more than {fmt(b.maximum)}", f"of {fmt(b.maximum)} or less")
    return f"Enter {noun}"


_LINKS = frozenset({"by", "to", "for", "with", "from", "of", "on", "in", "at", "about", "since", "and", "or"})


def item_label(field: Field) -> str:
    """What one row of a repeating group is called in messages: its items' title, or "row"."""
    if field.item is None or not field.item.label or field.item.label == field.label:
        return "row"
    return lower_label(field.item.label)


def required(field: Field) -> str:
    kind = field.kind
    if kind in (Kind.CHOICE, Kind.BOOLEAN):
        return "Choose an answer"
    if kind == Kind.MULTICHOICE:
        return "Choose at least one option"
    if kind == Kind.ARRAY:
        return f"Add at least one {item_label(field)}"
    if kind in (Kind.INTEGER, Kind.NUMBER):
        return number_rule(field)
    if kind == Kind.DATE:
        return "Enter a date"
    if kind == Kind.OBJECT:
        return "Fill in this section"
    if kind in (Kind.DISPLAY, Kind.NOTE) or field.readonly:
        return "This information is missing from the task"
    label = field.label or ""
    words = label.lower().split()
    if 0 < len(label) <= 40 and not any(c in label for c in "?:.") and words[-1] not in _LINKS:
        return f"Enter {lower_label(label)}"
    return "Enter an answer"


def conversion(field: Field) -> str:
    """The message for a typed value that could not be read as the field's type (it is kept as typed)."""
    if field.kind in (Kind.INTEGER, Kind.NUMBER):
        return number_rule(field)
    if field.kind == Kind.DATE:
        return DATE_EXAMPLE
    if field.kind == Kind.BOOLEAN:
        return "Choose yes or no"
    return CHOOSE_FROM_OPTIONS if field.kind in (Kind.CHOICE, Kind.MULTICHOICE) else "Check this answer"


def _count(n, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def for_error(field: Field, keyword: str, value=None) -> str:
    """The message for a failed JSON Schema keyword (`value` is the keyword's value in the schema)."""
    kind = field.kind
    if keyword in ("required", "dependentRequired", "dependencies"):
        return required(field)
    if field.error_message:
        return field.error_message
    if kind in (Kind.CHOICE, Kind.MULTICHOICE) and keyword in ("enum", "const", "oneOf", "anyOf", "type", "minimum",
                                                      "maximum", "exclusiveMinimum", "exclusiveMaximum",
                                                      "contains", "not"):
        return CHOOSE_FROM_OPTIONS
    if kind == Kind.BOOLEAN:
        if keyword == "const" and isinstance(value, bool):
            label = next((c.label for c in field.choices if c.value is value), "Yes" if value else "No")
            return f"The answer must be “{label}” to go on"
        return "Choose yes or no"
    if keyword in ("type", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum") \
            and kind in (Kind.INTEGER, Kind.NUMBER):
        return number_rule(field, keyword, value)
    if keyword == "multipleOf":
        return f"Enter a multiple of {fmt(value)}"
    if keyword == "format" or (keyword == "type" and kind == Kind.DATE):
        if value == "date" or kind == Kind.DATE:
            return DATE_EXAMPLE
        if value == "email":
            return "Enter an email address, like name@example.com"
        if value == "date-time":
            return "Enter a date and time, for example 2026-03-31T14:30:00+00:00"
        return "Enter the answer in the format asked for"
    if keyword == "minLength":
        return "Enter an answer" if value == 1 else f"Enter at least {_count(value, 'character', 'characters')}"
    if keyword == "maxLength":
        return f"Enter no more than {_count(value, 'character', 'characters')}"
    if keyword == "pattern":
        return "Enter the answer in the format asked for"
    if keyword == "minItems":
        if kind == Kind.MULTICHOICE:
            return f"Choose at least {_count(value, 'option', 'options')}"
        return (f"Add at least one {item_label(field)}" if value == 1
                else f"Add at least {value} {item_label(field)}s")
    if keyword == "maxItems":
        if kind == Kind.MULTICHOICE:
            return f"Choose no more than {_count(value, 'option', 'options')}"
        return (f"Add no more than one {item_label(field)}" if value == 1
                else f"Add no more than {value} {item_label(field)}s")
    if keyword == "uniqueItems":
        return "Choose each option once" if kind == Kind.MULTICHOICE else f"Each {item_label(field)} must be different"
    if keyword == "type":
        if kind == Kind.OBJECT:
            return "Fill in this section"
        if kind in (Kind.ARRAY, Kind.MULTICHOICE):
            return "Check the rows of this list"
        return "Enter text"
    if keyword in ("additionalProperties", "unevaluatedProperties"):
        return "This form was sent with answers it does not ask for"
    return "Check this answer"
