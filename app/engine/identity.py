"""Which model answers and how a backend may be driven: what tasks read of an engine.

Kept apart from app/engine/protocol.py so the calibration cache and every backend can
name them without importing the protocol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.models.catalog import ModelSpec


@dataclass(frozen=True)
class ModelIdentity:
    """The model that answers: what results, audit records and resume keys are tied to."""

    id: str
    name: str
    #: The catalog's SHA-256 of the weights (the same file locally or on the server).
    sha256: str
    #: How messages become a prompt (app/engine/chat.py).
    chat_format: str
    #: Tokens one prompt plus its answer may hold on this backend.
    context: int

    @classmethod
    def of(cls, spec: ModelSpec, context: int) -> ModelIdentity:
        return cls(spec.id, spec.name, spec.sha256, spec.chat_format, context)


@dataclass(frozen=True)
class Capabilities:
    """How a backend may be driven, for schedulers and resume (never for prompts)."""

    #: Documents leave this computer: finished rows are kept so a rerun resumes.
    remote: bool = False
    #: Requests the backend serves at once (1: one model on one thread).
    parallel: int = 1
    #: Where it runs, for people: "" on this computer, else the server's base URL.
    server: str = ""
