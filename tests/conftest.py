"""Shared fixtures: a throw-away data folder per test, and the real installed models.

The fixture modules under tests/fixtures are plugins, so a test asks for ``ready_vault``,
``audit_home``, ``tiny_gguf``... by parameter name, without importing them. A test that
uses the real default model (``default_model`` or ``qwen_engine``, directly or through
another fixture) is marked ``model`` here, so ``make test-fast`` (``-m "not model"``)
leaves every one of them out without anyone having to remember the decorator.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from app import paths

# Property tests draw the same examples on every run (derandomize) and have no per-example
# deadline or too-slow health check, so a loaded machine cannot fail them by chance and a
# failure seen once is seen again. `HYPOTHESIS_PROFILE=explore` draws fresh examples (and
# keeps the example database) for a developer hunting new counterexamples.
settings.register_profile(
    "deterministic",
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("explore", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))

pytest_plugins = [
    "tests.fixtures.audit",
    "tests.fixtures.engine",
    "tests.fixtures.firm_server",
    "tests.fixtures.secret_service",
    "tests.fixtures.tiny_gguf",
    "tests.fixtures.vault",
]
MODEL_FIXTURES = {"default_model", "qwen_engine"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if MODEL_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.model)


# The real models folder (where `make test` installed the default models), resolved
# before any test points CHAMBERS_HOME at a temporary folder.
REAL_MODELS_DIR = paths.models_dir()


@pytest.fixture(autouse=True)
def chambers_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test gets its own empty data folder; models come from the real folder."""
    home = tmp_path / "chambers-home"
    monkeypatch.setenv("CHAMBERS_HOME", str(home))
    # The audit anchor lives outside the data folder; keep it per test, off the real home.
    monkeypatch.setenv("CHAMBERS_ANCHOR_DIR", str(tmp_path / "chambers-anchor"))
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(REAL_MODELS_DIR))
    yield home
    # This test's logs are sealed (or not) by now; never at exit, when CHAMBERS_ANCHOR_DIR
    # no longer points at this test's anchor folder.
    from app import audit

    audit.forget_logs()


@pytest.fixture(scope="session")
def default_model() -> object:
    """The installed default instruct model; fails (never skips) when it is missing."""
    from app.errors import ChambersError
    from app.models.store import resolve_model

    os.environ.setdefault("CHAMBERS_MODELS_DIR", str(REAL_MODELS_DIR))
    try:
        return resolve_model()
    except ChambersError as exc:
        pytest.fail(f"{exc.message} Run `make test` (it installs the default models).")


@pytest.fixture(scope="session")
def qwen_engine(default_model: object) -> Iterator[object]:
    """One loaded default model shared by the integration tests (loading costs seconds)."""
    from app.config import Settings
    from app.engine import Engine
    from app.models.store import InstalledModel

    assert isinstance(default_model, InstalledModel)
    engine = Engine()
    engine.load(default_model, settings=Settings(context=4096))
    yield engine
    engine.close()
