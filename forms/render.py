"""A `Form` + data + messages -> accessible HTML, through the Jinja2 macros in templates/forms/.

This module prepares a view of every field (ids, control names, the value to show, which answer is ticked, its
message, whether it is shown) and the templates only write it out. Autoescaping is always on. Nothing here
knows Flask: the caller passes the form's `action`, its CSRF token and any other hidden fields.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup, escape

from . import conditions
from .choices import from_task_data, token
from .conditions import MISSING, active_indexes, json_equal, lookup
from .messages import fmt, lower_label
from .model import Choice, Field, Form, Kind
from .parse import ACTION_FIELD
from .paths import element_id, error_key, html_name, index_placeholder, is_placeholder, number_placeholder
from .validate import validator_class

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
_PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z_][\w.]*)\s*\}\}")


@dataclass
class Option:
    id: str
    token: str
    label: str
    checked: bool


@dataclass
class Row:
    index: str
    number: str
    label: str
    nodes: list
    remove_value: str | None = None
    up_value: str | None = None
    down_value: str | None = None
    blank: bool = False


@dataclass
class Node:
    """One field as drawn: `macro` names the template macro (input, textarea, select, radios, checkbox,
    checkboxes, multiselect, hidden, display, note, group, repeat)."""

    macro: str
    field: Field
    id: str
    name: str
    key: str
    label: str
    required: bool = False
    label_hidden: bool = False
    description: str | None = None
    help: str | None = None
    placeholder: str | None = None
    error: str | None = None
    value: str = ""
    display: str = ""
    options: list = field(default_factory=list)
    children: list = field(default_factory=list)
    rows: list = field(default_factory=list)
    template: Row | None = None
    show_if: str | None = None
    hidden: bool = False
    disabled: bool = False
    attrs: dict = field(default_factory=dict)
    add_value: str | None = None
    add_label: str = ""
    max_items: int | None = None
    next_index: int = 0
    readonly: bool = False
    inline: bool = False
    action_field: str = ACTION_FIELD
    index_placeholder: str = ""
    number_placeholder: str = ""

    @property
    def wrapper_id(self) -> str:
        return f"{self.id}-field"

    @property
    def focus_id(self) -> str:
        if self.options and self.macro in ("radios", "checkboxes"):
            return self.options[0].id
        if self.macro in ("group",) and self.children:
            return next((c.focus_id for c in self.children if c.macro not in ("hidden", "note")), self.id)
        if self.macro == "repeat":
            for row in self.rows:
                for c in row.nodes:
                    if c.macro not in ("hidden", "note", "display"):
                        return c.focus_id
            return f"{self.id}-add" if self.add_value else self.wrapper_id
        return self.id

    @property
    def described_by(self) -> str:
        ids = []
        if self.description:
            ids.append(f"{self.id}-description")
        if self.error:
            ids.append(f"{self.id}-error")
        if self.help:
            ids.append(f"{self.id}-help")
        return " ".join(ids)


@dataclass
class Summary:
    label: str
    message: str
    href: str | None


class _Context:
    def __init__(self, form: Form, errors: Mapping, task_data: Mapping, prefix: str, readonly: bool,
                 use_defaults: bool, action_field: str):
        self.form = form
        self.errors = dict(errors or {})
        self.task_data = task_data or {}
        self.prefix = prefix
        self.readonly = readonly
        self.use_defaults = use_defaults
        self.action_field = action_field
        self.summary: list[Summary] = []
        self.used: set[str] = set()
        self.validator_cls = validator_class(form)
        self.in_template = False

    def text(self, value: str | None) -> str | None:
        """SpiffArena's {{ name }} placeholders in titles and help, filled from the task's data."""
        if not value or "{{" not in value:
            return value

        def fill(m):
            found = lookup(self.task_data, m.group(1).split("."))
            return "" if found is MISSING or found is None else (found if isinstance(found, str) else fmt(found))

        return _PLACEHOLDER.sub(fill, value)


def build(form: Form, data: Mapping | None, errors: Mapping | None = None, task_data: Mapping | None = None,
          *, id_prefix: str = "f", readonly: bool = False, use_defaults: bool = True,
          action_field: str = ACTION_FIELD):
    """(nodes, summary, title, description): the view of every field, the error summary's entries in page
    order, and the form's title and description with their placeholders filled."""
    data = dict(data or {})
    ctx = _Context(form, errors or {}, task_data if task_data is not None else data, id_prefix, readonly,
                   use_defaults, action_field)
    nodes = _children(ctx, form.root, data, (), "", hidden=False)
    for key, message in (errors or {}).items():
        if key not in ctx.used:
            ctx.summary.append(Summary(label="", message=message, href=None))
    return nodes, ctx.summary, ctx.text(form.title), ctx.text(form.description)


