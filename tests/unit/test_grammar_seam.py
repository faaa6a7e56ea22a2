"""The one path to llama.cpp for grammars: checked in Python and by llama.cpp, never NULL.

These tests use llama.cpp's real grammar parser (through app.engine.llama_backend) but no
model: ``llama_sampler_init_grammar`` only needs a vocabulary for ``<token>`` syntax.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from llama_cpp import llama_grammar

from app.engine import gbnf, llama_backend
from app.engine.structured import bound_schema, grammar_for
from app.errors import OutputInvalidError
from tests.unit.test_grammar_gbnf import ACCEPTED, BROKEN_BY_BINDINGS, REFUSED

APP = Path(__file__).resolve().parents[2] / "app"
ISSUE_ENUM = ['The information (hereinafter "Confidential Information") provided', "other"]
ISSUE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"quote": {"enum": ISSUE_ENUM}},
    "required": ["quote"],
}


def native_accepts(text: str) -> bool:
    try:
        llama_backend._check_natively(text)
    except gbnf.GrammarError:
        return False
    return True


def test_the_issue_schema_now_yields_a_grammar_both_parsers_accept() -> None:
    text = llama_backend.schema_to_gbnf(ISSUE_SCHEMA)
    rules = gbnf.check(text)
    assert native_accepts(text)
    quote = "".join(chr(code) for kind, code in rules["quote"] if kind == gbnf.CHAR)
    assert json.dumps(ISSUE_ENUM[0]) in quote  # the option's JSON text, intact
    assert llama_backend.grammar_from_schema(ISSUE_SCHEMA)._grammar == text


def test_free_strings_admit_no_raw_control_characters() -> None:
    """JSON forbids a raw newline in a string; the bindings' rule allowed one."""
    rules = gbnf.check(llama_backend.schema_to_gbnf({"type": "string", "maxLength": 5}))
    first = rules["char"][: rules["char"].index((gbnf.ALT, 0))]
    assert first[0] == (gbnf.CHAR_NOT, ord('"'))
    assert (gbnf.CHAR_ALT, 0x00) in first and (gbnf.CHAR_RNG_UPPER, 0x1F) in first


