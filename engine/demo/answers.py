"""A task's form schema, described for people and answered automatically for the demo."""
from __future__ import annotations

from engine import clock
from engine.formdata import FormInvalid


def form_schema(svc, task) -> dict | None:
    """The JSON Schema of a task's form, from the parsed deployment the instance runs on."""
    if not task.form_schema:
        return None
    from engine.instances import get_instance

    with svc.db.transaction() as session:
        instance = get_instance(session, task.instance_id)
        parsed = svc.runtime.specs.get(session, instance.deployment_id)
        return parsed.forms.get(task.form_schema)


def _resolve(schema, root: dict):
    """Follow a local "$ref" ("#/$defs/x") once or twice; anything else is taken as it is."""
    for _ in range(5):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema if isinstance(schema, dict) else {}
        target = root
        for part in ref[2:].split("/"):
            target = target.get(part, {}) if isinstance(target, dict) else {}
        schema = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
    return schema


def _choices(schema: dict) -> list:
    if "enum" in schema and schema["enum"]:
        return list(schema["enum"])
    options = schema.get("oneOf") or schema.get("anyOf") or []
    return [o["const"] for o in options if isinstance(o, dict) and "const" in o]


def _type(schema: dict) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), kind[0] if kind else None)
    if kind is None and "properties" in schema:
        kind = "object"
    return kind


def sample(schema, root: dict, visit: int = 0):
    """A value that fits `schema`: its default, const, an enum value (the next one on each visit, so a
    loop that asks again ends), else a sensible value for its type."""
    schema = _resolve(schema, root)
    if "default" in schema:
        return schema["default"]
    if "const" in schema:
        return schema["const"]
    choices = _choices(schema)
    if choices:
        return choices[min(visit, len(choices) - 1)]
    kind = _type(schema)
    if kind == "object":
        return answers(schema, root, visit)
    if kind == "array":
        items = schema.get("items") if isinstance(schema.get("items"), dict) else {}
        count = int(schema.get("minItems") or 0)
        if items and (_choices(_resolve(items, root)) and not count):
            count = 1
        return [sample(items, root, visit) for _ in range(count)]
    if kind == "boolean":
        return True
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "null":
        return None
    return _text(schema)


def _number(schema: dict, kind: str):
    low = schema.get("minimum", schema.get("exclusiveMinimum"))
    high = schema.get("maximum", schema.get("exclusiveMaximum"))
    value = low if low is not None else (0 if high is None or high >= 0 else high)
    if "exclusiveMinimum" in schema and value == schema["exclusiveMinimum"]:
        value += 1
    if "exclusiveMaximum" in schema and value == schema["exclusiveMaximum"]:
        value -= 1
    return int(value) if kind == "integer" else value


def _text(schema: dict) -> str:
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
    text = "demo"
    if schema.get("minLength"):
        text = text.ljust(int(schema["minLength"]), "o")
    if schema.get("maxLength"):
        text = text[: int(schema["maxLength"])]
    return text


def answers(schema: dict | None, root: dict | None = None, visit: int = 0, only_required: bool = False) -> dict:
    """Answers for a form: every required field, and the optional ones that are easy to answer right
    (choices, defaults, booleans), unless `only_required`."""
    if not schema:
        return {}
    root = root or schema
    schema = _resolve(schema, root)
    required = set(schema.get("required") or [])
    result = {}
    for name, prop in (schema.get("properties") or {}).items():
        prop = _resolve(prop, root)
        if prop.get("readOnly") is True:
            continue  # shown, not asked: the pathway sets it
        easy = "default" in prop or "const" in prop or _choices(prop) or _type(prop) == "boolean"
        if name in required or (easy and not only_required):
            result[name] = sample(prop, root, visit)
    return result


def find_property(schema, name: str, root: dict | None = None):
    """The schema of field `name` anywhere in `schema` (inside allOf/if/then too), or None."""
    root = root or schema
    if isinstance(schema, dict):
        schema = _resolve(schema, root)
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


def describe(schema: dict | None) -> list[list]:
    """Rows (field, type, required, choices, title) for `task show`."""
    if not schema:
        return []
    required = set(schema.get("required") or [])
    rows = []
    for name, prop in (schema.get("properties") or {}).items():
        prop = _resolve(prop, schema)
        choices = ", ".join(str(c) for c in _choices(prop))
        rows.append([name, _type(prop) or "any", "yes" if name in required else "", choices, prop.get("title")])
    return rows


def complete_with_answers(svc, task, actor, visit: int, overrides: dict | None = None,
                          schema: dict | None = None) -> dict:
    """Complete `task` with answers built from its form (`schema`, looked up when not given), `overrides` taking
    the place of those the form has; a second try fills what validation asked for (a field it says is
    required, or an override it refused, gets the form's own answer) and leaves out any other field it
    refused. Returns the data that completed the task; FormInvalid when the second try fails too."""
    if schema is None:
        schema = form_schema(svc, task)
    overrides = overrides or {}
    props = (schema or {}).get("properties") or {}
    data = answers(schema, visit=visit) | {name: value for name, value in overrides.items() if name in props}
    try:
        svc.complete(task.id, data, actor)
        return data
    except FormInvalid as exc:
        fixed = dict(data)
        for name, message in exc.errors.items():
            prop = find_property(schema, name) if schema else None
            if prop is not None and (message == "is required" or name in overrides):
                fixed[name] = sample(prop, schema, visit)
            else:
                fixed.pop(name, None)
        if fixed == data:
            raise
    svc.complete(task.id, fixed, actor)
    return fixed
