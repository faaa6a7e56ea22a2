"""Resolve a model id, plan for this machine and load it: the one way verbs get an engine."""

from __future__ import annotations

from app.config import Settings, load_settings
from app.engine.engine import Engine
from app.engine.hardware import Hardware, detect
from app.models.store import resolve_model


def load_engine(
    model_id: str | None = None,
    *,
    settings: Settings | None = None,
    hardware: Hardware | None = None,
) -> Engine:
    """An engine with ``model_id`` (the settings' or catalog default when None) loaded."""
    settings = settings or load_settings()
    model = resolve_model(model_id or settings.default_model or None)
    engine = Engine()
    try:
        engine.load(model, settings=settings, hardware=hardware or detect())
    except BaseException:
        engine.close()
        raise
    return engine
