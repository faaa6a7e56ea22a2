"""Timing and token counts of one generation, for the status bar, logs and benchmarks."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


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

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["tokens_per_second"] = round(self.tokens_per_second, 2)
        return data
