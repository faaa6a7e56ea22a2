"""Evaluations: how good the answers are, on labelled public data (``make eval``).

Each ``eval_<group>.py`` here exposes ``run() -> list[dict]`` (figures with name, value,
unit; see tests/group_runner.py) and honours ``EVAL_LIMIT`` through ``eval_limit`` so a
quick check runs on a few documents. Like the benchmarks, these are not run by pytest:
on a laptop CPU a full run takes hours.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from app import audit, paths
from tests.fixtures.audit import file_store

LIMIT_ENV = "EVAL_LIMIT"
MODEL_ENV = "EVAL_MODEL_ID"


def eval_model_id(default: str | None) -> str | None:
    """The model an evaluation loads: ``EVAL_MODEL_ID`` when set, else the settings' default.

    Lets one run compare models (tests/eval/eval_models.py) without touching the user's
    settings file.
    """
    return os.environ.get(MODEL_ENV, "").strip() or default or None


def eval_limit() -> int | None:
    """Documents per group from ``EVAL_LIMIT=N``; None (all of them) when unset or empty."""
    text = os.environ.get(LIMIT_ENV, "").strip()
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        raise SystemExit(f"{LIMIT_ENV} must be a whole number of documents (at least 1).")
    return int(text)


@contextmanager
def temporary_home() -> Iterator[None]:
    """CHAMBERS_HOME in a temp folder, restored afterwards; models stay where they are.

    An evaluation imports public documents into scratch matters: they belong in neither
    the user's data folder nor its audit log, and the temp log signs with a file key so
    the user's keyring is never touched. Read the user's settings before entering.
    """
    saved = {k: os.environ.get(k) for k in ("CHAMBERS_HOME", "CHAMBERS_MODELS_DIR")}
    os.environ["CHAMBERS_MODELS_DIR"] = str(paths.models_dir())
    with tempfile.TemporaryDirectory(prefix="chambers-eval-") as home:
        os.environ["CHAMBERS_HOME"] = home
        audit.configure(key_store_factory=file_store)
        try:
            yield
        finally:
            audit.reset()
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
