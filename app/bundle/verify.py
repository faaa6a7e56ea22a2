"""Verify a release bundle with TUF's reference client, reading local files only.

A bundle (installer/sign/tufrepo.py) is a folder with ``metadata/`` (TUF root history,
timestamp, snapshot, targets and the delegated ``firm`` role) and ``targets/`` (the
package, catalog.json, model files). ``tuf.ngclient.Updater`` does every check the TUF
specification asks for (signatures and thresholds, root rotation, expiry, version
rollback, snapshot consistency); our part is a fetcher that serves ``bundle:/`` URLs
from the folder, so nothing ever touches the network, and a walk over ``targets/``
checking each file's length and hashes against the signed metadata, so an unsigned
extra file is refused too.

Trust comes from the machine, never from the bundle: the root-owned trust folder
(app/bundle/state.py), seeded from the root the package installed, or an explicit
``--root`` file for trying a bundle out. A plain verify works on a copy of the trust
folder (any user may verify; nothing is recorded); import records the new state, so a
bundle older than one already imported is refused from then on.
"""

from __future__ import annotations

import os
import shutil
import socket
import stat
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO
from urllib.parse import unquote

from tuf.api import exceptions
from tuf.api.metadata import TargetFile

from app.bundle import state
from app.errors import ChambersError

# tuf.ngclient imports urllib3 (for a fetcher we never use), and urllib3 probes IPv6 at
# import by opening and binding an AF_INET6 socket. Chambers opens no network socket at
# all, so the probe is switched off (it honours socket.has_ipv6) while ngclient loads.
_HAS_IPV6, socket.has_ipv6 = socket.has_ipv6, False
try:
    from tuf.ngclient import Updater
    from tuf.ngclient.fetcher import FetcherInterface
finally:
    socket.has_ipv6 = _HAS_IPV6

SCHEME = "bundle:/"
FIRM_ROLE = "firm"
_CHUNK = 1024 * 1024


class BundleError(ChambersError):
    exit_code = 4
    default_hint = (
        "Do not install from this bundle. Copy it again from IT's original; if it still "
        "fails, ask IT for a newly signed bundle."
    )


