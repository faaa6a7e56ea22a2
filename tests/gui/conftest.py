"""GUI tests run a real Qt window offscreen, with a temporary data folder.

The fixtures here (a main window without a model, a passphrase matter, a window running
the session's model) and ``unlock_with`` are shared by every GUI test module. The matter
is a copy of the session's vault template (tests/fixtures/vault.py), so a test pays for
one Argon2id unlock, not for creating a vault.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import paths
from app.audit import audit_event
from app.engine import Engine
from app.gui.main_window import MainWindow
from app.gui.matter_dialogs import UnlockDialog
from app.vault import VaultInfo, open_info
from tests.fixtures.engine import SharedEngine
from tests.fixtures.vault import PASSPHRASE, Template

__all__ = ["PASSPHRASE", "unlock_with"]


@pytest.fixture
def window(qtbot, chambers_home: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = MainWindow(load_model=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def model_window(window: MainWindow, qwen_engine: Engine) -> MainWindow:
    """The window with the session's loaded default model (no second load)."""
    window.engine.adopt(SharedEngine(qwen_engine))  # type: ignore[arg-type]
    assert window.engine.engine is not None
    return window


@pytest.fixture
def matter(vault_template: Template) -> VaultInfo:
    """A passphrase matter "Acme v Beta" in this test's data folder, recorded as created."""
    dest = paths.vaults_dir() / vault_template.vault_id
    shutil.copytree(vault_template.folder, dest)
    info = open_info(dest)
    audit_event(
        "vault.create",
        vault_id=info.vault_id,
        details={"generation": 0, "slot_types": ",".join(s.type for s in info.slots)},
    )
    return info


def unlock_with(window: MainWindow, info: VaultInfo, secret: str) -> UnlockDialog:
    dialog = window.request_unlock(info)
    assert dialog.isVisible()
    dialog.secret.setText(secret)
    dialog.unlock_button.click()
    return dialog
