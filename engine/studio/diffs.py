"""Readable differences between a draft and the version it came from, for the review page: files added and
removed, and for forms and decision tables what changed in words (a field's label, type, choices, whether it is
required; a rule's conditions and outcome). The diagrams' differences are drawn on the diagrams themselves
(bpmn-js-differ, in the browser)."""
from __future__ import annotations

import difflib
import json
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from lxml import etree

FIELD_KEYS = ("title", "type", "format", "minimum", "maximum", "minLength", "maxLength", "readOnly", "default",
              "description")


@dataclass
class FileDiff:
    path: str
    kind: str  # bpmn, dmn, form, ui, test
    change: str  # added, removed, changed
    lines: list[str] = field(default_factory=list)


def kind_of(path: str) -> str:
    name = PurePosixPath(path).name
    if path.endswith(".bpmn"):
        return "bpmn"
    if path.endswith(".dmn"):
        return "dmn"
    if name.startswith("test_"):
        return "test"
    return "ui" if "uischema" in name else "form"


def bundle_diff(before: dict[str, bytes], after: dict[str, bytes]) -> list[FileDiff]:
    found = []
    for path in sorted(set(before) | set(after)):
        old, new = before.get(path), after.get(path)
        if old == new:
            continue
        kind = kind_of(path)
        change = "added" if old is None else "removed" if new is None else "changed"
        diff = FileDiff(path, kind, change)
        if change == "added" and kind == "form":
            try:
                diff.lines = form_diff({}, json.loads(new))
            except ValueError as exc:
                diff.lines = [f"cannot be read: {exc}"]
        if change == "changed":
            try:
                if kind == "form":
                    diff.lines = form_diff(json.loads(old), json.loads(new))
                elif kind == "dmn":
                    diff.lines = dmn_diff(old, new)
                elif kind in ("ui", "test"):
                    diff.lines = json_diff(json.loads(old), json.loads(new))
            except (ValueError, etree.XMLSyntaxError) as exc:
                diff.lines = [f"cannot be compared: {exc}"]
        found.append(diff)
    return found


def _fields(schema, prefix: str = "") -> dict[str, dict]:
    out = {}
    if not isinstance(schema, dict):
        return out
    required = set(schema.get("required") or [])
    for name, prop in (schema.get("properties") or {}).items():
        if not isinstance(prop, dict):
            continue
        path = prefix + name
        out[path] = dict(prop, _required=name in required)
        out.update(_fields(prop, path + "."))
        items = prop.get("items")
        if isinstance(items, dict):
            out.update(_fields(items, path + "[]."))
    for key in ("if", "then", "else"):
        if isinstance(schema.get(key), dict):
            for name, prop in _fields(schema[key], prefix).items():
                out.setdefault(name, prop)
    return out


def _choices(prop: dict):
    if prop.get("enum") is not None:
        return list(prop["enum"])
    options = prop.get("oneOf") or prop.get("anyOf")
    if isinstance(options, list):
        return [o.get("const") for o in options if isinstance(o, dict) and "const" in o]
    items = prop.get("items")
    return _choices(items) if isinstance(items, dict) else None


def form_diff(old: dict, new: dict) -> list[str]:
    before, after = _fields(old), _fields(new)
    lines = []
    for name in after.keys() - before.keys():
        prop = after[name]
        lines.append(f"field {name} added: {prop.get('title') or name} ({prop.get('type', 'any')}"
                     f"{', required' if prop['_required'] else ''})")
    for name in before.keys() - after.keys():
        lines.append(f"field {name} removed ({before[name].get('title') or name})")
    for name in sorted(before.keys() & after.keys()):
        a, b = before[name], after[name]
        for key in FIELD_KEYS:
            if a.get(key) != b.get(key):
                lines.append(f"field {name}: {key} {_show(a.get(key))} -> {_show(b.get(key))}")
        if a["_required"] != b["_required"]:
            lines.append(f"field {name}: {'now required' if b['_required'] else 'no longer required'}")
        ca, cb = _choices(a), _choices(b)
        if ca != cb:
            added = [c for c in cb or [] if c not in (ca or [])]
            removed = [c for c in ca or [] if c not in (cb or [])]
            parts = ([f"added {', '.join(map(_show, added))}"] if added else []) + \
                    ([f"removed {', '.join(map(_show, removed))}"] if removed else [])
            lines.append(f"field {name}: choices {'; '.join(parts) or 'reordered'}")
    for key in ("title", "description"):
        if old.get(key) != new.get(key):
            lines.append(f"form {key}: {_show(old.get(key))} -> {_show(new.get(key))}")
    return sorted(lines) or ["no change to the fields (wording or layout only)"]


