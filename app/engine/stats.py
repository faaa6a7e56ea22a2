"""Timing and token counts of one generation, for the status bar, logs and benchmarks."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

log = logging.getLogger(__name__)


@dataclass
class GenerationStats:
    prompt_tokens: int = 0
    #: Prompt tokens already in the KV cache from the previous call (not re-evaluated).
    reused_tokens: int = 0
    generated_tokens: int = 0
    time_to_first_token: float = 0.0
    total_seconds: float = 0.0
    #: "stop" (natural end or stop string), "length" (hit max_tokens) or "cancelled".
    finish_reason: str = ""

    @property
    def tokens_per_second(self) -> float:
        """Generation speed after the first token (prompt processing excluded)."""
        span = self.total_seconds - self.time_to_first_token
        return (self.generated_tokens - 1) / span if self.generated_tokens > 1 and span > 0 else 0.0

    @property
    def prompt_tokens_per_second(self) -> float:
        """Prompt processing speed (tokens not already in the KV cache); for a scoring call,
        which generates nothing, this is its whole speed."""
        fresh = self.prompt_tokens - self.reused_tokens
        span = self.time_to_first_token if self.generated_tokens else self.total_seconds
        return fresh / span if fresh > 0 and span > 0 else 0.0

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tokens_per_second"] = round(self.tokens_per_second, 2)
        return data


StatsListener = Callable[[GenerationStats], None]


class StatsFeed:
    """Who wants to follow the engine's speed: listeners get a snapshot of the running
    generation's stats at most every ``interval_s``, and the final stats of every call.

    The engine publishes from its worker thread, for every caller (a task's pipeline calls
    the engine directly, not through any GUI service), so a listener must be thread-safe
    (a Qt signal emit is) and quick. A failing listener is logged, never raised into the
    generation.
    """

    def __init__(self, interval_s: float = 0.5) -> None:
        self.interval_s = interval_s
        self._listeners: list[StatsListener] = []
        self._lock = threading.Lock()
        self._last = 0.0

    def subscribe(self, listener: StatsListener) -> Callable[[], None]:
        """Add ``listener``; returns the function that removes it."""
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def running(self, stats: GenerationStats, started: float) -> None:
        """A token arrived (``started``: the call's time.perf_counter() at its start)."""
        now = time.perf_counter()
        if now - self._last < self.interval_s or not self._listeners:
            return
        self._last = now
        self._publish(replace(stats, total_seconds=now - started))

    def finished(self, stats: GenerationStats) -> None:
        self._last = time.perf_counter()
        self._publish(replace(stats))

    def _publish(self, snapshot: GenerationStats) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(snapshot)
            except Exception:
                log.exception("A generation stats listener failed")
