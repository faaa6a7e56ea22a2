"""Enum and const options hold any text, and generation with real llama.cpp survives it.

The tiny random-weight model (tests/fixtures/tiny_gguf.py) has the 256 byte tokens, so it
can spell any UTF-8 text; the grammar alone decides what it writes. Issue 16: a quoted
defined term in an enum option used to crash the process with a segfault.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from app.config import Settings
from app.engine import Engine
from app.engine.hardware import detect
from app.engine.structured import generate_json
from tests.fixtures.tiny_gguf import installed_tiny, tiny_gguf

__all__ = ["tiny_gguf"]

ROOT = Path(__file__).resolve().parents[2]
QUOTED_TERM = 'The information (hereinafter "Confidential Information") provided'


@pytest.fixture(scope="module")
def engine(tiny_gguf: Path) -> Iterator[Engine]:
    engine = Engine()
    # One thread: ggml's spinning thread barrier crawls on a busy CPU (60 s instead of 1 s).
    engine.load(
        installed_tiny(tiny_gguf), settings=Settings(context=2048, threads=1), hardware=detect()
    )
    yield engine
    engine.close()


def schema_for(options: list[str], const: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {"choice": {"enum": options}, "fixed": {"const": const}},
        "required": ["choice", "fixed"],
        "additionalProperties": False,
    }


OPTION = st.text(max_size=40)
NASTY = st.sampled_from(['"', "\\", '\\"', "\n", "\r\t", "\x00", "\x1f", "\x7f", "é", "“”", "😀"])


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    options=st.lists(
        st.one_of(OPTION, NASTY.map(lambda n: f"a{n}b")), min_size=1, max_size=4, unique=True
    ),
    const=OPTION,
    seed_word=st.integers(min_value=0, max_value=40),
)
@example(options=[QUOTED_TERM, "other"], const='"', seed_word=0)
@example(options=["\\", '\\"', '""', "\\\\n"], const="\\u0041 \\x41 \\", seed_word=1)
@example(options=["new\nline", "nul\x00", "\ud800 lone", "\U0010ffff"], const="\x1f", seed_word=2)
@example(options=["é“”ß中文😀", "e"], const=" ", seed_word=3)
@example(options=[QUOTED_TERM + "\\" * 40, "x"], const=QUOTED_TERM * 4, seed_word=4)  # long
def test_generation_returns_one_of_the_options_whatever_they_contain(
    engine: Engine, options: list[str], const: str, seed_word: int
) -> None:
    messages = [{"role": "user", "content": f"w{seed_word} w{seed_word + 1}"}]
    value, stats = generate_json(engine, messages, schema_for(options, const))
    assert value["choice"] in options
    assert value["fixed"] == const
    assert stats.finish_reason == "stop"


def test_the_issue_reproduction_survives_in_a_fresh_process(tiny_gguf: Path) -> None:
    """The issue's exact reproduction (raw bindings, prompt "Q:"), through our grammar.

    In a child process, so a regression shows as a failed test with the exit status
    instead of taking the whole test run down with a segfault.
    """
    script = textwrap.dedent(
        f"""
        import json, llama_cpp
        from app.engine import llama_backend
        schema = {{"type": "object", "properties": {{"quote": {{"enum": {[QUOTED_TERM, "other"]!r}}}}}}}
        llm = llama_cpp.Llama({str(tiny_gguf)!r}, n_ctx=512, verbose=False)
        grammar = llama_backend.grammar_from_schema(schema)
        out = llm.create_completion("Q:", grammar=grammar, max_tokens=120, temperature=0.0)
        print(json.dumps(out["choices"][0]["text"]))
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, (result.returncode, result.stderr[-2000:])
    text = json.loads(result.stdout.strip().splitlines()[-1])
    assert json.loads(text) in ({}, {"quote": QUOTED_TERM}, {"quote": "other"})
