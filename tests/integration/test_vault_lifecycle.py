"""The vault API end to end on real SQLCipher files: documents, transactions, slots,
rekey (including an interrupted one), backup, delete, idle lock and migrations."""

from __future__ import annotations

import pytest

from app import paths
from app.vault import (
    MistypedRecoveryKeyError,
    SlotError,
    VaultLockedError,
    WrongPassphraseError,
    WrongRecoveryKeyError,
    create_vault,
    delete_vault,
    find_vault,
    list_vaults,
    open_info,
    rekey,
    schema,
    unlock,
)
from app.vault.errors import DocumentNotFoundError, VaultExistsError, VaultNotFoundError
from tests.fixtures.vault import PASSPHRASE, Ready, tree_digest


def test_documents_pages_chunks_and_generation(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        assert vault.generation == 0 and vault.list_documents() == []
        doc = vault.add_document(
            b"%PDF-1.7 bytes", title="MSA", mime_type="application/pdf", metadata={"pages": 2}
        )
        assert vault.generation == 1
        with vault.write() as txn:
            txn.add_pages(doc.id, [(1, "Governing law: New York."), (2, "Signatures")])
            txn.add_chunks(doc.id, [(1, 0, 14, "Governing law:")])
            child = txn.add_document(
                b"att", title="Exhibit", mime_type="text/plain", parent_id=doc.id
            )
        assert vault.generation == 2
        got = vault.get_document(doc.id)
        assert got.content == b"%PDF-1.7 bytes" and got.info.metadata == {"pages": 2}
        assert [p.page for p in vault.pages(doc.id)] == [1, 2]
        chunk = vault.chunks(doc.id)[0]
        assert vault.pages(doc.id)[0].text[chunk.char_start : chunk.char_end] == chunk.text
        assert vault.get_document_info(child.id).parent_id == doc.id
        vault.delete_document(doc.id)  # cascades to child, pages, chunks
        assert vault.list_documents() == [] and vault.chunks(doc.id) == []
        assert vault.generation == 3
        with pytest.raises(DocumentNotFoundError):
            vault.get_document(doc.id)


def test_a_failed_transaction_leaves_nothing_and_no_generation_bump(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        with pytest.raises(RuntimeError), vault.write() as txn:
            txn.add_document(b"x", title="half", mime_type="text/plain")
            raise RuntimeError("crash in the middle")
        assert vault.generation == 0 and vault.list_documents() == []


def test_wrong_passphrase_changes_nothing_on_disk(ready_vault: Ready) -> None:
    before = tree_digest(paths.data_dir())
    with pytest.raises(WrongPassphraseError) as info:
        unlock(ready_vault.info, passphrase="wrong horse battery staple")
    assert info.value.exit_code == 2 and "Wrong passphrase" in info.value.message
    with pytest.raises(WrongRecoveryKeyError):
        unlock(ready_vault.info, recovery_key="0000-" * 8 + _check_for_zero_key())
    with pytest.raises(MistypedRecoveryKeyError):
        unlock(ready_vault.info, recovery_key=_mistyped(ready_vault.recovery_key))
    assert tree_digest(paths.data_dir()) == before


def _mistyped(key: str) -> str:
    """The key with its last (check-group) character changed to a different symbol.

    The key body is untouched, so the check group can no longer match: the typo is
    certain to be caught whatever the real key ends with.
    """
    from app.vault.recovery_key import ALPHABET

    last = key[-1]
    return key[:-1] + ALPHABET[(ALPHABET.index(last) + 1) % len(ALPHABET)]


def _check_for_zero_key() -> str:
    from app.vault.recovery_key import format_key

    return format_key(bytes(20)).split("-")[-1]


def test_lock_drops_keys_and_refuses_use(ready_vault: Ready) -> None:
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    key_buffer = vault._vmk
    vault.lock()
    assert vault.is_locked and key_buffer == bytearray(32)
    with pytest.raises(VaultLockedError):
        vault.list_documents()
    vault.lock()  # idempotent


def test_idle_time_uses_the_time_it_is_given(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        vault.touch(now=1000.0)
        assert vault.idle_seconds(1100.0) == 100.0
        assert vault.idle_seconds(900.0) == 0.0


def test_task_outputs_round_trip_and_reads_leave_the_generation(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        start = vault.generation
        vault.put_task_output("summary.partial", "k1", {"points": [1]}, document_ids=["d1"])
        vault.put_task_output("summary.partial", "k2", {"points": [2]}, document_ids=["d2"])
        vault.put_task_output("summary.partial", "k1", {"points": [3]}, document_ids=["d1"])
        assert vault.generation == start + 3
        stored = vault.get_task_output("k1")
        assert stored is not None and stored.result == {"points": [3]}
        assert stored.document_ids == ["d1"] and stored.task == "summary.partial"
        assert vault.get_task_output("missing") is None
        mine = vault.list_task_outputs("summary.partial", document_ids=["d1"])
        assert [o.id for o in mine] == ["k1"]
        assert {o.id for o in vault.list_task_outputs("summary.partial")} == {"k1", "k2"}
        assert vault.list_task_outputs("other") == []
        assert vault.generation == start + 3  # reads commit nothing


def test_slots_add_remove_and_never_the_last(ready_vault: Ready) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        slot, second_key = vault.add_slot("recovery")
        assert second_key is not None and slot.id == 3
        vault.remove_slot(1)  # the passphrase slot
        vault.remove_slot(2)  # the first recovery slot
        with pytest.raises(SlotError, match="last"):
            vault.remove_slot(3)
        with pytest.raises(SlotError):
            vault.remove_slot(42)
    info = find_vault(ready_vault.info.vault_id)
    assert [s.id for s in info.slots] == [3]
    with pytest.raises(WrongRecoveryKeyError):
        unlock(info, recovery_key=ready_vault.recovery_key)
    unlock(info, recovery_key=second_key).lock()


def test_rekey_keeps_passphrase_replaces_recovery_and_keeps_data(ready_vault: Ready) -> None:
    db = ready_vault.info.path / "vault.db"
    with unlock(ready_vault.info, passphrase=PASSPHRASE) as vault:
        doc = vault.add_document(b"kept across rekey", title="d", mime_type="text/plain")
        old_db_head = db.read_bytes()[:4096]
        new_keys = vault.rekey(passphrase=PASSPHRASE)
        assert list(new_keys) == [2]
        assert vault.get_document(doc.id).content == b"kept across rekey"
        generation = vault.generation
    assert db.read_bytes()[:4096] != old_db_head
    with pytest.raises(WrongRecoveryKeyError):
        unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    with unlock(ready_vault.info, recovery_key=new_keys[2]) as vault:
        assert vault.get_document(doc.id).content == b"kept across rekey"
        assert vault.generation == generation
    with unlock(ready_vault.info, passphrase=PASSPHRASE) as vault:
        assert len(vault.list_documents()) == 1


def test_rekey_needs_the_passphrase_of_passphrase_slots(ready_vault: Ready) -> None:
    before = tree_digest(ready_vault.info.path)
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        with pytest.raises(SlotError, match="passphrase"):
            vault.rekey()
        with pytest.raises(WrongPassphraseError):
            vault.rekey(passphrase="not it")
    assert tree_digest(ready_vault.info.path) == before


def test_interrupted_rekey_rolls_back_on_next_unlock(
    ready_vault: Ready, monkeypatch: pytest.MonkeyPatch
) -> None:
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        doc = vault.add_document(b"survives", title="d", mime_type="text/plain")

    def crash(*_: object) -> None:
        raise KeyboardInterrupt("power cut before vault.json was replaced")

    monkeypatch.setattr(rekey, "write_header", crash)
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    with pytest.raises(KeyboardInterrupt):
        vault.rekey(passphrase=PASSPHRASE)
    vault._conn.close()  # the process "dies": no orderly lock
    assert (ready_vault.info.path / rekey.JOURNAL_FILE).exists()
    monkeypatch.undo()
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as again:
        assert again.get_document(doc.id).content == b"survives"
    assert not (ready_vault.info.path / rekey.JOURNAL_FILE).exists()
    unlock(ready_vault.info, recovery_key=ready_vault.recovery_key).lock()


def test_backup_opens_with_the_same_slots(ready_vault: Ready, tmp_path: object) -> None:
    dest = paths.data_dir() / "backups" / "acme-copy"
    dest.parent.mkdir()
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        doc = vault.add_document(b"backed up", title="d", mime_type="text/plain")
        vault.backup(dest)
        with pytest.raises(VaultExistsError):
            vault.backup(dest)
        vault.add_document(b"after the backup", title="e", mime_type="text/plain")
    copy = open_info(dest)
    assert copy.vault_id == ready_vault.info.vault_id
    with unlock(copy, passphrase=PASSPHRASE) as restored:
        assert restored.generation == 1
        assert [d.id for d in restored.list_documents()] == [doc.id]


def test_create_list_find_and_delete(vault_home: object) -> None:
    with pytest.raises(Exception, match="passphrase or the OS keyring"):
        create_vault("No way in", passphrase=None, use_keyring=False)
    info, recovery = create_vault("Estate X", passphrase="pw for estate", use_keyring=False)
    with pytest.raises(VaultExistsError):
        create_vault("estate x", passphrase="another", use_keyring=False)
    assert [v.name for v in list_vaults()] == ["Estate X"]
    assert find_vault("ESTATE X") == find_vault(info.vault_id[:8]) == info
    with pytest.raises(VaultNotFoundError):
        find_vault("nope")
    (info.path / "vault.json").write_text("{not json")
    assert list_vaults()[0].problem is not None
    delete_vault(find_vault(info.vault_id))
    assert not info.path.exists() and list_vaults() == []
    assert recovery


def test_migration_mechanism_applies_new_steps_once(
    ready_vault: Ready, monkeypatch: pytest.MonkeyPatch
) -> None:
    following = schema.latest_version() + 1
    extra = (*schema.MIGRATIONS, (following, ("CREATE TABLE later_feature (x INTEGER)",)))
    monkeypatch.setattr(schema, "MIGRATIONS", extra)
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        conn = vault._conn
        assert schema.current_version(conn) == following
        assert conn.execute("SELECT count(*) FROM later_feature").fetchone() == (0,)
    with unlock(ready_vault.info, recovery_key=ready_vault.recovery_key) as vault:
        rows = vault._conn.execute("SELECT version FROM schema_version").fetchall()
        assert rows == [(n,) for n in range(1, following + 1)]


def test_missing_database_or_deleted_header_is_an_integrity_error(ready_vault: Ready) -> None:
    from app.vault import VaultIntegrityError

    (ready_vault.info.path / "vault.db").rename(ready_vault.info.path / "moved.db")
    with pytest.raises(VaultIntegrityError, match="missing"):
        unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    assert not (ready_vault.info.path / "vault.db").exists()  # nothing was recreated
    (ready_vault.info.path / "vault.json").write_text('{"format": "chambers-vault"}\n')
    with pytest.raises(VaultIntegrityError):
        unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
