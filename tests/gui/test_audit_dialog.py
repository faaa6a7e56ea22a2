"""The audit viewer over a real log: order, filter, Verify (intact and tampered), Export."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from app import audit, paths
from app.gui.audit_dialog import AuditDialog
from app.gui.jobs import JobRunner
from tests.fixtures.audit import file_store

VAULT_A = "a1b2c3d4e5f60718293a4b5c6d7e8f90"
VAULT_B = "ffeeddccbbaa99887766554433221100"
MODEL_SHA = "ab" * 32
#: Ceiling for a background job on a loaded machine: waits end as soon as the condition
#: holds, so a generous bound costs nothing when the machine is idle.
SLOW_MS = 120_000


@pytest.fixture
def signed_audit(chambers_home: Path) -> Iterator[Path]:
    audit.configure(key_store_factory=file_store)
    yield paths.audit_dir()
    audit.reset()


@pytest.fixture
def records(signed_audit: Path) -> Path:
    """Five events and a checkpoint: seq 1-5 are events, 6 is the checkpoint."""
    audit.audit_event("vault.create", vault_id=VAULT_A, details={"generation": 0})
    audit.audit_event("vault.unlock", vault_id=VAULT_A, details={"generation": 0})
    audit.audit_event(
        "document.import", vault_id=VAULT_A, object_ids=["doc-1", "doc-2"], details={"pages": 3}
    )
    audit.audit_event("model.verify", object_ids=["qwen"], model_sha256=MODEL_SHA)
    audit.audit_event("vault.unlock", vault_id=VAULT_B, outcome="failed")
    assert audit.checkpoint() == 6
    return signed_audit


@pytest.fixture
def dialog(qtbot: QtBot, records: Path) -> Iterator[AuditDialog]:
    runner = JobRunner()
    dlg = AuditDialog(runner)
    qtbot.addWidget(dlg)
    dlg.show()
    yield dlg
    runner.wait(SLOW_MS)


def column(dlg: AuditDialog, col: int) -> list[str]:
    model = dlg.model
    return [model.data(model.index(row, col)) for row in range(model.rowCount())]


def test_records_newest_first_with_short_ids_and_no_content(dialog: AuditDialog) -> None:
    assert column(dialog, 0) == ["6", "5", "4", "3", "2", "1"]
    assert column(dialog, 3) == [
        "audit.checkpoint",
        "vault.unlock",
        "model.verify",
        "document.import",
        "vault.unlock",
        "vault.create",
    ]
    assert column(dialog, 4)[1] == VAULT_B[:8] + "…"
    assert column(dialog, 5)[3] == "2"
    assert column(dialog, 6)[1] == "failed"
    assert column(dialog, 7)[2] == MODEL_SHA[:12] + "…"
    assert column(dialog, 1)[0][:2] == "20" and "T" not in column(dialog, 1)[0]
    tooltip = dialog.model.data(dialog.model.index(3, 0), Qt.ItemDataRole.ToolTipRole)
    assert "doc-1, doc-2" in tooltip and VAULT_A in tooltip
    assert dialog.count_label.text() == "6 records"


def test_filter_matches_action_or_vault_id(qtbot: QtBot, dialog: AuditDialog) -> None:
    qtbot.keyClicks(dialog.filter, "unlock")  # type: ignore[no-untyped-call]
    assert column(dialog, 0) == ["5", "2"]
    assert dialog.count_label.text() == "2 of 6 records"
    dialog.filter.setText(VAULT_B[:6])
    assert column(dialog, 0) == ["5"]
    dialog.filter.setText("VAULT.")  # case does not matter
    assert column(dialog, 0) == ["5", "2", "1"]
    dialog.filter.clear()
    assert dialog.model.rowCount() == 6


def test_ctrl_f_focuses_filter_and_escape_closes(qtbot: QtBot, dialog: AuditDialog) -> None:
    dialog.activateWindow()
    qtbot.waitUntil(dialog.isActiveWindow, timeout=SLOW_MS)
    dialog.table.setFocus()
    qtbot.keyClick(dialog, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # type: ignore[no-untyped-call]
    qtbot.waitUntil(dialog.filter.hasFocus, timeout=SLOW_MS)
    qtbot.keyClick(dialog.filter, Qt.Key.Key_Escape)  # type: ignore[no-untyped-call]
    assert not dialog.isVisible()


def test_verify_reports_ok(qtbot: QtBot, dialog: AuditDialog) -> None:
    dialog.verify_button.click()
    assert not dialog.verify_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.status.text().startswith("OK"), timeout=SLOW_MS)
    assert "6 records" in dialog.status.text() and "sealed through record 6" in dialog.status.text()
    assert dialog.result_icon.isVisible() and dialog.result_icon.accessibleName() == "OK"
    qtbot.waitUntil(dialog.verify_button.isEnabled, timeout=SLOW_MS)
    assert not dialog.cancel_button.isVisible()


def test_verify_names_the_tampered_record(qtbot: QtBot, dialog: AuditDialog, records: Path) -> None:
    log_file = records / "audit.jsonl"
    data = log_file.read_bytes()
    lines = data.split(b"\n")
    assert b'"action":"document.import"' in lines[2]
    lines[2] = lines[2].replace(b'"action":"document.import"', b'"action":"document.imporT"')
    log_file.write_bytes(b"\n".join(lines))

    dialog.verify_button.click()
    qtbot.waitUntil(lambda: "TAMPERED" in dialog.status.text(), timeout=SLOW_MS)
    assert dialog.status.text().startswith("TAMPERED at record 3:")
    assert dialog.report is not None and dialog.report.first_bad_seq == 3
    assert dialog.result_icon.isVisible() and dialog.result_icon.accessibleName() == "Warning"
    assert dialog.result_icon.pixmap() is not None and not dialog.result_icon.pixmap().isNull()
    # the table shows the edited log and selects the record that was blamed
    selected = dialog.table.selectionModel().selectedRows()
    assert [dialog.model.data(i, Qt.ItemDataRole.UserRole) for i in selected] == [3]
    assert "document.imporT" in column(dialog, 3)
    assert column(dialog, 0)[3] == "⚠ 3"  # marked in words, not by colour alone


def test_verify_reports_an_audit_folder_replaced_by_a_link(
    qtbot: QtBot, dialog: AuditDialog, records: Path, tmp_path: Path
) -> None:
    """Issue 25: the log behind a symbolic link is shown as tampering, not as OK."""
    records.rename(tmp_path / "audit.x")
    records.symlink_to(tmp_path / "audit.x")
    dialog.verify_button.click()
    qtbot.waitUntil(lambda: "TAMPERED" in dialog.status.text(), timeout=10_000)
    assert "symbolic link" in dialog.status.text() and str(records) in dialog.status.text()


def test_export_csv_writes_every_record_and_is_audited(
    qtbot: QtBot, dialog: AuditDialog, tmp_path: Path
) -> None:
    target = tmp_path / "out" / "audit.csv"
    target.parent.mkdir()
    dialog.export_to(target)
    # wait on the outcome the dialog shows, not on the job's signal: a fast job can emit
    # `finished` before a waitSignal opened after export_to() returns is connected
    qtbot.waitUntil(lambda: "Exported 6 records" in dialog.status.text(), timeout=SLOW_MS)
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["seq"] for r in rows] == ["1", "2", "3", "4", "5", "6"]
    assert [r["action"] for r in rows][:3] == ["vault.create", "vault.unlock", "document.import"]
    assert rows[2]["object_ids"] == "doc-1;doc-2"
    assert sorted(p.name for p in target.parent.iterdir()) == ["audit.csv"]  # no partial left
    # the export is itself recorded, and the table picks it up
    assert column(dialog, 3)[0] == "audit.export"
    assert dialog.model.rowCount() == 7


def test_export_failure_is_reported_plainly(
    qtbot: QtBot, dialog: AuditDialog, tmp_path: Path
) -> None:
    dialog.export_to(tmp_path / "missing-folder" / "audit.json")
    # the failure is immediate, so the job's `finished` may fire before a waitSignal could
    # connect: wait on what the dialog shows instead, with a bound generous under load
    qtbot.waitUntil(lambda: "Could not write" in dialog.status.text(), timeout=SLOW_MS)
    qtbot.waitUntil(dialog.export_button.isEnabled, timeout=SLOW_MS)
    assert dialog.result_icon.accessibleName() == "Warning"
    assert dialog.export_button.isEnabled()


def test_empty_log(qtbot: QtBot, signed_audit: Path) -> None:
    runner = JobRunner()
    dlg = AuditDialog(runner)
    qtbot.addWidget(dlg)
    assert dlg.model.rowCount() == 0
    assert dlg.count_label.text() == "0 records"
    dlg.verify_button.click()
    qtbot.waitUntil(lambda: "empty" in dlg.status.text(), timeout=SLOW_MS)
    runner.wait(SLOW_MS)


def test_main_window_opens_the_audit_viewer(qtbot: QtBot, records: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QToolBar

    from app.gui.main_window import MainWindow

    win = MainWindow(load_model=False)
    qtbot.addWidget(win)
    toolbar = win.findChild(QToolBar, "main-toolbar")
    assert toolbar is not None
    texts = [a.text() for a in toolbar.actions()]
    assert texts.index("&Audit…") == texts.index("&Models…") + 1
    assert texts.index("&Settings…") == texts.index("&Audit…") + 1
    seen: list[int] = []

    def close_it() -> None:  # never assert here: a dialog left open would block exec()
        modal = QApplication.activeModalWidget()
        if isinstance(modal, AuditDialog):
            seen.append(modal.model.rowCount())
        if modal is not None:
            modal.close()

    QTimer.singleShot(200, close_it)
    toolbar.actions()[texts.index("&Audit…")].trigger()
    assert seen == [6]
    win.close()


def test_verify_says_every_time_that_no_keyring_can_seal(qtbot: QtBot, chambers_home: Path) -> None:
    """Without a keyring the CLI notes it once a day; the audit view says it at every Verify."""
    import keyring
    from keyring.backends import fail

    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    audit.reset()  # the default key store: the OS keyring, and no on-disk fallback
    runner = JobRunner()
    try:
        audit.audit_event("vault.create", vault_id=VAULT_A, details={"generation": 0})
        dlg = AuditDialog(runner)
        qtbot.addWidget(dlg)
        dlg.show()
        for _ in range(2):
            dlg.verify_button.click()  # says "Verifying…" at once, so the wait below is fresh
            qtbot.waitUntil(lambda: "Unsealed tail" in dlg.status.text(), timeout=SLOW_MS)
            assert f"Sealing: {audit.UNSEALED_NOTE}." in dlg.status.text()
            qtbot.waitUntil(dlg.verify_button.isEnabled, timeout=SLOW_MS)
    finally:
        runner.wait(SLOW_MS)
        audit.reset()
        keyring.set_keyring(previous)
