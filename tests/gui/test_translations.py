"""A compiled translation changes what the window shows: tr() is wired end to end."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from PySide6.QtCore import QLocale
from PySide6.QtWidgets import QApplication

from app.gui.main import install_translator
from app.gui.main_window import MainWindow

CATALOGUE = """<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="de_DE">
<context>
    <name>MainWindow</name>
    <message>
        <source>&amp;Documents</source>
        <translation>&amp;Dokumente</translation>
    </message>
</context>
</TS>
"""


def test_a_german_catalogue_relabels_the_documents_tab(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    source = tmp_path / "chambers_de.ts"
    source.write_text(CATALOGUE, encoding="utf-8")
    lrelease = Path(sys.executable).parent / "pyside6-lrelease"
    subprocess.run([str(lrelease), str(source)], check=True, capture_output=True)
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    assert install_translator(app, QLocale("fr_FR"), str(tmp_path)) is None  # none shipped
    translator = install_translator(app, QLocale("de_DE"), str(tmp_path))
    assert translator is not None
    try:
        window = MainWindow(load_model=False)
        qtbot.addWidget(window)
        labels = [window.tabs.tabText(i) for i in range(window.tabs.count())]
        assert labels[0] == "&Dokumente" and "As&k" in labels  # untranslated ones stay English
    finally:
        app.removeTranslator(translator)
