"""Fast engine tests: real llama.cpp on a tiny random GGUF written by the `gguf` package."""

from __future__ import annotations

import shutil
from pathlib import Path

import jsonschema
import pytest

from app.cancel import CancelToken
from app.config import Settings
from app.engine import ContextOverflowError, Engine
from app.engine.hardware import detect
from app.engine.structured import generate_json
from app.errors import EngineError, ModelFileError, OutputTruncatedError
from tests.fixtures.tiny_gguf import installed_tiny, tiny_gguf

__all__ = ["tiny_gguf"]


@pytest.fixture(scope="module")
def tiny_engine(tiny_gguf: Path) -> Engine:
    engine = Engine()
    engine.load(
        installed_tiny(tiny_gguf), settings=Settings(context=512, threads=1), hardware=detect()
    )
    yield engine  # type: ignore[misc]
    engine.close()


def test_load_reports_the_plan(tiny_engine: Engine) -> None:
    loaded = tiny_engine.loaded
    assert loaded is not None
    assert loaded.plan.n_ctx == 2048 or loaded.plan.n_ctx == 512
    assert loaded.info.architecture == "llama"


def test_stream_respects_max_tokens(tiny_engine: Engine) -> None:
    generation = tiny_engine.stream(prompt="w1 w2 w3", max_tokens=7, stop=[])
    pieces = list(generation)
    assert generation.stats.generated_tokens == len(pieces) <= 7
    assert generation.stats.finish_reason in ("length", "stop")
    assert generation.stats.prompt_tokens > 0


def test_cancel_before_start_generates_nothing_more(tiny_engine: Engine) -> None:
    token = CancelToken()
    token.cancel()
    generation = tiny_engine.stream(prompt="w5 w6", max_tokens=50, cancel=token, stop=[])
    assert len(list(generation)) <= 1
    assert generation.stats.finish_reason == "cancelled"


def test_abandoning_the_iterator_cancels_generation(tiny_engine: Engine) -> None:
    generation = tiny_engine.stream(prompt="w7", max_tokens=200, stop=[])
    for _ in generation:
        break
    assert generation.cancel_token.cancelled
    # The worker is free again for the next request.
    assert tiny_engine.count_tokens("w1 w2") > 0


def test_prefix_is_reused_between_calls(tiny_engine: Engine) -> None:
    base = " ".join(f"w{i}" for i in range(40))
    tiny_engine.stream(prompt=base + " first", max_tokens=1, stop=[]).read()
    second = tiny_engine.stream(prompt=base + " second", max_tokens=1, stop=[])
    second.read()
    assert second.stats.reused_tokens >= 30


def test_context_overflow_is_a_clear_error(tiny_engine: Engine) -> None:
    loaded = tiny_engine.loaded
    assert loaded is not None
    long_prompt = " ".join(f"w{i % 40}" for i in range(loaded.plan.n_ctx * 2))
    with pytest.raises(ContextOverflowError, match="context holds"):
        tiny_engine.stream(prompt=long_prompt, max_tokens=4).read()


def test_grammar_forces_schema_valid_json_even_from_random_weights(tiny_engine: Engine) -> None:
    schema = {
        "type": "object",
        "properties": {
            "law": {"type": "string", "maxLength": 12},
            "signed": {"type": "boolean"},
            "kind": {"enum": ["nda", "lease"]},
        },
        "required": ["law", "signed", "kind"],
        "additionalProperties": False,
    }
    value, stats = generate_json(tiny_engine, [{"role": "user", "content": "w1 w2"}], schema)
    jsonschema.validate(value, schema)
    assert stats.finish_reason == "stop"


def test_json_cut_short_raises(tiny_engine: Engine) -> None:
    schema = {
        "type": "object",
        "properties": {"a": {"type": "string", "minLength": 20}},
        "required": ["a"],
    }
    with pytest.raises(OutputTruncatedError):
        generate_json(tiny_engine, [{"role": "user", "content": "w1"}], schema, max_tokens=5)


def test_truncated_file_is_refused_before_llama_cpp(tiny_gguf: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.gguf"
    shutil.copyfile(tiny_gguf, broken)
    model = installed_tiny(broken)
    with broken.open("r+b") as handle:
        handle.truncate(broken.stat().st_size - 100)
    engine = Engine()
    try:
        with pytest.raises(ModelFileError, match=r"broken\.gguf"):
            engine.load(model, settings=Settings(context=512))
        with pytest.raises(EngineError, match="No model is loaded"):
            engine.count_tokens("x")
    finally:
        engine.close()


def test_tampered_file_is_refused_by_hash(tiny_gguf: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tampered.gguf"
    shutil.copyfile(tiny_gguf, copy)
    model = installed_tiny(copy)
    data = bytearray(copy.read_bytes())
    data[-10] ^= 0x55
    copy.write_bytes(bytes(data))
    engine = Engine()
    try:
        with pytest.raises(Exception, match="SHA-256"):
            engine.load(model, settings=Settings(context=512))
    finally:
        engine.close()


def test_option_scores_are_log_probabilities_and_reuse_does_not_change_them(
    tiny_engine: Engine,
) -> None:
    """One forward pass per call; the KV prefix reused by a second call gives the same row."""
    vocab = ["a", "b", "c", "d"]  # byte tokens after the shared word-start piece
    prompt = "Question: which letter? Options follow. " * 5
    first = tiny_engine.score_options(prompt, vocab)
    assert all(score <= 0.0 for score in first)
    reused = tiny_engine.score_options(prompt, vocab)
    stats = tiny_engine.last_score_stats
    assert stats is not None and stats.reused_tokens == stats.prompt_tokens - 1
    assert reused == pytest.approx(first, abs=1e-4)
    other = tiny_engine.score_options("A different question entirely.", vocab)
    again = tiny_engine.score_options(prompt, vocab)  # cache now holds the other prompt
    assert again == pytest.approx(first, abs=1e-4) and other != pytest.approx(first, abs=1e-4)
    with pytest.raises(EngineError, match="one token"):
        tiny_engine.score_options(prompt, ["a", "a label of many tokens"])
