"""Start the desktop app: ``chambers`` with no verb, where a display exists."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from app import __version__
from app.audit import audit_session


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Chambers")
    app.setApplicationVersion(__version__)
    from app.gui.main_window import MainWindow

    with audit_session("gui"):
        window = MainWindow()
        window.show()
        code = app.exec()
    return int(code)
