"""Small helpers shared by CLI verbs: JSON output, terminal-safe text, a progress line.

Subjects, titles and file names come from documents an outsider wrote. Printed raw,
an escape sequence in them can rewrite the terminal (move the cursor over a warning,
set the window title, on some terminals inject input). ``safe`` makes such text inert
before it is shown; JSON output is already safe (``json`` escapes control characters).
"""

from __future__ import annotations

import json
import re
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from app.cancel import CancelToken

# C0 controls (ESC, BEL, CR, backspace...), DEL, C1 controls (8-bit CSI is \x9b) and the
# bidirectional overrides that make text display in an order other than it reads.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def safe(text: object) -> str:
    """``text`` for the terminal: every control character becomes U+FFFD (one line)."""
    return _UNSAFE.sub("\ufffd", str(text))


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
