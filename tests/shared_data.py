"""Where the shared test material lives: ../shared/data beside the checkout (as in CI).

CHAMBERS_SHARED_DATA overrides it. A missing folder fails the tests that need it, loudly:
those tests are the point, and skipping them would hide that they did not run.
"""

from __future__ import annotations

import os
from pathlib import Path

SHARED_DATA = Path(
    os.environ.get("CHAMBERS_SHARED_DATA")
    or Path(__file__).resolve().parents[1].parent / "shared" / "data"
)
FILES = SHARED_DATA / "files"
CUAD = SHARED_DATA / "cuad"
#: The 335 CUAD contracts that are neither dev nor held out: the only ones fitted on.
CUAD_TRAIN = SHARED_DATA / "cuad-train"
