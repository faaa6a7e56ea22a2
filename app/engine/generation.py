"""One generation's text pieces, handed from a backend's worker to the reading thread.

Every backend (the local llama.cpp engine, the firm's server, the scripted test engine)
returns this object from ``stream``, so it lives apart from any of them: the server
backend needs it without loading llama.cpp.
"""

from __future__ import annotations

import queue
from collections.abc import Iterator

from app.cancel import CancelToken
from app.engine.stats import GenerationStats
from app.errors import CancelledError

#: Put on a generation's queue by its worker when the last piece is in.
DONE = object()


class Generation:
    """Text pieces of one generation, in order, as the worker produces them."""

    def __init__(self, cancel: CancelToken) -> None:
        self.cancel_token = cancel
        self.stats = GenerationStats()
        self._queue: queue.Queue[object] = queue.Queue()
        self._pieces: list[str] = []
        self._finished = False

    def cancel(self) -> None:
        self.cancel_token.cancel()

    def __iter__(self) -> Iterator[str]:
        try:
            while not self._finished:
                item = self._queue.get()
                if item is DONE:
                    self._finished = True
                elif isinstance(item, BaseException):
                    self._finished = True
                    raise item
                else:
                    piece = str(item)
                    self._pieces.append(piece)
                    yield piece
        finally:
            if not self._finished:  # the caller stopped reading: stop the model too
                self.cancel_token.cancel()

    def read(self) -> str:
        """Wait for the whole output and return it."""
        for _ in self:
            pass
        return self.text

    def result(self) -> tuple[str, GenerationStats]:
        """The whole answer and its statistics; a cancelled generation raises instead.

        Every engine's blocking ``generate`` is this over its own ``stream``.
        """
        text = self.read()
        if self.stats.finish_reason == "cancelled":
            raise CancelledError("Generation was cancelled.")
        return text, self.stats

    @property
    def text(self) -> str:
        return "".join(self._pieces)

    # Called on the worker thread.
    def _put(self, item: object) -> None:
        self._queue.put(item)
