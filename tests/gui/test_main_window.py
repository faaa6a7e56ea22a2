"""The main window with real components: the default model, real vaults, the audit log."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.audit import verify_log
from app.config import load_settings, save_settings
from app.gui.main_window import MainWindow
from app.gui.models_dialog import ModelsDialog
from app.gui.settings_dialog import SettingsDialog
from app.models.store import InstalledModel
from app.paths import settings_path
from app.policy import PolicyError
from app.vault import VaultInfo
from tests.gui.conftest import PASSPHRASE, unlock_with


def test_status_bar_shows_model_backend_and_offline(
    qtbot, default_model: InstalledModel, chambers_home: Path
) -> None:  # type: ignore[no-untyped-def]
    win = MainWindow(load_model=False)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.engine.loaded, timeout=300_000):
        win.load_model()
    assert win.status.model_label.text() == default_model.spec.name
    assert "CPU" in win.status.backend_label.text() or "layers" in win.status.backend_label.text()
    assert "Offline" in win.status.offline_label.text()
    win.close()


def test_unlock_shows_matter_and_lock_hides_everything(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    window.refresh_matters()
    assert "(locked)" in window.matters.list.item(0).text()
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=120_000)
    assert "Acme v Beta" in window.windowTitle() and "unlocked" in window.windowTitle()
    assert "unlocked" in window.header.text()
    assert window.matters.list.item(0).text().startswith("●")
    assert window.lock_action.isEnabled()
    assert "no documents" in window.documents.empty.text()

    window.lock_action.trigger()
    assert window.vault is None
    assert window.documents.model.rowCount() == 0
    assert "No matter open" in window.header.text()
    assert window.matters.list.item(0).text().startswith("○")
    report = verify_log()
    assert report.ok
    actions = [json.loads(line)["action"] for line in _audit_lines()]
    assert (
        actions[-3:] == ["vault.create", "vault.unlock", "vault.lock"][-3:]
        or "vault.lock" in actions
    )


def _audit_lines() -> list[str]:
    from app.paths import audit_dir

    lines: list[str] = []
    for path in sorted(audit_dir().glob("*.jsonl")):
        lines += [line for line in path.read_text().splitlines() if line.strip()]
    return lines


def test_wrong_passphrase_is_reported_in_the_dialog(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    dialog = unlock_with(window, matter, "not the passphrase")
    qtbot.waitUntil(lambda: dialog.unlock_button.isEnabled(), timeout=120_000)
    assert "passphrase" in dialog.error.text().lower()
    assert dialog.isVisible() and window.vault is None
    dialog.secret.setText(PASSPHRASE)
    dialog.unlock_button.click()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=120_000)
    assert not dialog.isVisible()


def test_idle_matter_locks_itself(qtbot, window: MainWindow, matter: VaultInfo) -> None:  # type: ignore[no-untyped-def]
    settings = load_settings()
    settings.auto_lock_minutes = 1
    save_settings(settings)
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    assert not window.check_idle(time.monotonic())
    assert window.check_idle(time.monotonic() + 61)
    assert window.vault is None


def test_new_matter_shows_recovery_key_until_confirmed(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    dialog = window.request_new_matter()
    dialog.name.setText("Lease 2024")
    dialog.use_keyring.setChecked(False)
    dialog.passphrase.setText("short")
    dialog.confirm.setText("short")
    dialog._check()
    assert "at least" in dialog.error.text() and dialog.isVisible()
    dialog.passphrase.setText(PASSPHRASE)
    dialog.confirm.setText(PASSPHRASE)
    dialog._check()
    qtbot.waitUntil(lambda: window.recovery_dialog is not None, timeout=120_000)
    key_dialog = window.recovery_dialog
    assert key_dialog is not None and key_dialog.isVisible()
    assert len(key_dialog.recovery_key.replace("-", "")) >= 26
    key_dialog.reject()  # Escape must not dismiss an unconfirmed key
    assert key_dialog.isVisible()
    key_dialog.retype.setText("WRONG")
    key_dialog._check()
    assert key_dialog.isVisible()
    key_dialog.retype.setText(key_dialog.expected.lower())
    key_dialog._check()
    assert not key_dialog.isVisible()
    names = [window.matters.list.item(i).text() for i in range(window.matters.list.count())]
    assert any("Lease 2024" in n for n in names)


def test_models_dialog_lists_catalog_and_plan(qtbot, default_model: InstalledModel) -> None:  # type: ignore[no-untyped-def]
    from app.gui.jobs import JobRunner

    dialog = ModelsDialog(JobRunner())
    qtbot.addWidget(dialog)
    ids = {m.spec.id for m in dialog.models}
    assert default_model.spec.id in ids
    row = next(i for i, m in enumerate(dialog.models) if m.spec.id == default_model.spec.id)
    dialog.table.selectRow(row)
    assert "Runs on:" in dialog.plan_view.toPlainText()
    assert dialog.table.item(row, 3).text() == "Installed"


def test_settings_dialog_saves_what_it_shows(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    dialog.threads.setValue(3)
    dialog.gpu_auto.setChecked(False)
    dialog.gpu_layers.setValue(12)
    dialog.auto_lock.setValue(7)
    dialog.accept()
    saved = load_settings()
    assert (saved.threads, saved.gpu_layers, saved.auto_lock_minutes) == (3, "12", 7)


def test_settings_fixed_by_it_are_shown_managed_and_enforced(
    qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"settings": {"auto_lock_minutes": 5, "threads": 2}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(policy))
    dialog = SettingsDialog()
    qtbot.addWidget(dialog)
    assert dialog.managed_names == ["auto_lock_minutes", "threads"]
    assert dialog.auto_lock.value() == 5 and not dialog.auto_lock.isEnabled()
    assert dialog.threads.value() == 2 and not dialog.threads.isEnabled()
    assert dialog.context.isEnabled()
    assert dialog.auto_lock.toolTip() == "Managed by your organisation"
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert any("Managed by your organisation" in text for text in labels)
    dialog.context.setValue(4096)
    dialog.accept()
    # A hand-edited settings file cannot loosen what IT fixed.
    settings_path().write_text(json.dumps({"auto_lock_minutes": 0, "threads": 16}))
    saved = load_settings()
    assert (saved.auto_lock_minutes, saved.threads) == (5, 2)
    policy.write_text(json.dumps({"settings": {"auto_lock": 5}}))
    with pytest.raises(PolicyError, match=r"settings\.auto_lock "):
        load_settings()


def test_import_search_and_lock_clear_every_view(
    qtbot, window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    from tests.shared_data import CUAD, FILES

    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None, timeout=120_000)
    job = window.import_files([CUAD / "pdf" / "cuad-dev-000.pdf", FILES / "edge" / "not-a-pdf.pdf"])
    assert job is not None
    assert window.status.cancel_button.isVisible()
    qtbot.waitUntil(lambda: window.last_import is not None, timeout=120_000)
    summary = window.last_import
    assert summary is not None and len(summary.imported) == 1 and len(summary.refused) == 1
    assert window.documents.model.rowCount() == 1
    assert window.documents.model.data(window.documents.model.index(0, 2)) == "17"
    window.documents.search_box.setText('"governed by"')
    window.documents.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: window.documents.results.isVisible(), timeout=120_000)
    results = window.documents.results
    first = results.itemWidget(results.item(0)).text()
    assert "p. 13" in first and "<b>governed by</b>" in first
    assert "page 13" in results.item(0).data(Qt.ItemDataRole.AccessibleTextRole)
    window.documents.search_box.setText("AND AND")
    window.documents.search_box.returnPressed.emit()
    qtbot.waitUntil(lambda: "not valid" in window.documents.results.item(0).text(), timeout=120_000)

    window.lock_action.trigger()
    assert window.documents.model.rowCount() == 0
    assert window.documents.results.count() == 0 and not window.documents.results.isVisible()
    assert not window.documents.search_box.isEnabled()


def test_ask_answers_with_citations_that_open_the_source_page(
    qtbot, model_window: MainWindow, matter: VaultInfo
) -> None:  # type: ignore[no-untyped-def]
    from tests.shared_data import CUAD

    window = model_window
    assert not window.ask_panel.ask_button.isEnabled()  # locked: nothing to ask about
    unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.vault is not None and not window.runner.busy, timeout=120_000)
    window.import_files([CUAD / "pdf" / "cuad-dev-000.pdf"])
    qtbot.waitUntil(
        lambda: window.last_import is not None and not window.runner.busy, timeout=120_000
    )
    panel = window.ask_panel
    assert panel.ask_button.isEnabled()
    panel.question.setText("Which state's law governs the outsourcing agreement?")
    panel.ask_button.click()
    assert panel.cancel_button.isEnabled()  # slow work shows Cancel
    qtbot.waitUntil(lambda: panel.ask_button.isEnabled(), timeout=300_000)
    transcript = panel.transcript.toHtml()
    assert "Oklahoma" in transcript  # answered by the governing-law rule, no model call
    assert "cite:0" in transcript
    citation = panel.citation(0)
    panel.citation_opened.emit(citation)
    assert window.source.isVisible()
    assert window.source.current == (citation.document_id, citation.page)
    qtbot.waitUntil(lambda: window.source.shown == window.source.current, timeout=120_000)
    assert f"p. {citation.page} of 17" in window.source.title.text()
    assert window.source.image.pixmap() is not None and not window.source.image.pixmap().isNull()
    if citation.verified:
        assert (
            "background:#ffe58a" in window.source.text.toHtml()
            or "ffe58a" in window.source.text.toHtml()
        )
    # A question no rule answers: the model chooses the sentence, and the status bar
    # follows the engine's speed while it reads.
    panel.question.setText("Where must notices under this agreement be sent?")
    panel.ask_button.click()
    qtbot.waitUntil(lambda: panel.ask_button.isEnabled(), timeout=300_000)
    assert window.status.speed_label.text(), "the status bar follows the engine's speed"
    window.lock_action.trigger()
    assert not window.source.isVisible() and window.source.current is None
    assert "Oklahoma" not in panel.transcript.toHtml()
