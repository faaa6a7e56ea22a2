"""Every string a person reads in the desktop app goes through tr(), and the catalogue
(resources/i18n/chambers.ts, which translators start from) holds all of them.

A literal handed straight to a label, button, tooltip or accessible name would stay
English in every translation; these tests find such literals by reading the source.
"""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GUI = ROOT / "app" / "gui"
CATALOGUE = ROOT / "resources" / "i18n" / "chambers.ts"
SETTERS = {
    "setText", "setToolTip", "setAccessibleName", "setAccessibleDescription",
    "setPlaceholderText", "setWindowTitle", "addTab", "setTitle", "showMessage",
    "setStatusTip", "setInformativeText", "setLabelText", "setHtml", "addItem",
}  # fmt: skip
WIDGETS = {"QLabel", "QPushButton", "QCheckBox", "QRadioButton", "QGroupBox", "QAction"}
LETTERS = re.compile(r"[A-Za-z]{2,}")


def _literal_text(node: ast.expr) -> str:
    """The literal words in an argument ("" when it is not a literal)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(
            v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)
        )
    return ""


def _name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def untranslated() -> list[str]:
    found = []
    for path in sorted(GUI.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            name = _name(node.func)
            if name not in SETTERS and name not in WIDGETS:
                continue
            words = _literal_text(node.args[0])
            # HTML built around translated parts: only its tag names are literal.
            words = re.sub(r"<[^>]*>|&\w+;", " ", words)
            if LETTERS.search(words):
                found.append(f"{path.name}:{node.lineno}: {name}({words.strip()[:40]!r})")
    return found


def test_no_literal_text_reaches_a_widget_without_tr() -> None:
    assert untranslated() == []


@pytest.mark.skipif(
    shutil.which("pyside6-lupdate", path=str(Path(sys.executable).parent)) is None,
    reason="pyside6-lupdate ships with PySide6; absent only in a broken install",
)
def test_the_catalogue_holds_every_translatable_string(tmp_path: Path) -> None:
    lupdate = Path(sys.executable).parent / "pyside6-lupdate"
    fresh = tmp_path / "fresh.ts"
    sources = [str(p) for p in sorted(GUI.glob("*.py"))]
    subprocess.run([str(lupdate), *sources, "-ts", str(fresh)], check=True, capture_output=True)

    def messages(path: Path) -> set[str]:
        return set(re.findall(r"<source>(.*?)</source>", path.read_text(encoding="utf-8"), re.S))

    missing = messages(fresh) - messages(CATALOGUE)
    assert len(messages(fresh)) > 200
    assert not missing, f"run `make translations`; {len(missing)} new: {sorted(missing)[:5]}"
