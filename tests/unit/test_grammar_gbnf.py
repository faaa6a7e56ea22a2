"""GBNF literals and the Python-side grammar check (app.engine.gbnf), no model needed.

The literal tests decode what the checker parsed back into characters, so "escaped
correctly" means: llama.cpp's grammar reads back exactly the text we meant.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from app.engine import gbnf

# What llama-cpp-python 0.3.x's converter writes for the issue's enum: `\"` inside the
# JSON text is written as `\\"`, so the literal ends after `hereinafter \\`.
BROKEN_BY_BINDINGS = (
    'quote ::= "\\"The information (hereinafter \\\\"Confidential Information\\\\") '
    'provided\\"" | "\\"other\\""\n'
    'quote-kv ::= "\\"quote\\"" space ":" space quote\n'
    'root ::= "{" space  (quote-kv )? "}" space\n'
    'space ::= " "?\n'
)

# Grammars llama.cpp refuses, with the reason our check gives (shared with the native
# parity test in test_grammar_seam.py).
REFUSED = [
    ('root ::= "a" b\n', "never defines"),
    ('main ::= "a"\n', "no 'root' rule"),
    ('root ::= "\\d"\n', "unknown escape"),
    ('root ::= "\\x4"\n', "hex digits"),
    ('root ::= "abc\n', "newline or end|end of input"),
    ("root ::= [a-\n", "end of input"),
    ('root ::= "a"{5,2}\n', "wrong way round"),
    ('root ::= "a"{2001}\n', "more than 2000"),
    ('root ::= ("a"{0,100}){0,100}\n', "over 2000 rules"),
    ('root ::= * "a"\n', "expecting an item"),
    ('root ::= ( "a"\n', "expecting '\\)'"),
    ('root ::= "a" ) \n', "newline or end"),
    ('root := "a"\n', "expecting ::="),
    ('root ::= root "a" | "b"\n', "left-recursive"),
    ('root ::= x "c"\nx ::= y? root\ny ::= "y"\n', "left-recursive"),
    ('root ::= <think> "a"\n', "token references"),
    ('root ::= "a\x00"\n', "NUL"),
    ("", "empty"),
]
ACCEPTED = [
    'root ::= "a" | "b" # comment\n',
    'root ::= ( "a"\n  | "b" )* [^"\\\\\\x00-\\x1F] . "\\u00e9" "\\U0001F600"\n',
    'root ::= item{2,5} item{3} item{1,} ""\nitem ::= [a-zA-Z0-9_-]\n',
    'root ::= x\r\nx ::= "a" x | "b"\r\n',
    'root ::= "a"{0,3000}\n',  # an over-large upper bound is dropped, as llama.cpp does
]

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)


def decoded(grammar_literal: str) -> str:
    """The characters llama.cpp's parser reads from ``root ::= <literal>``."""
    rule = gbnf.check(f"root ::= {grammar_literal}\n")["root"]
    assert rule[-1] == (gbnf.END, 0)
    assert all(kind == gbnf.CHAR for kind, _ in rule[:-1])
    return "".join(chr(code) for _, code in rule[:-1])


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=3000))
@example('The information (hereinafter "Confidential Information") provided')
@example('back\\slash \\" \\\\ "" \\n \\u0041 \\x41 \\')
@example("new\nline\r\ttab \x00 nul \x1f \x7f del \x85 nel \u2028 ls")
@example("é “curly” ß 中文 😀 \U0010ffff \ufffe")
@example("x" * 20_000)
def test_a_literal_reads_back_as_exactly_its_text(text: str) -> None:
    written = gbnf.literal(text)
    assert written.isascii() and written.isprintable()  # no raw bytes reach llama.cpp
    assert decoded(written) == text


@settings(max_examples=200, deadline=None)
@given(JSON_VALUES)
@example('(hereinafter "Confidential Information")')
@example({'k"ey\\': ["\n", 1.5, -0.0, None, True]})
def test_a_json_literal_admits_exactly_the_json_text_of_its_value(value: Any) -> None:
    text = decoded(gbnf.json_literal(value))
    assert text == gbnf.json_text(value)
    assert json.loads(text) == value


def test_json_text_is_ascii_so_no_overlong_utf8_can_stand_in_for_an_option() -> None:
    assert gbnf.json_text("“é”") == '"\\u201c\\u00e9\\u201d"'
    assert gbnf.json_text('a"b\\c\n') == '"a\\"b\\\\c\\n"'
    assert gbnf.json_text("\ud800x") == '"\\ud800x"'  # a lone surrogate has no UTF-8 form
    assert json.loads(gbnf.json_text("\ud800x")) == "\ud800x"
    with pytest.raises(gbnf.GrammarError, match="surrogate"):
        gbnf.literal("\udfff")
    for bad in (float("nan"), [float("inf")], {"a": float("-inf")}):
        with pytest.raises(gbnf.GrammarError, match="not JSON compliant"):
            gbnf.json_text(bad)


def test_the_grammar_from_the_issue_is_refused_with_a_position_not_its_text() -> None:
    with pytest.raises(gbnf.GrammarError) as caught:
        gbnf.check(BROKEN_BY_BINDINGS)
    message = str(caught.value)
    assert "line 1, column 70" in message and "expecting newline or end" in message
    assert "Confidential" not in message  # errors never echo document text


@pytest.mark.parametrize(("grammar", "reason"), REFUSED)
def test_grammars_llama_cpp_would_refuse_are_refused(grammar: str, reason: str) -> None:
    with pytest.raises(gbnf.GrammarError, match=reason):
        gbnf.check(grammar)


@pytest.mark.parametrize("grammar", ACCEPTED)
def test_grammars_llama_cpp_accepts_are_accepted(grammar: str) -> None:
    rules = gbnf.check(grammar)
    assert "root" in rules and rules["root"][-1] == (gbnf.END, 0)


def test_deep_nesting_is_checked_like_llama_cpp_without_python_recursion_limits() -> None:
    """The bindings write maxLength N as N nested optional groups; llama.cpp counts the
    rules each group generates, so about 1000 levels is its limit, and ours."""

    def bounded(depth: int) -> str:
        nested = "(char " * depth + ")?" * depth
        return f'root ::= "\\"" {nested} "\\""\nchar ::= [a-z]\n'

    assert len(gbnf.check(bounded(900))) > 900
    with pytest.raises(gbnf.GrammarError, match="over 2000 rules"):
        gbnf.check(bounded(1100))
