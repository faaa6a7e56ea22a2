"""The redline of a real NDA (ContractNLI dev texts as Word files) in a real vault.

Reviewed from the playbook's cues (no model: the decisions are the fitted cue stage's),
exported as a tracked-change copy, and read back: structurally (every other part of the
package byte for byte, other authors' changes and comments untouched, no external
reference added) and by LibreOffice headless, which accepts or rejects all changes
with its own commands. A PDF or text document gets the review memo instead.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import docx
import pytest
from lxml import etree

from app.cli import main
from app.engine import Engine
from app.ingest.errors import ZipBombError
from app.ingest.importer import import_paths
from app.tasks.quote import Quote
from app.tasks.review import load_playbook, review_document
from app.tasks.review.deliver import export_review, load_decisions, occurrence, save_decision
from app.tasks.review.ooxml import Mark, RedlineError, W
from app.tasks.review.redline import Edit, write_redline
from app.tasks.review.review import ReviewResult, ReviewRow
from app.vault import Vault, unlock
from tests.eval.nli_scoring import Nda, load_ndas
from tests.fixtures import office
from tests.fixtures.nda_docx import nda_docx, with_history
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import SHARED_DATA

REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
EDITED = {"word/document.xml", "word/comments.xml", "word/_rels/document.xml.rels",
          "[Content_Types].xml"}  # fmt: skip


@pytest.fixture(scope="module")
def ndas() -> list[Nda]:
    return load_ndas(SHARED_DATA / "contractnli" / "dev.json", 8)


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def _review(vault: Vault, path: Path, data: bytes, playbook: str) -> ReviewResult:
    path.write_bytes(data)
    document_id = import_paths(vault, [path]).imported[0].document_id
    return review_document(None, vault, document_id, playbook)


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def _external(parts: dict[str, bytes]) -> set[tuple[str, str]]:
    out = set()
    for name, data in parts.items():
        if name.endswith(".rels"):
            for rel in etree.fromstring(data).iter(REL):
                if rel.get("TargetMode") == "External":
                    out.add((name, str(rel.get("Target"))))
    return out


def _by(root: etree._Element, tag: str, author: str) -> list[etree._Element]:
    return [e for e in root.iter(f"{W}{tag}") if e.get(f"{W}author") == author]


def test_the_redline_tracks_the_changes_and_keeps_everything_else(
    vault: Vault, tmp_path: Path, ndas: list[Nda], vault_home: Path
) -> None:
    original = with_history(nda_docx(ndas[6].text, "NDA six"))
    result = _review(vault, tmp_path / "nda6.docx", original, "nda")
    book = load_playbook("nda")
    kinds = [r.change.kind for r in result.rows if r.change]
    assert {"insert", "replace", "comment"} <= set(kinds), kinds
    done = export_review(vault, result, book, tmp_path / "out.docx", author="A. Reviewer")
    assert done.kind == "redline" and done.changes == len(kinds) and not done.notes
    before, after = _parts(original), _parts(done.path.read_bytes())
    assert set(after) == set(before)  # the document already had a comments part
    for name in set(before) - EDITED:  # styles, numbering, header, settings, theme...
        assert after[name] == before[name], name
    assert _external(after) == _external(before)
    document = etree.fromstring(after["word/document.xml"])
    old = etree.fromstring(before["word/document.xml"])
    for tag in ("ins", "del"):  # the other side's changes, exactly as they were
        theirs = [etree.tostring(e) for e in _by(old, tag, "Opposing Counsel")]
        assert (
            theirs and [etree.tostring(e) for e in _by(document, tag, "Opposing Counsel")] == theirs
        )
    ours_del = _by(document, "del", "A. Reviewer")
    assert len(ours_del) == kinds.count("replace")
    replaced = [r for r in result.rows if r.change and r.change.kind == "replace"]
    deleted_text = ["".join(t.text or "" for t in d.iter(f"{W}delText")) for d in ours_del]
    for row, text in zip(replaced, deleted_text, strict=True):
        assert " ".join(text.split()) == row.quote
    inserted = ["".join(t.text or "" for t in e.iter(f"{W}t")) for e in _by(document, "ins", "A. Reviewer")]  # fmt: skip
    for row in result.rows:
        if row.change is not None and row.change.text:
            assert row.change.text in inserted
    comments = etree.fromstring(after["word/comments.xml"])
    authors = [c.get(f"{W}author") for c in comments.iter(f"{W}comment")]
    assert authors.count("Opposing Counsel") == 1 and authors.count("A. Reviewer") == len(kinds)
    text = " ".join(t.text or "" for t in comments.iter(f"{W}t"))
    assert "Playbook nda, nda-" in text and "risk:" in text
    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    (record,) = [json.loads(x) for x in log.splitlines() if '"review.export"' in x]
    assert record["details"]["format"] == "redline" and "Receiving" not in log


def test_a_rejected_change_is_kept_in_the_vault_and_left_out(
    vault: Vault, tmp_path: Path, ndas: list[Nda], vault_home: Path
) -> None:
    result = _review(vault, tmp_path / "nda7.docx", nda_docx(ndas[7].text, "NDA seven"), "nda")
    book = load_playbook("nda")
    proposed = [r for r in result.rows if r.change is not None]
    changed = next(r for r in proposed if r.change and r.change.kind == "insert")
    rejected = next(r for r in proposed if r is not changed)
    save_decision(vault, result.document_id, "nda", rejected, "reject")
    save_decision(vault, result.document_id, "nda", changed, "Our own wording of the clause.")
    assert load_decisions(vault, result.document_id, "nda") == {
        rejected.statement_id: "reject",
        changed.statement_id: "Our own wording of the clause.",
    }
    done = export_review(vault, result, book, tmp_path / "out.docx")
    assert done.changes == len(proposed) - 1
    body = _parts(done.path.read_bytes())["word/document.xml"].decode()
    assert "Our own wording of the clause." in body and "Chambers review" in body
    assert changed.change is not None and changed.change.text not in body
    none = export_review(vault, result, book, tmp_path / "none.docx", accept=set())
    assert none.changes == 0
    assert _parts(none.path.read_bytes())["word/document.xml"].count(b"<w:ins ") == 0
    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    reviews = [json.loads(x) for x in log.splitlines() if '"extract.review"' in x]
    assert [r["details"]["accepted"] for r in reviews] == [False, False]
    assert "Our own wording" not in log


@pytest.mark.office
def test_libreoffice_accepts_the_fallbacks_and_rejects_back_to_the_original(
    vault: Vault, tmp_path: Path, ndas: list[Nda]
) -> None:
    assert office.available(), "soffice is missing: make system-deps installs LibreOffice"
    cases = []
    for index, playbook, history in ((7, "nda", False), (0, "nda-disclosing", True)):
        original = nda_docx(ndas[index].text, f"NDA {index}")
        original = with_history(original) if history else original
        source = tmp_path / f"nda{index}.docx"
        result = _review(vault, source, original, playbook)
        done = export_review(vault, result, load_playbook(playbook), tmp_path / f"red{index}.docx")
        assert done.changes and not done.notes
        cases.append((source, done.path, result, history))
    jobs: list[tuple[office.Mode, Path]] = []
    for source, redline, _, history in cases:
        jobs += [("Reject" if history else "AsIs", source), ("Accept", redline),
                 ("Reject", redline)]  # fmt: skip
    texts = office.office_texts(jobs, tmp_path / "office")
    for i, (_, _, result, _) in enumerate(cases):
        original, accepted, rejected = texts[3 * i : 3 * i + 3]
        assert rejected.splitlines() == original.splitlines()
        flat = " ".join(accepted.split())
        for row in result.rows:
            if row.change is None or row.change.kind == "comment":
                continue
            assert row.change.text in flat
            if row.change.kind == "replace":
                assert row.quote and row.quote not in flat
                assert row.quote in " ".join(original.split())


def test_a_text_document_gets_the_review_memo(
    vault: Vault, tmp_path: Path, ndas: list[Nda]
) -> None:
    source = tmp_path / "nda6.txt"
    source.write_text(ndas[6].text, encoding="utf-8")
    document_id = import_paths(vault, [source]).imported[0].document_id
    result = review_document(None, vault, document_id, "nda")
    done = export_review(vault, result, load_playbook("nda"), tmp_path / "memo.docx")
    assert done.kind == "memo"
    memo = docx.Document(str(done.path))
    (table,) = memo.tables
    assert len(table.rows) == 1 + len(result.rows)
    cells = [[c.text for c in row.cells] for row in table.rows[1:]]
    assert [c[0] for c in cells] == [r.risk for r in result.ordered()]
    quoted = next(r for r in result.ordered() if r.quote)
    assert any(f'(page {quoted.page}): "{quoted.quote}"' in c[4] for c in cells)
    paragraphs = "\n".join(p.text for p in memo.paragraphs)
    for row in result.rows:
        if row.change is not None and row.change.text:
            assert row.change.text in paragraphs


# -- hostile input ----------------------------------------------------------------------
_MARK = Mark("Chambers review", "2026-01-01T00:00:00Z")
_INSERT = [Edit("nda-5", "insert", "A clause.", None, ("High risk: g",))]


def _repack(data: bytes, changes: dict[str, bytes]) -> bytes:
    parts = _parts(data) | changes
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.fixture(scope="module")
def plain(ndas: list[Nda]) -> bytes:
    return nda_docx(ndas[7].text, "NDA seven")


def test_a_macro_enabled_document_is_refused(plain: bytes) -> None:
    docm = _repack(plain, {"word/vbaProject.bin": b"\xd0\xcf\x11\xe0 macro"})
    with pytest.raises(RedlineError, match="macro-enabled"):
        write_redline(docm, "offer.docm", _INSERT, _MARK)


def test_deep_nesting_and_a_doctype_are_refused(plain: bytes) -> None:
    body = _parts(plain)["word/document.xml"]
    deep = body.replace(b"<w:body>", b"<w:body>" + b"<w:sdt>" * 5000, 1)
    with pytest.raises(RedlineError, match="cannot be read safely"):
        write_redline(_repack(plain, {"word/document.xml": deep}), "deep.docx", _INSERT, _MARK)
    bomb = b'<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>' + body.split(b"?>", 1)[1]
    with pytest.raises(RedlineError, match=r"DOCTYPE|cannot be read"):
        write_redline(_repack(plain, {"word/document.xml": bomb}), "dtd.docx", _INSERT, _MARK)
    zeros = _repack(plain, {"word/media/huge.bin": b"\0" * (4 * 2**20)})
    with pytest.raises(ZipBombError):
        write_redline(zeros, "bomb.docx", _INSERT, _MARK)


def test_external_relationships_are_kept_and_none_is_added(plain: bytes) -> None:
    parts = _parts(plain)
    rels = etree.fromstring(parts["word/_rels/document.xml.rels"])
    link = etree.SubElement(rels, REL.replace("Relationship", "Relationship"))
    link.attrib.update({"Id": "rId900", "TargetMode": "External", "Target": "https://example.com/x",
                        "Type": "http://schemas.openxmlformats.org/officeDocument/2006/relationships/hyperlink"})  # fmt: skip
    hostile = _repack(plain, {"word/_rels/document.xml.rels": etree.tostring(rels)})
    out, notes = write_redline(hostile, "links.docx", _INSERT, _MARK)
    after = _parts(out)
    assert (
        _external(after)
        == _external(_parts(hostile))
        == {("word/_rels/document.xml.rels", "https://example.com/x")}
    )
    comments_rel = [r for r in etree.fromstring(after["word/_rels/document.xml.rels"]).iter(REL)
                    if r.get("Target") == "comments.xml"]  # fmt: skip
    assert len(comments_rel) == 1 and comments_rel[0].get("TargetMode") is None
    assert b"http" not in after["word/comments.xml"].replace(b"http://schemas", b"")
    assert not notes


@pytest.mark.model
def test_the_cli_writes_the_redline_of_the_accepted_changes(
    cli_engine: Engine,
    ready_vault: Ready,
    tmp_path: Path,
    ndas: list[Nda],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    name = ready_vault.info.name
    source = tmp_path / "nda7.docx"
    source.write_bytes(nda_docx(ndas[7].text, "NDA seven"))
    assert main(["import", name, str(source), "--no-keyring", "--json"]) == 0
    capsys.readouterr()
    out = tmp_path / "nda7-redline.docx"
    review = ["review", name, "NDA seven", "--playbook", "nda", "--no-keyring"]
    assert main([*review, "--accept", "nda-5"]) == 2  # --accept without --redline
    assert main([*review, "--redline", str(out), "--accept", "nda-99"]) == 2
    assert not out.exists()
    capsys.readouterr()
    assert main([*review, "--redline", str(out), "--accept", "nda-7,nda-20", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["redline"]["kind"] == "redline" and data["redline"]["path"] == str(out)
    proposed = {r["statement_id"] for r in data["rows"] if r["change"]}
    assert data["redline"]["changes"] == len(proposed & {"nda-7", "nda-20"}) > 0
    body = _parts(out.read_bytes())["word/document.xml"].decode()
    for row in data["rows"]:
        if row["change"] and row["change"]["text"]:
            assert (row["change"]["text"] in body) == (row["statement_id"] in {"nda-7", "nda-20"})
    assert main([*review, "--redline", str(out)]) == 0
    text = capsys.readouterr().out
    assert "outcome: MISSING" in text and f"redline written to {out}" in text


def test_a_recurring_sentence_is_changed_where_the_review_quoted_it() -> None:
    sentence = "The Recipient shall not solicit any employee of the Company."
    document = docx.Document()
    for text in ("Definitions.", sentence, "Term and termination.", sentence):
        document.add_paragraph(text)
    data = io.BytesIO()
    document.save(data)
    page = "\n\n".join(("Definitions.", sentence, "Term and termination.", sentence))
    second = page.rindex(sentence)
    row = ReviewRow("nda-18", "s", "Entailment", Quote.cut("doc", 1, page, second, second + len(sentence)),
                    0.9, True, "rule")  # fmt: skip
    first = Quote.cut("doc", 1, page, page.index(sentence), page.index(sentence) + len(sentence))
    assert occurrence({1: page}, row) == 1
    assert occurrence({1: page}, replace(row, cited=first)) == 0
    edit = Edit("nda-18", "replace", "No solicitation for six months.", sentence, ("c",), 1)
    out, notes = write_redline(data.getvalue(), "twice.docx", [edit], _MARK)
    assert not notes
    body = etree.fromstring(_parts(out)["word/document.xml"]).find(f"{W}body")
    assert body is not None
    changed = [i for i, p in enumerate(body.iter(f"{W}p")) if p.find(f"{W}del") is not None]
    assert changed == [3]
