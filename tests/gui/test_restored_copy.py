"""A matter restored from an older copy: the desktop app asks before keeping it.

Real SQLCipher vault, real audit log, a real window (offscreen). The old copy is made as
a user would: copy the vault folder, work on, then put the copy back.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from app import paths
from app.gui.main_window import MainWindow
from app.matters import lock_matter, open_matter
from app.vault import VaultInfo
from tests.gui.conftest import PASSPHRASE, unlock_with


def _put_back_an_older_copy(info: VaultInfo, tmp_path: Path) -> None:
    old = tmp_path / "old-copy"
    shutil.copytree(info.path, old)
    vault = open_matter(info, passphrase=PASSPHRASE, use_keyring=False).vault
    vault.add_document(os.urandom(16), title="later work", mime_type="text/plain")
    lock_matter(vault)
    shutil.rmtree(info.path)
    shutil.copytree(old, info.path)


def _actions() -> list[str]:
    lines = (paths.audit_dir() / "audit.jsonl").read_bytes().splitlines()
    return [json.loads(line)["action"] for line in lines]


def _button(box: QMessageBox, text: str):  # type: ignore[no-untyped-def]
    return next(b for b in box.buttons() if b.text() == text)


def test_cancel_keeps_the_copy_refused_and_says_how_to_accept_it(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, matter: VaultInfo, tmp_path: Path
) -> None:
    _put_back_an_older_copy(matter, tmp_path)
    dialog = unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.restored_copy_box is not None, timeout=120_000)
    box = window.restored_copy_box
    assert box is not None and "older" in box.windowTitle()
    assert box.defaultButton() is box.button(QMessageBox.StandardButton.Cancel)
    box.button(QMessageBox.StandardButton.Cancel).click()
    assert window.vault is None and dialog.isVisible()
    assert "accept-restore" in dialog.error.text()
    assert "vault.restore_accept" not in _actions()


def test_keep_this_copy_opens_it_and_records_the_acceptance(  # type: ignore[no-untyped-def]
    qtbot, window: MainWindow, matter: VaultInfo, tmp_path: Path
) -> None:
    _put_back_an_older_copy(matter, tmp_path)
    dialog = unlock_with(window, matter, PASSPHRASE)
    qtbot.waitUntil(lambda: window.restored_copy_box is not None, timeout=120_000)
    box = window.restored_copy_box
    assert box is not None
    if os.environ.get("CHAMBERS_SCREENSHOTS"):
        box.grab().save(os.path.join(os.environ["CHAMBERS_SCREENSHOTS"], "restored-copy.png"))
    _button(box, "Keep this copy").click()
    qtbot.waitUntil(lambda: window.vault is not None, timeout=120_000)
    assert not dialog.isVisible()
    actions = _actions()
    assert actions.count("vault.restore_accept") == 1
    assert actions.index("vault.restore_accept") < len(actions) - actions[::-1].index(
        "vault.unlock"
    )
