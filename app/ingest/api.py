"""File-level entry points: read a path safely, extract it in the sandbox, batch many.

The file is read once here, capped at ``max_bytes`` before reading, and those same
bytes are hashed, parsed and returned, so what the vault stores is exactly what was
parsed and the SHA-256 identifies it (same bytes twice, one document).
"""

from __future__ import annotations

import errno
import hashlib
import os
import stat
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.cancel import CancelToken, Progress, no_progress
from app.ingest.errors import IngestError, TooLargeError
from app.ingest.types import ExtractedDocument, IngestLimits
from app.ingest.worker import ExtractionWorker


class FileNotReadableError(IngestError):
    reason = "not readable"
    default_hint = "Check that the file exists and that you are allowed to open it."


class NotRegularFileError(IngestError):
    """A FIFO, device or socket: reading one can block forever or have side effects."""

    reason = "not a regular file"
    default_hint = "Only ordinary files are imported. Copy the content into a file first."


class SymlinkRefusedError(IngestError):
    """A symbolic link given directly, or one leading out of the folder given."""

    reason = "symbolic link"
    default_hint = (
        "Import the file it points to by its own name, or pass --follow-symlinks if you "
        "mean to import what the link points to."
    )


_KINDS = {
    stat.S_IFIFO: "a named pipe (FIFO)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
    stat.S_IFDIR: "a folder, not a file",
}


def _require_regular(info: os.stat_result, name: str) -> None:
    if not stat.S_ISREG(info.st_mode):
        kind = _KINDS.get(stat.S_IFMT(info.st_mode), "not a regular file")
        if stat.S_ISDIR(info.st_mode):
            raise FileNotReadableError(name, "it is a folder, not a file")
        raise NotRegularFileError(name, f"it is {kind}")


def _checked_target(path: Path, follow_symlinks: bool, within: Path | None) -> Path:
    """The path to open: ``path`` itself, or a symbolic link's target where allowed.

    A link found in a folder is followed only to a file inside that folder; a link
    named directly only with ``follow_symlinks``. Devices, FIFOs and sockets are refused
    from their metadata, before anything opens them.
    """
    name = path.name
    info = os.lstat(path)
    if stat.S_ISLNK(info.st_mode):
        target = path.resolve()
        if not follow_symlinks:
            if within is None:
                raise SymlinkRefusedError(name, "it is a symbolic link")
            if not target.is_relative_to(within.resolve()):
                raise SymlinkRefusedError(
                    name, "it is a symbolic link to a file outside the folder given"
                )
        path, info = target, os.stat(target)
    _require_regular(info, name)
    return path


def read_file(
    path: Path, limits: IngestLimits, *, follow_symlinks: bool = False, within: Path | None = None
) -> bytes:
    """The file's bytes, refusing oversize files before reading them into memory.

    Only regular files are read. ``within`` is the folder the file was found in (None for
    a file named directly); see ``_checked_target`` for links. The file is opened without
    blocking and without following a link swapped in since the check, and checked again
    on the open descriptor, so a FIFO can never hang the import.
    """
    name = path.name
    try:
        target = _checked_target(path, follow_symlinks, within)
        flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
        flags |= getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)
        with os.fdopen(os.open(target, flags), "rb") as handle:
            info = os.fstat(handle.fileno())
            _require_regular(info, name)
            if info.st_size > limits.max_bytes:
                raise TooLargeError(
                    name,
                    f"it is {info.st_size / 2**20:.1f} MiB, more than the limit of "
                    f"{limits.max_bytes / 2**20:.0f} MiB",
                )
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise FileNotReadableError(name, "the file does not exist") from None
    except IsADirectoryError:
        raise FileNotReadableError(name, "it is a folder, not a file") from None
    except PermissionError:
        raise FileNotReadableError(name, "permission to read it was denied") from None
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # a link swapped in after the check
            raise SymlinkRefusedError(name, "it is a symbolic link") from None
        raise FileNotReadableError(name, f"it could not be read ({exc.strerror})") from None
    if len(data) > limits.max_bytes:
        raise TooLargeError(
            name, f"it is larger than the limit of {limits.max_bytes / 2**20:.0f} MiB"
        )
    return data


