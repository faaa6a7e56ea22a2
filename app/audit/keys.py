"""The Ed25519 key that signs audit checkpoints, and where its halves live.

The private key (a 32-byte seed) lives in the OS keyring through ``app.vault.oskeyring``,
so copying the data folder does not copy the ability to forge checkpoints. Where no
usable keyring exists (a headless or air-gapped box) and policy allows it, the seed is
kept in a wrapped file instead; docs/audit-format.md is frank about how little that
protects. Public keys go in ``signing-keys.json`` beside the log, so a verifier needs no
secret. The list only grows: when a key is lost (keyring wiped, data folder moved) a new
one is added and old checkpoints still verify against the old public key.

Key storage is injected as a ``KeyStore`` so tests and callers choose the backend
explicitly instead of the code guessing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import platform
import sys
from pathlib import Path
from typing import Any, Protocol

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from app import policy
from app.audit.records import b64, unb64
from app.errors import ChambersError
from app.vault import oskeyring

KEYS_FILE = "signing-keys.json"
KEYS_FORMAT = "chambers-audit-keys/1"
WRAP_FORMAT = "chambers-audit-wrapped-key/1"
_WRAP_INFO = b"chambers audit signing key wrap v1"

#: Said wherever the on-disk key is used (log, `audit verify`), in plain words.
FILE_KEY_LIMITS = (
    "The audit signing key is kept in a file on this machine because no OS keyring is "
    "available (policy audit.allow_file_signing_key allows it). That only stops the key "
    "working on another computer: anyone who can run programs as this user here can "
    "forge checkpoints."
)

log = logging.getLogger(__name__)


class AuditKeyError(ChambersError):
    default_hint = (
        "Unlock the OS keyring, or ask IT whether policy allows the on-disk audit key "
        "(audit.allow_file_signing_key). Records are still written; they stay unsealed."
    )


class NoKeyringError(AuditKeyError):
    """No OS keyring and no on-disk fallback: a lasting state of the machine, not a fault.

    The CLI says it once a day rather than after every command (app/commands/_audit_notice.py);
    `chambers doctor` and `chambers audit verify` say it every time.
    """


class KeyStore(Protocol):
    """Somewhere to keep the 32-byte Ed25519 seed. ``kind`` is recorded with the public key."""

    kind: str

    def load(self) -> bytes | None: ...

    def store(self, secret: bytes) -> None: ...


class KeyringKeyStore:
    """The seed in the OS keyring (refuses insecure backends, via oskeyring)."""

    kind = "keyring"

    def __init__(self, name: str) -> None:
        self.name = name

    def load(self) -> bytes | None:
        return oskeyring.load_secret(self.name)

    def store(self, secret: bytes) -> None:
        oskeyring.store_secret(self.name, secret)


def _machine_secret() -> bytes:
    """Something tied to this machine and user; empty where the platform offers nothing."""
    parts = [str(os.getuid()).encode() if hasattr(os, "getuid") else b""]
    for candidate in ("/etc/machine-id", "/var/lib/dbus/machine-id"):
        try:
            parts.append(Path(candidate).read_bytes().strip())
            break
        except OSError:
            continue
    if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
        try:
            import winreg

            with winreg.OpenKey(
                winreg.HKEY_LOCAL_MACHINE, r"SOFTWARE\Microsoft\Cryptography"
            ) as handle:
                parts.append(str(winreg.QueryValueEx(handle, "MachineGuid")[0]).encode())
        except OSError:
            pass
    parts.append(platform.node().encode())
    return b"\x00".join(parts)


class WrappedFileKeyStore:
    """Fallback: the seed in a 0600 file, AES-256-GCM wrapped under a machine-bound key.

    The wrapping key comes from HKDF over the machine id, user id and host name, which are
    not secret. So this stops only a copied file being used elsewhere and casual reading;
    anyone who can run code as this user on this machine can unwrap it.
    """

    kind = "file"

    def __init__(self, path: Path) -> None:
        self.path = path

    def _wrap_key(self, salt: bytes) -> bytes:
        hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_WRAP_INFO)
        return hkdf.derive(_machine_secret())

    def load(self) -> bytes | None:
        try:
            blob = json.loads(self.path.read_text("ascii"))
            salt, nonce, sealed = (unb64(blob[k]) for k in ("salt", "nonce", "ciphertext"))
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise AuditKeyError(f"The audit key file {self.path} is damaged: {exc}") from exc
        try:
            return AESGCM(self._wrap_key(salt)).decrypt(nonce, sealed, WRAP_FORMAT.encode())
        except InvalidTag:
            raise AuditKeyError(
                f"The audit key file {self.path} was made on another machine or altered."
            ) from None

    def store(self, secret: bytes) -> None:
        salt, nonce = os.urandom(16), os.urandom(12)
        sealed = AESGCM(self._wrap_key(salt)).encrypt(nonce, secret, WRAP_FORMAT.encode())
        blob = {
            "format": WRAP_FORMAT,
            "salt": b64(salt),
            "nonce": b64(nonce),
            "ciphertext": b64(sealed),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = self.path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(json.dumps(blob))
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.path)


def folder_digest(audit_dir: Path) -> str:
    """First 16 hex of SHA-256 of the folder's absolute path: names its keyring entries."""
    return hashlib.sha256(str(audit_dir.resolve()).encode()).hexdigest()[:16]


