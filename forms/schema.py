"""JSON Schema + UI schema (react-jsonschema-form names) -> a `Form`: a tree of typed `Field`s. Cached per content.

What is read: `type` (a list such as ["string", "null"] reads as its first non-null type), `title`, `description`,
`default`, `enum` + `enumNames`, `oneOf`/`anyOf` of {const, title}, `format: date`, bounds and lengths,
`readOnly`, local `$ref`s (`#/$defs/...`, `#/definitions/...`), and the conditional keywords (`if`/`then`/`else`,
`allOf`, `dependentSchemas`, `dependentRequired`, draft-07 `dependencies` including react-jsonschema-form's
`oneOf` form of them). From the UI schema: `ui:order` (with "*"), `ui:widget`, `ui:title`, `ui:description`,
`ui:help`, `ui:placeholder`, `ui:readonly`/`ui:disabled`, `ui:autofocus`, `ui:autocomplete`, `ui:enumNames` and
`ui:options` (`addable`, `removable`, `orderable`, `label`, `inline`, `rows`, `inputType`; any `ui:X` may also be
given as `ui:options.X`).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from functools import lru_cache

from . import choices as ch
from . import conditions as cond
from .model import Bounds, Field, Form, Kind

DEFAULT_DIALECT = "https://json-schema.org/draft/2020-12/schema"
MAX_DEPTH = 12
_INPUT_TYPES = {"email": "email", "uri": "url", "url": "url", "password": "password", "tel": "tel",
                "color": "color"}


class FormDefinitionError(ValueError):
    """The schema or UI schema cannot be read as a form (not a JSON object, an unresolvable $ref)."""


def load_form(schema: Mapping, ui_schema: Mapping | None = None) -> Form:
    """The form for a JSON Schema and its UI schema; the same content gives the same (cached, immutable) Form."""
    if not isinstance(schema, Mapping):
        raise FormDefinitionError("a form schema must be a JSON object")
    if ui_schema is not None and not isinstance(ui_schema, Mapping):
        raise FormDefinitionError("a UI schema must be a JSON object")
    key = json.dumps([schema, ui_schema or {}], default=str)  # key order is content: it orders the fields
    return _load(key)


@lru_cache(maxsize=256)
def _load(key: str) -> Form:
    schema, ui = json.loads(key)
    _check(schema)
    builder = _Builder(schema)
    root = builder.field("", schema, ui, required=True, depth=0)
    if root.kind != Kind.OBJECT:
        raise FormDefinitionError("a form schema must describe an object (its properties are the form's fields)")
    return Form(root=root, schema=schema, ui_schema=ui, title=schema.get("title") or None,
                description=schema.get("description") or None,
                dialect=schema.get("$schema") or DEFAULT_DIALECT)


def _check(schema: dict) -> None:
    from jsonschema.exceptions import SchemaError
    from jsonschema.validators import validator_for

    from .validate import normalise_schema

    dialect = schema.get("$schema")
    cls = validator_for(schema, default=None) if dialect else validator_for({})
    if cls is None:
        raise FormDefinitionError(f'unknown "$schema" {dialect!r}: use draft 2020-12 or draft-07')
    try:
        cls.check_schema(normalise_schema(schema))
    except SchemaError as exc:
        where = "/".join(str(p) for p in exc.absolute_path)
        raise FormDefinitionError(f"not valid JSON Schema at /{where}: {exc.message}") from None


def ui_option(ui: Mapping, name: str, default=None):
    """`ui:NAME`, or `ui:options.NAME`."""
    if f"ui:{name}" in ui:
        return ui[f"ui:{name}"]
    options = ui.get("ui:options")
    if isinstance(options, Mapping) and name in options:
        return options[name]
    return default


def _ui_of(ui: Mapping, name: str) -> dict:
    sub = ui.get(name) if isinstance(ui, Mapping) else None
    return sub if isinstance(sub, dict) else {}


def json_type(schema: Mapping) -> str | None:
    declared = schema.get("type")
    if isinstance(declared, list):
        declared = next((t for t in declared if t != "null"), declared[0] if declared else None)
    if isinstance(declared, str):
        return declared
    if "properties" in schema:
        return "object"
    if "items" in schema:
        return "array"
    values = schema.get("enum") if isinstance(schema.get("enum"), list) else None
    if values is None and "const" in schema:
        values = [schema["const"]]
    if values is None:
        for word in ("oneOf", "anyOf"):
            opts = schema.get(word)
            if isinstance(opts, list) and opts and all(isinstance(o, dict) and "const" in o for o in opts):
                values = [o["const"] for o in opts]
    if values:
        v = values[0]
        return ("boolean" if isinstance(v, bool) else "integer" if isinstance(v, int) else
                "number" if isinstance(v, float) else "null" if v is None else "string")
    if "format" in schema or "pattern" in schema:
        return "string"
    return None


class _Builder:
    def __init__(self, root: dict):
        self.root = root

    # --- $ref --------------------------------------------------------------------------------------------------

    def resolve(self, schema, seen=()):
        if not isinstance(schema, dict) or "$ref" not in schema:
            return schema
        ref = schema["$ref"]
        if not isinstance(ref, str) or not ref.startswith("#") or ref in seen or len(seen) > 20:
            return {k: v for k, v in schema.items() if k != "$ref"}
        target = self.root
        for part in [p for p in ref[1:].split("/") if p]:
            part = part.replace("~1", "/").replace("~0", "~")
            if isinstance(target, dict) and part in target:
                target = target[part]
            elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
                target = target[int(part)]
            else:
                raise FormDefinitionError(f"the schema refers to {ref}, which it does not define")
        target = self.resolve(target, (*seen, ref))
        merged = dict(target) if isinstance(target, dict) else {}
        merged.update({k: v for k, v in schema.items() if k != "$ref"})
        return merged

    # --- one field ---------------------------------------------------------------------------------------------

    def field(self, name: str, schema, ui: Mapping, *, required: bool, depth: int, active_when=None,
              variant: int = 0, label: str | None = None) -> Field:
        schema = self.resolve(schema)
        if not isinstance(schema, dict):
            schema = {}
        ui = ui if isinstance(ui, Mapping) else {}
        widget = ui_option(ui, "widget")
        jtype = json_type(schema)
        base = dict(
            name=name, schema=schema, json_type=jtype, required=required, active_when=active_when,
            variant=variant,
            label=str(ui_option(ui, "title") or schema.get("title") or label or ch.humanise_name(name) or ""),
            description=_text(ui_option(ui, "description") or schema.get("description")),
            help=_text(ui_option(ui, "help")),
            placeholder=_text(ui_option(ui, "placeholder")),
            readonly=bool(ui_option(ui, "readonly") or ui_option(ui, "disabled") or schema.get("readOnly")),
            label_hidden=ui_option(ui, "label", True) is False,
            default=schema.get("default"), has_default="default" in schema,
            error_message=_text(schema.get("validationErrorMessage")),
            autocomplete=_text(ui_option(ui, "autocomplete")),
            autofocus=bool(ui_option(ui, "autofocus")),
            bounds=Bounds(*(schema.get(k) if _is_num(schema.get(k)) else None
                            for k in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"))),
            min_length=_int(schema.get("minLength")), max_length=_int(schema.get("maxLength")),
            min_items=_int(schema.get("minItems")), max_items=_int(schema.get("maxItems")),
        )
        if depth > MAX_DEPTH:
            return Field(kind=Kind.DISPLAY, widget="display", **{**base, "readonly": True})
        if widget == "hidden":
            return Field(kind=Kind.HIDDEN, widget="hidden", **base)
        if jtype == "null":
            return Field(kind=Kind.NOTE, widget="display", **{**base, "readonly": True})
        if jtype == "object":
            return Field(kind=Kind.OBJECT, widget="group", children=self.children(schema, ui, depth), **base)
        if jtype == "array":
            return self.array(schema, ui, widget, depth, base)
        if jtype == "boolean":
            w = widget if widget in ("radio", "select", "checkbox") else ("radio" if required else "checkbox")
            return self._maybe_display(Field(kind=Kind.BOOLEAN, widget=w, choices=ch.boolean_choices(schema, ui),
                                             **base))
        options = ch.from_schema(schema, ui)
        variable = ch.task_data_variable(schema)
        if options or variable:
            w = widget if widget in ("radio", "select") else (
                "radio" if options and len(options) <= 6 else "select")
            return self._maybe_display(Field(kind=Kind.CHOICE, widget=w, choices=options, choices_from=variable,
                                             inline=bool(ui_option(ui, "inline")), **base))
        if jtype == "integer":
            return self._maybe_display(Field(kind=Kind.INTEGER, widget="input", **base))
        if jtype == "number":
            return self._maybe_display(Field(kind=Kind.NUMBER, widget="input", **base))
        if schema.get("format") == "date" or widget in ("date", "alt-date"):
            return self._maybe_display(Field(kind=Kind.DATE, widget="date", input_type="date", **base))
        if widget == "textarea":
            return self._maybe_display(Field(kind=Kind.TEXTAREA, widget="textarea", rows=_int(ui_option(ui, "rows")),
                                             **base))
        input_type = (ui_option(ui, "inputType") or _INPUT_TYPES.get(widget or "")
                      or _INPUT_TYPES.get(schema.get("format") or "") or "text")
        return self._maybe_display(Field(kind=Kind.TEXT, widget="input", input_type=str(input_type), **base))

    @staticmethod
    def _maybe_display(f: Field) -> Field:
        if f.readonly:
            from dataclasses import replace

            return replace(f, widget="display")
        return f

    def array(self, schema: dict, ui: Mapping, widget, depth: int, base: dict) -> Field:
        items = schema.get("items")
        if isinstance(items, list):  # draft-07 tuple form: read every row with the first schema
            items = items[0] if items else {}
        variable = ch.task_data_variable(items)
        items = self.resolve(items) if isinstance(items, dict) else {}
        item_ui = _ui_of(ui, "items")
        options = ch.from_schema(items, item_ui)
        if options or variable:
            w = "select" if widget == "select" else "checkboxes"
            f = Field(kind=Kind.MULTICHOICE, widget=w, choices=options, choices_from=variable,
                      inline=bool(ui_option(ui, "inline")), **base)
            return self._maybe_display(f)
        item_label = ui_option(item_ui, "title") or items.get("title") or "Row"
        item = self.field("", items, item_ui, required=False, depth=depth + 1, label=str(item_label))
        from dataclasses import replace

        item = replace(item, label=str(item_label))
        f = Field(kind=Kind.ARRAY, widget="repeat", item=item,
                  addable=ui_option(ui, "addable", True) is not False,
                  removable=ui_option(ui, "removable", True) is not False,
                  orderable=ui_option(ui, "orderable", False) is True, **base)
        return f

    # --- an object's fields ------------------------------------------------------------------------------------

    def children(self, schema: dict, ui: Mapping, depth: int) -> tuple[Field, ...]:
        kind_of = _kind_lookup(self.all_properties(schema), self.resolve)
        entries: list[tuple] = []  # (guard or None, properties, required)
        own = set(schema.get("properties") or {})  # the fields whose value may choose a oneOf option
        self.collect(schema, None, entries, kind_of, own)
        base_props: dict = {}
        base_required: set = set()
        for guard, props, req in entries:
            if guard is None:
                for n, s in props.items():
                    base_props.setdefault(n, s)
                base_required.update(req)
        fields: dict[str, list[Field]] = {}
        for name, sub in base_props.items():
            guards = [g for g, _, req in entries if g is not None and name in req]
            if name in base_required or not guards:
                f = self.field(name, sub, _ui_of(ui, name), required=name in base_required, depth=depth + 1)
            else:
                f = self.field(name, sub, _ui_of(ui, name), required=True, depth=depth + 1,
                               active_when=cond.any_of(*guards))
            fields[name] = [f]
        variants: dict[str, list] = {}
        for guard, props, req in entries:
            if guard is None:
                continue
            for name, sub in props.items():
                if name in base_props:
                    continue
                groups = variants.setdefault(name, [])
                key = json.dumps(sub, sort_keys=True, default=str)
                for g in groups:
                    if g[0] == key:
                        g[2].append(guard)
                        g[3] = g[3] or name in req
                        break
                else:
                    groups.append([key, sub, [guard], name in req or name in base_required])
        for name, groups in variants.items():
            fields[name], earlier = [], []
            for i, (_, sub, guards, req) in enumerate(groups):
                own = cond.any_of(*guards)  # when branches declare a name differently, the first that holds wins
                when = cond.all_of(own, cond.not_(cond.any_of(*earlier))) if earlier else own
                earlier.append(own)
                fields[name].append(self.field(name, sub, _ui_of(ui, name), required=req, depth=depth + 1,
                                               active_when=when, variant=i))
        order = self.order(list(base_props), list(variants), fields, ui)
        return tuple(f for name in order for f in fields[name])

    def order(self, base: list, extra: list, fields: dict, ui: Mapping) -> list:
        names = list(base)
        for name in extra:  # a conditional field comes right after the last field its condition reads
            refs = [k[0] for f in fields[name] for k in cond.references(f.active_when) if k and k[0] in names]
            at = max((names.index(r) for r in refs), default=len(names) - 1) + 1
            while at < len(names) and names[at] in extra:
                at += 1
            names.insert(at, name)
        wanted = ui.get("ui:order") if isinstance(ui, Mapping) else None
        if not isinstance(wanted, list):
            return names
        wanted = [w for w in wanted if w == "*" or w in fields]
        rest = [n for n in names if n not in wanted]
        if "*" in wanted:
            i = wanted.index("*")
            return [n for n in wanted[:i] if n != "*"] + rest + [n for n in wanted[i + 1:] if n != "*"]
        return wanted + rest

    def all_properties(self, schema, out=None, depth=0) -> dict:
        """Every property an object declares anywhere (base, branches), first declaration first."""
        out = {} if out is None else out
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 8:
            return out
        for n, s in (schema.get("properties") or {}).items():
            out.setdefault(n, s)
        subs = list(schema.get("allOf") or []) + list(schema.get("oneOf") or []) + list(schema.get("anyOf") or [])
        subs += [schema.get("then"), schema.get("else")]
        subs += list((schema.get("dependentSchemas") or {}).values())
        subs += [v for v in (schema.get("dependencies") or {}).values() if isinstance(v, dict)]
        for sub in subs:
            if isinstance(sub, dict):
                self.all_properties(sub, out, depth + 1)
        return out

    def collect(self, schema, guard, entries: list, kind_of, own: set, depth: int = 0) -> None:
        """Walk the conditional keywords of an object schema; each (sub)schema's properties and required list
        is recorded with the condition (guard) under which it applies (None: always)."""
        schema = self.resolve(schema)
        if not isinstance(schema, dict) or depth > 8:
            return
        props = schema.get("properties") if isinstance(schema.get("properties"), dict) else {}
        req = [r for r in (schema.get("required") or []) if isinstance(r, str)]
        entries.append((guard, props, req))
        for sub in schema.get("allOf") or []:
            self.collect(sub, guard, entries, kind_of, own, depth + 1)
        if "if" in schema and ("then" in schema or "else" in schema):
            test = cond.compile_object(schema["if"], kind_of)
            if "then" in schema:
                self.collect(schema["then"], cond.all_of(guard, test), entries, kind_of, own, depth + 1)
            if "else" in schema:
                self.collect(schema["else"], cond.all_of(guard, cond.not_(test)), entries, kind_of, own,
                             depth + 1)
        for name, sub in (schema.get("dependentSchemas") or {}).items():
            self.collect(sub, cond.all_of(guard, cond.present([name], kind_of)), entries, kind_of, own, depth + 1)
        for name, names in (schema.get("dependentRequired") or {}).items():
            entries.append((cond.all_of(guard, cond.present([name], kind_of)), {}, list(names)))
        for name, sub in (schema.get("dependencies") or {}).items():
            trigger = cond.all_of(guard, cond.present([name], kind_of))
            if isinstance(sub, list):
                entries.append((trigger, {}, list(sub)))
            else:
                self.collect(sub, trigger, entries, kind_of, own, depth + 1)
        for word in ("oneOf", "anyOf"):  # react-jsonschema-form: options chosen by a field's value
            for option in schema.get(word) or []:
                option = self.resolve(option)
                if not isinstance(option, dict) or not isinstance(option.get("properties"), dict):
                    continue
                triggers = {n: s for n, s in option["properties"].items()
                            if n in own and isinstance(s, dict) and ("const" in s or "enum" in s)}
                if not triggers:
                    continue
                test = cond.compile_object({"properties": triggers, "required": list(triggers)}, kind_of)
                rest = {**option, "properties": {n: s for n, s in option["properties"].items() if n not in triggers}}
                rest.pop(word, None)
                self.collect(rest, cond.all_of(guard, test), entries, kind_of, own, depth + 1)


def _kind_lookup(known: dict, resolve):
    def kind_of(key: list):
        props = known
        schema = None
        for i, part in enumerate(key):
            schema = resolve(props.get(part)) if isinstance(props, dict) else None
            if not isinstance(schema, dict):
                return None
            if i < len(key) - 1:
                props = schema.get("properties") or {}
        t = json_type(schema)
        if t == "array":
            items = schema.get("items")
            items = resolve(items) if isinstance(items, dict) else {}
            return (json_type(items) or "string", True)
        return (t or "string", False)

    return kind_of


def _text(value) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else str(value)


def _is_num(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
