"""vault.json: the non-secret header and the key slots, read strictly.

The file is written in exactly one canonical form and carries a SHA-256 checksum of its
canonical content, so accidental damage (a flipped byte anywhere) is reported as damage
before any key is tried, rather than as "wrong passphrase". A header MAC keyed from the
vault master key catches deliberate edits once the vault is unlocked, and each slot's
non-secret fields are bound into its AES-GCM associated data.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import hmac
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from app.vault import crypto
from app.vault.errors import VaultIntegrityError, WeakKdfParametersError

FORMAT = "chambers-vault"
VERSION = 1
HEADER_FILE = "vault.json"
DB_FILE = "vault.db"
SlotType = Literal["keyring", "passphrase", "recovery"]
SLOT_TYPES: tuple[SlotType, ...] = ("keyring", "passphrase", "recovery")


def canonical_json(obj: Any) -> bytes:
    """Sorted keys, no whitespace, ASCII only: the form checksums and MACs are computed on."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode("ascii")


def file_json(obj: Any) -> bytes:
    """The one form vault.json is written in (readers refuse any other)."""
    return (json.dumps(obj, sort_keys=True, indent=2, ensure_ascii=True) + "\n").encode("ascii")


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _damaged(path: Path, why: str) -> VaultIntegrityError:
    return VaultIntegrityError(f"{path} is damaged or was altered ({why}).")


