"""Which task and matter a model call belongs to, for the server backend's audit records.

``app.tasks.audited.audited_task`` sets it around a task run; the remote engine reads it
when it tells its ``CallListener`` of each request (one ``inference.call`` audit record).
A context variable (not an argument) keeps the ``EngineLike`` protocol the same for every
backend.
"""

from __future__ import annotations

import contextvars
from collections.abc import Callable, Iterator
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


@dataclass(frozen=True)
class ServerCall:
    """One request to a firm inference server as its audit record tells it: who, where,
    how much and how it ended, never content."""

    task: str
    vault_id: str | None
    host: str
    port: int
    model: str
    model_sha256: str
    endpoint: str
    bytes_sent: int
    bytes_received: int
    outcome: str
    duration_s: float


#: Told of every server request (app.tasks.audited.record_inference_call writes the
#: ``inference.call`` record): injected by the engine's owner, as ``stats_feed`` is, so
#: the engine does not import the audit package.
CallListener = Callable[[ServerCall], None]
