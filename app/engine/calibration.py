"""Contextual calibration's content-free scores, kept once per engine.

Review, the chooser and any other task that subtracts a content-free prompt's option
scores (Zhao et al. 2021) asks :func:`content_free_scores`. The scores depend only on the
model and the prompt's exact text, so they are cached under the model's SHA-256, the
prompt and the labels, in the one cache its engine owns: a second task on the same
statement or question pays nothing, a model swap can never reuse a stale entry, and the
cache goes away with the engine.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Protocol

from app.cancel import CancelToken
from app.engine.identity import ModelIdentity

#: Entries kept (a playbook has tens of statements, a field set tens of questions).
CACHE_SIZE = 4096

Key = tuple[str, str, tuple[str, ...]]


class CalibrationCache:
    """Content-free option scores by (model SHA-256, prompt, labels); thread-safe."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._size = size
        self._scores: OrderedDict[Key, tuple[float, ...]] = OrderedDict()
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._scores)

    def get_or_score(self, key: Key, score: Callable[[], Sequence[float]]) -> tuple[float, ...]:
        """The cached scores for ``key``, computing them with ``score()`` the first time."""
        with self._lock:
            if key in self._scores:
                self._scores.move_to_end(key)
                return self._scores[key]
        scores = tuple(float(x) for x in score())  # outside the lock: a model call
        with self._lock:
            self._scores[key] = scores
            while len(self._scores) > self._size:
                self._scores.popitem(last=False)
        return scores


class _Calibrated(Protocol):
    """What calibration needs of an engine (every ``EngineLike`` has it)."""

    @property
    def identity(self) -> ModelIdentity | None: ...

    @property
    def calibration(self) -> CalibrationCache: ...

    def score_options(
        self, prompt: str, labels: Sequence[str], *, cancel: CancelToken | None = None
    ) -> list[float]: ...


def content_free_scores(
    engine: _Calibrated, prompt: str, labels: Sequence[str], *, cancel: CancelToken | None = None
) -> tuple[float, ...]:
    """``engine.score_options(prompt, labels)``, once per model, prompt and labels."""
    identity = engine.identity
    key = (identity.sha256 if identity is not None else "", prompt, tuple(labels))
    return engine.calibration.get_or_score(
        key, lambda: engine.score_options(prompt, labels, cancel=cancel)
    )