class _Reader:
    """Field access that turns every malformed value into a VaultIntegrityError."""

    def __init__(self, obj: Any, path: Path, where: str, keys: set[str]) -> None:
        if not isinstance(obj, dict) or set(obj) != keys:
            raise _damaged(path, f"unexpected fields in {where}")
        self.obj, self.path, self.where = obj, path, where

    def text(self, key: str) -> str:
        value = self.obj[key]
        if not isinstance(value, str) or not value:
            raise _damaged(self.path, f"{self.where}.{key} is not a string")
        return value

    def number(self, key: str) -> int:
        value = self.obj[key]
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise _damaged(self.path, f"{self.where}.{key} is not a whole number")
        return value

    def blob(self, key: str, size: int | None = None) -> bytes:
        try:
            value = base64.b64decode(self.text(key), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _damaged(self.path, f"{self.where}.{key} is not base64") from exc
        if size is not None and len(value) != size:
            raise _damaged(self.path, f"{self.where}.{key} has the wrong length")
        return value


@dataclass(frozen=True)
class Slot:
    """One wrapping of the vault master key. Secret-free: safe to show and log."""

    id: int
    type: SlotType
    created: str
    nonce: bytes
    wrapped_vmk: bytes
    keyring_entry: str | None = None
    salt: bytes | None = None
    argon2: crypto.Argon2Params | None = None

    def params_json(self) -> dict[str, Any]:
        """The slot's non-secret fields (bound into its associated data)."""
        obj: dict[str, Any] = {"id": self.id, "type": self.type, "created": self.created}
        if self.type == "keyring":
            obj["keyring_entry"] = self.keyring_entry
        elif self.type == "passphrase":
            assert self.argon2 is not None and self.salt is not None
            obj["kdf"] = {
                "algorithm": "argon2id",
                "version": 19,
                "memory_kib": self.argon2.memory_kib,
                "iterations": self.argon2.iterations,
                "lanes": self.argon2.lanes,
                "salt": b64(self.salt),
            }
        else:
            assert self.salt is not None
            obj["kdf"] = {"algorithm": "hkdf-sha256", "salt": b64(self.salt)}
        return obj

    def to_json(self) -> dict[str, Any]:
        return {
            **self.params_json(),
            "nonce": b64(self.nonce),
            "wrapped_vmk": b64(self.wrapped_vmk),
        }

    def aad(self, vault_id: str) -> bytes:
        return crypto.encode_aad(
            [
                FORMAT,
                str(VERSION),
                vault_id,
                str(self.id),
                self.type,
                canonical_json(self.params_json()).decode(),
            ]
        )


def _parse_slot(obj: Any, path: Path, index: int) -> Slot:
    where = f"slots[{index}]"
    kind = obj.get("type") if isinstance(obj, dict) else None
    if kind not in SLOT_TYPES:
        raise _damaged(path, f"{where}.type is unknown")
    base = {"id", "type", "created", "nonce", "wrapped_vmk"}
    extra = {"keyring_entry"} if kind == "keyring" else {"kdf"}
    r = _Reader(obj, path, where, base | extra)
    common = {
        "id": r.number("id"),
        "type": kind,
        "created": r.text("created"),
        "nonce": r.blob("nonce", crypto.NONCE_BYTES),
        "wrapped_vmk": r.blob("wrapped_vmk", crypto.KEY_BYTES + 16),
    }
    if kind == "keyring":
        return Slot(**common, keyring_entry=r.text("keyring_entry"))
    if kind == "passphrase":
        k = _Reader(
            obj["kdf"],
            path,
            f"{where}.kdf",
            {"algorithm", "version", "memory_kib", "iterations", "lanes", "salt"},
        )
        if k.text("algorithm") != "argon2id" or k.number("version") != 19:
            raise _damaged(path, f"{where}.kdf names an unknown algorithm")
        params = crypto.Argon2Params(
            k.number("memory_kib"), k.number("iterations"), k.number("lanes")
        )
        problem = params.check_floors()
        if problem:
            raise WeakKdfParametersError(
                f"{path}: passphrase slot {common['id']} has Argon2id parameters outside the "
                f"enforced floor and caps ({problem}); the vault is refused."
            )
        return Slot(**common, salt=k.blob("salt", crypto.SALT_BYTES), argon2=params)
    k = _Reader(obj["kdf"], path, f"{where}.kdf", {"algorithm", "salt"})
    if k.text("algorithm") != "hkdf-sha256":
        raise _damaged(path, f"{where}.kdf names an unknown algorithm")
    return Slot(**common, salt=k.blob("salt", crypto.SALT_BYTES))


@dataclass(frozen=True)
class Header:
    vault_id: str
    name: str
    created: str
    auto_lock_minutes: int
    next_slot_id: int
    slots: tuple[Slot, ...]
    header_mac: bytes = b""

    def body_json(self) -> dict[str, Any]:
        """Everything the header MAC covers (all fields except header_mac and checksum)."""
        return {
            "format": FORMAT,
            "version": VERSION,
            "vault_id": self.vault_id,
            "name": self.name,
            "created": self.created,
            "auto_lock_minutes": self.auto_lock_minutes,
            "next_slot_id": self.next_slot_id,
            "slots": [slot.to_json() for slot in self.slots],
        }

    def _mac(self, vmk: bytes | bytearray) -> bytes:
        key = crypto.hkdf(vmk, crypto.INFO_HEADER_MAC)
        try:
            return hmac.new(bytes(key), canonical_json(self.body_json()), hashlib.sha256).digest()
        finally:
            crypto.wipe(key)

    def signed(self, vmk: bytes | bytearray) -> Header:
        return replace(self, header_mac=self._mac(vmk))

    def mac_ok(self, vmk: bytes | bytearray) -> bool:
        return hmac.compare_digest(self._mac(vmk), self.header_mac)

    def to_bytes(self) -> bytes:
        obj = {**self.body_json(), "header_mac": self.header_mac.hex()}
        obj["checksum"] = hashlib.sha256(canonical_json(obj)).hexdigest()
        return file_json(obj)

    def slot(self, slot_id: int) -> Slot | None:
        return next((s for s in self.slots if s.id == slot_id), None)


def _reject_constant(name: str) -> Any:
    raise ValueError(f"non-standard JSON constant {name}")


def _unique_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        raise ValueError("duplicate key")
    return dict(pairs)


def parse_header(raw: bytes, path: Path) -> Header:
    try:
        obj = json.loads(
            raw.decode("ascii"), parse_constant=_reject_constant, object_pairs_hook=_unique_keys
        )
    except (UnicodeDecodeError, ValueError) as exc:
        raise _damaged(path, "not valid JSON") from exc
    keys = {
        "format",
        "version",
        "vault_id",
        "name",
        "created",
        "auto_lock_minutes",
        "next_slot_id",
        "slots",
        "header_mac",
        "checksum",
    }
    r = _Reader(obj, path, "header", keys)
    if obj["format"] != FORMAT:
        raise _damaged(path, "not a Chambers vault header")
    body = {k: v for k, v in obj.items() if k != "checksum"}
    if r.text("checksum") != hashlib.sha256(canonical_json(body)).hexdigest():
        raise _damaged(path, "checksum mismatch")
    if raw != file_json(obj):
        raise _damaged(path, "not in canonical form")
    if obj["version"] != VERSION:
        raise VaultIntegrityError(
            f"{path} has vault format version {obj['version']!r}; this Chambers reads "
            f"version {VERSION}.",
            hint="Open the vault with the Chambers version that created it, or a newer one.",
        )
    if not isinstance(obj["slots"], list) or not obj["slots"]:
        raise _damaged(path, "no key slots")
    slots = tuple(_parse_slot(item, path, i) for i, item in enumerate(obj["slots"]))
    if len({s.id for s in slots}) != len(slots):
        raise _damaged(path, "duplicate slot ids")
    try:
        mac = bytes.fromhex(r.text("header_mac"))
    except ValueError as exc:
        raise _damaged(path, "header_mac is not hex") from exc
    return Header(
        vault_id=r.text("vault_id"),
        name=r.text("name"),
        created=r.text("created"),
        auto_lock_minutes=r.number("auto_lock_minutes"),
        next_slot_id=r.number("next_slot_id"),
        slots=slots,
        header_mac=mac,
    )


def read_header(folder: Path) -> Header:
    path = folder / HEADER_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError as exc:
        raise VaultIntegrityError(f"{path} is missing.") from exc
    return parse_header(raw, path)


def fsync_dir(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def write_atomic(path: Path, data: bytes) -> None:
    """Write-then-rename with fsyncs, so a crash leaves either the old or the new file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)  # key slots: owner only
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:  # a full disk must not leave an empty temporary file behind
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    fsync_dir(path.parent)


def write_header(folder: Path, header: Header) -> None:
    write_atomic(folder / HEADER_FILE, header.to_bytes())
