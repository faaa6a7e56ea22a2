"""Screenshots of the real desktop app, for the docs and for review: `make screenshots`.

Runs the real MainWindow on the current display (the Makefile target provides one with
xvfb-run) against a throwaway CHAMBERS_HOME and the installed models: creates a matter
through the New-matter dialog, confirms its recovery key, unlocks it, imports three CUAD
contracts and an email from ../shared/data, runs a search, summarises a short contract
with the real model and opens a citation, extracts three fields from two contracts and
selects a cell, drafts a demand letter from the first contract, reviews that contract
against the NDA playbook and opens a row's page, and saves PNGs:

    main-window-locked.png  documents.png  models-dialog.png  settings-dialog.png
    new-matter-dialog.png   recovery-key-dialog.png  summarise.png  extract.png  draft.png
    review.png

Usage: python tools/screenshots.py [OUTPUT_DIR]   (default: screenshots/ in the checkout)
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.gui.main_window import MainWindow

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "correct horse battery staple"
MATTER = "Acme Corp v. Beta Industries"
SEARCH = "governing law"
SHARED = Path(os.environ.get("CHAMBERS_SHARED_DATA") or ROOT.parent / "shared" / "data")
DOCUMENTS = [
    SHARED / "cuad" / "pdf" / "cuad-dev-000.pdf",
    SHARED / "cuad" / "pdf" / "cuad-dev-001.pdf",
    SHARED / "cuad" / "pdf" / "cuad-dev-002.pdf",
    SHARED / "cuad" / "pdf" / "cuad-dev-010.pdf",
    SHARED / "files" / "email" / "fake-email-attachment.eml",
]
#: Short contracts, so the model-backed panels finish in minutes on a laptop CPU.
SUMMARISE = "cuad-dev-010"
EXTRACT = ("cuad-dev-010", "cuad-dev-002")
EXTRACT_FIELDS = ["parties", "agreement_date", "governing_law"]
DRAFT_TEMPLATE = "demand-letter"
DRAFT_INSTRUCTIONS = (
    "Our client Tickets.com is owed $25,000 in unpaid sponsorship fees. Give them 14 days. "
    "Sign as Jane Doe, Doe & Partners LLP."
)


def main(argv: list[str]) -> int:
    out = Path(argv[0]) if argv else ROOT / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    missing = [str(p) for p in DOCUMENTS if not p.is_file()]
    if missing:
        print(f"Missing sample files: {', '.join(missing)}", file=sys.stderr)
        return 2
    if not (os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")):
        print("No display: run under xvfb-run (see `make screenshots`).", file=sys.stderr)
        return 2

    from app.paths import models_dir

    models = str(models_dir().resolve())  # before CHAMBERS_HOME points elsewhere
    with tempfile.TemporaryDirectory(prefix="chambers-shots-") as home:
        os.environ["CHAMBERS_HOME"] = home
        os.environ["CHAMBERS_MODELS_DIR"] = models
        return _shoot(out)


def _shoot(out: Path) -> int:
    from PySide6.QtCore import QEventLoop, QTimer
    from PySide6.QtWidgets import QApplication, QWidget

    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setApplicationName("Chambers")
    from app.gui.main_window import MainWindow
    from app.gui.models_dialog import ModelsDialog
    from app.gui.settings_dialog import SettingsDialog
    from app.vault import list_vaults

    def wait_until(done: Callable[[], bool], what: str, timeout_s: float = 120) -> None:
        loop = QEventLoop()
        poll = QTimer()
        poll.setInterval(20)
        deadline = time.monotonic() + timeout_s
        poll.timeout.connect(lambda: (done() or time.monotonic() > deadline) and loop.quit())
        poll.start()
        loop.exec()
        poll.stop()
        if not done():
            raise TimeoutError(f"timed out waiting for {what}")

    def settle(ms: int = 300) -> None:
        """Let layouts, repaints and deferred resizes happen before a grab."""
        end = time.monotonic() + ms / 1000
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.01)

    def save(widget: QWidget, name: str) -> None:
        settle()
        path = out / name
        if not widget.grab().save(str(path)):
            raise OSError(f"could not write {path}")
        print(f"wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")

    window = MainWindow(load_model=True)
    window.show()
    failed: list[str] = []
    window.engine.load_failed.connect(lambda msg, hint: failed.append(msg))
    wait_until(lambda: window.engine.model is not None or bool(failed), "the model to load")

    # New matter: the real dialog, passphrase only (no keyring under Xvfb).
    dialog = window.request_new_matter()
    dialog.name.setText(MATTER)
    dialog.use_keyring.setChecked(False)
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    save(dialog, "new-matter-dialog.png")
    dialog._check()
    wait_until(lambda: window.recovery_dialog is not None, "the recovery key", 60)
    recovery = window.recovery_dialog
    assert recovery is not None
    save(recovery, "recovery-key-dialog.png")
    recovery.retype.setText(recovery.expected)
    recovery._check()
    wait_until(lambda: not recovery.isVisible(), "the recovery dialog to close", 5)

    save(window, "main-window-locked.png")

    # Unlock through the real dialog, import, search.
    info = next(v for v in list_vaults() if v.name == MATTER)
    unlock = window.request_unlock(info)
    unlock.secret.setText(PASSPHRASE)
    unlock.unlock_button.click()
    wait_until(lambda: window.vault is not None, "the unlock", 60)
    window.import_files(DOCUMENTS)
    wait_until(lambda: window.last_import is not None, "the import", 300)
    settle(500)
    for box in window.findChildren(QWidget):  # a "some files refused" box would cover it
        if box.isWindow() and box is not window and box.isVisible():
            print(f"note: a window is open after import: {box.windowTitle()!r}")
    window.documents.search_box.setText(SEARCH)
    window.documents.search_box.returnPressed.emit()
    wait_until(lambda: window.documents.results.count() > 0, "the search", 60)
    save(window, "documents.png")

    _shoot_tasks(window, save, wait_until)

    models = ModelsDialog(window.runner, window)
    models.show()
    save(models, "models-dialog.png")
    models.close()
    settings = SettingsDialog(window)
    settings.show()
    save(settings, "settings-dialog.png")
    settings.close()

    window.close()
    return 0


def _shoot_tasks(
    window: MainWindow, save: Callable[..., None], wait_until: Callable[..., None]
) -> None:
    """Summarise, Extract, Draft and Review with the real model; each with a source open."""
    from PySide6.QtCore import Qt, QUrl

    def source_shown() -> None:
        """Pages are read and rendered on a worker: wait for the one asked for."""
        wait_until(lambda: window.source.shown == window.source.current, "the source page", 60)

    if window.engine.engine is None:
        print(
            "note: no model loaded, skipping summarise.png, extract.png, draft.png, review.png",
            file=sys.stderr,
        )
        return
    summarise = window.summarise_panel
    window.tabs.setCurrentWidget(summarise)
    summarise.document.setCurrentIndex(
        next(
            i
            for i in range(summarise.document.count())
            if SUMMARISE in summarise.document.itemText(i)
        )
    )
    summarise.run_button.click()
    wait_until(lambda: not summarise.cancel_button.isEnabled(), "the summary", 900)
    if summarise.summary is None:
        raise RuntimeError(f"the summary failed: {summarise.state.text()}")
    summarise.output.anchorClicked.emit(QUrl("cite:0"))
    source_shown()
    save(window, "summarise.png")

    extract = window.extract_panel
    window.tabs.setCurrentWidget(extract)
    extract.fieldset_box.setCurrentText("commercial-contract")
    extract.choose_fields(EXTRACT_FIELDS)
    for i in range(extract.documents.count()):
        item = extract.documents.item(i)
        wanted = item.text() in EXTRACT
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    extract.run_button.click()
    wait_until(lambda: not extract.cancel_button.isEnabled(), "the extraction", 900)
    grid = extract.raw_grid
    if grid is None:
        raise RuntimeError(f"the extraction failed: {extract.state.text()}")
    # Select a cell a reviewer would look at first: unsupported, else any with a page.
    cells = [
        (r, c, row.cells[name])
        for r, row in enumerate(grid.rows)
        for c, (name, _) in enumerate(grid.fields)
    ]
    cells.sort(key=lambda rc: (rc[2].status != "unsupported", rc[2].page is None))
    extract.select_cell(cells[0][0], cells[0][1])
    if window.source.current is not None:
        source_shown()
    save(window, "extract.png")

    draft = window.draft_panel
    window.tabs.setCurrentWidget(draft)
    draft.template.setCurrentIndex(draft.template.findData(DRAFT_TEMPLATE))
    draft.instructions.setPlainText(DRAFT_INSTRUCTIONS)
    for i in range(draft.documents.count()):
        item = draft.documents.item(i)
        wanted = item.text() == SUMMARISE
        item.setCheckState(Qt.CheckState.Checked if wanted else Qt.CheckState.Unchecked)
    draft.run_button.click()
    wait_until(lambda: not draft.cancel_button.isEnabled(), "the draft", 900)
    if draft.rendered is None:
        raise RuntimeError(f"the draft failed: {draft.state.text()}")
    cited = [n for n, s in enumerate(draft.rendered.sources, 1) if s.document_id]
    if cited:
        draft.preview.anchorClicked.emit(QUrl(f"src:{cited[0]}"))
        source_shown()
    save(window, "draft.png")
    _shoot_review(window, save, wait_until, source_shown)


def _shoot_review(
    window: MainWindow,
    save: Callable[..., None],
    wait_until: Callable[..., None],
    source_shown: Callable[[], None],
) -> None:
    """The first contract against the NDA playbook, the first row with a quote opened."""
    review = window.review_panel
    window.tabs.setCurrentWidget(review)
    review.document.setCurrentIndex(
        next(i for i in range(review.document.count()) if review.document.itemText(i) == SUMMARISE)
    )
    review.playbook.setCurrentText("nda")
    review.run_button.click()
    wait_until(lambda: not review.busy, "the review", 900)
    if not review.rows:
        raise RuntimeError(f"the review failed: {review.state.text()}")
    quoted = [i for i, row in enumerate(review.rows) if row.page is not None]
    if quoted:
        review.table.setCurrentCell(quoted[0], 0)
        source_shown()
    save(window, "review.png")


if __name__ == "__main__":  # ingestion spawns workers that re-import this module
    sys.exit(main(sys.argv[1:]))