def test_an_unparseable_grammar_is_refused_by_each_check_on_its_own(
    capfd: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(gbnf.GrammarError, match="expecting newline or end"):
        llama_backend.grammar_from_gbnf(BROKEN_BY_BINDINGS)
    with pytest.raises(gbnf.GrammarError, match=r"llama\.cpp's grammar parser refused"):
        llama_backend._check_natively(BROKEN_BY_BINDINGS)  # the native check alone, too
    assert "Confidential" not in capfd.readouterr().err  # llama.cpp's fprintf went nowhere


def test_grammar_for_refuses_with_an_error_naming_the_task() -> None:
    # The bindings turn the pattern \d into the GBNF escape "\d", which does not exist.
    schema = {"type": "object", "properties": {"n": {"type": "string", "pattern": "^\\d$"}}}
    with pytest.raises(OutputInvalidError) as caught:
        grammar_for(schema, task="clause check")
    message = str(caught.value)
    assert "clause check task could not build a valid grammar" in message
    assert "nothing was sent to the model" in message and "unknown escape" in message
    with pytest.raises(OutputInvalidError, match="The test_grammar_seam task"):
        grammar_for(schema)  # unnamed: the calling module names it


def test_every_schema_the_tasks_build_passes_both_checks() -> None:
    from app.tasks.ask.pipeline import SHORT_ANSWER_SCHEMA
    from app.tasks.draft.pipeline import section_schema
    from app.tasks.draft.templates import Section
    from app.tasks.extract import cell_schema
    from app.tasks.fieldsets import Field
    from app.tasks.summarise.narrative import points_schema
    from app.tasks.summarise.parts import STYLE_SPECS, window_schema

    quotes = ['(hereinafter "Confidential Information")', "back\\slash", "line\nbreak", "é"]
    clause = {"type": "object", "properties": {"quote": {"enum": quotes}}, "required": ["quote"]}
    schemas = [bound_schema(clause), bound_schema(SHORT_ANSWER_SCHEMA)]
    for style, spec in STYLE_SPECS.items():
        schemas += [
            window_schema(style, [1, 2], spec),
            points_schema(12, spec.max_points or 5, 200),
        ]
    law = Field("law", "Law", "Governing law", {"enum": ['"New York"', "Delaware\\"]}, ())
    schemas.append(bound_schema(cell_schema(law, 3)))
    longest = Field("note", "Note", "A note", {"type": "string", "maxLength": 600}, ())
    schemas.append(bound_schema(cell_schema(longest, 3)))  # fieldsets allow up to 600
    section = Section("terms", "Terms", "Summarise the terms.", ("term",), 3)
    schemas.append(bound_schema(section_schema(section, 3)))
    for schema in schemas:
        text = llama_backend.schema_to_gbnf(schema)
        gbnf.check(text)
        assert native_accepts(text), schema


# Refused grammars that must never reach llama.cpp at all, even to be refused there.
NATIVE_UNSAFE = {
    'root ::= "a"{5,2}\n': "llama.cpp's repetition count underflows: it loops for ever",
    'root ::= <think> "a"\n': "token syntax reads the vocabulary, which the check omits",
    "": "llama.cpp reads an empty grammar as no grammar at all",
}


@pytest.mark.parametrize(("grammar", "reason"), [r for r in REFUSED if r[0] not in NATIVE_UNSAFE])
def test_llama_cpp_refuses_what_the_python_check_refuses(grammar: str, reason: str) -> None:
    assert not native_accepts(grammar), reason


@pytest.mark.parametrize("grammar", ACCEPTED)
def test_llama_cpp_accepts_what_the_python_check_accepts(grammar: str) -> None:
    assert native_accepts(grammar)


GBNF_PIECES = st.sampled_from(
    [
        "root",
        " ::= ",
        "\n",
        " ",
        "|",
        '"a"',
        '"\\""',
        '"\\\\"',
        '"\\x41"',
        "[a-z]",
        '[^"]',
        "(",
        ")",
        "*",
        "+",
        "?",
        "{2}",
        "{1,3}",
        "{0,}",
        "x",
        " ::= ",
        "#c\n",
        ".",
        '"é"',
    ]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(GBNF_PIECES, max_size=14).map("".join))
def test_whatever_the_python_check_accepts_llama_cpp_accepts(text: str) -> None:
    try:
        gbnf.check(text)
    except gbnf.GrammarError:
        return  # refused before llama.cpp ever sees it: the safe direction
    assert native_accepts(text), text


def test_only_the_backend_builds_grammars_and_only_grammar_for_calls_it() -> None:
    """Static guard: no task can hand llama.cpp a grammar that skipped the checks."""
    builders = {
        "LlamaGrammar",
        "from_json_schema",
        "json_schema_to_gbnf",
        "SchemaConverter",
        "from_string",
        "llama_sampler_init_grammar",
    }
    offenders = []
    for path in APP.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        relative = path.relative_to(APP).as_posix()
        if names & builders and relative != "engine/llama_backend.py":
            offenders.append(f"{relative}: {sorted(names & builders)}")
        if "grammar_from_schema" in names and relative not in (
            "engine/llama_backend.py",
            "engine/structured.py",
            "engine/engine.py",  # hands its runtime's builder to grammar_for
        ):
            offenders.append(f"{relative}: grammar_from_schema (use structured.grammar_for)")
        for call in (n for n in ast.walk(tree) if isinstance(n, ast.Call)):
            for keyword in call.keywords:
                if keyword.arg == "grammar" and not _from_grammar_for(keyword.value):
                    offenders.append(f"{relative}:{call.lineno}: grammar= not from grammar_for")
    assert offenders == []


def _from_grammar_for(node: ast.expr) -> bool:
    """``grammar=grammar_for(...)``, or a plain name passed along (the engine's own plumbing)."""
    if isinstance(node, ast.Call):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        return name == "grammar_for"
    return isinstance(node, ast.Name) and node.id == "grammar"


def test_the_bindings_converter_is_still_what_we_subclass() -> None:
    """A version bump that renames these would silently drop our escaping: fail loudly."""
    for name in ("_format_literal", "_generate_constant_rule", "_add_primitive", "visit"):
        assert callable(getattr(llama_grammar.SchemaConverter, name, None)), name
    assert llama_grammar.SchemaConverter._format_literal is not (
        llama_backend._EscapingConverter._format_literal
    )
