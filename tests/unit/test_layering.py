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


def _imports_of(path: Path) -> set[str]:
    """Every module ``path`` imports, in full (``app.engine.llama_backend``), at any depth."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
            names.update(f"{node.module}.{alias.name}" for alias in node.names)
    return names


def test_the_engine_does_not_import_the_audit_package() -> None:
    """Server calls reach the audit log through a listener the owner injects."""
    offenders = [
        p.name
        for p in (APP / "engine").glob("*.py")
        if any(name == "app.audit" or name.startswith("app.audit.") for name in _imports_of(p))
    ]
    assert offenders == []


def test_the_server_backend_does_not_import_the_llama_backend() -> None:
    """The firm-server backend constrains itself with the schema (a GBNF writer is given)."""
    local = {"app.engine.llama_backend", "app.engine.engine", "app.engine.loader"}
    for name in ("remote.py", "server_link.py"):
        assert _imports_of(APP / "engine" / name) & local == set(), name


def test_only_llama_backend_touches_the_bindings_objects() -> None:
    """engine.py drives the runtime only through llama_backend's functions."""
    tree = ast.parse((APP / "engine" / "engine.py").read_text(encoding="utf-8"))
    binding = {"input_ids", "n_tokens", "create_completion", "tokenize", "eval", "ctx"}
    used = {
        node.attr
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute)
        and isinstance(node.value, ast.Name)
        and node.value.id == "llm"
    }
    assert used & binding == set()


def test_tasks_read_the_model_identity_not_backend_internals() -> None:
    """Tasks see ``identity`` and ``capabilities``: never the local plan or GGUF header,
    and no duck-typed ``getattr(engine, ...)``."""
    offenders = []
    for path in [*(APP / "tasks").rglob("*.py"), *(APP / "evaluation").rglob("*.py")]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        relative = path.relative_to(APP).as_posix()
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in {"plan", "loaded"}:
                offenders.append(f"{relative}:{node.lineno}: .{node.attr}")
            if (
                isinstance(node, ast.Attribute)
                and node.attr == "spec"
                and isinstance(node.value, ast.Attribute)
                and node.value.attr == "model"
            ):
                offenders.append(f"{relative}:{node.lineno}: .model.spec")
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "getattr"
                and node.args
                and "engine" in ast.unparse(node.args[0])
            ):
                offenders.append(f"{relative}:{node.lineno}: getattr(engine, ...)")
    assert offenders == []


def test_one_place_chooses_the_backend() -> None:
    """Only app/engine/backend.py decides between this computer and the firm server: the
    CLI session and the GUI's engine service ask its open_backend. Calling a backend
    directly is left to verbs that never run for a matter (``server check`` tests the
    chosen server; ``demo`` and ``generate`` run the local model on no matter's files)."""
    allowed = {
        "engine/backend.py",
        "commands/server.py",
        "commands/demo.py",
        "commands/generate.py",
    }
    offenders = []
    for path in APP.rglob("*.py"):
        relative = path.relative_to(APP).as_posix()
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and relative not in allowed:
                name = ast.unparse(node.func).rsplit(".", 1)[-1]
                if name in {"RemoteEngine", "connect_server", "load_engine"}:
                    offenders.append(f"{relative}:{node.lineno}: {name}")
    assert offenders == []