def keyring_entry_name(audit_dir: Path) -> str:
    """One keyring entry per data folder, so test or second installs never share a key."""
    return f"audit-signing-key/{folder_digest(audit_dir)}"


def default_key_store(audit_dir: Path, file_path: Path) -> KeyStore:
    """The keyring if it works; else the wrapped file if policy allows; else AuditKeyError."""
    store = KeyringKeyStore(keyring_entry_name(audit_dir))
    try:
        store.load()
        return store
    except oskeyring.KeyringUnavailableError as exc:
        if not policy.allow_file_signing_key():
            raise NoKeyringError(
                f"No usable keyring for the audit signing key ({exc.message}), and policy does "
                "not allow the on-disk fallback, so the audit log cannot be sealed. Records "
                "are still written; the anchor outside the data folder still notices a log "
                "cut short or replaced."
            ) from exc
        log.warning(FILE_KEY_LIMITS)
        return WrappedFileKeyStore(file_path)


def key_id(public: Ed25519PublicKey) -> str:
    """First 16 bytes (hex) of SHA-256 over the raw 32-byte public key."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:32]


def load_public_keys(audit_dir: Path) -> dict[str, Ed25519PublicKey]:
    """key id -> public key, from ``signing-keys.json`` (empty if absent or unreadable)."""
    try:
        doc = json.loads((audit_dir / KEYS_FILE).read_text("ascii"))
        entries: list[dict[str, Any]] = doc["keys"]
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    found: dict[str, Ed25519PublicKey] = {}
    for entry in entries:
        try:
            public = Ed25519PublicKey.from_public_bytes(unb64(entry["public_key"]))
        except (ValueError, KeyError, TypeError):
            continue
        if key_id(public) == entry.get("key_id"):
            found[entry["key_id"]] = public
    return found


def _register_public_key(audit_dir: Path, public: Ed25519PublicKey, kind: str, now: str) -> None:
    path = audit_dir / KEYS_FILE
    try:
        doc = json.loads(path.read_text("ascii"))
    except (OSError, ValueError):
        if (audit_dir / "head.json").exists():
            # Rewriting it would erase the evidence that the old public keys were removed.
            raise AuditKeyError(
                f"{path} is missing or unreadable although the log has checkpoints; "
                "Chambers will not start a new list over it.",
                hint="Run `chambers audit verify` and send its report to IT.",
            ) from None
        doc = {"format": KEYS_FORMAT, "keys": []}
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    doc["keys"].append(
        {
            "key_id": key_id(public),
            "algorithm": "ed25519",
            "public_key": b64(raw),
            "created": now,
            "storage": kind,
        }
    )
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(json.dumps(doc, indent=2, sort_keys=True) + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)


def signing_key(audit_dir: Path, store: KeyStore, now: str) -> tuple[Ed25519PrivateKey, str]:
    """The private key and its id, creating and registering a new key on first use."""
    seed = store.load()
    if seed is not None:
        private = Ed25519PrivateKey.from_private_bytes(seed)
    else:
        private = Ed25519PrivateKey.generate()
        seed = private.private_bytes(
            serialization.Encoding.Raw,
            serialization.PrivateFormat.Raw,
            serialization.NoEncryption(),
        )
        store.store(seed)
    kid = key_id(private.public_key())
    if kid not in load_public_keys(audit_dir):
        _register_public_key(audit_dir, private.public_key(), store.kind, now)
    return private, kid


def verify_signature(public: Ed25519PublicKey, signature: bytes, message: bytes) -> bool:
    try:
        public.verify(signature, message)
    except InvalidSignature:
        return False
    return True
