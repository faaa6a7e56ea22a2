"""The Review panel: a playbook's statements with labels, quotes and page links.

The task layer (app/tasks/review) is scripted here, so the panel's own behaviour is
tested without the model: rows arrive one by one, a row opens its page, a changed label
or Accept is stored as a reviewed correction in a real vault, and Export writes the
reviewed labels. The engine is real llama.cpp on the tiny GGUF (the panel only needs one
to be loaded); the vault, the corrections and the audit log are real.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.engine import Engine
from app.gui.main_window import MainWindow
from app.gui.review_panel import ReviewPanel
from app.paths import audit_dir
from app.tasks.corrections import load_corrections
from app.tasks.quote import Quote
from app.tasks.quotes import find_quote
from app.tasks.review.review import ReviewRow
from app.vault import DocumentInfo, VaultInfo
from tests.fixtures.engine import SharedEngine
from tests.gui.conftest import PASSPHRASE, unlock_with
from tests.shared_data import CUAD

ROOT = Path(__file__).resolve().parents[2]
SHORT = "cuad-dev-010"  # two pages: MP3.com / Tickets.com sponsorship, California law


def Row(
    statement_id: str,
    statement: str,
    label: str,
    page: int | None,
    quote: str | None,
    *,
    verified: bool = True,
    decided_by: str = "rule",
) -> ReviewRow:
    """A review row quoting ``quote`` (the start of page ``page``)."""
    cited = Quote("doc-1", page, 0, len(quote), quote) if page and quote else None
    return ReviewRow(statement_id, statement, label, cited, 0.9, verified, decided_by)  # type: ignore[arg-type]


@dataclass
class Result:
    document_id: str
    playbook: str
    rows: list[ReviewRow]
    seconds: float = 0.1
    notes: list[str] = field(default_factory=list)


ROWS = [
    Row("nda-1", "Confidential information is explicitly identified.", "Entailment", 1,
        "CONFIDENTIAL TREATMENT HAS BEEN REQUESTED"),
    Row("nda-2", "The receiving party may share with employees.", "Contradiction", 2,
        "not a real sentence", verified=False),
    Row("nda-3", "Some obligations survive termination.", "NotMentioned", None, None,
        decided_by="default"),
]  # fmt: skip


class ScriptedReview:
    """The task layer, scripted: reports ``rows`` one at a time and records each call."""

    def __init__(self, rows: list[ReviewRow]) -> None:
        self.rows = rows
        self.calls: list[tuple[str, str]] = []

    def list_playbooks(self) -> list[str]:
        return ["nda", "firm-nda"]

    def run_review(self, engine: Any, vault: Any, document_id: str, playbook: str, *,
                   progress: Any, cancel: Any, on_row: Callable[[Any], None]) -> Result:  # fmt: skip
        assert isinstance(engine, Engine | SharedEngine)
        self.calls.append((document_id, playbook))
        for i, row in enumerate(self.rows):
            progress(i / len(self.rows), f"Statement {i + 1}")
            on_row(row)
        return Result(document_id, playbook, list(self.rows))


def _info(doc_id: str = "doc-1", title: str = "NDA") -> DocumentInfo:
    return DocumentInfo(doc_id, title, "application/pdf", 10, "0" * 64, {"pages": 2}, "", None)


def test_review_panel_shows_rows_opens_pages_and_asks_to_store_reviews(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ReviewPanel(ScriptedReview(ROWS))
    qtbot.addWidget(panel)
    panel.show()
    assert [panel.playbook.itemText(i) for i in range(panel.playbook.count())] == [
        "nda", "firm-nda"
    ]  # fmt: skip
    assert not panel.run_button.isEnabled() and "Unlock" in panel.state.text()
    panel.set_available(True)
    assert not panel.run_button.isEnabled()  # no documents yet
    panel.set_documents([_info()])
    with qtbot.waitSignal(panel.run_requested) as asked:
        panel.run_button.click()
    assert asked.args[0].params == {"document_id": "doc-1", "playbook": "nda"}
    assert panel.cancel_button.isEnabled() and not panel.document.isEnabled()

    panel.partial(ROWS[0])  # rows appear as they are decided
    assert panel.table.rowCount() == 1
    panel.finish((Result("doc-1", "nda", ROWS), []))
    assert panel.table.rowCount() == 3 and not panel.cancel_button.isEnabled()
    assert "says so for 1, says the opposite for 1, is silent on 1" in panel.state.text()
    assert panel.table.item(0, 2).text() == "CONFIDENTIAL TREATMENT HAS BEEN REQUESTED"
    assert panel.table.item(1, 2).text().startswith("⚠")  # an unverified quote is marked
    assert panel.table.item(2, 2).text() == "— no quote" and panel.table.item(2, 3).text() == ""
    assert panel.label_box(1).currentData() == "Contradiction"
    assert panel.label_box(2).currentText() == "Silent"  # a lawyer's word, not the task's

    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.table.setCurrentCell(0, 0)
    assert opened.args == ["doc-1", 1, ROWS[0].cited]  # the Quote: marked at its span
    with qtbot.assertNotEmitted(panel.source_requested):
        panel.table.setCurrentCell(2, 0)  # no page to open

    box = panel.label_box(1)
    box.setCurrentIndex(box.findData("NotMentioned"))
    with qtbot.waitSignal(panel.run_requested) as stored:
        box.activated.emit(box.currentIndex())
    request = stored.args[0]
    assert request.name == "review" and not request.needs_engine
    params = request.params
    assert (params["document_id"], params["field"], params["value"]) == (
        "doc-1", "nda-2", "NotMentioned"
    )  # fmt: skip
    assert params["original"].value == "Contradiction"  # the model's label, kept
    panel.table.setCurrentCell(0, 0)
    with qtbot.waitSignal(panel.run_requested) as accepted:
        panel.accept_button.click()
    assert (accepted.args[0].params["field"], accepted.args[0].params["value"]) == (
        "nda-1", "Entailment"
    )  # fmt: skip

    panel.set_available(False, "The model is loading…")  # rows stay reviewable
    assert panel.accept_button.isEnabled() and panel.export_button.isEnabled()
    panel.clear()  # the matter was locked
    assert panel.table.rowCount() == 0 and panel.document.count() == 0


def test_reviews_are_stored_exported_and_forgotten_on_lock(
    qtbot, window: MainWindow, matter: VaultInfo, tiny_session_engine: Engine, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    script = ScriptedReview(ROWS)
    panel = window.review_panel
    panel.tasks = script
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    window.import_files([CUAD / "pdf" / f"{SHORT}.pdf"])
    qtbot.waitUntil(lambda: window.last_import is not None and not window.runner.busy, timeout=120_000)  # fmt: skip
    assert window.vault is not None
    (doc,) = window.vault.list_documents()
    assert not panel.run_button.isEnabled() and "model is loading" in panel.state.text()
    window.engine.adopt(SharedEngine(tiny_session_engine))  # type: ignore[arg-type]  # kept open
    assert panel.run_button.isEnabled()

    window.tabs.setCurrentWidget(panel)
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=120_000)
    assert script.calls == [(doc.id, "nda")] and panel.table.rowCount() == 3
    panel.table.setCurrentCell(0, 0)
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, 1), timeout=120_000)
    assert (
        "[CONFIDENTIAL TREATMENT HAS BEEN REQUESTED]" in window.source.text.toPlainText()
    )  # the quote marked

    box = panel.label_box(1)
    box.setCurrentIndex(box.findData("NotMentioned"))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: panel.table.item(1, 2).text().startswith("✓"), timeout=120_000)
    stored = {c.field: c for c in load_corrections(window.vault)}
    assert stored["nda-2"].value == "NotMentioned" and stored["nda-2"].original == "Contradiction"
    assert stored["nda-2"].fieldset == "review:nda" and stored["nda-2"].document_id == doc.id

    out = tmp_path / "review.csv"
    panel.export_to(out)
    qtbot.waitUntil(lambda: "Exported" in panel.state.text(), timeout=120_000)
    with out.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert (
        row[ROWS[1].statement] == "NotMentioned" and row[f"{ROWS[1].statement} reviewed"] == "yes"
    )
    assert row[ROWS[0].statement] == "Entailment" and row[f"{ROWS[0].statement} reviewed"] == ""

    records = [json.loads(line) for p in sorted(audit_dir().glob("*.jsonl"))
               for line in p.read_text().splitlines() if line.strip()]  # fmt: skip
    assert [r["details"] for r in records if r["action"] == "review.label"] == [
        {"accepted": False}
    ]  # named for the task reviewed
    assert not [r for r in records if r["action"] == "extract.review"]
    assert "NotMentioned" not in json.dumps(records) and "nda-2" not in json.dumps(records)

    window.lock_action.trigger()
    assert panel.table.rowCount() == 0 and not panel.run_button.isEnabled()
    assert panel.document.count() == 0
    assert window.tabs.tabText(window.tabs.indexOf(panel)).replace("&", "") == "Review"
    assert window.tabs.currentWidget() is panel and panel.isVisible()


def test_a_real_review_with_a_firms_own_playbook(
    qtbot, model_window: MainWindow, matter: VaultInfo, chambers_home: Path
) -> None:  # type: ignore[no-untyped-def]
    """The real task layer and model, on a two-statement playbook the firm dropped into
    <data>/playbooks/ (so it runs in seconds, not the NDA playbook's minutes)."""
    nda = json.loads((ROOT / "resources" / "playbooks" / "nda.json").read_text("utf-8"))
    mine = {**nda, "name": "firm-quick", "title": "Two NDA checks",
            "statements": nda["statements"][:2]}  # fmt: skip
    (chambers_home / "playbooks").mkdir(parents=True)
    (chambers_home / "playbooks" / "firm-quick.json").write_text(json.dumps(mine), "utf-8")
    window = model_window
    panel = window.review_panel
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    window.import_files([CUAD / "pdf" / f"{SHORT}.pdf"])
    qtbot.waitUntil(lambda: window.last_import is not None and not window.runner.busy, timeout=120_000)  # fmt: skip
    assert panel.playbook.findText("firm-quick") >= 0  # listed once a matter is open
    panel.playbook.setCurrentText("firm-quick")
    panel.run_button.click()
    qtbot.waitUntil(lambda: not panel.busy, timeout=300_000)
    assert len(panel.rows) == 2, panel.state.text()
    assert window.vault is not None
    (doc,) = window.vault.list_documents()
    pages = {p.page: p.text for p in window.vault.pages(doc.id)}
    for row in panel.rows:
        assert row.label in ("Entailment", "Contradiction", "NotMentioned")
        if row.quote is not None and row.verified:
            assert row.page is not None and find_quote(row.quote, pages[row.page]) is not None
    records = [json.loads(line) for p in sorted(audit_dir().glob("*.jsonl"))
               for line in p.read_text().splitlines() if line.strip()]  # fmt: skip
    (run,) = [r for r in records if r["action"] == "task.run"]
    assert run["details"]["kind"] == "review" and run["details"]["statements"] == 2
    assert run["object_ids"] == [doc.id]
