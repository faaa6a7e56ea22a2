"""A cancel token shared by every slow operation.

Core functions take a ``CancelToken`` and a plain ``progress(fraction, message)`` callback
rather than anything from Qt, so the same code is driven by the CLI (Ctrl-C), the GUI
(Cancel button) and the tests.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.errors import CancelledError

Progress = Callable[[float, str], None]


def no_progress(fraction: float, message: str) -> None:
    """A progress callback that ignores updates."""


class CancelToken:
    """Thread-safe, one-way flag: once cancelled, it stays cancelled."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    @property
    def cancelled(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise CancelledError("Cancelled.")
