"""The engine with the real default model (Qwen2.5-Coder 0.5B Instruct, Q4_K_M) on llama.cpp."""

from __future__ import annotations

import threading
import time

import jsonschema
import pytest

from app.cancel import CancelToken
from app.engine import Engine
from app.engine.chat import Message
from app.engine.structured import generate_json
from app.errors import OutputTruncatedError
from app.paths import resource_path

CONTRACT = resource_path("resources", "samples", "cuad-dev-009.txt").read_text(encoding="utf-8")
SYSTEM = "You are a careful legal assistant. Answer only from the contract the user provides."


def ask(question: str) -> list[Message]:
    return [
        {"role": "system", "content": SYSTEM},
        {"role": "user", "content": f"CONTRACT:\n{CONTRACT}\n\nQUESTION: {question}"},
    ]


def test_streams_pieces_and_answers_from_the_contract(qwen_engine: Engine) -> None:
    generation = qwen_engine.stream(ask("Which law governs this agreement?"), max_tokens=48)
    pieces = list(generation)
    assert len(pieces) > 3, "expected the answer to arrive as several streamed pieces"
    assert "".join(pieces) == generation.text
    assert "Pennsylvania" in generation.text
    assert generation.stats.finish_reason == "stop"
    assert generation.stats.generated_tokens == len(pieces)


def test_cancel_mid_stream_stops_within_one_token(qwen_engine: Engine) -> None:
    token = CancelToken()
    generation = qwen_engine.stream(
        [{"role": "user", "content": "Write a long essay about contract law."}],
        max_tokens=200,
        cancel=token,
    )
    after_cancel = 0
    for index, _piece in enumerate(generation):
        if index == 4:
            token.cancel()
        elif index > 4:
            after_cancel += 1
    assert generation.stats.finish_reason == "cancelled"
    assert after_cancel <= 1
    assert generation.stats.generated_tokens <= 6


def test_cancel_from_another_thread_returns_promptly(qwen_engine: Engine) -> None:
    generation = qwen_engine.stream(
        [{"role": "user", "content": "Count from one to five hundred in words."}], max_tokens=400
    )
    pieces = iter(generation)
    next(pieces)
    timer = threading.Timer(0.2, generation.cancel)
    start = time.perf_counter()
    timer.start()
    rest = list(pieces)
    elapsed = time.perf_counter() - start
    assert generation.stats.finish_reason == "cancelled"
    assert len(rest) < 399  # stopped early: the cancel, not the token budget, ended it
    # a generous ceiling (a loaded machine can be slow per token); the stop itself is
    # proved by the finish reason and the short output above
    assert elapsed < 60, f"cancel took {elapsed:.1f}s"
    # The engine is still usable afterwards.
    text, _ = qwen_engine.generate([{"role": "user", "content": "Say OK."}], max_tokens=4)
    assert text


def test_json_schema_output_parses_and_validates(qwen_engine: Engine) -> None:
    schema = {
        "type": "object",
        "properties": {
            "governing_law": {"type": "string", "maxLength": 60},
            "parties": {
                "type": "array",
                "items": {"type": "string", "maxLength": 80},
                "maxItems": 4,
            },
            "is_amendment": {"type": "boolean"},
        },
        "required": ["governing_law", "parties", "is_amendment"],
        "additionalProperties": False,
    }
    value, stats = generate_json(
        qwen_engine,
        ask("Extract the governing law, the parties, and whether it is an amendment."),
        schema,
    )
    jsonschema.validate(value, schema)
    assert "Pennsylvania" in value["governing_law"]
    assert stats.finish_reason == "stop"


def test_json_cut_by_token_limit_is_an_error(qwen_engine: Engine) -> None:
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string", "minLength": 100, "maxLength": 200}},
        "required": ["summary"],
    }
    with pytest.raises(OutputTruncatedError):
        generate_json(qwen_engine, ask("Summarise the agreement."), schema, max_tokens=8)


def test_second_question_reuses_the_document_prefix(qwen_engine: Engine) -> None:
    # Start cold: a different prompt evicts the contract from the KV cache.
    qwen_engine.generate([{"role": "user", "content": "Hello."}], max_tokens=2)
    cold = qwen_engine.stream(ask("Which law governs this agreement?"), max_tokens=8)
    cold.read()
    warm = qwen_engine.stream(ask("Who are the parties to this agreement?"), max_tokens=8)
    warm.read()
    assert cold.stats.reused_tokens < 50
    assert warm.stats.reused_tokens > 0.9 * warm.stats.prompt_tokens
    assert warm.stats.time_to_first_token * 3 < cold.stats.time_to_first_token


def test_count_tokens_matches_the_tokenizer(qwen_engine: Engine) -> None:
    count = qwen_engine.count_tokens(CONTRACT)
    assert 500 < count < 1200
    assert qwen_engine.count_tokens("") == 0
    assert qwen_engine.count_tokens(CONTRACT + CONTRACT) >= 2 * count - 2


def test_all_model_calls_run_on_one_worker_thread(qwen_engine: Engine) -> None:
    seen: set[int] = set()
    original = qwen_engine._submit

    def spy(fn):  # type: ignore[no-untyped-def]
        def wrapped():  # type: ignore[no-untyped-def]
            seen.add(threading.get_ident())
            return fn()

        return original(wrapped)

    qwen_engine._submit = spy  # type: ignore[method-assign]
    try:
        qwen_engine.count_tokens("a")
        qwen_engine.generate([{"role": "user", "content": "Hi"}], max_tokens=2)
        other = threading.Thread(target=lambda: qwen_engine.count_tokens("b"))
        other.start()
        other.join(timeout=300)  # an event, not a sleep: a loaded machine may start it late
        assert not other.is_alive()
    finally:
        del qwen_engine._submit
    assert len(seen) == 1 and threading.get_ident() not in seen
