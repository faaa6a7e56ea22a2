"""No plaintext reaches disk: a distinctive phrase is searched for in every file under the
data folder (database, WAL, shared memory, journals, temp files), while the vault is open
and after it is locked, in UTF-8, UTF-16 and lower-case forms."""

from __future__ import annotations

from pathlib import Path

from app import paths
from app.vault import unlock
from tests.fixtures.vault import Ready

PHRASE = "Zanzibar Pelican Indemnity Clause 7781"


def _needles() -> list[bytes]:
    forms = {PHRASE, PHRASE.lower(), PHRASE.upper()}
    out: list[bytes] = []
    for form in forms:
        out += [form.encode("utf-8"), form.encode("utf-16-le"), form.encode("utf-16-be")]
    out.append(b"Zanzibar Pelican")  # a fragment, in case a page boundary splits the phrase
    return out


def _scan(root: Path) -> list[str]:
    hits = []
    files = [p for p in root.rglob("*") if p.is_file()]
    assert files, "nothing to scan"
    for path in files:
        data = path.read_bytes()
        hits += [f"{path.name}: {n!r}" for n in _needles() if n in data]
    return hits


def test_the_scan_would_see_plaintext(tmp_path: Path) -> None:
    control = tmp_path / "control"
    control.mkdir()
    (control / "plain.db").write_bytes(b"\x00" * 100 + PHRASE.lower().encode("utf-16-le"))
    assert _scan(control)


def test_phrase_never_reaches_disk(ready_vault: Ready) -> None:
    text = f"Schedule 4. {PHRASE}. " * 50
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        with vault.write() as txn:
            doc = txn.add_document(
                text.encode("utf-8"),
                title=PHRASE,
                mime_type="text/plain",
                metadata={"note": PHRASE},
            )
            txn.add_pages(doc.id, [(1, text)])
            txn.add_chunks(doc.id, [(1, 0, len(text), text)])
        vault.add_document(text.encode("utf-16"), title="utf16", mime_type="text/plain")
        wal = ready_vault.info.path / "vault.db-wal"
        assert wal.exists() and wal.stat().st_size > 0  # the WAL really holds the new pages
        assert _scan(paths.data_dir()) == []
        assert PHRASE in vault.get_document(doc.id).content.decode()
        vault.delete_document(doc.id)
        assert _scan(paths.data_dir()) == []
    assert _scan(paths.data_dir()) == []
