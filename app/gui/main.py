"""Start the desktop app: ``chambers`` with no verb, where a display exists."""

from __future__ import annotations

import sys

from PySide6.QtCore import QLocale, QTranslator
from PySide6.QtWidgets import QApplication

from app import __version__
from app.audit import audit_session
from app.gui.theme import follow_system
from app.paths import resource_path


def install_translator(
    app: QApplication, locale: QLocale | None = None, folder: str | None = None
) -> QTranslator | None:
    """Load ``resources/i18n/chambers_<lang>.qm`` for the user's locale, if one ships.

    Every string in app/gui goes through tr(); ``make translations`` refreshes the
    catalogue (chambers.ts) translators start from. With no file for the locale the
    English source strings are shown.
    """
    translator = QTranslator(app)
    folder = folder or str(resource_path("resources", "i18n"))
    if translator.load(locale or QLocale(), "chambers", "_", folder):
        app.installTranslator(translator)
        return translator
    return None


def main() -> int:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Chambers")
    app.setApplicationVersion(__version__)
    if isinstance(app, QApplication):
        install_translator(app)
        if follow_system(app):  # dark, as the system is: Fusion draws the palette whole
            app.setStyle("Fusion")
    from app.gui.main_window import MainWindow

    with audit_session("gui"):
        window = MainWindow()
        window.show()
        code = app.exec()
    return int(code)
