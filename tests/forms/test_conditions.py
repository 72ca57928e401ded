"""The condition tree means what JSON Schema means: compiled `if` schemas agree with jsonschema on every datum."""
from __future__ import annotations

import itertools

import pytest
from jsonschema import Draft202012Validator

from forms import conditions as cond

PROPS = {"given": {"type": "boolean"}, "kind": {"type": "string"}, "score": {"type": "integer"},
         "needs": {"type": "array", "items": {"type": "string"}},
         "consent": {"type": "object", "properties": {"type": {"type": "string"}}}}


def kind_of(key):
    schema = PROPS.get(key[0])
    if schema is None:
        return None
    if len(key) > 1:
        schema = schema["properties"][key[1]]
    if schema["type"] == "array":
        return (schema["items"]["type"], True)
    return (schema["type"], False)


IF_SCHEMAS = [
    {"properties": {"given": {"const": True}}},
    {"properties": {"given": {"const": True}}, "required": ["given"]},
    {"properties": {"kind": {"enum": ["written", "verbal"]}}, "required": ["kind"]},
    {"properties": {"kind": {"type": "string", "enum": ["written"]}}},
    {"properties": {"score": {"minimum": 5, "exclusiveMaximum": 9}}, "required": ["score"]},
    {"properties": {"needs": {"contains": {"const": "food"}}}},
    {"not": {"properties": {"given": {"const": False}}, "required": ["given"]}},
    {"anyOf": [{"required": ["kind"]}, {"properties": {"score": {"const": 0}}, "required": ["score"]}]},
    {"properties": {"consent": {"properties": {"type": {"const": "written"}}, "required": ["type"]}},
     "required": ["consent"]},
    {"properties": {"kind": {"pattern": "^w"}}, "required": ["kind"]},  # not compiled: checked by jsonschema
    {"properties": {"needs": {"maxItems": 0}}, "required": ["needs"]},
]
DATA_VALUES = {
    "given": [None, True, False, 1],
    "kind": [None, "written", "verbal", "other"],
    "score": [None, 0, 5, 8.5, 9, "7"],
    "needs": [None, [], ["food"], ["housing"], "food"],
    "consent": [None, {}, {"type": "written"}, {"type": "verbal"}],
}


def _data():
    names = list(DATA_VALUES)
    for combo in itertools.product(*(DATA_VALUES[n] for n in names)):
        yield {n: v for n, v in zip(names, combo) if v is not None}


@pytest.mark.parametrize("schema", IF_SCHEMAS, ids=lambda s: str(s)[:60])
def test_a_compiled_condition_agrees_with_jsonschema(schema):
    tree = cond.compile_object(schema, kind_of)
    validator = Draft202012Validator(schema)
    for datum in _data():
        assert cond.evaluate(tree, datum) == validator.is_valid(datum), datum


def test_a_property_constraint_holds_when_the_property_is_absent():
    tree = cond.compile_object({"properties": {"kind": {"const": "written"}}}, kind_of)
    assert cond.evaluate(tree, {}) is True


def test_true_is_not_one():
    assert not cond.json_equal(True, 1) and cond.json_equal(1, 1.0)


def test_what_the_page_cannot_check_is_marked_unknown_for_it():
    tree = cond.compile_object({"properties": {"kind": {"pattern": "^w"}}, "required": ["kind"]}, kind_of)
    client = cond.for_client(tree, lambda key: "[".join(key))
    assert '"unknown"' in str(client).replace("'", '"')


def test_a_condition_lists_the_keys_it_reads():
    tree = cond.compile_object(IF_SCHEMAS[7], kind_of)
    assert {tuple(k) for k in cond.references(tree)} == {("kind",), ("score",)}