class LocalFetcher(FetcherInterface):
    """Serves ``bundle:/<path>`` from a folder; remembers the last file for error messages."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.last: Path | None = None

    def _fetch(self, url: str) -> Iterator[bytes]:
        if not url.startswith(SCHEME):
            raise exceptions.DownloadError(f"refusing non-bundle URL {url}")
        path = (self.root / unquote(url[len(SCHEME) :])).resolve()
        if not path.is_relative_to(self.root):
            raise exceptions.DownloadError(f"refusing {url}: outside the bundle")
        self.last = path
        try:
            handle = open_regular(path)
        except FileNotFoundError as exc:  # TUF treats 404 as "no newer root", etc.
            raise exceptions.DownloadHTTPError(f"{path} is missing", 404) from exc
        except NotRegularFileError as exc:
            raise exceptions.DownloadError(str(exc)) from exc
        return _chunks(handle)


class NotRegularFileError(OSError):
    """A FIFO, device, socket or folder where a bundle file should be."""


def open_regular(path: Path) -> BinaryIO:
    """``path`` opened for reading, refused unless it is a regular file.

    Opened without blocking and checked on the open descriptor: a FIFO (which would block
    ``open`` until a writer appears, hanging `bundle verify`) or a device is refused
    without ever being read, and cannot be swapped in between a check and the open.
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags)
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegularFileError(
                f"{path} is not a regular file (a FIFO, device, socket or folder); refused."
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _chunks(handle: BinaryIO) -> Iterator[bytes]:
    with handle:
        while block := handle.read(_CHUNK):
            yield block


@dataclass(frozen=True)
class VerifiedTarget:
    """A bundle file whose length and hashes matched the signed metadata."""

    path: str  # as named in the metadata, e.g. "models/x.gguf"
    file: Path
    info: TargetFile
    role: str  # "targets" or "firm"

    @property
    def sha256(self) -> str:
        return str(self.info.hashes["sha256"])


@dataclass(frozen=True)
class VerifiedBundle:
    folder: Path
    targets: list[VerifiedTarget]
    timestamp_version: int

    def target(self, path: str) -> VerifiedTarget | None:
        return next((t for t in self.targets if t.path == path), None)


def _client_dir(work: Path, root: Path | None, persist: bool) -> tuple[Path, bytes | None]:
    """The TUF metadata folder to use and the bootstrap root (None: use its root.json)."""
    if root is not None:
        if persist:
            raise BundleError(
                "A bundle is imported against the installed trust root only.",
                "Drop --root; use it with `chambers bundle verify` to try a bundle out.",
            )
        try:
            return work, root.read_bytes()
        except OSError as exc:
            raise BundleError(f"Cannot read the trust root {root}: {exc.strerror}.") from exc
    trust = state.trust_dir()
    if persist:
        try:
            trust.mkdir(parents=True, exist_ok=True, mode=0o755)
            probe = trust / ".write-test"
            probe.write_bytes(b"")
            probe.unlink()
        except OSError as exc:
            raise BundleError(
                f"The machine trust folder {trust} is not writable ({exc.strerror}).",
                "Import bundles as root (sudo chambers bundle import PATH): the trust state "
                "and the shared models folder belong to the machine, not to one user.",
            ) from exc
        client = trust
    else:
        client = work / "trust"
        try:
            if trust.is_dir():
                shutil.copytree(trust, client, symlinks=True)
            else:
                client.mkdir()
        except OSError as exc:
            raise BundleError(
                f"Cannot read the machine trust folder {trust} ({exc}).",
                "Ask IT to run `sudo chambers bundle import` again, which makes it readable.",
            ) from exc
    if (client / "root.json").exists():
        return client, None
    installed = state.installed_root()
    try:
        return client, installed.read_bytes()
    except OSError as exc:
        raise BundleError(
            f"No trust root is installed ({installed}: {exc.strerror}).",
            "Reinstall the Chambers package, or pass --root ROOT.json to verify against a "
            "root you obtained from IT.",
        ) from exc


def _message(where: Path, exc: Exception) -> str:
    """TUF's reason, the file it concerns, and what a version error means for IT."""
    text = f"{where}: {exc}"
    if isinstance(exc, exceptions.BadVersionNumberError):
        text += " (older than this machine already trusts: a rollback, refused)"
    elif isinstance(exc, exceptions.ExpiredMetadataError):
        text += " (IT must sign the bundle again before it can be used)"
    return text


def _check_targets(updater: Updater, bundle: Path, fetcher: LocalFetcher) -> list[VerifiedTarget]:
    folder = bundle / "targets"
    verified = []
    for file in sorted(folder.rglob("*")):
        if file.is_dir():
            continue
        rel = file.relative_to(folder).as_posix()
        try:
            info = updater.get_targetinfo(rel)
        except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
            raise BundleError(_message(fetcher.last or file, exc)) from exc
        if info is None:
            raise BundleError(f"{file} is not listed in the bundle's signed metadata.")
        try:
            with open_regular(file) as handle:
                info.verify_length_and_hashes(handle)
        except NotRegularFileError as exc:
            raise BundleError(str(exc)) from exc
        except OSError as exc:
            raise BundleError(f"Cannot read {file}: {exc.strerror}.") from exc
        except exceptions.LengthOrHashMismatchError as exc:
            raise BundleError(
                f"{file} does not match its signed length and SHA-256 ({exc})."
            ) from exc
        role = FIRM_ROLE if rel.startswith(f"{FIRM_ROLE}/") else "targets"
        verified.append(VerifiedTarget(rel, file, info, role))
    return verified


def verify_bundle(
    bundle: Path, root: Path | None = None, *, persist: bool = False
) -> VerifiedBundle:
    """Check every signature, version, expiry and file of ``bundle``; BundleError if any fails.

    ``persist`` (import) records the verified metadata in the machine trust folder.
    """
    bundle = Path(bundle)
    if not (bundle / "metadata").is_dir() or not (bundle / "targets").is_dir():
        raise BundleError(
            f"{bundle} is not a Chambers release bundle (it needs metadata/ and targets/).",
            "Point at the folder IT copied, the one holding metadata/ and targets/.",
        )
    with tempfile.TemporaryDirectory(prefix="chambers-bundle-") as tmp:
        client, bootstrap = _client_dir(Path(tmp), root, persist)
        fetcher = LocalFetcher(bundle)
        try:
            updater = Updater(
                str(client),
                f"{SCHEME}metadata/",
                None,
                f"{SCHEME}targets/",
                fetcher=fetcher,
                bootstrap=bootstrap,
            )
            updater.refresh()
        except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
            raise BundleError(_message(fetcher.last or bundle / "metadata", exc)) from exc
        targets = _check_targets(updater, bundle, fetcher)
        _check_none_missing(updater, fetcher, client, targets)
        version = _timestamp_version(client)
        if persist:
            _readable_by_all(client)
    return VerifiedBundle(bundle, targets, version)


def _signed_targets(updater: Updater, client: Path, fetcher: LocalFetcher) -> dict[str, str]:
    """Every file the verified metadata signs: path -> role (targets and the firm role).

    TUF keeps the metadata it verified in the client folder; the firm role is loaded (and
    verified) by looking up a path under it, since an absent file never asks for it.
    """
    from tuf.api.metadata import Metadata, Targets

    try:
        updater.get_targetinfo(f"{FIRM_ROLE}/.chambers-probe")
    except (exceptions.RepositoryError, exceptions.DownloadError) as exc:
        raise BundleError(_message(fetcher.last or client, exc)) from exc
    signed: dict[str, str] = {}
    for role in ("targets", FIRM_ROLE):
        try:
            meta = Metadata[Targets].from_file(str(client / f"{role}.json"))
        except (OSError, exceptions.RepositoryError, ValueError):
            continue
        signed.update({path: role for path in meta.signed.targets})
    return signed


def _check_none_missing(
    updater: Updater, fetcher: LocalFetcher, client: Path, targets: list[VerifiedTarget]
) -> None:
    """A file the metadata signs but the bundle lacks is refused, never skipped silently."""
    present = {t.path for t in targets}
    missing = sorted(set(_signed_targets(updater, client, fetcher)) - present)
    if missing:
        shown = ", ".join(str(fetcher.root / "targets" / path) for path in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise BundleError(
            f"{shown}{more}: signed in the bundle's metadata but missing from the bundle "
            "(a copy that lost files, or files removed); refused.",
        )


def _readable_by_all(folder: Path) -> None:
    """TUF writes its state 0600; any user's `bundle verify` must read it (never write)."""
    for path in (folder, *folder.rglob("*")):
        if not path.is_symlink():
            path.chmod(0o755 if path.is_dir() else 0o644)


def _timestamp_version(client: Path) -> int:
    from tuf.api.metadata import Metadata, Timestamp

    try:
        return Metadata[Timestamp].from_file(str(client / "timestamp.json")).signed.version
    except (OSError, exceptions.RepositoryError):
        return 0
