"""Which task and matter a model call belongs to, for the server backend's audit records.

``app.tasks.audited.audited_task`` sets it around a task run; the remote engine reads it
when it writes one ``inference.call`` record per request. A context variable (not an
argument) keeps the ``EngineLike`` protocol the same for every backend.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass(frozen=True)
class CallContext:
    task: str = "direct"
    vault_id: str | None = None


_DIRECT = CallContext()
_CURRENT: contextvars.ContextVar[CallContext | None] = contextvars.ContextVar(
    "chambers_call", default=None
)


def current_call() -> CallContext:
    return _CURRENT.get() or _DIRECT


@contextmanager
def calls_for(task: str, vault_id: str | None = None) -> Iterator[None]:
    """Label every model call made inside the block (and in workers it starts) with ``task``."""
    token = _CURRENT.set(CallContext(task, vault_id))
    try:
        yield
    finally:
        _CURRENT.reset(token)
