"""A flipped byte anywhere in vault.db or vault.json is reported as an integrity error,
never returned as wrong data. 200 seeded offsets each, on copies of one pristine vault."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from app.vault import VaultError, VaultIntegrityError, open_info, unlock
from tests.fixtures.vault import Ready

SAMPLES = 200


@pytest.fixture
def pristine(ready_vault: Ready, tmp_path: Path) -> tuple[Path, dict[str, bytes], str]:
    rng = random.Random(7)
    expected: dict[str, bytes] = {}
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        for i in range(12):
            content = bytes(rng.randrange(256) for _ in range(rng.randrange(100, 9000)))
            with vault.write() as txn:
                doc = txn.add_document(
                    content, title=f"doc {i}", mime_type="application/octet-stream"
                )
                txn.add_pages(doc.id, [(1, f"page text {i} " * 40)])
            expected[doc.id] = content
        vault.delete_document(next(iter(expected)))  # leaves freed pages in the file
        expected.pop(next(iter(expected)))
    assert not (ready_vault.info.path / "vault.db-wal").exists()  # checkpointed at close
    return ready_vault.info.path, expected, ready_vault.recovery_key


def _open_and_read(folder: Path, recovery: str, expected: dict[str, bytes]) -> None:
    with unlock(open_info(folder), recovery_key=recovery) as vault:
        docs = {d.id for d in vault.list_documents()}
        assert docs == set(expected)
        for doc_id, content in expected.items():
            assert vault.get_document(doc_id).content == content
            assert vault.pages(doc_id)[0].text.startswith("page text")


@pytest.mark.parametrize("target", ["vault.db", "vault.json"])
def test_flipped_bytes_are_caught(
    pristine: tuple[Path, dict[str, bytes], str], tmp_path: Path, target: str
) -> None:
    folder, expected, recovery = pristine
    original = (folder / target).read_bytes()
    rng = random.Random(f"flip-{target}")
    offsets = [rng.randrange(len(original)) for _ in range(SAMPLES)]
    outcomes = {"integrity": 0, "opened-intact": 0}
    work = tmp_path / "work"
    for offset in offsets:
        shutil.rmtree(work, ignore_errors=True)
        shutil.copytree(folder, work)
        damaged = bytearray(original)
        damaged[offset] ^= rng.randrange(1, 256)
        (work / target).write_bytes(bytes(damaged))
        try:
            _open_and_read(work, recovery, expected)
        except VaultIntegrityError:
            outcomes["integrity"] += 1
            continue
        except VaultError as exc:  # any other refusal must still not be "wrong data"
            pytest.fail(f"offset {offset}: {type(exc).__name__}: {exc.message}")
        outcomes["opened-intact"] += 1
    # SQLCipher authenticates every page (HMAC-SHA512 over ciphertext, IV and page number)
    # and vault.json must be byte-canonical, so every flip should be caught.
    assert outcomes == {"integrity": SAMPLES, "opened-intact": 0}, outcomes
