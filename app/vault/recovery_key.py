"""Recovery keys: 160 random bits a person can copy onto paper and type back.

Format: Crockford base32 (no I, L, O, U, so fewer misreadings), 8 groups of 4 characters
for the key plus a 9th check group holding 20 bits of SHA-256 over the key. The check group
lets us tell "you mistyped it" (fix the typo) from "this is not this vault's key".
"""

from __future__ import annotations

import hashlib
import os

from app.vault.errors import MistypedRecoveryKeyError

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
KEY_BYTES = 20
GROUP = 4
KEY_CHARS = KEY_BYTES * 8 // 5  # 32
CHECK_DOMAIN = b"chambers-recovery-check"
_DECODE = {ch: i for i, ch in enumerate(ALPHABET)}
_DECODE.update({"O": 0, "I": 1, "L": 1})


def _encode_bits(value: int, chars: int) -> str:
    return "".join(ALPHABET[(value >> (5 * (chars - 1 - i))) & 31] for i in range(chars))


def _check_group(key: bytes) -> str:
    digest = hashlib.sha256(CHECK_DOMAIN + key).digest()
    return _encode_bits(int.from_bytes(digest[:3], "big") >> 4, GROUP)


def format_key(key: bytes) -> str:
    """The printable form: nine groups of four characters joined by hyphens."""
    body = _encode_bits(int.from_bytes(key, "big"), KEY_CHARS) + _check_group(key)
    return "-".join(body[i : i + GROUP] for i in range(0, len(body), GROUP))


def new_key() -> tuple[bytearray, str]:
    """A fresh recovery key and its printable form."""
    raw = bytearray(os.urandom(KEY_BYTES))
    return raw, format_key(bytes(raw))


def parse_key(text: str) -> bytearray:
    """The key bytes; raises MistypedRecoveryKeyError naming what looks wrong."""
    cleaned = "".join(ch for ch in text.upper() if ch not in " -\t\r\n")
    bad = sorted({ch for ch in cleaned if ch not in _DECODE})
    if bad:
        raise MistypedRecoveryKeyError(
            "The recovery key contains characters that are never used in recovery keys: "
            + " ".join(bad)
        )
    expected = KEY_CHARS + GROUP
    if len(cleaned) != expected:
        raise MistypedRecoveryKeyError(
            f"The recovery key has {len(cleaned)} characters; a recovery key has {expected} "
            f"(nine groups of four)."
        )
    value = 0
    for ch in cleaned[:KEY_CHARS]:
        value = (value << 5) | _DECODE[ch]
    key = value.to_bytes(KEY_BYTES, "big")
    if _check_group(key) != "".join(ALPHABET[_DECODE[ch]] for ch in cleaned[KEY_CHARS:]):
        raise MistypedRecoveryKeyError(
            "The recovery key was mistyped: its check group does not match."
        )
    return bytearray(key)
