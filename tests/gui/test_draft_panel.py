"""The Draft panel: a hand-made draft (no model) previewed, its sources opened, saved."""

from __future__ import annotations

import json
from pathlib import Path

import docx
from PySide6.QtCore import Qt, QUrl

from app.gui.draft_panel import DraftPanel
from app.gui.main_window import MainWindow
from app.paths import audit_dir
from app.tasks.draft.pipeline import Draft, Fact, Prose, SectionText, Source
from app.tasks.draft.render import OPEN
from app.tasks.draft.templates import load_template
from app.tasks.quote import Quote
from app.vault import DocumentInfo, VaultInfo
from tests.gui.conftest import PASSPHRASE, unlock_with

PAGE = Source("Supply Agreement", Quote("doc-1", 3, 10, 35, "the sum of $48,500 is due"))


def _draft() -> Draft:
    template = load_template("demand-letter")
    result = Draft(template, "Give them 14 days", ["doc-1"], "23 November 2026")
    for item in template.facts:
        result.facts[item.name] = Fact(item.name, item.title, None, "missing")
    result.facts["amount_owed"] = Fact("amount_owed", "Amount owed", "$48,500", "supported", PAGE)
    result.sections["background"] = SectionText(
        "background", "Background", [Prose("The sum of $48,500 fell due.", PAGE)]
    )
    return result


def _info(doc_id: str, title: str) -> DocumentInfo:
    return DocumentInfo(doc_id, title, "application/pdf", 10, "0" * 64, {"pages": 3}, "", None)


def test_draft_panel_requests_previews_links_and_saves(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    panel = DraftPanel()
    qtbot.addWidget(panel)
    assert not panel.run_button.isEnabled()  # no matter open
    assert panel.template.count() >= 4 and panel.about.text()
    panel.set_available(True)
    panel.set_documents([_info("doc-1", "Supply Agreement"), _info("doc-2", "Invoice")])
    panel.documents.item(0).setCheckState(Qt.CheckState.Checked)
    assert panel.chosen_documents() == ["doc-1"]
    panel.template.setCurrentIndex(panel.template.findData("demand-letter"))
    panel.instructions.setPlainText("Our client is owed $48,500. Give them 14 days.")
    with qtbot.waitSignal(panel.run_requested) as requested:
        panel.run_button.click()
    assert requested.args[0].params == {
        "template": "demand-letter",
        "instructions": "Our client is owed $48,500. Give them 14 days.",
        "document_ids": ["doc-1"],
    }
    assert panel.cancel_button.isEnabled() and not panel.run_button.isEnabled()

    panel.finish(_draft())
    html = panel.preview.toHtml()
    assert "$48,500" in html and OPEN in html and "#ffe066" in html  # placeholders highlighted
    assert "1 of 8 facts found and checked; 7 placeholder(s)" in panel.state.text()
    assert panel.save_button.isEnabled() and not panel.cancel_button.isEnabled()
    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.preview.anchorClicked.emit(QUrl("src:1"))
    assert opened.args == ["doc-1", 3, PAGE.cited]  # the Quote: marked at its span

    saved = panel.save(tmp_path / "letter")
    assert saved == tmp_path / "letter.docx" and "Saved" in panel.state.text()
    text = "\n".join(p.text for p in docx.Document(str(saved)).paragraphs)
    assert "$48,500" in text and f"{OPEN}Recipient" in text
    assert panel.save(tmp_path / "no-such-folder" / "x.docx") is None
    assert "Could not save" in panel.state.text()

    panel.clear()  # the matter was locked
    assert panel.preview.toPlainText() == "" and panel.documents.count() == 0
    assert panel.instructions.toPlainText() == "" and not panel.save_button.isEnabled()


def test_draft_panel_needs_instructions_or_documents(qtbot) -> None:  # type: ignore[no-untyped-def]
    panel = DraftPanel()
    qtbot.addWidget(panel)
    panel.set_available(True)
    with qtbot.assertNotEmitted(panel.run_requested):
        panel.run_button.click()
    assert "instructions" in panel.state.text().lower()


def test_main_window_drafts_with_the_real_model_and_forgets_it_on_lock(
    qtbot, model_window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    window = model_window
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    panel = window.draft_panel
    window.tabs.setCurrentWidget(panel)
    assert panel.run_button.isEnabled()
    panel.template.setCurrentIndex(panel.template.findData("nda"))
    panel.instructions.setPlainText(
        "Draft a mutual NDA between Acme Robotics Ltd and Bolt Logistics Inc so that they can "
        "evaluate a joint warehouse automation venture."
    )
    panel.run_button.click()
    assert window.status.cancel_button.isVisible()
    qtbot.waitUntil(lambda: not panel.cancel_button.isEnabled(), timeout=600_000)
    assert panel.result is not None, panel.state.text()
    preview = panel.preview.toPlainText()
    assert "Mutual Non-Disclosure Agreement" in preview and f"{OPEN}Term" in preview
    assert "facts found and checked" in panel.state.text()

    window.lock_action.trigger()
    assert panel.preview.toPlainText() == "" and panel.instructions.toPlainText() == ""
    assert not panel.run_button.isEnabled()
    records = [json.loads(line) for p in sorted(audit_dir().glob("*.jsonl"))
               for line in p.read_text().splitlines() if line.strip()]  # fmt: skip
    (run,) = [r for r in records if r["action"] == "task.run"]
    assert run["details"]["kind"] == "draft" and run["details"]["template"] == "nda"
    assert "Acme" not in json.dumps(records)
