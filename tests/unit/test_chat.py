"""Prompt rendering: exact bytes per chat format, and the stable prefix KV reuse relies on."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.engine.chat import Message, render, stop_strings
from app.errors import UsageError

CONVERSATION: list[Message] = [
    {"role": "system", "content": "You are careful."},
    {"role": "user", "content": "Summarise the lease."},
    {"role": "assistant", "content": "It runs for 5 years."},
    {"role": "user", "content": "Who pays rates?"},
]


def test_chatml_exact() -> None:
    assert render(CONVERSATION, "chatml") == (
        "<|im_start|>system\nYou are careful.<|im_end|>\n"
        "<|im_start|>user\nSummarise the lease.<|im_end|>\n"
        "<|im_start|>assistant\nIt runs for 5 years.<|im_end|>\n"
        "<|im_start|>user\nWho pays rates?<|im_end|>\n"
        "<|im_start|>assistant\n"
    )


def test_gemma_exact_folds_system_into_first_user_turn() -> None:
    assert render(CONVERSATION, "gemma") == (
        "<start_of_turn>user\nYou are careful.\n\nSummarise the lease.<end_of_turn>\n"
        "<start_of_turn>model\nIt runs for 5 years.<end_of_turn>\n"
        "<start_of_turn>user\nWho pays rates?<end_of_turn>\n"
        "<start_of_turn>model\n"
    )


def test_gemma_without_system() -> None:
    assert render([{"role": "user", "content": "Hi"}], "gemma") == (
        "<start_of_turn>user\nHi<end_of_turn>\n<start_of_turn>model\n"
    )


def test_gemma_joins_several_system_messages() -> None:
    messages: list[Message] = [
        {"role": "system", "content": "A"},
        {"role": "system", "content": "B"},
        {"role": "user", "content": "Q"},
    ]
    assert render(messages, "gemma") == (
        "<start_of_turn>user\nA\n\nB\n\nQ<end_of_turn>\n<start_of_turn>model\n"
    )


def test_plain_exact() -> None:
    assert render(CONVERSATION, "plain") == (
        "You are careful.\n\n"
        "Question: Summarise the lease.\n\n"
        "Answer: It runs for 5 years.\n\n"
        "Question: Who pays rates?\n\n"
        "Answer:"
    )


def test_single_user_message_in_every_format() -> None:
    one: list[Message] = [{"role": "user", "content": "Hello"}]
    assert render(one, "chatml") == "<|im_start|>user\nHello<|im_end|>\n<|im_start|>assistant\n"
    assert render(one, "plain") == "Question: Hello\n\nAnswer:"


def test_content_is_not_altered() -> None:
    text = "  Clause 4.2 \u00a7 \u201cquoted\u201d\n\n\tindented  "
    for chat_format in ("chatml", "gemma", "plain"):
        assert text in render([{"role": "user", "content": text}], chat_format)


def test_stop_strings() -> None:
    assert stop_strings("chatml") == ["<|im_end|>", "<|im_start|>"]
    assert stop_strings("gemma") == ["<end_of_turn>"]
    assert stop_strings("plain") == ["\n\nQuestion:"]
    assert stop_strings("nonsense") == []
    stop_strings("chatml").append("x")  # callers get a copy
    assert stop_strings("chatml") == ["<|im_end|>", "<|im_start|>"]


@pytest.mark.parametrize("chat_format", ["chatml", "gemma", "plain"])
def test_empty_conversation_is_a_usage_error(chat_format: str) -> None:
    with pytest.raises(UsageError, match="empty"):
        render([], chat_format)


@pytest.mark.parametrize(
    "message",
    [
        {"role": "tool", "content": "x"},
        {"role": "User", "content": "x"},
        {"content": "x"},
        {"role": "user", "content": None},
        {"role": "user", "content": ["x"]},
        {"role": "user"},
    ],
)
def test_bad_message_is_a_usage_error(message: dict[str, object]) -> None:
    with pytest.raises(UsageError):
        render([{"role": "user", "content": "ok"}, message], "chatml")  # type: ignore[list-item]


def test_unknown_format_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="llama-9"):
        render([{"role": "user", "content": "x"}], "llama-9")


# --- the prefix property behind KV-cache reuse ---------------------------------------------

DOCUMENT = "LEASE AGREEMENT\n\n1. The tenant shall pay rent monthly.\n" * 40


def _ask(question: str) -> list[Message]:
    return [
        {"role": "system", "content": "Answer from the document only."},
        {"role": "user", "content": f"Document:\n{DOCUMENT}\n\nQuestion: {question}"},
    ]


def _common_prefix(a: bytes, b: bytes) -> bytes:
    n = 0
    while n < min(len(a), len(b)) and a[n] == b[n]:
        n += 1
    return a[:n]


@pytest.mark.parametrize("chat_format", ["chatml", "gemma", "plain"])
def test_same_document_different_question_share_a_prefix(chat_format: str) -> None:
    first = render(_ask("Who pays the rent?"), chat_format).encode("utf-8")
    second = render(_ask("Is rent due monthly?"), chat_format).encode("utf-8")
    shared = _common_prefix(first, second)
    assert DOCUMENT.encode("utf-8") in shared
    assert shared.endswith(b"\n\nQuestion: ")  # diverges only at the question itself


@pytest.mark.parametrize("chat_format", ["chatml", "gemma", "plain"])
def test_rendering_is_deterministic(chat_format: str) -> None:
    assert render(_ask("x"), chat_format) == render(_ask("x"), chat_format)


text = st.text(st.characters(codec="utf-8"), max_size=40)


@settings(max_examples=100, deadline=None)
@given(
    system=st.none() | text,
    turns=st.lists(st.tuples(text, text), min_size=1, max_size=4),
    reply=text,
    follow_up=text,
    chat_format=st.sampled_from(["chatml", "gemma", "plain"]),
)
def test_a_conversation_is_a_prefix_of_its_continuation(
    system: str | None,
    turns: list[tuple[str, str]],
    reply: str,
    follow_up: str,
    chat_format: str,
) -> None:
    """Rendering a chat, then the chat plus the model's reply and a new question, keeps the
    first rendering as a byte prefix, so the engine only evaluates the new tokens."""
    messages: list[Message] = [{"role": "system", "content": system}] if system is not None else []
    for question, answer in turns:
        messages.append({"role": "user", "content": question})
        messages.append({"role": "assistant", "content": answer})
    messages.pop()  # end on a user turn, waiting for the model
    before = render(messages, chat_format)
    continued: list[Message] = [
        *messages,
        {"role": "assistant", "content": reply},
        {"role": "user", "content": follow_up},
    ]
    after = render(continued, chat_format)
    assert after.encode("utf-8").startswith(before.encode("utf-8"))
