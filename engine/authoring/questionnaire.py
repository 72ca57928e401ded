"""A FHIR R4 `Questionnaire` as a carepath form: a JSON Schema (draft 2020-12) for the answers and a UI schema
(react-jsonschema-form names) for order and widgets, the two files `forms/` renders (pathways/forms/ holds
examples). `carepath forms import`, the API (`POST /api/v1/forms/import`) and the studio use this one mapping.

What maps:

- items become properties named by their `linkId` (made a name: letters, digits, `_`); `text` (with `prefix`)
  is the title; `required`, `readOnly`, `maxLength` and `initial` carry over; `repeats` makes a list;
- types: group (an object, or a list of them), display (a note), boolean, decimal, integer, date, dateTime, time,
  string, text (a text area), url, choice (`answerOption`, or a contained ValueSet's codes; repeats: tick
  boxes); open-choice becomes free text with its answers as suggestions (said in `unmapped`);
- `enableWhen` on questions of the same group becomes a conditional field (`if`/`then`), with `enableBehavior`
  all or any; operators exists, =, != and, on numbers, >, <, >=, <=.

What does not map is left out and named in `unmapped` with the reason: attachment, reference and quantity
items, value sets that are not contained, conditions on questions outside the item's group or on dates.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from engine.errors import InvalidInput

DIALECT = "https://json-schema.org/draft/2020-12/schema"
TIME = r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9])?$"
SCALARS = {
    "boolean": {"type": "boolean"},
    "decimal": {"type": "number"},
    "integer": {"type": "integer"},
    "date": {"type": "string", "format": "date"},
    "dateTime": {"type": "string", "format": "date-time"},
    "time": {"type": "string", "pattern": TIME},
    "string": {"type": "string"},
    "text": {"type": "string"},
    "url": {"type": "string", "format": "uri"},
}
WIDGETS = {"text": {"ui:widget": "textarea"}, "date": {"ui:widget": "date"},
           "dateTime": {"ui:placeholder": "2026-09-04T14:30:00Z"}, "time": {"ui:placeholder": "14:30"}}
LEFT_OUT = {"attachment": "a file upload, which forms do not take",
            "reference": "a reference to another resource, which forms do not take",
            "quantity": "a value with a unit, which forms do not take (use a decimal and say the unit in the text)"}
ANSWER_KEYS = ("valueCoding", "valueString", "valueInteger", "valueDate", "valueTime", "valueReference")
COMPARISONS = {">": "exclusiveMinimum", "<": "exclusiveMaximum", ">=": "minimum", "<=": "maximum"}


@dataclass
class ImportedForm:
    """The form a Questionnaire became: its schema and UI schema, a file name to keep them under, the
    property each linkId became, and what was left out (or only partly mapped), each with why."""

    name: str
    schema: dict
    ui_schema: dict
    fields: dict[str, str] = field(default_factory=dict)  # property path -> linkId
    unmapped: list[dict] = field(default_factory=list)  # {"linkId", "reason"}

    @property
    def files(self) -> dict[str, dict]:
        return {f"{self.name}-schema.json": self.schema, f"{self.name}-uischema.json": self.ui_schema}


def import_questionnaire(questionnaire) -> ImportedForm:
    if not isinstance(questionnaire, dict) or questionnaire.get("resourceType") != "Questionnaire":
        raise InvalidInput("resourceType: expected a FHIR Questionnaire (a JSON object with resourceType "
                           "'Questionnaire')")
    items = questionnaire.get("item")
    if not isinstance(items, list) or not items:
        raise InvalidInput("item: the questionnaire has no items to make a form of")
    mapper = _Mapper(questionnaire)
    properties, ui = mapper.object_of(items, "item", "")
    title = questionnaire.get("title") or questionnaire.get("name") or "Imported questionnaire"
    schema = {"$schema": DIALECT, "title": str(title)[:300], "type": "object", **properties}
    if isinstance(questionnaire.get("description"), str):
        schema = {**schema, "description": questionnaire["description"]}
    source = questionnaire.get("url") or questionnaire.get("id")
    if source:
        version = f" version {questionnaire['version']}" if questionnaire.get("version") else ""
        schema["$comment"] = f"Imported from the FHIR Questionnaire {source}{version}."
    return ImportedForm(_file_name(questionnaire), schema, ui, mapper.fields, mapper.unmapped)


def _file_name(questionnaire: dict) -> str:
    text = str(questionnaire.get("name") or questionnaire.get("id") or questionnaire.get("title") or "questionnaire")
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)
    name = re.sub(r"[^a-z0-9]+", "_", words.lower()).strip("_")
    return (name or "questionnaire")[:60]


def property_name(link_id: str, taken: set[str]) -> str:
    """A property name for a linkId ("1.2" -> "q1_2"), unique among `taken`."""
    name = re.sub(r"[^A-Za-z0-9_]+", "_", link_id).strip("_") or "item"
    if not name[0].isalpha():
        name = "q" + name
    name = name[:60]
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}_{n}", n + 1
    taken.add(candidate)
    return candidate


class _Mapper:
    def __init__(self, questionnaire: dict):
        self.contained = {str(r.get("id")): r for r in questionnaire.get("contained") or ()
                          if isinstance(r, dict) and r.get("resourceType") == "ValueSet" and r.get("id")}
        self.fields: dict[str, str] = {}
        self.unmapped: list[dict] = []

    def skip(self, item: dict, reason: str) -> None:
        self.unmapped.append({"linkId": str(item.get("linkId")), "reason": reason})

    # --- an object: a list of items -------------------------------------------------------------------------
    def object_of(self, items: list, where: str, path: str) -> tuple[dict, dict]:
        """({properties, required, allOf}, UI schema) for the items of one group (or the questionnaire)."""
        taken: set[str] = set()
        names: dict[str, tuple[str, dict | None]] = {}  # linkId -> (property, its schema)
        properties, required, branches, order, ui = {}, [], [], [], {}
        for number, item in enumerate(items):
            here = f"{where}[{number}]"
            if not isinstance(item, dict) or not isinstance(item.get("linkId"), str) or not item["linkId"].strip():
                raise InvalidInput(f"{here}.linkId: every item needs a linkId")
            name = property_name(item["linkId"], taken)
            mapped = self.item(item, here, f"{path}{name}")
            names[item["linkId"]] = (name, mapped[0] if mapped else None)
            if mapped is None:
                continue
            schema, item_ui = mapped
            self.fields[f"{path}{name}"] = item["linkId"]
            order.append(name)
            if item_ui:
                ui[name] = item_ui
            condition = self.condition(item, names) if item.get("enableWhen") else None
            if condition is None:
                properties[name] = schema
                if item.get("required") is True and item.get("type") != "display":
                    required.append(name)
            else:
                then = {"properties": {name: schema}}
                if item.get("required") is True and item.get("type") != "display":
                    then["required"] = [name]
                branches.append({"if": condition, "then": then})
        body: dict = {"properties": properties}
        if required:
            body["required"] = required
        if branches:
            body["allOf"] = branches
        ui = {"ui:order": order, **ui} if order else ui
        return body, ui

    # --- one item -----------------------------------------------------------------------------------------------
    def item(self, item: dict, where: str, path: str) -> tuple[dict, dict] | None:
        kind = item.get("type")
        title = " ".join(str(p) for p in (item.get("prefix"), item.get("text")) if p) or str(item["linkId"])
        if kind in LEFT_OUT:
            self.skip(item, f"'{kind}' item: {LEFT_OUT[kind]}")
            return None
        if kind == "group":
            children = item.get("item")
            if not isinstance(children, list) or not children:
                self.skip(item, "a group without items")
                return None
            body, ui = self.object_of(children, f"{where}.item", f"{path}.")
            schema = {"type": "object", "title": title, **body}
            return (_listed(schema, title), {"items": ui}) if item.get("repeats") else (schema, ui)
        if kind == "display":
            return {"type": "null", "title": title}, {}
        if kind in ("choice", "open-choice"):
            return self.choice(item, title)
        if kind not in SCALARS:
            self.skip(item, f"the item type {str(kind)[:30]!r} is not one of FHIR R4's")
            return None
        schema = {**SCALARS[kind], "title": title}
        self.extras(item, schema, kind)
        ui = dict(WIDGETS.get(kind, {}))
        if item.get("repeats"):
            return _listed(schema, title), {"items": ui} if ui else {}
        return schema, ui

    def extras(self, item: dict, schema: dict, kind: str) -> None:
        if item.get("readOnly") is True:
            schema["readOnly"] = True
        if isinstance(item.get("maxLength"), int) and schema.get("type") == "string":
            schema["maxLength"] = item["maxLength"]
        initial = next(iter(item.get("initial") or ()), None)
        if isinstance(initial, dict):
            for key, value in initial.items():
                if key.startswith("value") and key != "valueCoding":
                    schema["default"] = value
                elif key == "valueCoding" and isinstance(value, dict) and "code" in value:
                    schema["default"] = value["code"]

    # --- choices ------------------------------------------------------------------------------------------------
    def choice(self, item: dict, title: str) -> tuple[dict, dict] | None:
        options = self.options(item)
        if options is None:
            return None
        if item.get("type") == "open-choice":
            labels = ", ".join(o["title"] for o in options)
            self.skip(item, "open-choice: any text is taken; the answers it offers are shown as suggestions")
            schema = {"type": "string", "title": title}
            self.extras(item, schema, "string")
            ui = {"ui:help": f"For example: {labels}"[:500]} if labels else {}
            return (_listed(schema, title), {"items": ui}) if item.get("repeats") else (schema, ui)
        kinds = {type(o["const"]) for o in options}
        json_type = "integer" if kinds == {int} else "string"
        if json_type == "string":
            options = [{**o, "const": str(o["const"])} for o in options]
        schema = {"type": json_type, "title": title, "oneOf": options}
        self.extras(item, schema, json_type)
        if item.get("repeats"):
            listed = {"type": "array", "title": title, "uniqueItems": True,
                      "items": {"type": json_type, "oneOf": options}}
            return listed, {"ui:widget": "checkboxes"}
        return schema, ({"ui:widget": "radio"} if len(options) <= 6 else {"ui:widget": "select"})

    def options(self, item: dict) -> list[dict] | None:
        found = []
        for option in item.get("answerOption") or ():
            value = next(((k, option[k]) for k in ANSWER_KEYS if isinstance(option, dict) and k in option), None)
            if value is None:
                continue
            key, answer = value
            if key == "valueCoding" and isinstance(answer, dict) and answer.get("code") is not None:
                found.append({"const": answer["code"], "title": str(answer.get("display") or answer["code"])})
            elif key in ("valueString", "valueDate", "valueTime", "valueInteger"):
                found.append({"const": answer, "title": str(answer)})
            else:
                self.skip(item, f"an answer option given as {key} has no form equivalent; it was left out")
        value_set = item.get("answerValueSet")
        if not found and isinstance(value_set, str):
            found = self.value_set(item, value_set)
            if found is None:
                return None
        if not found:
            self.skip(item, "a choice without answer options")
            return None
        return found

    def value_set(self, item: dict, reference: str) -> list[dict] | None:
        contained = self.contained.get(reference.lstrip("#")) if reference.startswith("#") else None
        if contained is None:
            self.skip(item, f"its answers come from the value set {reference[:200]}, which is not contained in the "
                            "questionnaire (carepath does not fetch value sets); add its codes as answerOption")
            return None
        concepts = [c for include in (contained.get("compose") or {}).get("include") or ()
                    for c in include.get("concept") or ()]
        concepts += list((contained.get("expansion") or {}).get("contains") or ())
        return [{"const": c["code"], "title": str(c.get("display") or c["code"])} for c in concepts
                if isinstance(c, dict) and c.get("code") is not None]

    # --- enableWhen ---------------------------------------------------------------------------------------------
    def condition(self, item: dict, names: dict) -> dict | None:
        parts = []
        for rule in item.get("enableWhen") or ():
            part = self.rule(item, rule, names)
            if part is None:
                return None  # the field is kept, always shown (said in unmapped)
            parts.append(part)
        if not parts:
            return None
        if len(parts) == 1:
            return parts[0]
        return {"anyOf": parts} if item.get("enableBehavior") == "any" else {"allOf": parts}

    def rule(self, item: dict, rule, names: dict) -> dict | None:
        question = rule.get("question") if isinstance(rule, dict) else None
        target = names.get(question)
        if target is None or target[1] is None:
            self.skip(item, f"it is shown only when question {str(question)[:60]!r} is answered, which is not an "
                            "earlier question of its group (or was left out): the field is always shown")
            return None
        name, schema = target
        operator = rule.get("operator")
        answer = next(((k, v) for k, v in rule.items() if k.startswith("answer")), (None, None))
        if operator == "exists":
            return {"required": [name]} if answer[1] is not False else {"not": {"required": [name]}}
        value = answer[1]["code"] if answer[0] == "answerCoding" and isinstance(answer[1], dict) else answer[1]
        if answer[0] is None or value is None:
            self.skip(item, f"its condition on {question!r} has no answer to compare with: the field is always shown")
            return None
        if schema.get("type") == "string" and not isinstance(value, str) and schema.get("oneOf"):
            value = str(value)
        many = schema.get("type") == "array"
        if operator in ("=", "!="):
            test = {"contains": {"const": value}} if many else {"const": value}
            return {"properties": {name: test if operator == "=" else {"not": test}}, "required": [name]}
        if operator in COMPARISONS and isinstance(value, int | float) and not isinstance(value, bool):
            return {"properties": {name: {COMPARISONS[operator]: value}}, "required": [name]}
        self.skip(item, f"its condition ({question!r} {operator} {str(value)[:40]}) cannot be said in a form's "
                        "conditions (only numbers compare): the field is always shown")
        return None


def _listed(schema: dict, title: str) -> dict:
    item = {k: v for k, v in schema.items() if k not in ("title", "default")}
    return {"type": "array", "title": title, "items": item}