class Extractor:
    """Extracts files one after another through one reusable sandboxed worker.

    Use it as a context manager for batches; the worker process is started on first use
    and replaced automatically after a crash, timeout or cancel.
    """

    def __init__(self, limits: IngestLimits | None = None) -> None:
        self.limits = limits or IngestLimits()
        self._worker = ExtractionWorker(self.limits.memory_mb)

    def extract(self, path: Path, cancel: CancelToken | None = None) -> ExtractedDocument:
        data = read_file(Path(path), self.limits)
        return self.extract_bytes(data, Path(path).name, cancel)

    def extract_bytes(
        self,
        data: bytes,
        name: str,
        cancel: CancelToken | None = None,
        pages: Callable[[int, int], None] | None = None,
    ) -> ExtractedDocument:
        """``pages`` hears (done, total) per OCR'd page, for a progress bar."""
        return self._worker.extract(data, name, self.limits, cancel, pages)

    def close(self) -> None:
        self._worker.close()

    def __enter__(self) -> Extractor:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def extract(
    path: Path, limits: IngestLimits | None = None, cancel: CancelToken | None = None
) -> ExtractedDocument:
    """Extract one file in a fresh sandboxed worker (batches: use ``Extractor``)."""
    with Extractor(limits) as extractor:
        return extractor.extract(path, cancel)


@dataclass(frozen=True)
class IngestOutcome:
    """What happened to one path of a batch: exactly one of the three fields is set.

    ``duplicate_of`` is the SHA-256 of identical bytes seen earlier in the batch or
    listed in ``known_sha256`` (already in the vault): such files are not parsed again.
    """

    path: Path
    document: ExtractedDocument | None = None
    error: IngestError | None = None
    duplicate_of: str | None = None


def extract_many(
    paths: Iterable[Path],
    limits: IngestLimits | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    known_sha256: Collection[str] = (),
    *,
    follow_symlinks: bool = False,
    found_in: Mapping[Path, Path] | None = None,
) -> Iterator[IngestOutcome]:
    """Extract files in order, yielding one outcome per path as soon as it is known.

    Progress is reported by bytes, so one 600-page PDF moves the bar as much as it
    costs. Cancel is honoured between files and while a file is being read (the worker
    is stopped); ``CancelledError`` is raised and outcomes already yielded stand, so an
    interrupted import resumes by passing the stored hashes as ``known_sha256``.
    ``found_in`` maps a path found by listing a folder to that folder (links inside it
    may not lead out of it); paths not in it were named directly (see ``read_file``).
    """
    items = [Path(p) for p in paths]
    sizes = [_size(p) for p in items]
    total = max(sum(sizes), 1)
    done = 0
    seen: set[str] = set(known_sha256)
    with Extractor(limits) as extractor:
        for index, (path, size) in enumerate(zip(items, sizes, strict=True)):
            if cancel is not None:
                cancel.raise_if_cancelled()
            progress(done / total, f"Reading {path.name} ({index + 1}/{len(items)})")
            try:
                data = read_file(
                    path,
                    extractor.limits,
                    follow_symlinks=follow_symlinks,
                    within=(found_in or {}).get(path),
                )
                digest = hashlib.sha256(data).hexdigest()
                if digest in seen:
                    yield IngestOutcome(path, duplicate_of=digest)
                else:

                    def ocr_page(
                        page: int, pages: int, base: int = done, size: int = size, at: Path = path
                    ) -> None:
                        progress(
                            (base + size * page / max(pages, 1)) / total,
                            f"Recognising text in {at.name}: page {page} of {pages}",
                        )

                    document = extractor.extract_bytes(data, path.name, cancel, ocr_page)
                    seen.add(digest)
                    yield IngestOutcome(path, document=document)
            except IngestError as exc:
                yield IngestOutcome(path, error=exc)
            done += size
        progress(1.0, f"Read {len(items)} files")


def _size(path: Path) -> int:
    try:
        return path.lstat().st_size
    except OSError:
        return 0
