"""A lawyer's day in the desktop app (issue 26): no silent edits, undo, results kept across a
lock, progress that is never lost, what is found opens, and the words on screen.

Real Qt widgets offscreen, a real SQLCipher vault, the real audit log and a real CUAD
contract. The Review task layer is scripted (as in test_review_panel.py) and the engine
is the tiny real GGUF, so no test waits on a real model's answers.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QMenu,
    QTableWidget,
    QWidget,
)

from app.cancel import CancelToken, Progress
from app.engine import Engine
from app.gui.jobs import PROGRESS_INTERVAL_S, Job, JobRunner
from app.gui.main_window import MainWindow
from app.gui.review_panel import ReviewPanel
from app.paths import audit_dir
from app.tasks.corrections import load_corrections
from app.tasks.extract import Cell, Grid, Row
from app.vault import VaultInfo
from tests.fixtures.engine import SharedEngine
from tests.gui.conftest import PASSPHRASE, unlock_with
from tests.gui.test_review_panel import ROWS, Result, ScriptedReview, _info
from tests.gui.test_task_panels import SHORT, _grid
from tests.shared_data import CUAD


def _records() -> list[dict[str, object]]:
    return [json.loads(line) for path in sorted(audit_dir().glob("*.jsonl"))
            for line in path.read_text().splitlines() if line.strip()]  # fmt: skip


def _wheel(widget: QWidget, notches: int = -1) -> QWheelEvent:
    """One real wheel event (``notches`` of 120) over the middle of ``widget``."""
    centre = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(
        centre, QPointF(widget.mapToGlobal(centre.toPoint())), QPoint(0, 0),
        QPoint(0, 120 * notches), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase, False,
    )  # fmt: skip
    return event


def test_a_wheel_over_a_label_changes_nothing_and_scrolls_the_table(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ReviewPanel(ScriptedReview(ROWS * 8))  # enough rows to scroll
    qtbot.addWidget(panel)
    panel.resize(900, 300)
    panel.show()
    panel.set_available(True)
    panel.set_documents([_info()])
    panel.finish((Result("doc-1", "nda", ROWS * 8), []))
    box = panel.label_box(1)
    assert box.currentData() == "Contradiction"
    assert box.focusPolicy() == Qt.FocusPolicy.StrongFocus  # the wheel does not focus it
    bar = panel.table.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0, timeout=5_000)  # laid out: it can scroll
    assert bar.value() == 0
    with qtbot.assertNotEmitted(panel.run_requested):  # nothing stored
        for notches in (-1, -1, 1):
            QApplicationSend(box, _wheel(box, notches))
    assert box.currentData() == "Contradiction"  # the label is as the model left it
    assert not panel.reviewed
    assert bar.value() > 0  # the wheel scrolled the table instead

    # An explicit choice still works: a key on the focused box stores the review.
    box.setFocus()
    with qtbot.waitSignal(panel.run_requested) as stored:
        qtbot.keyClick(box, Qt.Key.Key_Down)
    assert stored.args[0].params["value"] == "NotMentioned"


def QApplicationSend(widget: QWidget, event: QEvent) -> None:
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(widget, event)


def test_undo_restores_a_changed_cell_and_its_stored_correction(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=30_000)
    vault = window.vault
    assert vault is not None
    panel = window.extract_panel
    window.tabs.setCurrentWidget(panel)
    panel.show_grid(_grid("doc-1", "Lease"), [])
    cell = panel.model.index(0, 0)
    assert cell.data() == "Oklahoma"

    def stored() -> str | None:
        found = {c.field: c.value for c in load_corrections(vault)}
        return found.get("governing_law")

    panel.model.setData(cell, "Texas")
    qtbot.waitUntil(lambda: cell.data() == "✓ Texas", timeout=30_000)
    panel.model.setData(cell, "Delaware")
    qtbot.waitUntil(lambda: cell.data() == "✓ Delaware", timeout=30_000)
    assert stored() == "Delaware" and panel.undo_stack.count() == 2

    window.activateWindow()  # shortcuts act in the active window
    qtbot.waitUntil(window.isActiveWindow, timeout=5_000)
    panel.table.setFocus()
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cell.data() == "✓ Texas", timeout=30_000)
    assert stored() == "Texas"  # the earlier correction is stored again
    qtbot.keyClick(panel.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: cell.data() == "Oklahoma", timeout=30_000)
    assert stored() is None  # the model's value again, nothing stored as reviewed
    panel.undo_stack.redo()
    qtbot.waitUntil(lambda: cell.data() == "✓ Texas", timeout=30_000)
    assert stored() == "Texas"

    reviews = [r for r in _records() if r["action"] == "extract.review"]
    assert len(reviews) == 5 and sum(bool(r["details"].get("undo")) for r in reviews) == 3  # type: ignore[union-attr]
    assert "Texas" not in json.dumps(_records())  # ids and facts, never the value

    window.tabs.setCurrentWidget(window.documents)  # the panel is left: undo ends
    assert panel.undo_stack.count() == 0


def test_lock_then_unlock_shows_the_results_again_and_the_locked_screen_none(
    qtbot, window: MainWindow, matter: VaultInfo, tiny_session_engine: Engine
) -> None:  # type: ignore[no-untyped-def]
    review = window.review_panel
    review.tasks = ScriptedReview(ROWS)
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=30_000)
    window.import_files([CUAD / "pdf" / f"{SHORT}.pdf"])
    qtbot.waitUntil(lambda: window.last_import is not None and not window.runner.busy, timeout=60_000)  # fmt: skip
    assert window.vault is not None
    (doc,) = window.vault.list_documents()
    window.engine.adopt(SharedEngine(tiny_session_engine))  # type: ignore[arg-type]

    window.tabs.setCurrentWidget(review)
    review.run_button.click()
    qtbot.waitUntil(lambda: not review.busy and review.table.rowCount() == 3, timeout=30_000)
    box = review.label_box(1)
    box.setCurrentIndex(box.findData("NotMentioned"))
    box.activated.emit(box.currentIndex())
    qtbot.waitUntil(lambda: review.table.item(1, 2).text().startswith("✓"), timeout=30_000)
    extract = window.extract_panel
    extract.show_grid(_grid(doc.id, doc.title), [])
    window.keep_result(extract)  # as a finished run keeps it
    window.ask_panel.question.setText("Who are the parties?")
    qtbot.waitUntil(lambda: not window.quick.busy and not window.runner.busy, timeout=30_000)

    window.lock_action.trigger()
    assert window.vault is None
    assert review.table.rowCount() == 0 and extract.model.rowCount() == 0
    assert window.ask_panel.question.text() == ""  # not even the last question
    assert window.ask_panel.transcript.toPlainText() == ""
    assert window.summarise_panel.output.toPlainText() == ""
    shown = [w.text() for w in window.findChildren(QLabel) if w.isVisible()]
    assert not any("statement(s)" in text or "document(s) x" in text for text in shown)

    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=30_000)
    qtbot.waitUntil(lambda: review.table.rowCount() == 3, timeout=30_000)
    assert review.table.item(1, 2).text().startswith("✓")  # the review, as reviewed
    assert review.label_box(1).currentData() == "NotMentioned"
    assert review.label_box(0).currentText() == "Says so"
    qtbot.waitUntil(lambda: extract.model.rowCount() == 1, timeout=30_000)
    assert extract.model.index(0, 0).data() == "Oklahoma"
    assert "1 document(s) x 3 field(s)" in extract.state.text()


def test_the_last_progress_message_of_a_job_is_always_shown(qtbot) -> None:  # type: ignore[no-untyped-def]
    runner = JobRunner()
    seen: list[tuple[float, str]] = []
    release = CancelToken()

    def work(progress: Progress, cancel: CancelToken) -> str:
        progress(0.0, "Summarising 1 document")
        progress(0.01, "Reading the document")  # too soon after: held back by the throttle
        deadline = time.monotonic() + 20
        while not release.cancelled and time.monotonic() < deadline:
            time.sleep(0.02)  # a long step that reports nothing
        progress(0.5, "Summarised part 1 of 2")
        progress(0.6, "Summarised part 2 of 2")  # the last message, straight before the end
        return "done"

    job = Job(work, "summary")
    job.signals.progress.connect(lambda f, m: seen.append((f, m)))
    runner.start(job)
    # Shown while the long step runs, not only when something else is reported.
    qtbot.waitUntil(lambda: bool(seen) and seen[-1][1] == "Reading the document", timeout=5_000)
    release.cancel()
    with qtbot.waitSignal(job.signals.finished, timeout=10_000):
        pass
    assert seen[-1] == (0.6, "Summarised part 2 of 2")
    assert PROGRESS_INTERVAL_S > 0  # the throttle is still there, it just loses nothing
    assert runner.wait(5_000)


def test_a_panel_shows_the_last_step_with_a_time_estimate(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = ReviewPanel(ScriptedReview(ROWS))
    qtbot.addWidget(panel)
    panel._started = time.monotonic() - 60  # a minute into a run
    panel.show_progress(0.25, "Summarising pages p1-2 (part 1 of 4)")
    assert panel.state.text() == "Summarising pages p1-2 (part 1 of 4) — about 3 min left"
    panel.show_progress(0.5, "")  # a bare fraction keeps the step
    assert panel.state.text().startswith("Summarising pages p1-2 (part 1 of 4) — ")


def test_double_click_and_enter_open_a_search_hit_and_a_document(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=30_000)
    window.import_files([CUAD / "pdf" / f"{SHORT}.pdf"])
    qtbot.waitUntil(lambda: window.last_import is not None and not window.runner.busy, timeout=60_000)  # fmt: skip
    assert window.vault is not None
    (doc,) = window.vault.list_documents()
    pages = {p.page: p.text for p in window.vault.pages(doc.id)}
    view = window.documents
    view.search_box.setText("governed by the laws")
    qtbot.keyClick(view.search_box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.results.count() > 0 and view.results.item(0).data(
        Qt.ItemDataRole.UserRole) is not None, timeout=30_000)  # fmt: skip
    item = view.results.item(0)
    hit = item.data(Qt.ItemDataRole.UserRole)
    # The hit in its whole sentence, not a window that ends before the words searched for.
    assert hit.snippet.startswith("This Agreement shall be «governed» «by» and construed")
    assert hit.snippet.endswith("laws» of «the» State of California without reference to "
                                "conflict of law principles thereof.")  # fmt: skip
    rect = view.results.visualItemRect(item)
    # A double-click as the window system delivers it: a click, then the second press.
    qtbot.mouseClick(view.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert not window.source.isVisible()  # a single click only selects
    qtbot.mouseDClick(view.results.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.source.isVisible() and window.source.current == (doc.id, hit.page)
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, hit.page), timeout=30_000)
    assert f"p. {hit.page} of {len(pages)}" in window.source.title.text()
    assert "[" in window.source.text.toPlainText()  # the hit's sentence is marked

    window.source.close_button.click()
    assert not window.source.isVisible() and window.source.current is None
    view.table.setFocus()
    view.table.setCurrentIndex(view.table.model().index(0, 0))
    qtbot.keyClick(view.table, Qt.Key.Key_Return)  # Enter opens a document at page 1
    assert window.source.isVisible() and window.source.current == (doc.id, 1)
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, 1), timeout=30_000)
    assert window.source.previous_button.isEnabled() is False
    window.source.next_button.click()
    qtbot.waitUntil(lambda: window.source.shown == (doc.id, 2), timeout=30_000)
    menu = view._document_menu(view.table.visualRect(view.table.model().index(0, 0)).center())
    assert menu is not None and [a.text() for a in menu.actions()] == ["Open at page 1"]
    menu.close()


def _visible_strings(root: QWidget) -> Iterator[str]:
    """What a person reads in ``root``: labels, buttons, boxes, tables and tab names
    (tooltips and details are for IT and are left out)."""
    for widget in [root, *root.findChildren(QWidget)]:
        if isinstance(widget, QLabel | QAbstractButton):
            yield widget.text()
        if isinstance(widget, QComboBox):
            yield from (widget.itemText(i) for i in range(widget.count()))
        if isinstance(widget, QTableWidget):
            for row in range(widget.rowCount()):
                for column in range(widget.columnCount()):
                    item = widget.item(row, column)
                    yield item.text() if item is not None else ""
            yield from (widget.horizontalHeaderItem(c).text()
                        for c in range(widget.columnCount()))  # fmt: skip


INTERNAL_TERMS = ("Entailment", "Contradiction", "Not mentioned", "NotMentioned", "entailed",
                  "contradicted", "task.run", "SHA-256", "sha256", "unsealed", "KV cache",
                  "extract.review", "vault_id")  # fmt: skip


def test_the_panels_speak_a_lawyers_words(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    review = window.review_panel
    review.set_available(True)
    review.set_documents([_info()])
    review.finish((Result("doc-1", "nda", ROWS), []))
    window.extract_panel.show_grid(_grid(), [])
    for panel in (window.documents, *window.task_panels, window.source, window.matters):
        text = " | ".join(_visible_strings(panel))
        assert text.strip(" |"), panel  # the walk found the panel's words
        found = [term for term in INTERNAL_TERMS if term in text]
        assert not found, (type(panel).__name__, found)
    labels = [review.label_box(i).itemText(j) for i in range(3) for j in range(3)]
    assert set(labels) == {"Says so", "Says the opposite", "Silent"}


def _huge_page_pdf(size: float = 14_400.0) -> bytes:
    """A tiny PDF with one page ``size`` points square (200 inches: the PDF maximum)."""
    import io

    import pypdfium2 as pdfium

    document = pdfium.PdfDocument.new()
    document.new_page(size, size).close()
    out = io.BytesIO()
    document.save(out)
    document.close()
    return out.getvalue()


def test_a_huge_page_is_drawn_within_the_pixel_cap_with_a_note(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.gui.source_viewer import PageView, SourceViewer
    from app.ingest.render import MAX_PIXELS, render_pdf_page

    content = _huge_page_pdf()
    assert len(content) < 2_000  # a few hundred bytes that ask for 466 million pixels
    start = time.perf_counter()
    rendered = render_pdf_page(content, 1)
    seconds = time.perf_counter() - start
    assert rendered.reduced and rendered.too_large is None
    assert rendered.width * rendered.height <= MAX_PIXELS
    assert len(rendered.bgr) <= MAX_PIXELS * 3 + rendered.stride  # memory bounded by the cap
    assert rendered.page_size == (14_400.0, 14_400.0)
    assert seconds < 10, seconds

    viewer = SourceViewer()
    qtbot.addWidget(viewer)
    viewer.resize(900, 600)
    viewer.show()
    viewer.show_view(PageView("doc-1", 1, "Exhibit", 1, "", None, rendered))
    assert viewer.note.isVisible()
    assert "very large (200 by 200 inches)" in viewer.note.text()
    assert "drawn reduced" in viewer.note.text()
    pixmap = viewer.image.pixmap()
    assert not pixmap.isNull() and pixmap.width() * pixmap.height() <= MAX_PIXELS
    viewer.fit_width()  # zoom works on the reduced page like on any other
    assert viewer.image.pixmap().width() <= viewer.page_area.viewport().width()

    too_big = render_pdf_page(content, 1, scale=0.0005)  # below the legible minimum
    viewer.show_view(PageView("doc-1", 1, "Exhibit", 1, "text", None, too_big))
    assert too_big.too_large == (14_400.0, 14_400.0) and too_big.bgr == b""
    assert "too large to draw" in viewer.note.text() and viewer.page_image is None

    viewer.clear()  # the selection moved on: nothing of it stays
    assert not viewer.note.isVisible() and viewer.title.text() == "" and viewer.view is None


def _three_documents() -> Grid:
    """The test grid for three leases: one still needing review, one fully supported."""
    base = _grid("doc-1", "Lease A")
    supported = Cell("Yes", "Neither party may assign.", 1, "supported")
    rows = [
        base.rows[0],  # Oklahoma, an unsupported "Yes", not found
        Row("doc-2", "Lease B", {**base.rows[0].cells, "anti_assignment": supported,
                                 "governing_law": Cell("Delaware", "Delaware", 1, "supported")}),
        Row("doc-3", "Lease C", {**base.rows[0].cells, "anti_assignment": supported,
                                 "governing_law": Cell("California", "California", 1, "supported")}),
    ]  # fmt: skip
    return Grid(base.fieldset, base.fields, rows)


def test_the_grid_sorts_filters_and_shows_what_needs_review(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.gui.extract_panel import ExtractPanel

    panel = ExtractPanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.show_grid(_three_documents(), [])
    table = panel.table

    def titles() -> list[str]:
        return [table.model().headerData(r, Qt.Orientation.Vertical) for r in range(table.model().rowCount())]  # fmt: skip

    assert titles() == ["Lease A", "Lease B", "Lease C"]  # the documents' own order
    table.horizontalHeader().sectionClicked.emit(0)  # sort by governing law
    table.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert titles() == ["Lease C", "Lease B", "Lease A"]  # California, Delaware, Oklahoma
    panel.select_cell(0, 0)  # Lease A's governing law, wherever it is shown
    assert panel.current_cell().row() == 0 and table.currentIndex().row() == 2
    assert "Lease A — Governing law" in panel.detail.text()

    panel.review_only.setChecked(True)
    assert titles() == ["Lease A"]  # the only one with an unreviewed ⚠
    panel.review_only.setChecked(False)
    panel.filter_box.setText("delaware")
    assert titles() == ["Lease B"]
    panel.filter_box.clear()
    assert len(titles()) == 3
    panel.clear_grid()  # a new grid starts unsorted and unfiltered
    panel.show_grid(_three_documents(), [])
    assert titles() == ["Lease A", "Lease B", "Lease C"] and not panel.review_only.isChecked()


def test_help_lists_the_shortcuts_that_are_really_bound(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QAction, QKeySequence, QShortcut

    from app.gui.help_dialog import SHORTCUTS

    dialog = window.show_shortcuts()
    qtbot.addWidget(dialog)
    listed = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    assert listed == [keys for keys, _ in SHORTCUTS]
    bound = {a.shortcut().toString() for a in window.findChildren(QAction)}
    bound |= {s.key().toString() for s in window.findChildren(QShortcut)}
    bound |= {b.shortcut().toString() for b in window.findChildren(QAbstractButton)}
    for keys in ("Ctrl+K", "Ctrl+L", "Esc", "F1", "Ctrl+Return", "Ctrl+Z", "Ctrl+Shift+Z",
                 "Ctrl++", "Ctrl+-", "Ctrl+W"):  # fmt: skip
        assert QKeySequence(keys).toString() in bound, keys
    assert [m.title() for m in window.menuBar().findChildren(QMenu)] == ["&Help"]
    dialog.close()


def test_the_palette_follows_a_dark_system_and_back(qapp) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtGui import QPalette

    from app.gui.theme import apply_scheme

    before = qapp.palette().color(QPalette.ColorRole.Window)
    try:
        assert apply_scheme(qapp, Qt.ColorScheme.Dark)
        window, text = (qapp.palette().color(r) for r in (QPalette.ColorRole.Window,
                                                           QPalette.ColorRole.WindowText))  # fmt: skip
        assert window.lightness() < 80 and text.lightness() > 200  # light on dark
        assert not apply_scheme(qapp, Qt.ColorScheme.Light)
        assert qapp.palette().color(QPalette.ColorRole.Window).lightness() > 150
    finally:
        apply_scheme(qapp, Qt.ColorScheme.Light)
    assert qapp.palette().color(QPalette.ColorRole.Window) == before


def test_a_summary_and_answers_kept_as_json_show_again_the_same(qtbot) -> None:  # type: ignore[no-untyped-def]
    """What the Summarise and Ask panels keep in the vault (JSON) shows as it was."""
    from app.gui.ask_panel import AskPanel
    from app.gui.summarise_panel import SummarisePanel
    from app.tasks.ask import Answer, Citation
    from app.tasks.quote import Quote
    from app.tasks.summarise.pipeline import Point, Summary

    laws = Quote("doc-1", 3, 10, 17, "laws of")
    summary = Summary("doc-1", "Lease", "", [Point("Rent is due monthly.", [1, 2]),
                      Point("Oklahoma law governs.", [3], cited=[laws])], [1, 2, 3], 3, "brief")  # fmt: skip
    shown, again = SummarisePanel(), SummarisePanel()
    qtbot.addWidget(shown)
    qtbot.addWidget(again)
    shown.finish(summary)
    again.restore(json.loads(json.dumps(shown.snapshot())), [])
    assert again.output.toPlainText() == shown.output.toPlainText() != ""
    assert again.coverage.text() == "Pages covered 3/3" and again.link(2) == ("doc-1", 3, laws)

    ask, asked = AskPanel(), AskPanel()
    qtbot.addWidget(ask)
    qtbot.addWidget(asked)
    ask.set_available(True)
    ask.question.setText("Which law governs?")
    with qtbot.waitSignal(ask.run_requested):
        ask.run_button.click()
    ask.show()
    ask.show_progress(0.1, "Reading 6 passage(s)")  # the step, not only "Working…"
    assert ask.state.isVisible() and ask.state.text() == "Reading 6 passage(s)"
    cite = Citation("Lease", Quote("doc-1", 3, 1, 30, "laws of the State of Oklahoma"), True)
    ask.finish(Answer("Oklahoma law.", [cite], [], True))
    asked.restore(json.loads(json.dumps(ask.snapshot())), [])
    assert asked.transcript.toPlainText() == ask.transcript.toPlainText()
    assert "Working" not in asked.transcript.toPlainText()
    assert asked.citation(0) == cite
    ask.clear()  # locked: not even the question stays
    assert ask.question.text() == "" and ask.transcript.toPlainText() == ""


def test_a_flagged_cell_is_kept_exported_and_audited_without_content(
    qtbot, window: MainWindow, matter: VaultInfo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    import csv

    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=30_000)
    vault = window.vault
    assert vault is not None
    panel = window.extract_panel
    window.tabs.setCurrentWidget(panel)
    panel.show_grid(_three_documents(), [])
    panel.select_cell(1, 0)  # Lease B: Delaware, supported
    panel.flag_button.click()
    cell = panel.model.index(1, 0)
    qtbot.waitUntil(lambda: cell.data() == "⚑ Delaware", timeout=30_000)
    (stored,) = load_corrections(vault)
    assert stored.flagged and stored.value == "Delaware" and stored.document_id == "doc-2"
    panel.review_only.setChecked(True)  # a flagged cell needs review
    assert panel.table.model().rowCount() == 2
    panel.review_only.setChecked(False)

    out = tmp_path / "grid.csv"
    panel.export_to(out)
    qtbot.waitUntil(lambda: "Exported" in panel.state.text(), timeout=30_000)
    with out.open(encoding="utf-8", newline="") as f:
        rows = {r["document_id"]: r for r in csv.DictReader(f)}
    assert rows["doc-2"]["Governing law"] == "Delaware"
    assert rows["doc-2"]["Governing law reviewed"] == "flagged"
    assert rows["doc-1"]["Governing law reviewed"] == ""
    flags = [r for r in _records() if r["action"] == "extract.review"]
    assert [r["details"] for r in flags] == [{"flagged": True}]
    assert "Delaware" not in json.dumps(_records())

    panel.select_cell(1, 0)
    panel.flag_button.click()  # again: the flag is removed
    qtbot.waitUntil(lambda: cell.data() == "Delaware", timeout=30_000)
    assert load_corrections(vault) == []
