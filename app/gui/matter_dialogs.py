"""Dialogs to unlock a matter and to create one (with its recovery key shown once)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from app.vault import VaultInfo

MIN_PASSPHRASE = 10


class UnlockDialog(QDialog):
    """Passphrase, recovery key, or (when the matter has one) the OS keyring.

    The dialog stays open while the unlock runs in the background: a wrong passphrase is
    reported in place, and the window behind it never waits on the key derivation.
    """

    submitted = Signal(dict)  # keyword arguments for app.matters.open_matter

    def __init__(self, info: VaultInfo, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Unlock {0}").format(info.name))
        self.info = info
        self.use_keyring = QCheckBox(self.tr("Unlock with this computer's &keyring"))
        self.use_keyring.setVisible(info.has_slot_type("keyring"))
        self.use_keyring.setChecked(info.has_slot_type("keyring"))
        self.secret = QLineEdit()
        self.secret.setEchoMode(QLineEdit.EchoMode.Password)
        self.secret.setAccessibleName(self.tr("Passphrase or recovery key"))
        self.is_recovery = QCheckBox(self.tr("This is the &recovery key"))
        self.use_keyring.toggled.connect(self._sync)
        self.error = QLabel("")
        self.error.setWordWrap(True)
        self.error.setAccessibleName(self.tr("Unlock status"))
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.unlock_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.unlock_button.setText(self.tr("Unlock"))
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.use_keyring)
        form.addRow(self.tr("&Passphrase:"), self.secret)
        form.addRow(self.is_recovery)
        form.addRow(self.error)
        form.addRow(self.buttons)
        self._sync()

    def _sync(self) -> None:
        manual = not self.use_keyring.isChecked()
        self.secret.setEnabled(manual)
        self.is_recovery.setEnabled(manual)
        if manual:
            self.secret.setFocus()

    def credentials(self) -> dict[str, object]:
        """Keyword arguments for app.matters.open_matter."""
        if self.use_keyring.isChecked():
            return {"use_keyring": True}
        text = self.secret.text()
        if self.is_recovery.isChecked():
            return {"recovery_key": text, "use_keyring": False}
        return {"passphrase": text, "use_keyring": False}

    def submit(self) -> None:
        self.set_busy(True)
        self.error.setText(self.tr("Unlocking…"))
        self.submitted.emit(self.credentials())

    def set_busy(self, busy: bool) -> None:
        for widget in (self.secret, self.is_recovery, self.use_keyring, self.unlock_button):
            widget.setEnabled(not busy)
        if not busy:
            self._sync()

    def show_error(self, message: str) -> None:
        self.set_busy(False)
        self.error.setText(message)
        self.secret.selectAll()


class NewMatterDialog(QDialog):
    """Name and protection for a new matter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("New matter"))
        self.setMinimumWidth(520)
        self.name = QLineEdit()
        self.name.setAccessibleName(self.tr("Matter name"))
        self.use_keyring = QCheckBox(self.tr("Unlock with this computer's &keyring"))
        self.use_keyring.setChecked(True)
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.setAccessibleName(self.tr("Passphrase"))
        self.confirm = QLineEdit()
        self.confirm.setEchoMode(QLineEdit.EchoMode.Password)
        self.confirm.setAccessibleName(self.tr("Confirm passphrase"))
        self.error = QLabel("")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("Create"))
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        form = QFormLayout(self)
        form.addRow(self.tr("&Name:"), self.name)
        form.addRow(self.use_keyring)
        self.passphrase_label = QLabel(self.tr("&Passphrase (optional with keyring):"))
        self.passphrase_label.setBuddy(self.passphrase)
        self.use_keyring.toggled.connect(self._label_passphrase)
        form.addRow(self.passphrase_label, self.passphrase)
        form.addRow(self.tr("&Confirm passphrase:"), self.confirm)
        form.addRow(self.error)
        form.addRow(buttons)

    def _label_passphrase(self, keyring: bool) -> None:
        self.passphrase_label.setText(
            self.tr("&Passphrase (optional with keyring):") if keyring else self.tr("&Passphrase:")
        )

    def problem(self) -> str | None:
        if not self.name.text().strip():
            return self.tr("Give the matter a name.")
        phrase = self.passphrase.text()
        if not phrase and not self.use_keyring.isChecked():
            return self.tr("Choose a passphrase, or let the keyring unlock this matter.")
        if phrase and len(phrase) < MIN_PASSPHRASE:
            return self.tr("Use a passphrase of at least {0} characters.").format(MIN_PASSPHRASE)
        if phrase != self.confirm.text():
            return self.tr("The two passphrases differ.")
        return None

    def _check(self) -> None:
        problem = self.problem()
        if problem:
            self.error.setText(problem)
        else:
            self.accept()


class RecoveryKeyDialog(QDialog):
    """Shows the recovery key once and asks for its last group back before closing."""

    def __init__(self, matter: str, recovery_key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Recovery key for {0}").format(matter))
        self.recovery_key = recovery_key
        self.expected = recovery_key.replace("-", " ").split()[-1]
        intro = QLabel(
            self.tr(
                "This is the only way into the matter if the passphrase is forgotten or this "
                "computer's keyring is lost. Print it or write it down and keep it somewhere safe. "
                "It will not be shown again."
            )
        )
        intro.setWordWrap(True)
        key = QLabel(recovery_key)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setWeight(QFont.Weight.Bold)
        key.setFont(font)
        key.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        key.setAccessibleName(self.tr("Recovery key"))
        self.retype = QLineEdit()
        self.retype.setAccessibleName(self.tr("Last group of the recovery key"))
        self.error = QLabel("")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText(self.tr("I have stored it"))
        self.buttons.accepted.connect(self._check)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(key)
        layout.addWidget(QLabel(self.tr("To confirm, type the last group of the key:")))
        layout.addWidget(self.retype)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def _check(self) -> None:
        if self.retype.text().strip().upper() == self.expected.upper():
            self.accept()
        else:
            self.error.setText(
                self.tr("That does not match the last group. Check the key you stored.")
            )

    def reject(self) -> None:
        """Escape does not dismiss the key unconfirmed."""
        self.error.setText(self.tr("Confirm the last group of the key to continue."))
