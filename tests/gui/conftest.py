"""GUI tests run a real Qt window offscreen, with a temporary data folder."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
