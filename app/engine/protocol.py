"""What the tasks need from an engine, as a protocol.

Tasks are written against ``EngineLike``, not the llama.cpp ``Engine`` class, so the same
pipeline runs on the local engine, on a firm's inference server (another backend with
the same methods), and on a scripted fake in unit tests that checks pipeline logic
(the chooser, summary resume) without a model. ``EngineHandle`` adds what only the owner
of an engine uses (the CLI session, the desktop app): closing it and its stats feed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from app.cancel import CancelToken
from app.engine.chat import Message
from app.engine.engine import Generation, LoadedModel
from app.engine.stats import GenerationStats, StatsFeed


class EngineLike(Protocol):
    @property
    def loaded(self) -> LoadedModel | None: ...

    def count_tokens(self, text: str) -> int: ...

    def render(self, messages: Sequence[Message]) -> str: ...

    def stream(
        self,
        messages: Sequence[Message] | None = None,
        *,
        prompt: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
        grammar: Any = None,
        cancel: CancelToken | None = None,
        stop: Sequence[str] | None = None,
    ) -> Generation: ...

    def generate(
        self, messages: Sequence[Message], **kwargs: Any
    ) -> tuple[str, GenerationStats]: ...

    def score_options(
        self, prompt: str, labels: Sequence[str], *, cancel: CancelToken | None = None
    ) -> list[float]: ...


class EngineHandle(EngineLike, Protocol):
    """An engine as its owner holds it: tasks never close it, the owner does."""

    #: Every generation's and scoring call's figures (the status bar listens).
    stats_feed: StatsFeed

    def close(self) -> None: ...
