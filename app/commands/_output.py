"""Small helpers shared by CLI verbs: JSON output and a terminal progress line."""

from __future__ import annotations

import json
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.cancel import CancelToken


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


class ProgressLine:
    """A single updating line on stderr (only when stderr is a terminal)."""

    def __init__(self) -> None:
        self._live = sys.stderr.isatty()
        self._last = -1

    def __call__(self, fraction: float, message: str) -> None:
        percent = int(fraction * 100)
        if not self._live or percent == self._last:
            return
        self._last = percent
        sys.stderr.write(f"\r{message}: {percent:3d}%")
        sys.stderr.flush()

    def done(self) -> None:
        if self._live and self._last >= 0:
            sys.stderr.write("\n")


@contextmanager
def interruptible() -> Iterator[tuple[ProgressLine, CancelToken]]:
    """A progress line and a cancel token that Ctrl-C trips, for one slow CLI step.

    Ctrl-C asks the running task to stop at its next check (the task then raises
    CancelledError, which the CLI turns into exit code 130) instead of killing the
    process mid-write; the previous SIGINT handler is restored afterwards.
    """
    cancel = CancelToken()
    previous = signal.signal(signal.SIGINT, lambda *_: cancel.cancel())
    progress = ProgressLine()
    try:
        yield progress, cancel
    finally:
        signal.signal(signal.SIGINT, previous)
        progress.done()
