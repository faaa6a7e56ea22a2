"""The Ask panel streams: each document's answer, and each part of a two-part question,
shows while the rest is still being worked out, in the real main window.

The engine is the scripted fake (the model is not under test; tests/gui/test_main_window
runs Ask on the real model). Its option scorer waits on a gate, so the test holds the
run at the model's first question and looks at the transcript while it waits.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from pathlib import Path

from app.gui.main_window import MainWindow
from app.vault import VaultInfo
from tests.fixtures.fake_engine import ScriptedEngine
from tests.gui.conftest import PASSPHRASE, unlock_with

ACME = (
    "SUPPLY AGREEMENT. This Agreement is governed by the laws of the State of New York.\n\n"
    "The Seller shall deliver the goods within thirty (30) days of each order."
)
BETA = (
    "DISTRIBUTION AGREEMENT. This Agreement shall be governed by and construed in "
    "accordance with the laws of the State of Texas.\n\nNotices go to Austin."
)
QUESTION = "Which law governs this agreement? How soon must the goods be delivered?"


class Gate:
    """Holds the model's first call until the test opens it (a worker thread waits)."""

    def __init__(self) -> None:
        self.reached, self.open = threading.Event(), threading.Event()

    def score(self, prompt: str, labels: Sequence[str]) -> list[float]:
        self.reached.set()
        assert self.open.wait(60), "the test never opened the gate"
        if "N/A" in prompt:
            return [0.0] * len(labels)
        return [5.0 if label == "A" else 0.0 for label in labels]


def test_answers_show_as_they_come_before_the_last_one(
    qtbot, window: MainWindow, matter: VaultInfo, tmp_path: Path
) -> None:  # type: ignore[no-untyped-def]
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=60_000)
    assert window.vault is not None
    for title, text in (("Acme supply", ACME), ("Beta distribution", BETA)):
        with window.vault.write() as txn:
            info = txn.add_document(title.encode(), title=title, mime_type="text/plain")
            txn.add_pages(info.id, [(1, text)])
    window._show_task_documents()
    gate = Gate()
    writer = lambda prompt: json.dumps({"answer": "within thirty (30) days of each order"})  # noqa: E731
    window.engine.adopt(ScriptedEngine(gate.score, writer=writer, n_ctx=4096))  # type: ignore[arg-type]
    panel = window.ask_panel
    window.tabs.setCurrentWidget(panel)
    qtbot.waitUntil(panel.ask_button.isEnabled, timeout=10_000)

    panel.question.setText(QUESTION)
    panel.ask_button.click()
    assert panel.cancel_button.isEnabled() and panel.progress.isVisible()
    # Part 1 is answered by the governing-law rule per document; part 2 waits on the model.
    assert gate.reached.wait(60)
    qtbot.waitUntil(lambda: "New York." in panel.transcript.toPlainText(), timeout=10_000)
    shown = panel.transcript.toPlainText()
    assert "Acme supply (part 1 of 2): Governing law: New York." in shown
    assert "Beta distribution (part 1 of 2): Governing law: Texas." in shown
    assert "Working" in shown and shown.count("Governing law: Texas.") == 1
    assert "thirty (30) days" not in shown  # the last answer has not arrived
    assert panel.cancel_button.isEnabled()
    window.grab().save(str(tmp_path / "ask-streaming.png"))

    gate.open.set()
    qtbot.waitUntil(panel.ask_button.isEnabled, timeout=60_000)
    window.grab().save(str(tmp_path / "ask-streamed-whole.png"))
    final = panel.transcript.toPlainText()
    assert "Acme supply: Governing law: New York." in final
    assert "Beta distribution: Governing law: Texas." in final
    assert "2. within thirty (30) days of each order" in final
    assert "Working" not in final and "part 1 of 2" not in final  # replaced by the whole
    links = panel.transcript.toHtml().count("cite:")
    assert links == len(panel._citations) == 3  # two governing-law sentences, one delivery


def test_a_cancelled_run_keeps_what_had_streamed_in(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=60_000)
    assert window.vault is not None
    with window.vault.write() as txn:
        info = txn.add_document(b"acme", title="Acme supply", mime_type="text/plain")
        txn.add_pages(info.id, [(1, ACME)])
    window._show_task_documents()
    gate = Gate()
    writer = lambda prompt: json.dumps({"answer": "thirty days"})  # noqa: E731
    window.engine.adopt(ScriptedEngine(gate.score, writer=writer, n_ctx=4096))  # type: ignore[arg-type]
    panel = window.ask_panel
    qtbot.waitUntil(panel.ask_button.isEnabled, timeout=10_000)
    panel.question.setText(QUESTION)
    panel.ask_button.click()
    assert gate.reached.wait(60)
    qtbot.waitUntil(lambda: "New York" in panel.transcript.toPlainText(), timeout=10_000)
    panel.cancel_button.click()
    gate.open.set()
    qtbot.waitUntil(panel.ask_button.isEnabled, timeout=60_000)
    shown = panel.transcript.toPlainText()
    assert "Governing law: New York." in shown and "Cancelled." in shown
    assert "Working" not in shown and "thirty days" not in shown
