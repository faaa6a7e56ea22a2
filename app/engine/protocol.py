"""What the tasks need from an engine, as a protocol.

Tasks are written against ``EngineLike``, not the llama.cpp ``Engine`` class, so the same
pipeline runs on the local engine, on a firm's inference server (another backend with
the same methods), and on a scripted fake in unit tests that checks pipeline logic
(the chooser, summary resume) without a model. A task learns *which* model answers
from ``identity`` and *how* the backend may be driven from ``capabilities``; it never
reaches into a backend's own state (the local memory plan, the GGUF header), so a new
backend is one file that fills these in. ``EngineHandle`` adds what only the owner of
an engine uses (the CLI session, the desktop app): closing it, its stats feed, and the
local memory plan the status bar shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Protocol

from app.cancel import CancelToken
from app.engine.calibration import CalibrationCache
from app.engine.chat import Message
from app.engine.generation import Generation
from app.engine.identity import Capabilities, ModelIdentity
from app.engine.stats import GenerationStats, StatsFeed

if TYPE_CHECKING:
    from app.engine.plan import OffloadPlan


class EngineLike(Protocol):
    @property
    def identity(self) -> ModelIdentity | None:
        """The loaded model, or None while nothing is loaded."""

    @property
    def capabilities(self) -> Capabilities: ...

    #: Content-free scores (contextual calibration), shared by every task on this engine.
    @property
    def calibration(self) -> CalibrationCache: ...

    def count_tokens(self, text: str) -> int: ...

    def render(self, messages: Sequence[Message]) -> str: ...

    def stream(
        self,
        messages: Sequence[Message] | None = None,
        *,
        prompt: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
        schema: dict[str, Any] | None = None,
        cancel: CancelToken | None = None,
        stop: Sequence[str] | None = None,
    ) -> Generation:
        """Start generating; with ``schema`` (bounded, app/engine/structured.py) the
        backend constrains the output to JSON matching it, in its own way."""

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

    @property
    def plan(self) -> OffloadPlan | None:
        """The local memory plan (layers on the GPU, threads); None for a server."""

    def close(self) -> None: ...
