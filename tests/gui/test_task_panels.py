"""The Summarise and Extract panels, alone and in the main window with real vaults.

The panel tests feed hand-made results (no model); the review/export test runs the real
vault, corrections and audit log; the end-to-end test drives the whole flow a lawyer
follows, with the real default model, and checks that locking leaves no document in any
view.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path

from PySide6.QtCore import QEvent, QModelIndex, Qt, QUrl
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QTextEdit,
    QWidget,
)

from app.gui.extract_panel import ExtractPanel
from app.gui.grid_model import UNSUPPORTED_BACKGROUND
from app.gui.main_window import MainWindow
from app.gui.summarise_panel import SummarisePanel
from app.paths import audit_dir
from app.tasks.corrections import load_corrections
from app.tasks.extract import Cell, Grid, Row
from app.tasks.quote import Quote
from app.tasks.summarise.pipeline import Point, Summary
from app.vault import DocumentInfo, VaultInfo
from tests.gui.conftest import PASSPHRASE, unlock_with
from tests.shared_data import CUAD

LAWS = Quote("doc-1", 3, 10, 17, "laws of")
SHORT = "cuad-dev-010"  # two pages: MP3.com / Tickets.com sponsorship, California law
TINY = "cuad-dev-076"  # two short pages: PC Quote / A.B. Watley co-branding amendment


def _info(doc_id: str = "doc-1", title: str = "Lease", pages: int = 3) -> DocumentInfo:
    return DocumentInfo(doc_id, title, "application/pdf", 10, "0" * 64, {"pages": pages}, "", None)


def _grid(doc_id: str = "doc-1", title: str = "Lease") -> Grid:
    cells = {
        "governing_law": Cell("Oklahoma", "laws of the State of Oklahoma", 2, "supported", 10, 39),
        "anti_assignment": Cell(
            "Yes", "may never assign", 1, "unsupported", closest="Neither party may assign."
        ),
        "parties": Cell(None, "", None, "not_found"),
    }
    return Grid(
        "commercial-contract",
        [
            ("governing_law", "Governing law"),
            ("anti_assignment", "Anti-assignment"),
            ("parties", "Parties"),
        ],
        [Row(doc_id, title, cells)],
    )


def _audit_records() -> list[dict[str, object]]:
    records = []
    for path in sorted(audit_dir().glob("*.jsonl")):
        records += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return records


def shown_text(window: QWidget) -> str:
    """Every string a person could see or hear in ``window`` and its children."""
    # Widgets a view let go of (search-result labels) are deleted on the next loop turn.
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    parts = [window.windowTitle()]
    for widget in [window, *window.findChildren(QWidget)]:
        parts += [widget.toolTip(), widget.accessibleDescription()]
        if isinstance(widget, QLabel):
            parts.append(widget.text())
        elif isinstance(widget, QTextEdit):
            parts.append(widget.toPlainText())
        elif isinstance(widget, QLineEdit):
            parts.append(widget.text())
        elif isinstance(widget, QComboBox):
            parts += [widget.itemText(i) for i in range(widget.count())]
        if isinstance(widget, QListWidget):
            parts += [widget.item(i).text() for i in range(widget.count())]
        if isinstance(widget, QAbstractItemView) and widget.model() is not None:
            model, root = widget.model(), QModelIndex()
            try:
                columns = model.columnCount(root)
            except TypeError:  # a list model hides columnCount
                columns = 1
            for r in range(model.rowCount(root)):
                parts.append(str(model.headerData(r, Qt.Orientation.Vertical)))
                for c in range(columns):
                    index = model.index(r, c)
                    parts += [str(index.data()), str(index.data(Qt.ItemDataRole.ToolTipRole))]
            for c in range(columns):
                parts.append(str(model.headerData(c, Qt.Orientation.Horizontal)))
    return "\n".join(p for p in parts if p)


# -- the panels alone ---------------------------------------------------------------------


def test_summarise_panel_streams_points_and_links_each_page(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = SummarisePanel()
    qtbot.addWidget(panel)
    panel.show()
    assert not panel.run_button.isEnabled() and "Unlock" in panel.state.text()
    panel.set_available(True)
    assert not panel.run_button.isEnabled() and "Import a document" in panel.state.text()
    panel.set_documents([_info()])
    assert panel.run_button.isEnabled() and panel.state.text() == ""
    assert panel.document.itemText(0) == "Lease (3 p.)"

    panel.style_box.setCurrentIndex(panel.style_box.findData("detailed"))
    with qtbot.waitSignal(panel.run_requested) as asked:
        panel.run_button.click()
    assert asked.args[0].params == {"document_id": "doc-1", "style": "detailed"}
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()
    assert not panel.document.isEnabled()  # inputs wait for the run
    panel.show_progress(0.5, "Summarising pages p1-2")
    assert panel.progress.value() == 500 and "p1-2" in panel.state.text()
    panel.partial([Point("The tenant pays rent monthly.", [1, 2])])
    assert "rent monthly" in panel.output.toPlainText()

    summary = Summary(
        "doc-1",
        "Lease",
        "",
        [Point("Rent is due monthly.", [1, 2]), Point("Oklahoma law governs.", [3], cited=[LAWS])],
        [1, 2, 3],
        3,
        "detailed",
    )
    panel.finish(summary)
    assert panel.coverage.text() == "Pages covered 3/3" and panel.coverage.isVisible()
    assert not panel.cancel_button.isEnabled() and panel.run_button.isEnabled()
    assert "cite:2" in panel.output.toHtml()
    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.output.anchorClicked.emit(QUrl("cite:2"))
    assert opened.args == ["doc-1", 3, LAWS]  # the Quote itself: the viewer marks its span
    assert panel.link(1) == ("doc-1", 2, "")

    partial = Summary("doc-1", "Lease", "", [Point("x", [1])], [1], 3, "brief", [1])
    panel.finish(partial)
    assert panel.coverage.text().startswith("⚠ Pages covered 1/3")
    assert "missing: 2, 3" in panel.coverage.text() and "OCR" in panel.coverage.text()

    panel.clear()  # the matter was locked
    panel.set_available(False)
    assert panel.output.toPlainText() == "" and panel.document.count() == 0
    assert not panel.coverage.isVisible()


def test_extract_panel_marks_cells_and_asks_for_reviews(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ExtractPanel()
    qtbot.addWidget(panel)
    panel.show()
    assert panel.fieldset_box.currentText() == "commercial-contract"
    assert panel.fields.count() == 15 and not panel.run_button.isEnabled()
    panel.set_available(True)
    panel.set_documents([_info(), _info("doc-2", "Second")])
    panel.choose_fields(["governing_law", "parties"])
    panel.documents.item(1).setCheckState(Qt.CheckState.Unchecked)
    with qtbot.waitSignal(panel.run_requested) as asked:
        panel.run_button.click()
    ids, fieldset = asked.args[0].params["document_ids"], asked.args[0].params["fieldset"]
    assert ids == ["doc-1"] and [f.name for f in fieldset.fields] == ["parties", "governing_law"]
    assert panel.cancel_button.isEnabled() and not panel.export_button.isEnabled()

    panel.finish((_grid(), []))
    model = panel.model
    assert model.headerData(0, Qt.Orientation.Horizontal) == "Governing law"
    assert model.headerData(0, Qt.Orientation.Vertical) == "Lease"
    assert model.index(0, 0).data() == "Oklahoma"
    unsupported = model.index(0, 1)
    assert unsupported.data() == "⚠ Yes"  # a text mark, not colour alone
    assert unsupported.data(Qt.ItemDataRole.BackgroundRole).color() == UNSUPPORTED_BACKGROUND
    tip = unsupported.data(Qt.ItemDataRole.ToolTipRole)
    assert "UNSUPPORTED" in tip and "Neither party may assign." in tip
    assert model.index(0, 2).data() == "— not found"
    assert "1 unsupported" in panel.state.text() and panel.export_button.isEnabled()

    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.select_cell(0, 0)
    # A supported cell opens its span (the Quote), so the viewer marks it there.
    assert opened.args == ["doc-1", 2, Quote("doc-1", 2, 10, 39, "laws of the State of Oklahoma")]
    assert "Supported: p. 2" in panel.detail.text()
    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.select_cell(0, 1)
    assert opened.args == ["doc-1", 1, "Neither party may assign."]  # the closest real text

    qtbot.keyClick(panel.table, Qt.Key.Key_Return)  # Enter edits
    assert panel.table.state() == QAbstractItemView.State.EditingState
    editor = panel.table.focusWidget()
    assert isinstance(editor, QLineEdit) and editor.text() == "Yes"
    editor.setText("No")
    with qtbot.waitSignal(panel.run_requested) as reviewed:
        qtbot.keyClick(editor, Qt.Key.Key_Return)
    request = reviewed.args[0]
    assert request.name == "review" and not request.needs_engine and request.on_done
    params = request.params
    assert (params["document_id"], params["field"], params["value"]) == (
        "doc-1", "anti_assignment", "No"
    )  # fmt: skip
    assert params["original"].value == "Yes"

    with qtbot.waitSignal(panel.run_requested) as accepted:
        panel.accept_button.click()
    assert accepted.args[0].params["value"] == "Yes"  # Accept keeps the value shown

    with qtbot.waitSignal(panel.run_requested) as exported:
        panel.export_to(Path("/tmp/grid.csv"))
    assert exported.args[0].params == {"path": Path("/tmp/grid.csv")}
    panel.set_available(False, "The model is loading…")  # a grid stays reviewable
    assert panel.model.rowCount() == 1 and panel.accept_button.isEnabled()
    assert not panel.run_button.isEnabled() and "loading" in panel.state.text()
    panel.clear()  # the matter was locked
    assert panel.model.rowCount() == 0 and panel.documents.count() == 0


# -- the main window with a real vault ----------------------------------------------------


def test_reviews_are_stored_audited_and_exported(
    qtbot, window: MainWindow, matter: VaultInfo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    window.import_files([CUAD / "pdf" / f"{SHORT}.pdf"])
    qtbot.waitUntil(
        lambda: window.last_import is not None and not window.runner.busy, timeout=120_000
    )
    assert window.vault is not None
    (doc,) = window.vault.list_documents()
    assert window.extract_panel.documents.count() == 1
    assert window.summarise_panel.document.count() == 1
    assert "model is loading" in window.extract_panel.state.text()  # no model: says why

    panel = window.extract_panel
    panel.show_grid(_grid(doc.id, doc.title), [])
    panel.select_cell(0, 0)
    assert window.source.current == (doc.id, 2)
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, 2), timeout=120_000)
    assert "p. 2 of 2" in window.source.title.text()  # read and rendered off the GUI thread
    assert panel.model.setData(panel.model.index(0, 1), "No")
    qtbot.waitUntil(lambda: panel.model.index(0, 1).data() == "✓ No", timeout=120_000)
    panel.select_cell(0, 2)
    panel.accept_button.click()
    qtbot.waitUntil(
        lambda: panel.model.index(0, 2).data() == "✓ not in the document", timeout=120_000
    )
    stored = {c.field: c for c in load_corrections(window.vault)}
    assert stored["anti_assignment"].value == "No" and stored["anti_assignment"].original == "Yes"
    assert stored["parties"].value == ""

    out = tmp_path / "grid.csv"
    panel.export_to(out)
    qtbot.waitUntil(lambda: "Exported" in panel.state.text(), timeout=120_000)
    with out.open(encoding="utf-8", newline="") as f:
        (row,) = list(csv.DictReader(f))
    assert row["Anti-assignment"] == "No" and row["Anti-assignment reviewed"] == "yes"
    assert row["Governing law"] == "Oklahoma" and row["Governing law reviewed"] == ""

    records = _audit_records()
    reviews = [r for r in records if r["action"] == "extract.review"]
    assert [r["details"] for r in reviews] == [{"accepted": False}, {"accepted": True}]
    (exported,) = [r for r in records if r["action"] == "extract.export"]
    assert exported["object_ids"] == [doc.id] and exported["details"]["format"] == "csv"
    log = "\n".join(json.dumps(r) for r in records)
    for word in ("Oklahoma", SHORT, "anti_assignment", "commercial-contract"):
        assert word not in log

    # A new grid for the same document shows the stored reviews.
    panel.show_grid(_grid(doc.id, doc.title), load_corrections(window.vault))
    assert panel.model.index(0, 1).data() == "✓ No"
    assert SHORT in shown_text(window) and "Oklahoma" in shown_text(window)
    window.lock_action.trigger()
    after = shown_text(window)
    assert SHORT not in after and "Oklahoma" not in after and "Lease" not in after


def test_lawyer_flow_end_to_end(
    qtbot, model_window: MainWindow, tmp_path: Path, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    started = time.monotonic()
    stages: list[str] = []
    window = model_window

    def stage(name: str) -> None:
        stages.append(f"{name} {time.monotonic() - started:.0f}s")

    # Create a matter through the dialog, confirm its recovery key, unlock it.
    dialog = window.request_new_matter()
    stage("model")
    dialog.name.setText("Amendment review")
    dialog.use_keyring.setChecked(False)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    dialog._check()
    qtbot.waitUntil(lambda: window.recovery_dialog is not None, timeout=120_000)
    key = window.recovery_dialog
    assert key is not None
    key.retype.setText(key.expected)
    key._check()
    info = next(
        window.matters.list.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(window.matters.list.count())
        if "Amendment review" in window.matters.list.item(i).text()
    )
    unlock_with(window, info, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)

    # Import a CUAD contract through the documents view's Import button.
    pdf = CUAD / "pdf" / f"{TINY}.pdf"
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(pdf)], ""))
    window.documents.import_button.click()
    qtbot.waitUntil(
        lambda: window.last_import is not None and not window.runner.busy, timeout=120_000
    )
    assert window.documents.model.rowCount() == 1
    assert window.vault is not None
    (doc,) = window.vault.list_documents()

    # Search it.
    window.documents.search_box.setText('"co-branding agreement"')
    window.documents.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: window.documents.results.count() > 0, timeout=120_000)
    first = window.documents.results.itemWidget(window.documents.results.item(0))
    assert isinstance(first, QLabel) and "<b>co-branding agreement</b>" in first.text().lower()
    stage("matter, import, search")

    # Summarise with the real model; points stream in, every page is covered.
    window.tabs.setCurrentWidget(window.summarise_panel)
    summarise = window.summarise_panel
    assert summarise.run_button.isEnabled()
    summarise.run_button.click()
    assert summarise.cancel_button.isEnabled() and window.status.cancel_button.isVisible()
    qtbot.waitUntil(lambda: summarise.summary is not None, timeout=400_000)
    summary = summarise.summary
    assert summary is not None and summary.points and summarise.draft
    assert summarise.coverage.text() == "Pages covered 2/2"
    assert not summarise.cancel_button.isEnabled()
    stage("summary")

    # Click a citation: the source pane shows that page of the document.
    document_id, page, _quote = summarise.link(0)
    assert "cite:0" in summarise.output.toHtml()
    summarise.output.anchorClicked.emit(QUrl("cite:0"))
    assert window.source.isVisible() and window.source.current == (doc.id, page)
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, page), timeout=120_000)
    assert f"p. {page} of 2" in window.source.title.text()
    assert document_id == doc.id and page in summary.points[0].pages

    # Fill an extraction grid with two fields, review a cell, export it and read it back.
    window.tabs.setCurrentWidget(window.extract_panel)
    extract = window.extract_panel
    extract.fieldset_box.setCurrentText("commercial-contract")
    extract.choose_fields(["governing_law", "agreement_date"])
    extract.run_button.click()
    qtbot.waitUntil(lambda: extract.raw_grid is not None, timeout=400_000)
    grid = extract.raw_grid
    assert grid is not None and len(grid.rows) == 1 and len(grid.fields) == 2
    assert extract.model.rowCount() == 1 and extract.model.columnCount() == 2
    stage("extraction")
    assert [name for name, _ in grid.fields] == ["agreement_date", "governing_law"]
    date = grid.rows[0].cells["agreement_date"]
    assert date.status in ("supported", "unsupported", "not_found")
    if date.page is not None:
        extract.select_cell(0, 0)
        assert window.source.current == (doc.id, date.page)
    extract.select_cell(0, 1)
    assert extract.model.setData(extract.model.index(0, 1), "Illinois")
    # The correction is stored in the vault by a side job; the cell shows it once stored.
    qtbot.waitUntil(lambda: extract.model.index(0, 1).data() == "✓ Illinois", timeout=120_000)
    out = tmp_path / "grid.xlsx"
    extract.export_to(out)
    qtbot.waitUntil(lambda: "Exported" in extract.state.text(), timeout=120_000)
    import openpyxl

    sheet = openpyxl.load_workbook(out)["Grid"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == ["Document ID", "Document", "Agreement date", "Governing law"]
    assert rows[1][0:2] == [doc.id, TINY] and rows[1][3] == "Illinois"

    # Lock: the document is gone from every view.
    before = shown_text(window)
    assert TINY in before and "Illinois" in before
    window.lock_action.trigger()
    QApplication.processEvents()
    after = shown_text(window).lower()
    for word in (TINY, "Illinois", "Watley", "PC Quote", "Co-Branding", summary.points[0].text):
        assert word.lower() not in after, word
    assert not window.source.isVisible() and window.source.current is None
    assert extract.model.rowCount() == 0 and summarise.output.toPlainText() == ""
    assert not summarise.run_button.isEnabled() and not extract.run_button.isEnabled()
    kinds = [r["details"]["kind"] for r in _audit_records() if r["action"] == "task.run"]
    assert kinds == ["summarise", "extract"]
    stage("export and lock")
    print("end-to-end:", ", ".join(stages))


def test_a_typed_question_becomes_a_column_and_not_found_is_not_no(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ExtractPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_available(True)
    panel.set_documents([_info()])
    panel.finish((_grid(), []))
    assert panel.column_button.isEnabled()
    panel.column_box.setText("Must a party keep insurance?")
    with qtbot.waitSignal(panel.run_requested) as asked:
        panel.column_button.click()
    request = asked.args[0]
    assert request.name == "column"
    assert request.params == {"question": "Must a party keep insurance?", "document_ids": ["doc-1"]}
    yes = Cell("Yes", "The Supplier shall maintain insurance.", 4, "supported", 0, 38,
               decided_by="model")  # fmt: skip
    panel.finish(("Must a party keep insurance?", {"doc-1": yes}))
    model = panel.model
    assert model.columnCount() == 4
    assert model.headerData(3, Qt.Orientation.Horizontal) == "Must a party keep insurance?"
    assert model.index(0, 3).data() == "Yes"
    assert panel.column_box.text() == ""
    # A clause no sentence makes reads "not found", never a bare "No".
    absent = Cell("No", "", None, "not_found", decided_by="rule", note="No such clause.")
    assert model.display(absent).startswith("— not found")
