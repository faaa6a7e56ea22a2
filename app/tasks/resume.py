"""Finished steps kept in the vault, so a run interrupted mid-way resumes: one mechanism.

A long run is a sequence of steps (a grid's rows, a summary's model calls). Each finished
step is stored in the vault's ``task_outputs`` table (encrypted like everything in the
vault) under a key made of everything its result depends on: the document's SHA-256,
the settings, the step's input, the model's SHA-256. A rerun with the same inputs finds
the key and reuses the result; any change makes a new key, so a stale step is never
reused. Ctrl-C, a crash or a firm server that went away costs only the unfinished step.

Extract keeps its rows this way (app/tasks/extract/resume.py), Summarise its narrative
call and chronology windows (app/tasks/summarise/pipeline.py). Each task turns its own
result into JSON and back; a stored result it cannot read is treated as absent, and
recomputed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from app.vault import Vault


def step_key(*parts: object) -> str:
    """The SHA-256 (hex) of ``parts`` as sorted JSON: the same inputs give the same key."""
    text = json.dumps(parts, sort_keys=True, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class KeptSteps:
    """The finished steps of one task on one document, read and written by key.

    ``enabled=False`` keeps results in memory only (a run that must leave nothing in the
    vault, as for one document summarised without storing): nothing is read or written.
    """

    def __init__(self, vault: Vault, task: str, document_id: str, *, enabled: bool = True):
        self._vault, self._task, self._document_id = vault, task, document_id
        self._enabled = enabled
        self._here: dict[str, Mapping[str, Any]] = {}

    def get(self, key: str) -> Mapping[str, Any] | None:
        """The stored result of step ``key``, or None (never stored, or another task's)."""
        if key in self._here or not self._enabled:
            return self._here.get(key)
        output = self._vault.get_task_output(key)
        if output is None or output.task != self._task:
            return None
        return output.result

    def put(self, key: str, result: Mapping[str, Any], model_sha256: str | None) -> None:
        """Keep a finished step (one write transaction of its own)."""
        self._here[key] = result
        if self._enabled:
            self._vault.put_task_output(
                self._task,
                key,
                result,
                document_ids=[self._document_id],
                model_sha256=model_sha256,
            )
