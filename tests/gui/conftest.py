"""GUI tests run a real Qt window offscreen, with a temporary data folder.

The fixtures here (a main window without a model, a passphrase matter) and
``unlock_with`` are shared by every GUI test module.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.gui.main_window import MainWindow
from app.gui.matter_dialogs import UnlockDialog
from app.matters import create_matter
from app.vault import VaultInfo

PASSPHRASE = "correct horse battery staple"


@pytest.fixture
def window(qtbot, chambers_home: Path) -> Iterator[MainWindow]:  # type: ignore[no-untyped-def]
    win = MainWindow(load_model=False)
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture
def matter() -> VaultInfo:
    info, _ = create_matter("Acme v Beta", passphrase=PASSPHRASE, use_keyring=False)
    return info


def unlock_with(window: MainWindow, info: VaultInfo, secret: str) -> UnlockDialog:
    dialog = window.request_unlock(info)
    assert dialog.isVisible()
    dialog.secret.setText(secret)
    dialog.unlock_button.click()
    return dialog
