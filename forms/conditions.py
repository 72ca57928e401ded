"""When a conditional field applies: JSON Schema `if`/`then`/`else`, `dependentSchemas`, `dependentRequired` and
draft-07 `dependencies`, compiled into a small condition tree.

The same tree is evaluated here, on the server (which fields are shown, read and checked), and, with property
keys turned into HTML names, by forms.js in the page (which fields are shown while the care manager types). The
semantics are JSON Schema's: a `properties` constraint holds when the property is absent, `required` is what asks
for presence, `minimum` holds for a value that is not a number. A part of a condition the tree cannot express
becomes a `schema` leaf: the server checks it with jsonschema; the page leaves the field as the server drew it.

Tree nodes (dicts, JSON-serialisable): {"op": "true"|"false"}, {"op": "all"|"any", "of": [...]},
{"op": "not", "of": node}, and leaves on the value at `key` (a list of property names relative to the object
the condition belongs to): "absent", "in" (`values`), "range" (`min`, `max`, `xmin`, `xmax`), "contains"
(`values`, for multiple choice), "schema" (`schema`). Leaves carry the value's `kind` (string, integer, number,
boolean, array, object) and `multi` (a multiple choice) so the page can read its controls.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

TRUE: dict = {"op": "true"}
FALSE: dict = {"op": "false"}
MISSING = object()
ANNOTATIONS = frozenset({"title", "description", "$comment", "default", "examples", "deprecated", "readOnly",
                         "writeOnly", "enumNames", "validationErrorMessage", "$id", "$schema", "$anchor"})
_RANGE_KEYS = {"minimum": "min", "maximum": "max", "exclusiveMinimum": "xmin", "exclusiveMaximum": "xmax"}
_JSON_TYPES = {"string": "string", "integer": "integer", "number": "number", "boolean": "boolean",
               "array": "array", "object": "object"}

KindOf = Callable[[list], tuple[str, bool] | None]


# --- building ---------------------------------------------------------------------------------------------------

def all_of(*nodes) -> dict:
    parts = []
    for n in nodes:
        if n is None or n == TRUE:
            continue
        if n == FALSE:
            return FALSE
        parts.extend(n["of"] if n["op"] == "all" else [n])
    present_keys = [p["of"]["key"] for p in parts if p["op"] == "not" and p["of"]["op"] == "absent"]
    if present_keys:  # (absent(k) or X) and not absent(k)  ==  X and not absent(k)
        parts = [_drop_absent(p, present_keys) for p in parts]
    if not parts:
        return TRUE
    return parts[0] if len(parts) == 1 else {"op": "all", "of": parts}


def _drop_absent(node: dict, keys: list) -> dict:
    if node["op"] != "any":
        return node
    rest = [n for n in node["of"] if not (n["op"] == "absent" and n["key"] in keys)]
    if len(rest) == len(node["of"]) or not rest:
        return node
    return rest[0] if len(rest) == 1 else {"op": "any", "of": rest}


def any_of(*nodes) -> dict:
    parts = []
    for n in nodes:
        if n is None or n == TRUE:
            return TRUE
        if n == FALSE:
            continue
        parts.extend(n["of"] if n["op"] == "any" else [n])
    if not parts:
        return FALSE
    return parts[0] if len(parts) == 1 else {"op": "any", "of": parts}


def not_(node: dict) -> dict:
    if node == TRUE:
        return FALSE
    if node == FALSE:
        return TRUE
    if node["op"] == "not":
        return node["of"]
    return {"op": "not", "of": node}


def absent(key: list, kind_of: KindOf) -> dict:
    return _leaf("absent", key, kind_of)


def present(key: list, kind_of: KindOf) -> dict:
    return not_(absent(key, kind_of))


def _leaf(op: str, key: list, kind_of: KindOf, **extra) -> dict:
    kind, multi = kind_of(key) or ("string", False)
    return {"op": op, "key": list(key), "kind": kind, "multi": multi, **extra}


def _schema_leaf(key: list, schema) -> dict:
    return {"op": "schema", "key": list(key), "schema": schema}


def _primitive(value) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def compile_object(schema, kind_of: KindOf, key: list | None = None) -> dict:
    """A condition that `schema` holds for the object at `key` (an `if` subschema, or a trigger)."""
    key = list(key or [])
    if schema is True or schema == {}:
        return TRUE
    if schema is False:
        return FALSE
    if not isinstance(schema, dict):
        return _schema_leaf(key, schema)
    parts = []
    for word, value in schema.items():
        if word in ANNOTATIONS:
            continue
        if word == "properties" and isinstance(value, dict):
            for name, sub in value.items():
                k = key + [name]
                parts.append(any_of(absent(k, kind_of), compile_value(sub, k, kind_of)))
        elif word == "required" and isinstance(value, list):
            parts.extend(present(key + [name], kind_of) for name in value)
        elif word == "type" and value == "object":
            continue
        elif word == "allOf" and isinstance(value, list):
            parts.extend(compile_object(sub, kind_of, key) for sub in value)
        elif word == "anyOf" and isinstance(value, list):
            parts.append(any_of(*(compile_object(sub, kind_of, key) for sub in value)))
        elif word == "not":
            parts.append(not_(compile_object(value, kind_of, key)))
        else:
            parts.append(_schema_leaf(key, {word: value}))
    return all_of(*parts)


def _type_matches(declared, kind: str, multi: bool) -> bool:
    kinds = {"array"} if multi else {kind}
    if kind == "integer" and not multi:
        kinds.add("number")
    wanted = declared if isinstance(declared, list) else [declared]
    return any(_JSON_TYPES.get(t) in kinds for t in wanted)


def compile_value(schema, key: list, kind_of: KindOf) -> dict:
    """A condition that `schema` holds for the value at `key`, assumed present."""
    if schema is True or schema == {}:
        return TRUE
    if schema is False:
        return FALSE
    if not isinstance(schema, dict):
        return _schema_leaf(key, schema)
    kind, multi = kind_of(key) or (None, False)
    parts, bounds, object_words = [], {}, {}
    for word, value in schema.items():
        if word in ANNOTATIONS:
            continue
        if word == "const" and _primitive(value) and not multi and kind != "object":
            parts.append(_leaf("in", key, kind_of, values=[value]))
        elif word == "enum" and isinstance(value, list) and all(map(_primitive, value)) and not multi \
                and kind != "object":
            parts.append(_leaf("in", key, kind_of, values=list(value)))
        elif word == "type" and kind is not None and _type_matches(value, kind, multi):
            continue
        elif word in _RANGE_KEYS and isinstance(value, int | float) and not isinstance(value, bool) \
                and kind in ("integer", "number"):
            bounds[_RANGE_KEYS[word]] = value
        elif word == "contains" and multi and isinstance(value, dict) and _simple_choice(value):
            values = [value["const"]] if "const" in value else list(value["enum"])
            parts.append(_leaf("contains", key, kind_of, values=values))
        elif word == "not":
            parts.append(not_(compile_value(value, key, kind_of)))
        elif word == "allOf" and isinstance(value, list):
            parts.extend(compile_value(sub, key, kind_of) for sub in value)
        elif word == "anyOf" and isinstance(value, list):
            parts.append(any_of(*(compile_value(sub, key, kind_of) for sub in value)))
        elif word in ("properties", "required") and kind == "object":
            object_words[word] = value
        else:
            parts.append(_schema_leaf(key, {word: value}))
    if bounds:
        parts.append(_leaf("range", key, kind_of, **bounds))
    if object_words:
        parts.append(compile_object(object_words, kind_of, key))
    return all_of(*parts)


def _simple_choice(schema: dict) -> bool:
    words = set(schema) - ANNOTATIONS - {"type"}
    if words == {"const"}:
        return _primitive(schema["const"])
    return words == {"enum"} and isinstance(schema["enum"], list) and all(map(_primitive, schema["enum"]))


# --- evaluating -------------------------------------------------------------------------------------------------

def json_equal(a, b) -> bool:
    """JSON Schema equality: 1 equals 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and a == b


