"""Small, hard-to-misuse key recipes for the vault, on top of `cryptography`.

Every derived key has its own HKDF info string so that no key is ever used for two
purposes; the strings are part of the on-disk format (docs/vault-format.md).
"""

from __future__ import annotations

import os
import struct
import time
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.argon2 import Argon2id
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_BYTES = 32
NONCE_BYTES = 12
SALT_BYTES = 16

INFO_DB_KEY = b"chambers/vault/v1/sqlcipher-key"
INFO_HEADER_MAC = b"chambers/vault/v1/header-mac"
INFO_KEYRING_KEK = b"chambers/vault/v1/slot-kek/keyring"
INFO_RECOVERY_KEK = b"chambers/vault/v1/slot-kek/recovery"
INFO_REKEY_KEK = b"chambers/vault/v1/rekey-journal"
AAD_DOMAIN = b"chambers-vault-aad"

#: Floors enforced whenever a passphrase slot is read (an edited vault.json cannot weaken them).
ARGON2_MIN_MEMORY_KIB = 262144
ARGON2_MIN_ITERATIONS = 2
#: Caps, so an edited vault.json cannot make one unlock attempt take minutes (4 GiB x 64
#: passes took ~300 s). Work = memory x passes is capped at 12 passes over 256 MiB: about
#: 4-8 s on a 2-core machine under load, far above what creation tunes to (0.5 s).
ARGON2_MAX_MEMORY_KIB = 1024 * 1024
ARGON2_MAX_ITERATIONS = 12
ARGON2_MAX_WORK_KIB = ARGON2_MIN_MEMORY_KIB * ARGON2_MAX_ITERATIONS
ARGON2_LANES = 4
ARGON2_TARGET_SECONDS = 0.5


class UnwrapFailed(Exception):
    """AES-GCM rejected the key or the data; callers turn this into a user-facing error."""


def random_key() -> bytearray:
    """A fresh random 256-bit key, in a bytearray so it can be wiped later."""
    return bytearray(os.urandom(KEY_BYTES))


def wipe(buffer: bytearray | None) -> None:
    """Overwrite a key buffer in place (best effort: Python may hold other copies)."""
    if buffer is not None:
        for i in range(len(buffer)):
            buffer[i] = 0


def hkdf(key: bytes | bytearray, info: bytes, salt: bytes | None = None) -> bytearray:
    """HKDF-SHA256 to a 256-bit key; ``salt=None`` means the RFC 5869 all-zero salt."""
    out = HKDF(algorithm=hashes.SHA256(), length=KEY_BYTES, salt=salt, info=info).derive(bytes(key))
    return bytearray(out)


def encode_aad(fields: Sequence[str]) -> bytes:
    """Canonical associated data: a domain tag, then each field as u32 length + UTF-8."""
    parts = [AAD_DOMAIN]
    for field in fields:
        raw = field.encode("utf-8")
        parts.append(struct.pack(">I", len(raw)) + raw)
    return b"".join(parts)


def seal(kek: bytes | bytearray, plaintext: bytes | bytearray, aad: bytes) -> tuple[bytes, bytes]:
    """AES-256-GCM with a fresh random nonce; returns (nonce, ciphertext+tag)."""
    nonce = os.urandom(NONCE_BYTES)
    return nonce, AESGCM(bytes(kek)).encrypt(nonce, bytes(plaintext), aad)


def open_sealed(kek: bytes | bytearray, nonce: bytes, sealed: bytes, aad: bytes) -> bytearray:
    try:
        return bytearray(AESGCM(bytes(kek)).decrypt(nonce, sealed, aad))
    except (InvalidTag, ValueError) as exc:
        raise UnwrapFailed from exc


def normalise_passphrase(passphrase: str) -> bytes:
    """NFC so the same passphrase typed on another OS or keyboard gives the same bytes."""
    return unicodedata.normalize("NFC", passphrase).encode("utf-8")


@dataclass(frozen=True)
class Argon2Params:
    memory_kib: int
    iterations: int
    lanes: int

    def check_floors(self) -> str | None:
        """A reason these parameters are refused, or None if they are acceptable."""
        # The caps stop an edited file from making unlock exhaust memory or time.
        if not ARGON2_MIN_MEMORY_KIB <= self.memory_kib <= ARGON2_MAX_MEMORY_KIB:
            lo, hi = ARGON2_MIN_MEMORY_KIB, ARGON2_MAX_MEMORY_KIB
            return f"memory {self.memory_kib} KiB is outside {lo}..{hi} KiB"
        if not ARGON2_MIN_ITERATIONS <= self.iterations <= ARGON2_MAX_ITERATIONS:
            lo, hi = ARGON2_MIN_ITERATIONS, ARGON2_MAX_ITERATIONS
            return f"iterations {self.iterations} is outside {lo}..{hi}"
        if not 1 <= self.lanes <= 16:
            return f"lanes {self.lanes} is outside 1..16"
        if self.memory_kib * self.iterations > ARGON2_MAX_WORK_KIB:
            return (
                f"memory x iterations = {self.memory_kib * self.iterations} KiB is above the "
                f"cap of {ARGON2_MAX_WORK_KIB} KiB (one unlock would take too long)"
            )
        return None


def argon2id(passphrase: str, salt: bytes, params: Argon2Params) -> bytearray:
    kdf = Argon2id(
        salt=salt,
        length=KEY_BYTES,
        iterations=params.iterations,
        lanes=params.lanes,
        memory_cost=params.memory_kib,
    )
    return bytearray(kdf.derive(normalise_passphrase(passphrase)))


def tuned_argon2id(
    passphrase: str, salt: bytes, clock: Callable[[], float] = time.perf_counter
) -> tuple[Argon2Params, bytearray]:
    """Derive at the floor; if that was faster than the target, raise iterations and redo.

    The first derivation doubles as the measurement, so on a typical machine creation costs
    one derivation, not two.
    """
    params = Argon2Params(ARGON2_MIN_MEMORY_KIB, ARGON2_MIN_ITERATIONS, ARGON2_LANES)
    start = clock()
    key = argon2id(passphrase, salt, params)
    elapsed = max(clock() - start, 1e-3)
    if elapsed >= ARGON2_TARGET_SECONDS:
        return params, key
    wipe(key)
    wanted = int(params.iterations * ARGON2_TARGET_SECONDS * 1.2 / elapsed) + 1
    params = Argon2Params(params.memory_kib, min(wanted, ARGON2_MAX_ITERATIONS), params.lanes)
    return params, argon2id(passphrase, salt, params)
