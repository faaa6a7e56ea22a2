"""JSON-Schema-constrained output.

Each backend constrains itself to the schema it is given (``stream(schema=...)``): the
local engine turns it into a llama.cpp grammar here (``grammar_for``), a server is sent
the schema. A grammar means the model can only emit tokens that keep the JSON valid. It cannot stop ``max_tokens`` from cutting an object in half, so
every string and array is given a bound, the token budget is computed from those bounds so
the object can always close, and a cut or invalid object is an error, never a result.
"""

from __future__ import annotations

import copy
import inspect
import json
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any

import jsonschema

from app.cancel import CancelToken
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.stats import GenerationStats
from app.errors import CancelledError, OutputInvalidError, OutputTruncatedError

DEFAULT_MAX_STRING = 300
DEFAULT_MAX_ITEMS = 20
GRAMMAR_CACHE_SIZE = 64
_grammar_cache: OrderedDict[str, Any] = OrderedDict()
_cache_lock = threading.Lock()


def bound_schema(
    schema: dict[str, Any], max_string: int = DEFAULT_MAX_STRING, max_items: int = DEFAULT_MAX_ITEMS
) -> dict[str, Any]:
    """A copy of ``schema`` where every string and array has an upper bound."""
    bounded = copy.deepcopy(schema)

    def visit(node: Any) -> None:
        if isinstance(node, dict):
            kind = node.get("type")
            kinds = kind if isinstance(kind, list) else [kind]
            if "string" in kinds and "enum" not in node and "const" not in node:
                node.setdefault("maxLength", max_string)
            if "array" in kinds:
                node.setdefault("maxItems", max_items)
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(bounded)
    return bounded


def token_budget(schema: dict[str, Any]) -> int:
    """Worst-case tokens to emit an instance of a bounded schema (one token per char)."""

    def size(node: Any) -> int:
        if not isinstance(node, dict):
            return 4
        if "enum" in node:
            return max(len(json.dumps(v)) for v in node["enum"]) + 2
        if "const" in node:
            return len(json.dumps(node["const"])) + 2
        for key in ("anyOf", "oneOf"):
            if key in node:
                return max(size(option) for option in node[key])
        kind = node.get("type")
        kind = kind[0] if isinstance(kind, list) else kind
        if kind == "object":
            props = node.get("properties", {})
            return 2 + sum(len(name) + 6 + size(sub) for name, sub in props.items())
        if kind == "array":
            return 2 + int(node.get("maxItems", DEFAULT_MAX_ITEMS)) * (
                size(node.get("items", {})) + 2
            )
        if kind == "string":
            return int(node.get("maxLength", DEFAULT_MAX_STRING)) + 2
        return 24  # numbers, booleans, null

    return size(schema) + 16


def grammar_for(
    schema: dict[str, Any],
    *,
    task: str | None = None,
    build: Callable[[dict[str, Any]], Any] | None = None,
) -> Any:
    """The one path from a JSON schema to a grammar (the local engine's
    ``stream(schema=...)`` calls it with its runtime's ``build``; default llama.cpp's).

    Enum options and consts are often document text (a clause's sentences, a summary's
    page numbers, a fact's quote). Their literals are escaped by app.engine.gbnf and the
    grammar is parsed twice (in Python, then by llama.cpp's own parser) before anything
    samples with it, so a quotation mark, backslash or control character in a document
    becomes either a correct grammar or this clear error, never a crash. ``task`` names
    the caller in the error; by default it is the calling module's name.
    """
    from app.engine import gbnf, llama_backend

    build = build or llama_backend.grammar_from_schema
    key = f"{build.__module__}:{json.dumps(schema, sort_keys=True)}"
    with _cache_lock:
        if key in _grammar_cache:
            _grammar_cache.move_to_end(key)
            return _grammar_cache[key]
    try:
        grammar = build(schema)
    except gbnf.GrammarError as exc:
        name = task or _calling_module()
        raise OutputInvalidError(
            f"The {name} task could not build a valid grammar for its answer, so nothing "
            f"was sent to the model. {exc}",
            "Use plain types (object, string, number, boolean, array, enum) in the schema; "
            "if the schema came from Chambers itself, report this with the document.",
        ) from exc
    with _cache_lock:
        _grammar_cache[key] = grammar
        while len(_grammar_cache) > GRAMMAR_CACHE_SIZE:  # enums built from documents vary
            _grammar_cache.popitem(last=False)
    return grammar


def _calling_module() -> str:
    """The short module name of grammar_for's caller ("clauses", "extract", ...)."""
    frame = inspect.currentframe()
    caller = frame.f_back.f_back if frame and frame.f_back else None
    module = str(caller.f_globals.get("__name__", "")) if caller else ""
    return module.rsplit(".", 1)[-1] or "structured-output"


def parse_output(text: str, schema: dict[str, Any], finish_reason: str) -> Any:
    """Parse and validate; a cut-off object is OutputTruncatedError, never partial data."""
    if finish_reason == "length":
        raise OutputTruncatedError(
            "The model reached its token limit before finishing the JSON object."
        )
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise OutputInvalidError(f"The model's output is not valid JSON ({exc.msg}).") from exc
    try:
        jsonschema.validate(value, schema)
    except jsonschema.ValidationError as exc:
        raise OutputInvalidError(
            f"The model's output does not match the schema: {exc.message}"
        ) from exc
    return value


def generate_json(
    engine: EngineLike,
    messages: Sequence[Message],
    schema: dict[str, Any],
    *,
    max_tokens: int | None = None,
    cancel: CancelToken | None = None,
) -> tuple[Any, GenerationStats]:
    """Ask for an object matching ``schema``; the result always validates or raises."""
    jsonschema.Draft202012Validator.check_schema(schema)
    bounded = bound_schema(schema)
    budget = max_tokens if max_tokens is not None else token_budget(bounded)
    generation = engine.stream(messages, schema=bounded, max_tokens=budget, cancel=cancel, stop=[])
    text = generation.read()
    if generation.stats.finish_reason == "cancelled":
        raise CancelledError("Generation was cancelled.")
    return parse_output(text, bounded, generation.stats.finish_reason), generation.stats
