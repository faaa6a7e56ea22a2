"""User settings, typed, stored as JSON in the data folder.

Unknown keys are ignored and bad values fall back to defaults with a warning rather than
stopping the app: a hand-edited settings file must never lock a lawyer out of a matter.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import asdict, dataclass, fields
from typing import Any

from app.ingest.types import IngestLimits
from app.paths import settings_path
from app.policy import auto_lock_max_minutes, managed_settings, ocr_allowed, ocr_languages

log = logging.getLogger(__name__)


@dataclass
class Settings:
    #: CPU threads for llama.cpp; 0 picks the usable core count.
    threads: int = 0
    #: Context window in tokens; 0 lets the planner choose (up to 8192).
    context: int = 0
    #: "auto" or a fixed number of layers to offload to the GPU (0 = CPU only).
    gpu_layers: str = "auto"
    #: KV-cache type: "auto", "f16" or "q8_0".
    kv_cache: str = "auto"
    #: Lock unlocked matters after this many idle minutes (0 = never).
    auto_lock_minutes: int = 15
    #: Model id used when none is given; empty means the catalog default.
    default_model: str = ""
    #: Recognise the text of scanned pages and images on import (Tesseract, offline).
    ocr_enabled: bool = True
    #: OCR languages as Tesseract codes joined by "+", e.g. "eng" or "eng+deu".
    ocr_languages: str = "eng"
    #: Base URL of the firm inference server to run on (app/engine/backend.py); empty runs
    #: on this computer. Used only where the machine policy lists the server.
    inference_server: str = ""
    #: Documents a grid sends to the firm server at once (its parallel slots).
    server_parallel: int = 2
    #: The longest one request to the firm server may take, answer included, in seconds
    #: (a stalled server is abandoned then); the policy's max_timeout_seconds bounds it.
    server_timeout_seconds: int = 600
    #: The name on the tracked changes and comments of a review redline; empty writes
    #: "Chambers review".
    reviewer_name: str = ""
    #: Do not print the CLI's once-a-day "audit log kept but not sealed: no OS keyring"
    #: note (for scripts; also CHAMBERS_QUIET_UNSEALED_AUDIT=1). `chambers doctor` and
    #: `chambers audit verify` still say it.
    quiet_unsealed_audit: bool = False

    def gpu_layers_value(self) -> int | None:
        """None for auto, otherwise the fixed layer count."""
        if self.gpu_layers == "auto":
            return None
        return max(0, int(self.gpu_layers))


def load_settings() -> Settings:
    """The user's settings file, with any IT-managed values (app/policy.py) applied over it."""
    settings = _user_settings()
    for name, value in managed().items():  # IT's values win over the user's file
        setattr(settings, name, value)
    limit = auto_lock_max_minutes()  # IT's longest idle time: the user may only lock sooner
    if limit is not None and not 0 < settings.auto_lock_minutes <= limit:
        settings.auto_lock_minutes = limit
    return settings


def _user_settings() -> Settings:
    path = settings_path()
    settings = Settings()
    if not path.exists():
        return settings
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        log.warning("Ignoring unreadable settings file %s: %s", path, exc)
        return settings
    for item in fields(Settings):
        if item.name in data:
            value = data[item.name]
            default = getattr(settings, item.name)
            if isinstance(value, type(default)):
                setattr(settings, item.name, value)
            else:
                log.warning(
                    "Ignoring setting %s=%r: expected %s", item.name, value, type(default).__name__
                )
    if settings.gpu_layers != "auto":
        try:
            settings.gpu_layers_value()
        except ValueError:
            settings.gpu_layers = "auto"
    return settings


def ingest_limits() -> IngestLimits:
    """Import limits with the OCR choices of the settings and of IT's policy applied.

    The policy wins: ``ocr.enabled: false`` turns OCR off whatever the user chose, and
    ``ocr.languages`` replaces the user's languages.
    """
    settings = load_settings()
    return IngestLimits(
        ocr_enabled=settings.ocr_enabled and ocr_allowed(),
        ocr_languages=ocr_languages() or settings.ocr_languages,
    )


def managed() -> dict[str, Any]:
    """Settings fixed by the IT policy (name -> value); the user cannot change these."""
    return managed_settings(
        {item.name: type(getattr(Settings(), item.name)) for item in fields(Settings)}
    )


def save_settings(settings: Settings) -> None:
    """Write the settings and audit which ones changed (names only, never values)."""
    from app.audit import audit_event

    changed = sorted(
        name for name, value in asdict(settings).items() if getattr(load_settings(), name) != value
    )
    path = settings_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(settings), indent=2), encoding="utf-8")
    os.replace(tmp, path)
    if changed:
        audit_event("settings.change", details={"changed": ",".join(changed)})
