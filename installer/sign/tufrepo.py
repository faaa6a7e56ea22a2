"""Create keys, sign a release bundle and rotate the root, with python-tuf's Metadata API.

No signature scheme of our own: every signature is made by securesystemslib's
``CryptoSigner`` (Ed25519) over TUF metadata built with ``tuf.api.metadata``, and verified
on the workstation by ``tuf.ngclient`` (app/bundle). A *state folder* on the signing
machine holds the private keys (``keys/*.pem``) and every root version ever issued
(``root_history/N.root.json``); see installer/README.md for which keys stay offline.

Roles: root (3 keys, threshold 2), targets, snapshot, timestamp (1 key each) and the
delegated role ``firm`` (1 key, paths ``firm/*``) with which the firm's IT approves its
own models, each described by custom metadata (id, name, chat format, ...), without
editing catalog.json.

Bundle layout (what IT copies to a USB stick)::

    bundle/metadata/{1.root.json, 2.root.json..., timestamp.json, snapshot.json,
                     targets.json, firm.json}
    bundle/targets/{catalog.json, models/*.gguf, packages/*.deb, firm/*.gguf}
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from securesystemslib.signer import CryptoSigner, SSlibKey
from tuf.api.metadata import (
    DelegatedRole,
    Delegations,
    Metadata,
    MetaFile,
    Root,
    Snapshot,
    TargetFile,
    Targets,
    Timestamp,
)
from tuf.api.serialization.json import JSONSerializer

ROOT_KEYS = ("root-1", "root-2", "root-3")
ROLE_KEYS = {"targets": "targets", "snapshot": "snapshot", "timestamp": "timestamp"}
FIRM = "firm"
#: Expiry periods in days. Sneakernet: a bundle sits on a USB stick for weeks, so even the
#: timestamp lives long; re-sign (a new timestamp) at least this often.
EXPIRY_DAYS = {"root": 365, "targets": 180, FIRM: 180, "snapshot": 90, "timestamp": 90}
_SERIALIZER = JSONSerializer(compact=False)


def _now(now: datetime | None) -> datetime:
    return (now or datetime.now(UTC)).replace(microsecond=0)


def _key_path(state: Path, name: str) -> Path:
    return state / "keys" / f"{name}.pem"


def new_key(state: Path, name: str) -> SSlibKey:
    """Generate an Ed25519 key, stored as an unencrypted PKCS#8 PEM readable by owner only.

    Real deployments keep root keys offline (a hardware token or an encrypted USB stick);
    the runbook says how. Tests and `make package` use throw-away keys made here.
    """
    path = _key_path(state, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    private = Ed25519PrivateKey.generate()
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return SSlibKey.from_crypto(private.public_key())


def signer(state: Path, name: str) -> CryptoSigner:
    """The signer for the named key in the state folder."""
    private = serialization.load_pem_private_key(_key_path(state, name).read_bytes(), None)
    if not isinstance(private, Ed25519PrivateKey):
        raise ValueError(f"{_key_path(state, name)} is not an Ed25519 private key")
    return CryptoSigner(private)


def public_key(state: Path, name: str) -> SSlibKey:
    return signer(state, name).public_key


def latest_root(state: Path) -> Metadata[Root]:
    """The newest root version in the state folder's history."""
    versions = sorted(
        int(p.name.split(".")[0]) for p in (state / "root_history").glob("*.root.json")
    )
    if not versions:
        raise FileNotFoundError(f"no root metadata in {state / 'root_history'}: run create-keys")
    return Metadata[Root].from_file(str(state / "root_history" / f"{versions[-1]}.root.json"))


def _write_root(state: Path, root: Metadata[Root]) -> Path:
    path = state / "root_history" / f"{root.signed.version}.root.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    root.to_file(str(path), _SERIALIZER)
    return path


def create_keys(state: Path, *, now: datetime | None = None) -> Path:
    """Keys for every role and root version 1 (2 of 3 root keys); returns the root's path."""
    root = Root(expires=_now(now) + timedelta(days=EXPIRY_DAYS["root"]), consistent_snapshot=False)
    for name in ROOT_KEYS:
        root.add_key(new_key(state, name), Root.type)
    root.roles[Root.type].threshold = 2
    for role, name in ROLE_KEYS.items():
        root.add_key(new_key(state, name), role)
    new_key(state, FIRM)
    metadata = Metadata(root)
    for name in ROOT_KEYS:
        metadata.sign(signer(state, name), append=True)
    return _write_root(state, metadata)


