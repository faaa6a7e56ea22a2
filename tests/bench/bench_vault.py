"""Vault benchmarks: document throughput against raw AES-256-GCM, unlock time per slot
type, and the latency of opening a 10 MB document.

The raw AES-GCM figures encrypt and decrypt the very same bytes in the same run, so the
ratio shows what SQLCipher (page encryption, HMAC-SHA512 per page, WAL, fsync on commit)
costs on whatever machine runs it. Runs in a throwaway CHAMBERS_HOME.
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from collections.abc import Callable
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.vault import create_vault, find_vault, unlock
from app.vault.oskeyring import KeyringUnavailableError

DOC_MB = 1
DOCS = 32
BIG_MB = 10
PASSPHRASE = "benchmark passphrase"


def _best(fn: Callable[[], object], repeats: int = 3) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def _raw_aes(blobs: list[bytes]) -> tuple[float, float]:
    """Seconds to seal and to open every blob with AES-256-GCM (fresh nonce per blob)."""
    aes = AESGCM(AESGCM.generate_key(bit_length=256))
    sealed: list[tuple[bytes, bytes]] = []

    def seal() -> None:
        sealed.clear()
        for blob in blobs:
            nonce = os.urandom(12)
            sealed.append((nonce, aes.encrypt(nonce, blob, None)))

    def open_all() -> None:
        for nonce, data in sealed:
            aes.decrypt(nonce, data, None)

    return _best(seal), _best(open_all)


def _fig(name: str, value: float, unit: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "value": float(value), "unit": unit, **extra}


def run() -> list[dict[str, Any]]:
    saved = os.environ.get("CHAMBERS_HOME")
    with tempfile.TemporaryDirectory(prefix="chambers-bench-") as home:
        os.environ["CHAMBERS_HOME"] = home
        try:
            return _run()
        finally:
            if saved is None:
                os.environ.pop("CHAMBERS_HOME", None)
            else:
                os.environ["CHAMBERS_HOME"] = saved


def _run() -> list[dict[str, Any]]:
    figures: list[dict[str, Any]] = []
    try:
        info, recovery = create_vault("Bench", passphrase=PASSPHRASE, use_keyring=True)
        has_keyring = True
    except KeyringUnavailableError:
        info, recovery = create_vault("Bench", passphrase=PASSPHRASE, use_keyring=False)
        has_keyring = False

    unlockers: dict[str, Callable[[], object]] = {
        "passphrase": lambda: unlock(info, passphrase=PASSPHRASE).lock(),
        "recovery": lambda: unlock(info, recovery_key=recovery).lock(),
    }
    if has_keyring:
        unlockers["keyring"] = lambda: unlock(info).lock()
    for kind, fn in unlockers.items():
        figures.append(_fig(f"vault_unlock_{kind}_s", _best(fn), "s"))

    blobs = [os.urandom(DOC_MB * 1024 * 1024) for _ in range(DOCS)]
    total_mb = DOC_MB * DOCS
    raw_seal_s, raw_open_s = _raw_aes(blobs)
    with unlock(info, recovery_key=recovery) as vault:
        start = time.perf_counter()
        ids = [
            vault.add_document(blob, title=f"b{i}", mime_type="application/octet-stream").id
            for i, blob in enumerate(blobs)
        ]
        write_s = time.perf_counter() - start
        read_s = _best(lambda: [vault.get_document(i) for i in ids])
        big = vault.add_document(os.urandom(BIG_MB * 1024 * 1024), title="big", mime_type="x/y")
        opens = []
        for _ in range(5):
            start = time.perf_counter()
            vault.get_document(big.id)
            opens.append(time.perf_counter() - start)
    figures += [
        _fig("vault_write_MBps", total_mb / write_s, "MB/s", note="1 MB docs, 1 commit each"),
        _fig("raw_aesgcm_encrypt_MBps", total_mb / raw_seal_s, "MB/s"),
        _fig("vault_write_vs_raw_ratio", raw_seal_s / write_s, "x"),
        _fig("vault_read_MBps", total_mb / read_s, "MB/s", note="includes SHA-256 check"),
        _fig("raw_aesgcm_decrypt_MBps", total_mb / raw_open_s, "MB/s"),
        _fig("vault_read_vs_raw_ratio", raw_open_s / read_s, "x"),
        _fig("vault_open_10MB_document_ms", statistics.median(opens) * 1000, "ms"),
    ]
    db_mb = (info.path / "vault.db").stat().st_size / 1e6
    loaded = find_vault(info.vault_id)
    figures.append(
        _fig(
            "vault_unlock_recovery_loaded_s",
            _best(lambda: unlock(loaded, recovery_key=recovery).lock()),
            "s",
            note=f"{db_mb:.0f} MB database: integrity check of every page",
        )
    )
    return figures


if __name__ == "__main__":
    for figure in run():
        print(figure)
