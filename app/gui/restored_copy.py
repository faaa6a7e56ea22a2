"""The question asked when a matter turns out to be an older copy restored from a backup.

Chambers refuses to open a vault that is behind its audit log (a restored backup, or a
copy put back to hide later work) until someone accepts it as the copy to keep. The
command line does that with `chambers vault accept-restore`; in the desktop app this box
asks. Keeping the copy gives up the work done after it, so nothing happens without an
explicit click on "Keep this copy", Cancel is the default, and the acceptance is an
audit record (IT's policy may reserve it for itself, and then the unlock says so).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget


def ask_keep_restored_copy(
    parent: QWidget, message: str, *, keep: Callable[[], None], cancel: Callable[[], None]
) -> QMessageBox:
    """Open (window-modal, not blocking) the keep-or-cancel question; returns the box."""
    box = QMessageBox(
        QMessageBox.Icon.Warning,
        parent.tr("This matter is an older copy"),
        message,
        QMessageBox.StandardButton.Cancel,
        parent,
    )
    box.setInformativeText(
        parent.tr(
            "Keep this copy only if it is the one you mean to work on: the changes made "
            "after it are given up, and the decision is recorded in the audit log. "
            "Otherwise cancel and put the newer copy back."
        )
    )
    keep_button = box.addButton(parent.tr("Keep this copy"), QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(QMessageBox.StandardButton.Cancel)

    def answered(button: QAbstractButton) -> None:
        (keep if button is keep_button else cancel)()

    box.buttonClicked.connect(answered)
    box.open()
    return box
