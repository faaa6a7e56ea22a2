"""Turn a conversation into the exact prompt text a model was trained on.

Rendering here (rather than inside llama.cpp's template engine) keeps the prompt
deterministic and byte-stable: the same document and a new question yield the same
prefix, which is what lets the engine reuse the KV cache across questions.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypedDict

from app.errors import UsageError


class Message(TypedDict):
    role: str  # "system", "user" or "assistant"
    content: str


ROLES = ("system", "user", "assistant")


def _check(messages: Sequence[Message]) -> None:
    if not messages:
        raise UsageError("There is nothing to send to the model: the conversation is empty.")
    for message in messages:
        if message.get("role") not in ROLES or not isinstance(message.get("content"), str):
            raise UsageError(
                f"A message has role {message.get('role')!r}; expected one of {', '.join(ROLES)} "
                "with text content."
            )


def _chatml(messages: Sequence[Message]) -> str:
    parts = [f"<|im_start|>{m['role']}\n{m['content']}<|im_end|>\n" for m in messages]
    return "".join(parts) + "<|im_start|>assistant\n"


def _gemma(messages: Sequence[Message]) -> str:
    system = "\n\n".join(m["content"] for m in messages if m["role"] == "system")
    parts, pending = [], system
    for message in messages:
        if message["role"] == "system":
            continue
        role = "model" if message["role"] == "assistant" else "user"
        content = message["content"]
        if pending and role == "user":
            content, pending = f"{pending}\n\n{content}", ""
        parts.append(f"<start_of_turn>{role}\n{content}<end_of_turn>\n")
    return "".join(parts) + "<start_of_turn>model\n"


def _plain(messages: Sequence[Message]) -> str:
    labels = {"system": "", "user": "Question: ", "assistant": "Answer: "}
    body = "\n\n".join(f"{labels[m['role']]}{m['content']}" for m in messages)
    return body + "\n\nAnswer:"


_RENDERERS = {"chatml": _chatml, "gemma": _gemma, "plain": _plain}
STOP_STRINGS = {
    "chatml": ["<|im_end|>", "<|im_start|>"],
    "gemma": ["<end_of_turn>"],
    "plain": ["\n\nQuestion:"],
}


def render(messages: Sequence[Message], chat_format: str) -> str:
    _check(messages)
    try:
        return _RENDERERS[chat_format](messages)
    except KeyError as exc:
        raise UsageError(f"Unknown chat format {chat_format!r}.") from exc


def stop_strings(chat_format: str) -> list[str]:
    return list(STOP_STRINGS.get(chat_format, []))
