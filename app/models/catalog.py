"""The catalog of approved models.

IT approves models by hash: ``models/catalog.json`` lists each one with its SHA-256, size,
licence and how to prompt it. A file is only loaded if its bytes match an entry here, or
if the user explicitly trusted it on import (recorded with its hash in the models folder).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from app.errors import ChambersError, ModelNotFoundError
from app.paths import resource_path

CHAT_FORMATS = ("chatml", "gemma", "plain")
#: Roles of catalog models that `chambers models install-default` leaves alone: a firm
#: installs them on purpose (`chambers models install ID`), where the hardware allows.
OPTIONAL_ROLE_PREFIX = "optional"


@dataclass(frozen=True)
class ModelPart:
    """One slice of a model file carried inside an installed Python package."""

    package: str
    module: str
    file: str
    #: The exact release whose bytes the catalog hash was taken from ("" where the pin
    #: lives in models/requirements.txt instead, as for the default models).
    version: str = ""

    @property
    def requirement(self) -> str:
        """What pip is asked for: ``package==version`` when pinned."""
        return f"{self.package}=={self.version}" if self.version else self.package


@dataclass(frozen=True)
class ModelSpec:
    id: str
    name: str
    file_name: str
    sha256: str
    size: int
    licence: str
    source: str
    chat_format: str
    context_length: int
    role: str
    parts: tuple[ModelPart, ...] = field(default_factory=tuple)
    trusted_by: str = "catalog"

    @property
    def optional(self) -> bool:
        """Installed only on request, never by `install-default` or `make`."""
        return self.role.startswith(OPTIONAL_ROLE_PREFIX)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["parts"] = [asdict(part) for part in self.parts]
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any], trusted_by: str = "catalog") -> ModelSpec:
        try:
            parts = tuple(ModelPart(**part) for part in data.get("parts", ()))
            chat_format = str(data.get("chat_format", "plain"))
            if chat_format not in CHAT_FORMATS:
                raise ValueError(f"unknown chat format {chat_format!r}")
            return cls(
                id=str(data["id"]),
                name=str(data.get("name", data["id"])),
                file_name=str(data["file_name"]),
                sha256=str(data["sha256"]).lower(),
                size=int(data["size"]),
                licence=str(data.get("licence", "unknown")),
                source=str(data.get("source", "")),
                chat_format=chat_format,
                context_length=int(data.get("context_length", 4096)),
                role=str(data.get("role", "")),
                parts=parts,
                trusted_by=str(data.get("trusted_by", trusted_by)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ChambersError(
                f"A model catalog entry is malformed ({exc}).",
                "Restore models/catalog.json from the installer, or fix the entry IT added.",
            ) from exc


def catalog_path() -> Path:
    """The catalog of the last signed bundle imported on this machine, else the built-in one."""
    from app.bundle.state import imported_catalog  # late: keeps TUF out of plain imports

    imported = imported_catalog()
    return imported if imported.is_file() else resource_path("models", "catalog.json")


def load_catalog(path: Path | None = None) -> list[ModelSpec]:
    path = path or catalog_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ChambersError(
            f"Cannot read the model catalog {path}: {exc}.",
            "Reinstall Chambers; the catalog ships with it.",
        ) from exc
    entries = data.get("models", []) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ChambersError(
            f'The model catalog {path} is malformed: expected an object whose "models" is a list.',
            "Restore models/catalog.json from the installer, or fix the entry IT added.",
        )
    return [ModelSpec.from_json(entry) for entry in entries]


def default_model_id(catalog: list[ModelSpec] | None = None) -> str:
    for spec in catalog or load_catalog():
        if spec.role == "default-instruct":
            return spec.id
    raise ModelNotFoundError("The model catalog names no default instruct model.")
