"""Small helpers shared by CLI verbs: JSON output and a terminal progress line."""

from __future__ import annotations

import json
import sys
from typing import Any


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
