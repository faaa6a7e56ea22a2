"""Import into a real encrypted vault and search it: provenance, dedupe, resume, refusals."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.cli import main
from app.ingest.importer import import_paths
from app.ingest.types import IngestLimits
from app.vault import SearchSyntaxError, Vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD, FILES

VECTOR = FILES / "court" / "vector-pdf.pdf"
# Its two scanned appendix pages are not what these tests are about (OCR: test_ocr_import).
NO_OCR = IngestLimits(ocr_enabled=False)


@pytest.fixture
def vault(ready_vault: Ready) -> Vault:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened  # type: ignore[misc]
    opened.lock()


def test_pdf_pages_and_chunks_are_stored_with_provenance(vault: Vault) -> None:
    summary = import_paths(vault, [VECTOR], limits=NO_OCR)
    assert [d.pages for d in summary.imported] == [30]
    doc_id = summary.imported[0].document_id
    pages = {p.page: p.text for p in vault.pages(doc_id)}
    chunks = vault.chunks(doc_id)
    assert len(pages) == 30 and chunks
    for chunk in chunks:
        assert pages[chunk.page][chunk.char_start : chunk.char_end] == chunk.text
    info = vault.get_document_info(doc_id)
    assert info.metadata["pages"] == 30 and "needs_ocr" in info.metadata["flags"]
    assert vault.get_document(doc_id).content == VECTOR.read_bytes()


@pytest.mark.parametrize(
    ("phrase", "page"),
    [
        ('"prepared by the Reporter of Decisions for the convenience of the reader"', 1),
        ('"Congress approved the Compact"', 7),
        ('"Three things persuade us that cross-border rights were"', 18),
    ],
)
def test_search_returns_the_page_of_a_known_phrase(vault: Vault, phrase: str, page: int) -> None:
    import_paths(vault, [VECTOR], limits=NO_OCR)
    hits = vault.search(phrase, limit=5)
    assert hits, phrase
    assert hits[0].page == page
    assert "«" in hits[0].snippet and "»" in hits[0].snippet


def test_search_supports_prefix_boolean_and_ranks(vault: Vault) -> None:
    import_paths(vault, [CUAD / "pdf" / "cuad-dev-000.pdf", CUAD / "pdf" / "cuad-dev-001.pdf"])
    both = vault.search("terminat* AND notice", limit=50)
    assert both and all("«" in h.snippet for h in both)
    assert [h.score for h in both] == sorted((h.score for h in both), reverse=True)
    only = vault.search('"governed by" NOT Delaware', limit=50)
    assert all("Delaware" not in h.snippet for h in only)
    with pytest.raises(SearchSyntaxError):
        vault.search("AND AND")


def test_same_bytes_twice_is_one_document_and_reruns_resume(vault: Vault, tmp_path: Path) -> None:
    copy = tmp_path / "renamed.pdf"
    shutil.copyfile(CUAD / "pdf" / "cuad-dev-002.pdf", copy)
    first = import_paths(vault, [CUAD / "pdf" / "cuad-dev-002.pdf", copy])
    assert len(first.imported) == 1 and len(first.duplicates) == 1
    again = import_paths(
        vault, [CUAD / "pdf" / "cuad-dev-002.pdf", CUAD / "pdf" / "cuad-dev-003.pdf"]
    )
    assert [Path(d.path).name for d in again.imported] == ["cuad-dev-003.pdf"]
    assert again.duplicates[0][1] == first.imported[0].document_id
    assert len(vault.list_documents()) == 2


def test_refused_files_are_reported_and_nothing_partial_is_stored(vault: Vault) -> None:
    bad = [
        FILES / "edge" / n for n in ("not-a-pdf.pdf", "password.pdf", "bomb.docx", "truncated.pdf")
    ]
    generation = vault.generation
    summary = import_paths(vault, [*bad, FILES / "court" / "empty.pdf"])
    reasons = {Path(r.path).name: r.reason for r in summary.refused}
    assert reasons == {
        "not-a-pdf.pdf": "wrong type",
        "password.pdf": "encrypted",
        "bomb.docx": "zip bomb",
        "truncated.pdf": "truncated",
        "empty.pdf": "empty",
    }
    assert all(Path(r.path).name in r.message for r in summary.refused)
    assert vault.list_documents() == [] and vault.generation == generation


def test_a_failure_while_storing_rolls_the_document_back(
    vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    import app.ingest.importer as importer

    def broken_chunker(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer, "chunk_pages", broken_chunker)
    with pytest.raises(RuntimeError):
        import_paths(vault, [CUAD / "pdf" / "cuad-dev-002.pdf"])
    assert vault.list_documents() == []
    assert vault.search("agreement") == []


def test_email_attachments_become_child_documents(vault: Vault) -> None:
    summary = import_paths(vault, [FILES / "email" / "fake-email-attachment.eml"])
    assert summary.imported[0].children == 1
    docs = vault.list_documents()
    parent = next(d for d in docs if d.parent_id is None)
    children = [d for d in docs if d.parent_id == parent.id]
    assert len(children) == 1
    vault.delete_document(parent.id)
    assert vault.list_documents() == []
    assert vault.search("attachment") == []


def test_cli_import_docs_search(
    ready_vault: Ready, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    name = ready_vault.info.name
    code = main(
        [
            "import",
            name,
            str(CUAD / "pdf" / "cuad-dev-000.pdf"),
            str(FILES / "edge" / "not-a-pdf.pdf"),
            "--json",
            "--no-keyring",
        ]
    )
    summary = json.loads(capsys.readouterr().out)
    assert code == 1
    assert len(summary["imported"]) == 1 and summary["refused"][0]["reason"] == "wrong type"
    assert main(["docs", name, "--json", "--no-keyring"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert docs[0]["pages"] == 17 and docs[0]["type"] == "pdf"
    assert main(["search", name, '"governed by"', "--json", "--no-keyring"]) == 0
    hits = json.loads(capsys.readouterr().out)
    assert hits and {"document_id", "title", "page", "snippet", "score"} <= set(hits[0])


def _audit_imports(home: Path) -> int:
    log = home / "audit" / "audit.jsonl"
    if not log.exists():
        return 0
    return sum('"document.import"' in line for line in log.read_text().splitlines())


def test_ctrl_c_leaves_a_consistent_vault_and_a_rerun_finishes(
    ready_vault: Ready, tmp_path: Path, vault_home: Path
) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    for pdf in sorted((CUAD / "pdf").glob("*.pdf"))[:10]:
        shutil.copyfile(pdf, folder / pdf.name)
    shutil.copyfile(FILES / "edge" / "DA-619p.pdf", folder / "zz-619-pages.pdf")  # read last
    env = dict(os.environ, CHAMBERS_PASSPHRASE=PASSPHRASE)
    command = [sys.executable, "-m", "app.cli", "import", ready_vault.info.name, str(folder)]
    command += ["--no-keyring", "--json"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    deadline = time.monotonic() + 600  # a generous ceiling: the loop ends at the first import
    while _audit_imports(vault_home) < 1 and time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        time.sleep(0.05)
    assert _audit_imports(vault_home) >= 1, "no document was imported within 10 minutes"
    process.send_signal(signal.SIGINT)  # like Ctrl-C, mid-batch
    out, err = process.communicate(timeout=120)
    assert process.returncode == 130, err
    first = json.loads(out)
    assert first["cancelled"] is True
    assert 1 <= len(first["imported"]) < 11
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    try:
        stored = vault.list_documents()
        assert len(stored) == len(first["imported"])
        for doc in stored:
            assert len(vault.pages(doc.id)) == doc.metadata["pages"]
    finally:
        vault.lock()
    rerun = subprocess.run(command, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    second = json.loads(rerun.stdout)
    assert len(second["duplicates"]) == len(first["imported"])
    assert len(first["imported"]) + len(second["imported"]) == 11
