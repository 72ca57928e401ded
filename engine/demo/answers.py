"""Automatic answers for a task's form: a submission the form accepts, built from its JSON Schema.

The demos (`carepath demo`, `carepath walk`) work tasks with these. An object is answered in rounds: each round
works out what the form asks for given the answers so far (its `required`, plus what `if`/`then`/`else`,
`allOf`, `dependentRequired` and `dependentSchemas` add once a condition holds), and answers what is still
missing, until a round adds nothing. So a field that becomes required only under a condition ("Rebooked for"
once the outcome is "rebooked") is answered too. Choices go in order by `visit`: the first choice on the first
visit, the next one when the same task comes back, so a loop that asks again ends and each branch of a form
gets taken by some visit.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

import rstr
from jsonschema import Draft202012Validator

from engine.time import clock

ROUNDS = 8  # an object's rounds of answering: each round can only open conditions the one before answered


def resolve(schema, root: dict) -> dict:
    """Follow a local "$ref" ("#/$defs/x"), a few levels deep; anything else is taken as it is."""
    for _ in range(5):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema if isinstance(schema, dict) else {}
        target = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def choices_of(schema: dict) -> list:
    if schema.get("enum"):
        return list(schema["enum"])
    options = schema.get("oneOf") or schema.get("anyOf") or []
    return [o["const"] for o in options if isinstance(o, dict) and "const" in o]


def type_of(schema: dict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None and ("properties" in schema or "required" in schema):
        kind = "object"
    if kind is None and "items" in schema:
        kind = "array"
    return kind


def _holds(condition, value, root: dict) -> bool:
    """Whether `value` satisfies a condition schema (an `if`), with the form's own definitions in reach."""
    if condition is True or condition is None:
        return True
    if condition is False:
        return False
    schema = {**condition, "$defs": root.get("$defs", {})} if "$defs" in root else condition
    return Draft202012Validator(schema).is_valid(value)


@dataclass
class _Shape:
    """What an object is asked for, given the answers it has: each property's schemas, and the required names."""
    properties: dict[str, list[dict]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)

    def add(self, schema: dict, value: dict, root: dict, visit: int) -> None:
        schema = resolve(schema, root)
        for name, prop in (schema.get("properties") or {}).items():
            if isinstance(prop, dict):
                self.properties.setdefault(name, []).append(resolve(prop, root))
        self.require(schema.get("required") or ())
        for branch in schema.get("allOf") or ():
            self.add(branch, value, root, visit)
        if "if" in schema:
            chosen = schema.get("then") if _holds(schema["if"], value, root) else schema.get("else")
            if isinstance(chosen, dict):
                self.add(chosen, value, root, visit)
        for name, names in (schema.get("dependentRequired") or {}).items():
            if name in value:
                self.require(names)
        dependents = {**(schema.get("dependencies") or {}), **(schema.get("dependentSchemas") or {})}
        for name, dependent in dependents.items():
            if name in value:
                if isinstance(dependent, list):
                    self.require(dependent)
                elif isinstance(dependent, dict):
                    self.add(dependent, value, root, visit)
        for key in ("oneOf", "anyOf"):  # object-shaped branches: the one the answers meet, else one by visit
            branches = [b for b in schema.get(key) or () if isinstance(b, dict) and "const" not in b]
            if branches:
                met = [b for b in branches if _holds(resolve(b, root), value, root)]
                self.add(met[0] if met else branches[visit % len(branches)], value, root, visit)

    def require(self, names) -> None:
        self.required.extend(n for n in names if isinstance(n, str) and n not in self.required)

    def property(self, name: str) -> dict:
        """A property's schemas as one: a condition's narrower rule (a `const`) wins over the plain one."""
        merged: dict = {}
        for schema in self.properties.get(name, ()):
            merged.update(schema)
        return merged


def _easy(prop: dict) -> bool:
    """An optional answer worth giving: a default, a constant, a choice or a yes/no."""
    return "default" in prop or "const" in prop or bool(choices_of(prop)) or type_of(prop) == "boolean"


def _object(schema: dict, root: dict, visit: int, only_required: bool, given: dict | None = None) -> dict:
    value = dict(given or {})
    made: set[str] = set()  # the answers built here (a given one is kept as it is)
    for _ in range(ROUNDS):
        shape = _Shape()
        shape.add(schema, value, root, visit)
        changed = False
        names = shape.required + [n for n in shape.properties if n not in shape.required]
        for name in names:
            prop = shape.property(name)
            if prop.get("readOnly") is True:
                continue  # shown, not asked: the pathway sets it
            if name in made and not _holds(prop, value[name], root):
                value[name] = sample(prop, root, visit)  # a condition opened since narrows it (2+ attempts)
                changed = True
            elif name not in value and (name in shape.required or (_easy(prop) and not only_required)):
                value[name] = sample(prop, root, visit)
                made.add(name)
                changed = True
        if not changed:
            break
    return value