def _children(ctx: _Context, field: Field, obj, path: tuple, name: str, hidden: bool) -> list[Node]:
    obj = obj if isinstance(obj, dict) else {}
    values = [obj.get(c.name, MISSING) for c in field.children]
    # what the page will send decides what applies: an empty list is [], an unticked box is false
    posted = [_as_posted(c, v, ctx.readonly) for c, v in zip(field.children, values)]
    active = active_indexes(field.children, posted, ctx.validator_cls)
    out = []
    for i, child in enumerate(field.children):
        child_path = path + (child.name,)
        child_name = f"{name}[{child.name}]" if name else child.name
        inactive = i not in active
        node = _node(ctx, child, values[i], child_path, child_name, hidden=hidden or inactive)
        if child.active_when is not None:
            node.hidden = inactive
            node.show_if = json.dumps(conditions.for_client(
                child.active_when, lambda key, p=name: f"{p}[{']['.join(map(str, key))}]" if p
                else html_name(tuple(key))), separators=(",", ":"))
        out.append(node)
    return out


def _as_posted(f: Field, value, readonly: bool):
    if value is not MISSING or readonly or f.readonly:
        return value
    if f.kind in (Kind.MULTICHOICE, Kind.ARRAY):
        return []
    if f.kind == Kind.BOOLEAN and f.widget == "checkbox":
        return False
    return value


def _node(ctx: _Context, f: Field, value, path: tuple, name: str, hidden: bool) -> Node:
    readonly = ctx.readonly or ((f.readonly or f.kind in (Kind.DISPLAY, Kind.NOTE)) and f.kind != Kind.HIDDEN)
    key = error_key(path)
    node = Node(macro="input", field=f, id=element_id(ctx.prefix, path, f.variant), name=name, key=key,
                label=ctx.text(f.label) or "", required=f.required and not readonly, label_hidden=f.label_hidden,
                description=ctx.text(f.description), help=ctx.text(f.help), placeholder=ctx.text(f.placeholder),
                disabled=hidden, readonly=readonly, inline=f.inline, action_field=ctx.action_field)
    if value is MISSING and ctx.use_defaults and f.has_default and not ctx.readonly:
        value = f.default
    if not hidden and not ctx.in_template and key in ctx.errors and key not in ctx.used:
        node.error = ctx.errors[key]
    if f.kind == Kind.NOTE:
        node.macro = "note"
        return node
    if f.kind == Kind.OBJECT:
        node.macro = "group"
        node.children = _children(ctx, f, value, path, name, hidden)
        _summarise(ctx, node)
        return node
    if f.kind == Kind.ARRAY:
        _repeat(ctx, node, f, value, path, name, hidden, readonly)
        _summarise(ctx, node)
        return node
    options = _options(ctx, f, value, node.id)
    node.options = options
    if readonly:
        node.macro = "display"
        node.display = _display_text(f, value, options)
        if not ctx.readonly and any(isinstance(p, int) or is_placeholder(p) for p in path) \
                and value is not MISSING and f.kind != Kind.NOTE:
            node.value = value if isinstance(value, str) else json.dumps(value)
            node.attrs["carry"] = True
        _summarise(ctx, node)
        return node
    if f.kind == Kind.HIDDEN:
        node.macro = "hidden"
        node.value = _text_value(value)
        return node
    if f.kind in (Kind.CHOICE, Kind.BOOLEAN):
        node.macro = {"radio": "radios", "select": "select", "checkbox": "checkbox"}.get(f.widget, "radios")
        if node.macro == "checkbox":
            node.attrs["checked"] = value is True
    elif f.kind == Kind.MULTICHOICE:
        node.macro = "multiselect" if f.widget == "select" else "checkboxes"
    elif f.kind == Kind.TEXTAREA:
        node.macro = "textarea"
        node.value = _text_value(value)
        node.attrs["rows"] = f.rows or 4
    else:
        node.macro = "input"
        node.value = _text_value(value)
        node.attrs.update(_input_attrs(f))
    if f.min_length is not None:
        node.attrs["minlength"] = f.min_length
    if f.max_length is not None:
        node.attrs["maxlength"] = f.max_length
    if f.autocomplete:
        node.attrs["autocomplete"] = f.autocomplete
    if f.autofocus and not ctx.errors:
        node.attrs["autofocus"] = True
    _summarise(ctx, node)
    return node


