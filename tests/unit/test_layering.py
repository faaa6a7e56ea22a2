"""Layering is law: Qt only in app/gui, llama_cpp only in app/engine."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "app"
CORE_PACKAGES = sorted(
    p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name != "gui"
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


def test_core_packages_exist() -> None:
    assert {"engine", "models", "commands"} <= set(CORE_PACKAGES)


@pytest.mark.parametrize("package", CORE_PACKAGES)
def test_core_package_imports_without_qt(package: str) -> None:
    code = (
        "import importlib, pkgutil, sys\n"
        f"pkg = importlib.import_module('app.{package}')\n"
        "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
        "    importlib.import_module(m.name)\n"
        "import app.cli\n"
        "assert 'PySide6' not in sys.modules, 'PySide6 was imported'\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_only_engine_imports_llama_cpp_and_only_gui_imports_qt() -> None:
    offenders = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).parts
        modules = imported_modules(path)
        if "llama_cpp" in modules and relative[0] != "engine":
            offenders.append(f"{path}: llama_cpp")
        if "PySide6" in modules and relative[0] != "gui":
            offenders.append(f"{path}: PySide6")
    assert offenders == []


def test_within_engine_only_the_backend_module_imports_llama_cpp() -> None:
    users = [p.name for p in (APP / "engine").glob("*.py") if "llama_cpp" in imported_modules(p)]
    assert users == ["llama_backend.py"]