def sample(schema, root: dict, visit: int = 0):
    """A value that fits `schema`: its constant, a choice (by `visit`), its default, else a plain value of its
    type (an object answered as a form, an array with as many items as it needs)."""
    schema = resolve(schema, root)
    if "const" in schema:
        return schema["const"]
    choices = choices_of(schema)
    if "default" in schema and (not choices or schema["default"] in choices):
        return schema["default"]
    if choices:
        return choices[min(visit, len(choices) - 1)]
    kind = type_of(schema)
    if kind == "object":
        return _object(schema, root, visit, only_required=True)
    if kind == "array":
        return _array(schema, root, visit)
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "null":
        return None
    branches = [b for b in schema.get("oneOf") or schema.get("anyOf") or () if isinstance(b, dict)]
    if branches:
        return sample(branches[visit % len(branches)], root, visit)
    return _text(schema, visit)


def _array(schema: dict, root: dict, visit: int) -> list:
    items = resolve(schema.get("items"), root) if isinstance(schema.get("items"), dict) else {}
    count = int(schema.get("minItems") or 0)
    choices = choices_of(items)
    if choices and not count:
        count = 1  # a multiple choice asked for is answered with one choice
    if "maxItems" in schema:
        count = min(count, int(schema["maxItems"]))
    if choices and schema.get("uniqueItems"):
        count = min(count, len(choices))
        return [choices[(visit + n) % len(choices)] for n in range(count)]
    values = [sample(items, root, visit + n) for n in range(count)]
    contains = schema.get("contains")
    if isinstance(contains, dict) and not any(_holds(contains, v, root) for v in values):
        values.append(sample(contains, root, visit))
    return values


def _number(schema: dict, kind: str):
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = low if low is not None else (0 if high is None or high >= 0 else high)
    step = 1 if kind == "integer" else 0.5
    if "exclusiveMinimum" in schema and value <= schema["exclusiveMinimum"]:
        value = schema["exclusiveMinimum"] + step
    if "exclusiveMaximum" in schema and value >= schema["exclusiveMaximum"]:
        value = schema["exclusiveMaximum"] - step
    multiple = schema.get("multipleOf")
    if multiple and value % multiple:
        value = (value // multiple + 1) * multiple
    return int(value) if kind == "integer" else value


def _text(schema: dict, visit: int = 0) -> str:
    fmt = schema.get("format")
    if fmt == "date":
        return clock.now().date().isoformat()
    if fmt == "date-time":
        return clock.now().isoformat()
    if fmt == "email":
        return "demo@example.org"
    if fmt in ("uri", "url"):
        return "https://example.org/"
    if fmt == "time":
        return "09:00:00"
    low, high = int(schema.get("minLength") or 0), schema.get("maxLength")
    if isinstance(schema.get("pattern"), str):
        return _matching(schema["pattern"], low, high, visit)
    text = "demo".ljust(low, "o")
    return text[: int(high)] if high is not None else text


def _matching(pattern: str, low: int, high, visit: int) -> str:
    """A string that the regular expression `pattern` finds, of a length the schema allows; the same pattern
    and visit give the same string."""
    maker = rstr.Rstr(random.Random(f"{pattern}|{visit}"))
    found = re.compile(pattern)
    for _ in range(50):
        text = maker.xeger(pattern)
        if found.search(text) and len(text) >= low and (high is None or len(text) <= int(high)):
            return text
    return "demo"


def answers(schema: dict | None, root: dict | None = None, visit: int = 0, only_required: bool = False,
            given: dict | None = None) -> dict:
    """Answers for a form: every field it asks for, those its conditions ask for once the answers so far open
    them included, and the optional ones that are easy to answer right (choices, defaults, yes/no), unless
    `only_required`. `given` answers come first and are kept; the rest is built around them."""
    if not schema:
        return dict(given or {})
    root = root or schema
    return _object(resolve(schema, root), root, visit, only_required, given)


def find_property(schema, name: str, root: dict | None = None):
    """The schema of field `name` anywhere in `schema` (inside allOf/if/then too), or None."""
    root = root or schema
    if isinstance(schema, dict):
        schema = resolve(schema, root)
        props = schema.get("properties")
        if isinstance(props, dict) and name in props:
            return props[name]
        children = list(schema.values())
    elif isinstance(schema, list):
        children = schema
    else:
        return None
    for child in children:
        found = find_property(child, name, root) if isinstance(child, (dict, list)) else None
        if found is not None:
            return found
    return None
