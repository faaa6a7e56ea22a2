"""What can be known about a vault without unlocking it (safe to list, show and log)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.vault.header import Header, SlotType


@dataclass(frozen=True)
class SlotInfo:
    id: int
    type: SlotType
    created: str


@dataclass(frozen=True)
class VaultInfo:
    """A vault folder as listed. ``problem`` is set (and the rest is best effort) when
    vault.json could not be read; such a vault can be deleted but not unlocked."""

    vault_id: str
    name: str
    path: Path
    created: str
    auto_lock_minutes: int
    slots: tuple[SlotInfo, ...]
    problem: str | None = None

    @classmethod
    def from_header(cls, header: Header, path: Path) -> VaultInfo:
        return cls(
            vault_id=header.vault_id,
            name=header.name,
            path=path,
            created=header.created,
            auto_lock_minutes=header.auto_lock_minutes,
            slots=tuple(SlotInfo(s.id, s.type, s.created) for s in header.slots),
        )

    def has_slot_type(self, slot_type: SlotType) -> bool:
        return any(s.type == slot_type for s in self.slots)
