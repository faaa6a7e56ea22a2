"""Schema bounding, token budgets and output parsing for JSON-constrained generation."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.structured import (
    DEFAULT_MAX_ITEMS,
    DEFAULT_MAX_STRING,
    bound_schema,
    parse_output,
    token_budget,
)
from app.errors import EngineError, OutputInvalidError, OutputTruncatedError

PARTY_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "name": {"type": "string"},
        "role": {"type": "string", "enum": ["landlord", "tenant", "guarantor"]},
        "kind": {"type": "string", "const": "party"},
        "note": {"type": ["string", "null"]},
        "code": {"type": "string", "maxLength": 5},
        "aliases": {"type": "array", "items": {"type": "string"}},
        "clauses": {"type": "array", "maxItems": 3, "items": {"type": "integer"}},
        "address": {
            "type": "object",
            "properties": {"line": {"type": "string"}, "postcode": {"type": "string"}},
        },
        "age": {"type": "integer"},
    },
    "required": ["name", "role"],
}


# --- bound_schema --------------------------------------------------------------------------


def test_bound_schema_bounds_every_string_and_array() -> None:
    bounded = bound_schema(PARTY_SCHEMA)
    props = bounded["properties"]
    assert props["name"]["maxLength"] == DEFAULT_MAX_STRING
    assert props["note"]["maxLength"] == DEFAULT_MAX_STRING  # "string" inside a type list
    assert props["aliases"]["maxItems"] == DEFAULT_MAX_ITEMS
    assert props["aliases"]["items"]["maxLength"] == DEFAULT_MAX_STRING
    assert props["address"]["properties"]["line"]["maxLength"] == DEFAULT_MAX_STRING
    assert props["address"]["properties"]["postcode"]["maxLength"] == DEFAULT_MAX_STRING


def test_bound_schema_leaves_enums_consts_and_existing_bounds_alone() -> None:
    props = bound_schema(PARTY_SCHEMA)["properties"]
    assert props["role"] == PARTY_SCHEMA["properties"]["role"]
    assert props["kind"] == PARTY_SCHEMA["properties"]["kind"]
    assert props["code"]["maxLength"] == 5
    assert props["clauses"]["maxItems"] == 3
    assert "maxLength" not in props["age"] and "maxItems" not in props["age"]
    assert bound_schema(PARTY_SCHEMA)["required"] == ["name", "role"]


def test_bound_schema_does_not_mutate_its_input() -> None:
    original = copy.deepcopy(PARTY_SCHEMA)
    bounded = bound_schema(PARTY_SCHEMA)
    assert original == PARTY_SCHEMA
    bounded["properties"]["name"]["maxLength"] = 1
    assert "maxLength" not in PARTY_SCHEMA["properties"]["name"]


def test_bound_schema_custom_limits_and_idempotence() -> None:
    bounded = bound_schema(PARTY_SCHEMA, max_string=40, max_items=4)
    assert bounded["properties"]["name"]["maxLength"] == 40
    assert bounded["properties"]["aliases"]["maxItems"] == 4
    assert bound_schema(bounded) == bounded


def test_bound_schema_reaches_into_combinators_and_defs() -> None:
    schema = {
        "type": "object",
        "properties": {"value": {"anyOf": [{"type": "string"}, {"type": "array"}]}},
        "$defs": {"Clause": {"type": "string"}},
    }
    bounded = bound_schema(schema)
    options = bounded["properties"]["value"]["anyOf"]
    assert options[0]["maxLength"] == DEFAULT_MAX_STRING
    assert options[1]["maxItems"] == DEFAULT_MAX_ITEMS
    assert bounded["$defs"]["Clause"]["maxLength"] == DEFAULT_MAX_STRING


# --- token_budget --------------------------------------------------------------------------


def _string_schema(length: int) -> dict[str, Any]:
    return {"type": "object", "properties": {"summary": {"type": "string", "maxLength": length}}}


def test_token_budget_grows_with_max_length() -> None:
    budgets = [token_budget(_string_schema(n)) for n in (0, 1, 10, 100, 1000)]
    assert budgets == sorted(budgets)
    assert len(set(budgets)) == len(budgets)
    assert token_budget(_string_schema(1000)) - token_budget(_string_schema(100)) == 900


def test_token_budget_grows_with_max_items() -> None:
    def schema(n: int) -> dict[str, Any]:
        return {"type": "array", "maxItems": n, "items": {"type": "string", "maxLength": 10}}

    assert token_budget(schema(1)) < token_budget(schema(2)) < token_budget(schema(20))


def _maximal(node: dict[str, Any]) -> Any:
    """The longest JSON instance a bounded schema admits (ASCII strings, widest numbers)."""
    if "enum" in node:
        return max(node["enum"], key=lambda v: len(json.dumps(v)))
    if "const" in node:
        return node["const"]
    kind = node.get("type")
    kind = kind[0] if isinstance(kind, list) else kind
    if kind == "object":
        return {name: _maximal(sub) for name, sub in node.get("properties", {}).items()}
    if kind == "array":
        return [_maximal(node.get("items", {})) for _ in range(node["maxItems"])]
    if kind == "string":
        return "x" * node["maxLength"]
    if kind == "boolean":
        return False
    if kind == "null":
        return None
    return -1.7976931348623157e308  # 24 characters, the longest float repr


@pytest.mark.parametrize(
    "schema",
    [
        _string_schema(300),
        PARTY_SCHEMA,
        {"type": "array", "items": {"type": "string"}},
        {"type": "array", "items": {"type": "integer"}},
        {
            "type": "object",
            "properties": {
                "parties": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "properties": {"name": {"type": "string"}, "share": {"type": "number"}},
                    },
                },
                "governing_law": {"type": "string", "enum": ["England and Wales", "Scotland"]},
                "signed": {"type": "boolean"},
            },
        },
        {"type": "object", "properties": {f"field_{i}": {"type": "boolean"} for i in range(30)}},
    ],
    ids=["one-string", "party", "string-array", "int-array", "contract", "many-fields"],
)
def test_token_budget_covers_a_maximal_instance(schema: dict[str, Any]) -> None:
    bounded = bound_schema(schema)
    instance = _maximal(bounded)
    assert token_budget(bounded) >= len(json.dumps(instance))
    assert token_budget(bounded) >= len(json.dumps(instance, separators=(",", ":")))


names = st.text("abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
leaves = st.one_of(
    st.builds(lambda n: {"type": "string", "maxLength": n}, st.integers(0, 200)),
    st.builds(
        lambda values: {"type": "string", "enum": values},
        st.lists(st.text("abc XYZ", min_size=1, max_size=20), min_size=1, max_size=4),
    ),
    st.sampled_from([{"type": "integer"}, {"type": "number"}, {"type": "boolean"}]),
)
schemas = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(
            lambda item, n: {"type": "array", "items": item, "maxItems": n},
            inner,
            st.integers(0, 25),
        ),
        st.builds(
            lambda props: {"type": "object", "properties": props},
            st.dictionaries(names, inner, min_size=1, max_size=12),
        ),
    ),
    max_leaves=12,
)


@settings(max_examples=200, deadline=None)
@given(schema=schemas)
def test_token_budget_covers_any_maximal_instance(schema: dict[str, Any]) -> None:
    instance = _maximal(schema)
    assert token_budget(schema) >= len(json.dumps(instance))


# --- parse_output --------------------------------------------------------------------------

SIMPLE: dict[str, Any] = bound_schema(
    {
        "type": "object",
        "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
        "required": ["name"],
        "additionalProperties": False,
    },
)


def test_parse_output_returns_the_value() -> None:
    assert parse_output('{"name": "Ada", "age": 36}', SIMPLE, "stop") == {"name": "Ada", "age": 36}


def test_length_finish_is_truncation_even_if_text_parses() -> None:
    with pytest.raises(OutputTruncatedError) as caught:
        parse_output('{"name": "Ada"}', SIMPLE, "length")
    assert caught.value.hint
    with pytest.raises(OutputTruncatedError):
        parse_output('{"name": "Ad', SIMPLE, "length")


@pytest.mark.parametrize(
    "text", ['{"name": "Ad', "", "not json", "{'name': 'Ada'}", '{"name": "A"} x']
)
def test_invalid_json_is_output_invalid(text: str) -> None:
    with pytest.raises(OutputInvalidError, match="not valid JSON"):
        parse_output(text, SIMPLE, "stop")


@pytest.mark.parametrize(
    "text",
    [
        '{"age": 3}',  # required name missing
        '{"name": 7}',  # wrong type
        '{"name": "Ada", "extra": 1}',  # additionalProperties
        '{"name": "' + "x" * (DEFAULT_MAX_STRING + 1) + '"}',  # over the bound
        '["Ada"]',
    ],
    ids=["missing", "type", "extra", "too-long", "array"],
)
def test_schema_violation_is_output_invalid(text: str) -> None:
    with pytest.raises(OutputInvalidError, match="does not match the schema"):
        parse_output(text, SIMPLE, "stop")


def test_output_errors_are_engine_errors_with_hints() -> None:
    for error in (OutputInvalidError("x"), OutputTruncatedError("x")):
        assert isinstance(error, EngineError)
        assert error.hint
