"""Signed offline bundles: real TUF metadata (installer/sign) checked by tuf.ngclient.

Every tampering case is refused with an error naming the file at fault; a valid root
rotation (2 of 3 keys) is accepted. The machine trust folder and installed root are
temporary folders put in place of the root-owned ones (app.bundle.state constants).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from tuf.api.metadata import Metadata, Snapshot

from app import audit
from app.bundle import state
from app.bundle.importer import import_bundle
from app.bundle.verify import BundleError, verify_bundle
from app.cli import main
from installer.sign import tufrepo
from tests.fixtures.audit import file_store

PACKAGE = "packages/chambers_0.1.0_amd64.deb"


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    """A signing state folder with fresh throw-away keys and root version 1."""
    folder = tmp_path / "signing"
    tufrepo.create_keys(folder)
    return folder


@pytest.fixture
def machine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, keys: Path) -> Iterator[Path]:
    """Temporary stand-ins for /var/lib/chambers and the installed trust root."""
    var = tmp_path / "var-lib-chambers"
    monkeypatch.setattr(state, "STATE_DIR", var)
    root = tmp_path / "usr-share" / "root.json"
    root.parent.mkdir()
    shutil.copyfile(tufrepo.root_of(keys), root)
    monkeypatch.setattr(state, "INSTALLED_ROOT", root)
    monkeypatch.setenv("CHAMBERS_MODELS_DIR", str(tmp_path / "models"))
    audit.configure(key_store_factory=file_store)
    yield var
    audit.reset()


def make_bundle(
    keys: Path,
    folder: Path,
    tiny: Path,
    version: int,
    now: datetime | None = None,
    firm_id: str = "firm-tuned",
) -> Path:
    """A bundle with a package, a catalog naming the tiny model, and a firm-approved copy."""
    targets = folder / "targets"
    (targets / "packages").mkdir(parents=True)
    (targets / "models").mkdir()
    (targets / "firm").mkdir()
    (targets / PACKAGE).write_bytes(b"!<arch>\ndebian-binary   " + bytes([version]) * 4096)
    shutil.copyfile(tiny, targets / "models" / "tiny.gguf")
    data = tiny.read_bytes()
    (targets / "firm" / "firm-tuned.gguf").write_bytes(data)
    import hashlib

    entry = {
        "id": "tiny",
        "name": "Tiny test model",
        "file_name": "tiny.gguf",
        "sha256": hashlib.sha256(data).hexdigest(),
        "size": len(data),
        "chat_format": "plain",
        "context_length": 256,
        "role": "small-base",
    }
    (targets / "catalog.json").write_text(json.dumps({"models": [entry]}))
    firm = {"firm-tuned.gguf": {"id": firm_id, "name": "Firm tuned", "chat_format": "chatml"}}
    tufrepo.sign_bundle(keys, folder, version=version, now=now, firm_models=firm)
    return folder


def flip(path: Path, offset: int | None = None) -> None:
    data = bytearray(path.read_bytes())
    index = len(data) // 2 if offset is None else offset
    data[index] ^= 0x01
    path.write_bytes(bytes(data))


def test_valid_bundle_verifies_with_given_root(
    keys: Path, tmp_path: Path, tiny_gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bundle = make_bundle(keys, tmp_path / "b1", tiny_gguf, 1)
    verified = verify_bundle(bundle, tufrepo.root_of(keys))
    roles = {t.path: t.role for t in verified.targets}
    assert roles == {
        "catalog.json": "targets",
        "firm/firm-tuned.gguf": "firm",
        "models/tiny.gguf": "targets",
        PACKAGE: "targets",
    }
    assert main(["bundle", "verify", str(bundle), "--root", str(tufrepo.root_of(keys))]) == 0
    assert "Bundle verified (release 1, 4 files" in capsys.readouterr().out


def test_import_installs_models_and_catalog_then_refuses_older(
    keys: Path, machine: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    from app.models.store import known_models, resolve_model

    old = make_bundle(keys, tmp_path / "b1", tiny_gguf, 1)
    new = make_bundle(keys, tmp_path / "b2", tiny_gguf, 2)
    result = import_bundle(new)
    assert {(i, s) for i, _, s in result.models} == {
        ("tiny", "installed"),
        ("firm-tuned", "installed"),
    }
    assert state.imported_catalog().is_file() and (machine / "trust" / "timestamp.json").is_file()
    assert (machine / "trust" / "timestamp.json").stat().st_mode & 0o777 == 0o644  # all may verify
    models = {m.spec.id: m for m in known_models()}
    assert models["firm-tuned"].spec.chat_format == "chatml" and models["firm-tuned"].present
    assert resolve_model("tiny").path.read_bytes() == tiny_gguf.read_bytes()
    with pytest.raises(BundleError, match=r"b1/metadata/timestamp\.json: .*version 1 must be >= 2"):
        verify_bundle(old)
    with pytest.raises(BundleError, match=r"timestamp\.json"):
        import_bundle(old)
    assert import_bundle(new).models[0][2] == "already installed"


def test_flipped_byte_in_package_model_or_metadata_is_refused(
    keys: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    root = tufrepo.root_of(keys)
    for rel in (f"targets/{PACKAGE}", "targets/models/tiny.gguf", "targets/firm/firm-tuned.gguf"):
        bundle = make_bundle(keys, tmp_path / rel.replace("/", "_"), tiny_gguf, 1)
        flip(bundle / rel)
        with pytest.raises(
            BundleError, match=rf"{rel}.*does not match its signed length and SHA-256"
        ):
            verify_bundle(bundle, root)
    for role in ("timestamp", "snapshot", "targets", "firm"):
        bundle = make_bundle(keys, tmp_path / f"meta-{role}", tiny_gguf, 1)
        path = bundle / "metadata" / f"{role}.json"
        text = path.read_text()
        flip(path, text.index('"expires"') + len('"expires": "20'))  # one digit of the year
        with pytest.raises(BundleError, match=rf"metadata/{role}\.json: "):
            verify_bundle(bundle, root)


def test_unsigned_extra_file_is_refused(keys: Path, tmp_path: Path, tiny_gguf: Path) -> None:
    bundle = make_bundle(keys, tmp_path / "b", tiny_gguf, 1)
    (bundle / "targets" / "models" / "extra.gguf").write_bytes(tiny_gguf.read_bytes())
    with pytest.raises(BundleError, match=r"models/extra\.gguf is not listed"):
        verify_bundle(bundle, tufrepo.root_of(keys))


def test_replayed_older_timestamp_is_refused(
    keys: Path, machine: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    first = make_bundle(keys, tmp_path / "b1", tiny_gguf, 1)
    import_bundle(make_bundle(keys, tmp_path / "b2", tiny_gguf, 2))
    third = make_bundle(keys, tmp_path / "b3", tiny_gguf, 3)
    shutil.copyfile(first / "metadata" / "timestamp.json", third / "metadata" / "timestamp.json")
    with pytest.raises(BundleError, match=r"b3/metadata/timestamp\.json: .*must be >= 2"):
        verify_bundle(third)


def test_expired_metadata_is_refused(keys: Path, tmp_path: Path, tiny_gguf: Path) -> None:
    """Signed with the signing clock set back 100 days: the 90-day timestamp has expired."""
    past = datetime.now(UTC) - timedelta(days=100)
    bundle = make_bundle(keys, tmp_path / "b", tiny_gguf, 1, now=past)
    with pytest.raises(BundleError, match=r"metadata/timestamp\.json: timestamp\.json is expired"):
        verify_bundle(bundle, tufrepo.root_of(keys))


def test_snapshot_pointing_at_older_targets_is_refused(
    keys: Path, machine: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    first = make_bundle(keys, tmp_path / "b1", tiny_gguf, 1)
    import_bundle(make_bundle(keys, tmp_path / "b2", tiny_gguf, 2))
    third = make_bundle(keys, tmp_path / "b3", tiny_gguf, 3)
    for name in ("targets.json", "firm.json"):  # the older, validly signed targets
        shutil.copyfile(first / "metadata" / name, third / "metadata" / name)
    snap_path = third / "metadata" / "snapshot.json"
    snapshot = Metadata[Snapshot].from_file(str(snap_path))
    for meta in snapshot.signed.meta.values():
        meta.version = 1
    snapshot.sign(tufrepo.signer(keys, "snapshot"))
    snapshot.to_file(str(snap_path))
    with pytest.raises(BundleError, match=r"b3/metadata/snapshot\.json: .*older than this machine"):
        verify_bundle(third)


def test_root_rotation_needs_two_of_three(
    keys: Path, machine: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    # Below threshold: one old root key signs the new root.
    weak = tmp_path / "weak-signing"
    shutil.copytree(keys, weak)
    tufrepo.rotate_root(
        weak,
        retire="root-1",
        add="root-4",
        old_signers=["root-2"],  # 1 of the old 3: below the old threshold of 2
        new_signers=["root-4"],  # with root-2, 2 of the new 3
    )
    bundle = make_bundle(weak, tmp_path / "weak", tiny_gguf, 1)
    with pytest.raises(BundleError, match=r"metadata/2\.root\.json: .*root was signed by 1/2 keys"):
        verify_bundle(bundle)
    # At threshold: two of the three old keys and two of the new ones.
    tufrepo.rotate_root(
        keys,
        retire="root-1",
        add="root-4",
        old_signers=["root-2", "root-3"],
        new_signers=["root-2", "root-4"],
    )
    good = make_bundle(keys, tmp_path / "good", tiny_gguf, 1)
    assert len(verify_bundle(good).targets) == 4
    import_bundle(good)
    assert (machine / "trust" / "root_history" / "2.root.json").is_file()


def _verify_soon(bundle: Path, root: Path, fifo: Path) -> BaseException | None:
    """verify_bundle in a thread, given 30 s; a hang is released (by opening the FIFO's
    other end) and reported as a failure instead of blocking the test run."""
    import os
    import threading

    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            verify_bundle(bundle, root)
            outcome.append(None)
        except BaseException as exc:  # handed to the test
            outcome.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    worker.join(30)
    if worker.is_alive():
        fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
        os.close(fd)
        worker.join(30)
        pytest.fail(f"bundle verify hung on the FIFO {fifo}")
    return outcome[0]


def test_a_fifo_in_the_bundle_is_refused_not_waited_on(
    keys: Path, tmp_path: Path, tiny_gguf: Path
) -> None:
    import os

    root = tufrepo.root_of(keys)
    for rel in ("metadata/timestamp.json", "metadata/firm.json", "targets/models/tiny.gguf"):
        bundle = make_bundle(keys, tmp_path / rel.replace("/", "_"), tiny_gguf, 1)
        (bundle / rel).unlink()
        os.mkfifo(bundle / rel)
        error = _verify_soon(bundle, root, bundle / rel)
        assert isinstance(error, BundleError), error
        assert rel in error.message and "not a regular file" in error.message


def test_a_signed_model_missing_from_the_bundle_is_refused(
    keys: Path, tmp_path: Path, tiny_gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tufrepo.root_of(keys)
    for rel in ("firm/firm-tuned.gguf", "models/tiny.gguf"):
        bundle = make_bundle(keys, tmp_path / rel.replace("/", "_"), tiny_gguf, 1)
        (bundle / "targets" / rel).unlink()
        with pytest.raises(BundleError, match=rf"targets/{rel}: signed .* but missing"):
            verify_bundle(bundle, root)
        assert main(["bundle", "verify", str(bundle), "--root", str(root)]) == 4
        assert rel in capsys.readouterr().err


def test_a_firm_model_under_an_id_it_or_the_built_in_catalog_uses_is_refused(
    keys: Path, machine: Path, tmp_path: Path, tiny_gguf: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.models.catalog import default_model_id, load_catalog
    from app.paths import resource_path

    built_in_default = default_model_id(load_catalog(resource_path("models", "catalog.json")))
    cases = (("tiny", "IT's catalog"), (built_in_default, "the built-in catalog"))
    for version, (taken, owner) in enumerate(cases, start=1):
        bundle = make_bundle(keys, tmp_path / f"b-{taken}", tiny_gguf, version, firm_id=taken)
        with pytest.raises(BundleError, match=rf"firm-tuned\.gguf: .*{taken}.*{owner}") as caught:
            import_bundle(bundle)
        assert "installer/sign" in caught.value.hint
        root = str(tufrepo.root_of(keys))
        assert main(["bundle", "verify", str(bundle), "--root", root]) == 4
        assert "firm-tuned.gguf" in capsys.readouterr().err
    assert not state.imported_catalog().exists()  # nothing was imported