def rotate_root(
    state: Path,
    *,
    retire: str,
    add: str,
    old_signers: Iterable[str],
    new_signers: Iterable[str],
    now: datetime | None = None,
) -> Path:
    """Root version N+1 with key ``retire`` replaced by ``add`` (created if new).

    TUF accepts it only when signed by a threshold of the *old* root's keys and a threshold
    of the *new* root's keys; the caller names which keys sign, so a ceremony (and a test)
    can show what happens below threshold. Returns the new root file.
    """
    current = latest_root(state)
    root = current.signed
    new = add if _key_path(state, add).exists() else None
    key = public_key(state, add) if new else new_key(state, add)
    root.revoke_key(public_key(state, retire).keyid, Root.type)
    root.add_key(key, Root.type)
    root.version += 1
    root.expires = _now(now) + timedelta(days=EXPIRY_DAYS["root"])
    metadata = Metadata(root)
    for name in dict.fromkeys([*old_signers, *new_signers]):
        metadata.sign(signer(state, name), append=True)
    return _write_root(state, metadata)


def _target_files(targets_dir: Path, *, firm: bool) -> dict[str, TargetFile]:
    """The files under ``targets_dir`` in (``firm``) or outside (not ``firm``) ``firm/``."""
    found: dict[str, TargetFile] = {}
    for path in sorted(p for p in targets_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(targets_dir).as_posix()
        if rel.startswith(f"{FIRM}/") != firm:
            continue
        found[rel] = TargetFile.from_file(rel, str(path), ["sha256"])
    return found


def sign_bundle(
    state: Path,
    bundle: Path,
    *,
    version: int,
    now: datetime | None = None,
    firm_models: Mapping[str, Mapping[str, Any]] | None = None,
    expiry_days: Mapping[str, int] | None = None,
) -> None:
    """Write ``bundle/metadata`` describing every file under ``bundle/targets``.

    Files under ``targets/firm/`` are signed by the delegated ``firm`` role, each with the
    catalog fields from ``firm_models`` (keyed by file name) as custom metadata; all
    other files by the top-level targets role. ``version`` numbers targets, snapshot and
    timestamp alike and must grow with every release (clients refuse older ones).
    """
    start = _now(now)
    days = {**EXPIRY_DAYS, **(expiry_days or {})}
    targets_dir = bundle / "targets"
    firm_files = _target_files(targets_dir, firm=True)
    for rel, info in firm_files.items():
        info.unrecognized_fields["custom"] = dict((firm_models or {}).get(Path(rel).name, {}))
    firm = Targets(version=version, expires=start + timedelta(days=days[FIRM]), targets=firm_files)
    firm_key = public_key(state, FIRM)
    delegations = Delegations(
        keys={firm_key.keyid: firm_key},
        roles={FIRM: DelegatedRole(FIRM, [firm_key.keyid], 1, True, paths=[f"{FIRM}/*"])},
    )
    targets = Targets(
        version=version,
        expires=start + timedelta(days=days["targets"]),
        targets=_target_files(targets_dir, firm=False),
        delegations=delegations,
    )
    snapshot = Snapshot(
        version=version,
        expires=start + timedelta(days=days["snapshot"]),
        meta={"targets.json": MetaFile(version), f"{FIRM}.json": MetaFile(version)},
    )
    timestamp = Timestamp(
        version=version,
        expires=start + timedelta(days=days["timestamp"]),
        snapshot_meta=MetaFile(version),
    )
    out = bundle / "metadata"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    for root_file in sorted((state / "root_history").glob("*.root.json")):
        shutil.copyfile(root_file, out / root_file.name)
    for name, signed, key in (
        (FIRM, firm, FIRM),
        ("targets", targets, "targets"),
        ("snapshot", snapshot, "snapshot"),
        ("timestamp", timestamp, "timestamp"),
    ):
        metadata: Metadata[Any] = Metadata(signed)
        metadata.sign(signer(state, key))
        metadata.to_file(str(out / f"{name}.json"), _SERIALIZER)


def root_of(state: Path, version: int = 1) -> Path:
    """The file of root ``version``: what a workstation installs as its trust root."""
    return state / "root_history" / f"{version}.root.json"