def _summarise(ctx: _Context, node: Node) -> None:
    if node.error and node.key not in ctx.used:
        ctx.used.add(node.key)
        ctx.summary.append(Summary(label=node.label, message=node.error, href=f"#{node.focus_id}"))


def _input_attrs(f: Field) -> dict:
    if f.kind == Kind.INTEGER:
        attrs = {"type": "text", "inputmode": "numeric"}
    elif f.kind == Kind.NUMBER:
        attrs = {"type": "text", "inputmode": "decimal"}
    elif f.kind == Kind.DATE:
        attrs = {"type": "date"}
    else:
        attrs = {"type": f.input_type or "text"}
    if f.kind in (Kind.INTEGER, Kind.NUMBER):  # shown as text with a keypad: the hint is in the bounds, not the browser
        b = f.bounds
        if b.minimum is not None:
            attrs["data-min"] = fmt(b.minimum)
        if b.maximum is not None:
            attrs["data-max"] = fmt(b.maximum)
    return attrs


def _text_value(value) -> str:
    if value is MISSING or value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return fmt(value) if isinstance(value, int) or not value.is_integer() else repr(value).removesuffix(".0")
    return json.dumps(value)


def _options(ctx: _Context, f: Field, value, base_id: str) -> list[Option]:
    if f.kind not in (Kind.CHOICE, Kind.BOOLEAN, Kind.MULTICHOICE):
        return []
    choices: list[Choice] = list(f.choices or from_task_data(f.choices_from, ctx.task_data))
    chosen = value if f.kind == Kind.MULTICHOICE and isinstance(value, list) else (
        [] if value is MISSING or value is None else [value])
    for v in chosen:  # an answer that is not (or no longer) among the options is shown, not lost
        if not any(json_equal(v, c.value) or (isinstance(v, str) and v == c.token) for c in choices):
            choices.append(Choice(value=v, label=str(v), token=token(v)))
    return [Option(id=f"{base_id}-{i}", token=c.token, label=c.label,
                   checked=any(json_equal(v, c.value) or (isinstance(v, str) and v == c.token) for v in chosen))
            for i, c in enumerate(choices)]


def _display_text(f: Field, value, options: list[Option]) -> str:
    if value is MISSING or value is None or value == "" or value == []:
        return ""
    if options:
        picked = [o.label for o in options if o.checked]
        if picked:
            return ", ".join(picked)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    return _text_value(value)