def _show(value) -> str:
    if value is None:
        return "(none)"
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


def _table(data: bytes):
    root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
    decision = root.find(".//{*}decision")
    table = decision.find("{*}decisionTable") if decision is not None else None
    if table is None:
        return None, [], [], {}
    inputs = [(i.get("label") or i.findtext(".//{*}text") or i.get("id")) for i in table.findall("{*}input")]
    outputs = [(o.get("label") or o.get("name") or o.get("id")) for o in table.findall("{*}output")]
    rules = {}
    for number, rule in enumerate(table.findall("{*}rule"), 1):
        ins = [(e.findtext("{*}text") or "").strip() for e in rule.findall("{*}inputEntry")]
        outs = [(e.findtext("{*}text") or "").strip() for e in rule.findall("{*}outputEntry")]
        rules[rule.get("id") or f"rule {number}"] = (number, ins, outs)
    return table.get("hitPolicy", "UNIQUE"), inputs, outputs, rules


def _rule_text(inputs, outputs, ins, outs) -> str:
    when = ", ".join(f"{name} {entry}" for name, entry in zip(inputs, ins) if entry and entry != "-") or "always"
    then = ", ".join(f"{name} = {entry}" for name, entry in zip(outputs, outs))
    return f"when {when} then {then}"


def dmn_diff(old: bytes, new: bytes) -> list[str]:
    hp_a, in_a, out_a, rules_a = _table(old)
    hp_b, in_b, out_b, rules_b = _table(new)
    lines = []
    if hp_a != hp_b:
        lines.append(f"hit policy {hp_a} -> {hp_b}")
    if in_a != in_b:
        lines.append(f"inputs {', '.join(in_a)} -> {', '.join(in_b)}")
    if out_a != out_b:
        lines.append(f"outputs {', '.join(out_a)} -> {', '.join(out_b)}")
    for rid in rules_b.keys() - rules_a.keys():
        number, ins, outs = rules_b[rid]
        lines.append(f"rule {number} added: {_rule_text(in_b, out_b, ins, outs)}")
    for rid in rules_a.keys() - rules_b.keys():
        number, ins, outs = rules_a[rid]
        lines.append(f"rule {number} removed: {_rule_text(in_a, out_a, ins, outs)}")
    for rid in rules_a.keys() & rules_b.keys():
        (na, ia, oa), (nb, ib, ob) = rules_a[rid], rules_b[rid]
        if (ia, oa) != (ib, ob):
            lines.append(f"rule {nb} changed: {_rule_text(in_a, out_a, ia, oa)} -> now {_rule_text(in_b, out_b, ib, ob)}")
        elif na != nb:
            lines.append(f"rule moved from position {na} to {nb}: {_rule_text(in_b, out_b, ib, ob)}")
    return sorted(lines, key=lambda line: (line.split(":")[0])) or ["no change to the rules (wording only)"]


def json_diff(old, new, prefix: str = "") -> list[str]:
    if isinstance(old, dict) and isinstance(new, dict):
        lines = []
        for key in sorted(set(old) | set(new)):
            where = f"{prefix}{key}"
            if key not in old:
                lines.append(f"{where} added")
            elif key not in new:
                lines.append(f"{where} removed")
            elif old[key] != new[key]:
                lines += json_diff(old[key], new[key], where + ".")
        return lines
    where = prefix.rstrip(".") or "value"
    if _scalars(old) and _scalars(new):
        return [f"{where}: {_list_change(old, new)}"]
    return [f"{where}: {_show(old)} -> {_show(new)}"]


def _scalars(value) -> bool:
    return isinstance(value, list) and all(v is None or isinstance(v, (str, int, float, bool)) for v in value)


def _list_change(old: list, new: list) -> str:
    """What was added, removed or replaced in a list (an expected path, tasks per role), and where."""
    def items(values) -> str:
        return ", ".join(_show(v) for v in values)

    parts = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "insert":
            parts.append(f"{items(new[j1:j2])} added " + (f"after {_show(old[i1 - 1])}" if i1 else "at the start"))
        elif op == "delete":
            parts.append(f"{items(old[i1:i2])} removed")
        elif op == "replace":
            parts.append(f"{items(old[i1:i2])} replaced by {items(new[j1:j2])}")
    return "; ".join(parts) or "same items"