def lookup(data, key) -> Any:
    for part in key:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return MISSING
    return data


def _is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def evaluate(node: dict, data: dict, validator_cls=Draft202012Validator) -> bool:
    """Whether the condition holds for `data` (the object the condition belongs to)."""
    op = node["op"]
    if op == "true":
        return True
    if op == "false":
        return False
    if op == "all":
        return all(evaluate(n, data, validator_cls) for n in node["of"])
    if op == "any":
        return any(evaluate(n, data, validator_cls) for n in node["of"])
    if op == "not":
        return not evaluate(node["of"], data, validator_cls)
    value = lookup(data, node["key"])
    if op == "absent":
        return value is MISSING
    if value is MISSING:  # the other leaves only constrain a value that is there
        return True
    if op == "in":
        return any(json_equal(value, v) for v in node["values"])
    if op == "range":
        if not _is_number(value):
            return True
        return ((node.get("min") is None or value >= node["min"])
                and (node.get("max") is None or value <= node["max"])
                and (node.get("xmin") is None or value > node["xmin"])
                and (node.get("xmax") is None or value < node["xmax"]))
    if op == "contains":
        if not isinstance(value, list):
            return True
        return any(json_equal(item, v) for item in value for v in node["values"])
    if op == "schema":
        try:
            return validator_cls(node["schema"], format_checker=FormatChecker()).is_valid(value)
        except Exception:  # a reference the fragment cannot resolve: do not hide anything for it
            return True
    raise ValueError(f"unknown condition op {op!r}")


def references(node: dict) -> list[list]:
    """The keys a condition reads, in order of appearance."""
    if "of" in node:
        children = node["of"] if isinstance(node["of"], list) else [node["of"]]
        return [k for n in children for k in references(n)]
    return [node["key"]] if "key" in node else []


def for_client(node: dict, name_of: Callable[[list], str]) -> dict:
    """The condition as the page's script reads it: keys become HTML names, `schema` leaves become `unknown`."""
    op = node["op"]
    if op in ("all", "any"):
        return {"op": op, "of": [for_client(n, name_of) for n in node["of"]]}
    if op == "not":
        return {"op": "not", "of": for_client(node["of"], name_of)}
    if op in ("true", "false"):
        return {"op": op}
    if op == "schema":
        return {"op": "unknown"}
    out = {k: v for k, v in node.items() if k != "key"}
    out["name"] = name_of(node["key"])
    return out


def active_indexes(children, values, validator_cls=Draft202012Validator, rounds: int = 10) -> set[int]:
    """Which of an object's child fields apply, given `values[i]` (child i's value, or MISSING).

    Conditions may read conditional fields, so this repeats until nothing changes: first the fields that are
    always there, then those whose condition holds on them, and so on. When branches declare one name
    differently, the first branch that applies wins."""

    def choose(candidates):
        out, names = set(), set()
        for i in sorted(candidates):
            if children[i].name not in names:
                names.add(children[i].name)
                out.add(i)
        return out

    active = choose(i for i, c in enumerate(children) if c.active_when is None)
    for _ in range(rounds):
        data = {children[i].name: values[i] for i in sorted(active) if values[i] is not MISSING}
        now = choose(i for i, c in enumerate(children)
                     if c.active_when is None or evaluate(c.active_when, data, validator_cls))
        if now == active:
            break
        active = now
    return active