def _repeat(ctx: _Context, node: Node, f: Field, value, path: tuple, name: str, hidden: bool,
            readonly: bool) -> None:
    node.macro = "repeat"
    item = f.item
    rows = value if isinstance(value, list) else []
    node.max_items = f.max_items
    item_label = item.label if item is not None else "Row"
    for i, row in enumerate(rows):
        node.rows.append(_row(ctx, f, row, path, name, i, str(i), str(i + 1), hidden, readonly))
    if not readonly and item is not None:
        room = f.max_items is None or len(rows) < f.max_items
        blanks = max((f.min_items or 0) - len(rows), 0)
        extra = 1 if f.addable and room and blanks == 0 else 0
        for j in range(blanks + extra):
            i = len(rows) + j
            r = _row(ctx, f, {} if item.kind == Kind.OBJECT else MISSING, path, name, i, str(i), str(i + 1),
                     hidden, readonly)
            r.blank = j == blanks + extra - 1 and extra == 1
            node.rows.append(r)
        node.next_index = len(node.rows)
        if f.addable:
            was, ctx.in_template = ctx.in_template, True
            depth = sum(1 for p in path if isinstance(p, int) or is_placeholder(p))
            node.index_placeholder, node.number_placeholder = index_placeholder(depth), number_placeholder(depth)
            node.template = _row(ctx, f, {} if item.kind == Kind.OBJECT else MISSING, path, name,
                                 node.index_placeholder, node.index_placeholder, node.number_placeholder, False,
                                 readonly)
            ctx.in_template = was
            node.add_value = f"add:{name}"
            node.add_label = f"Add {'a row' if item_label == 'Row' else lower_label(item_label)}"


def _row(ctx, f: Field, row, path, name, position, index: str, number: str, hidden, readonly) -> Row:
    item = f.item
    row_name = f"{name}[{index}]"
    row_path = path + ((position if isinstance(position, int) else index),)
    if item.kind == Kind.OBJECT:
        nodes = _children(ctx, item, row, row_path, row_name, hidden)
    else:
        nodes = [_node(ctx, item, row, row_path, row_name, hidden)]
    r = Row(index=index, number=number, label=item.label or "Row", nodes=nodes)
    if not readonly:
        if f.removable:
            r.remove_value = f"remove:{row_name}"
        if f.orderable and not is_placeholder(index):
            r.up_value, r.down_value = f"up:{row_name}", f"down:{row_name}"
    return r


# --- Jinja2 ----------------------------------------------------------------------------------------------------

def text_filter(value) -> Markup:
    """Plain text with its line breaks kept (descriptions and help are plain text, escaped)."""
    if value is None:
        return Markup("")
    return Markup("<br>\n").join(escape(line) for line in str(value).split("\n"))


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True)
    env.filters["cp_text"] = text_filter
    return env


def template_loader() -> FileSystemLoader:
    """A loader for `forms/macros.html` and `forms/form.html`, to add to an application's own loader."""
    return FileSystemLoader(str(TEMPLATES))


def render_form(form: Form, data: Mapping | None = None, *, errors: Mapping[str, str] | None = None,
                task_data: Mapping | None = None, action: str | None = None, method: str = "post",
                csrf_token: str | None = None, hidden: Mapping[str, str] | None = None, wrap: bool = True,
                buttons: bool = True, readonly: bool = False, title: bool = True, heading_level: int = 2,
                id_prefix: str = "f", use_defaults: bool = True, action_field: str = ACTION_FIELD,
                submit_label: str = "Submit", draft_label: str | None = "Save draft",
                script_url: str | None = None) -> Markup:
    """The form as HTML (see forms/__init__.py for the parameters)."""
    nodes, summary, form_title, form_description = build(
        form, data, errors, task_data, id_prefix=id_prefix, readonly=readonly, use_defaults=use_defaults,
        action_field=action_field)
    hidden_fields = dict(hidden or {})
    if csrf_token is not None:
        hidden_fields.setdefault("csrf_token", csrf_token)
    template = environment().get_template("forms/form.html")
    html = template.render(
        nodes=nodes, summary=summary, prefix=id_prefix, wrap=wrap, action=action, method=method,
        hidden_fields=hidden_fields, buttons=buttons and not readonly, readonly=readonly,
        title=form_title if title else None, description=form_description if title else None,
        heading_level=max(1, min(6, heading_level)), action_field=action_field, submit_label=submit_label,
        draft_label=draft_label, script_url=script_url)
    return Markup(html)
