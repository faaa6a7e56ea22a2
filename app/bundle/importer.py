"""Import a verified bundle: models into the models folder, the catalog into machine state.

Only what TUF verified is used (app/bundle/verify.py), and each model is hashed again
after the copy, so a file swapped on the USB stick between verify and copy is caught.
The catalog written here (app/bundle/state.imported_catalog) replaces the built-in one:
it is the bundle's signed catalog.json plus one entry per model the firm's delegated role
approved, built from that role's signed custom metadata, so IT approves its own models
without editing catalog.json by hand.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app import policy
from app.audit import audit_event
from app.bundle import state
from app.bundle.verify import BundleError, VerifiedBundle, VerifiedTarget, verify_bundle
from app.cancel import Progress, no_progress
from app.models.catalog import ModelSpec
from app.paths import models_dir

CATALOG_TARGET = "catalog.json"
_CHUNK = 4 * 1024 * 1024


@dataclass(frozen=True)
class ImportResult:
    models: list[tuple[str, Path, str]]  # (id, path, "installed" | "already installed")
    catalog: Path
    timestamp_version: int


def _catalog_entries(bundle: VerifiedBundle) -> list[dict[str, Any]]:
    target = bundle.target(CATALOG_TARGET)
    if target is None:
        raise BundleError(f"{bundle.folder} has no signed {CATALOG_TARGET} in targets/.")
    try:
        data = json.loads(target.file.read_text(encoding="utf-8"))
        entries = data["models"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BundleError(f"{target.file} is not a model catalog ({exc}).") from exc
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BundleError(f'{target.file}: "models" must be a list of objects.')
    return list(entries)


def _firm_entry(target: VerifiedTarget) -> dict[str, Any]:
    """A catalog entry from the firm role's signed custom metadata for one model file."""
    custom = dict(target.info.custom or {})
    name = Path(target.path).name
    if "id" not in custom:
        raise BundleError(
            f"{target.file}: the firm's signed metadata gives this model no id.",
            "Sign it again with installer/sign (--firm-models lists id, name, chat_format).",
        )
    return {
        "name": custom.get("id"),
        "licence": "approved by the firm",
        "source": f"firm bundle: {target.path}",
        "role": "firm",
        **custom,
        "file_name": name,
        "sha256": target.sha256,
        "size": target.info.length,
    }


def bundle_catalog(bundle: VerifiedBundle) -> list[dict[str, Any]]:
    """IT's signed catalog plus the firm role's models, refusing a firm id already taken.

    The firm role is delegated a narrower trust than IT's targets role; a firm model under
    an id IT's catalog or the built-in catalog (its default model included) already uses
    would stand in for that model wherever the id is chosen, so it is refused by file.
    """
    from app.models.catalog import load_catalog
    from app.paths import resource_path

    entries = _catalog_entries(bundle)
    built_in = resource_path("models", "catalog.json")
    taken = {
        str(e.get("id")): f"IT's catalog {bundle.folder / 'targets' / CATALOG_TARGET}"
        for e in entries
    }
    for spec in load_catalog(built_in):
        taken.setdefault(spec.id, f"the built-in catalog {built_in}")
    for target in bundle.targets:
        if target.role != "firm" or not target.path.endswith(".gguf"):
            continue
        entry = _firm_entry(target)
        model_id = str(entry["id"])
        if model_id in taken:
            raise BundleError(
                f"{target.file}: the firm's signed metadata gives this model the id "
                f"{model_id!r}, which {taken[model_id]} already uses; refused.",
                "Sign the firm's model under an id of its own (installer/sign --firm-models).",
            )
        taken[model_id] = f"the firm model {target.file}"
        entries.append(entry)
    return entries


def _copy_checked(target: VerifiedTarget, dest: Path, progress: Progress) -> str:
    """Copy to ``dest`` via a temporary file; 'already installed' when identical."""
    if (
        dest.is_file()
        and dest.stat().st_size == target.info.length
        and _sha256(dest) == target.sha256
    ):
        return "already installed"
    tmp = dest.with_name(f".{dest.name}.partial")
    try:
        digest, done = hashlib.sha256(), 0
        with target.file.open("rb") as src, tmp.open("wb") as out:
            while block := src.read(_CHUNK):
                out.write(block)
                digest.update(block)
                done += len(block)
                progress(done / max(target.info.length, 1), f"Copying {dest.name}")
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != target.sha256:
            raise BundleError(f"{target.file} changed while it was copied; nothing imported.")
        os.chmod(tmp, 0o644)  # a shared machine folder: every user reads the models
        os.replace(tmp, dest)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return "installed"


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(_CHUNK):
            digest.update(block)
    return digest.hexdigest()


def _write_json(path: Path, doc: object) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(doc, indent=2), encoding="utf-8")
    os.chmod(tmp, 0o644)
    os.replace(tmp, path)


def import_bundle(bundle: Path, progress: Progress = no_progress) -> ImportResult:
    """Verify ``bundle`` against the machine trust state, record it, import its models."""
    verified = verify_bundle(bundle, persist=True)
    entries = bundle_catalog(verified)
    specs = [ModelSpec.from_json(entry) for entry in entries]
    by_file = {Path(t.path).name: t for t in verified.targets if t.path.endswith(".gguf")}
    folder = models_dir()
    results = []
    for spec in specs:
        target = by_file.get(spec.file_name)
        if target is None:
            continue  # listed in the catalog, shipped another way (e.g. part packages)
        if target.sha256 != spec.sha256:
            raise BundleError(
                f"{target.file} is signed, but its hash differs from catalog entry {spec.id}."
            )
        policy.require_model_allowed(spec.sha256, f"Model {spec.id} in the bundle")
        status = _copy_checked(target, folder / spec.file_name, progress)
        results.append((spec.id, folder / spec.file_name, status))
    catalog = state.imported_catalog()
    _write_json(catalog, {"format": "chambers-model-catalog", "version": 1, "models": entries})
    audit_event(
        "bundle.import",
        object_ids=[model_id for model_id, _, _ in results],
        details={"timestamp_version": verified.timestamp_version},
    )
    return ImportResult(results, catalog, verified.timestamp_version)
