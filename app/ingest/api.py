"""File-level entry points: read a path safely, extract it in the sandbox, batch many.

The file is read once here, capped at ``max_bytes`` before reading, and those same
bytes are hashed, parsed and returned, so what the vault stores is exactly what was
parsed and the SHA-256 identifies it (same bytes twice, one document).
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from app.cancel import CancelToken, Progress, no_progress
from app.ingest.errors import IngestError, TooLargeError
from app.ingest.model import ExtractedDocument, IngestLimits
from app.ingest.worker import ExtractionWorker


class FileNotReadableError(IngestError):
    reason = "not readable"
    default_hint = "Check that the file exists and that you are allowed to open it."


def read_file(path: Path, limits: IngestLimits) -> bytes:
    """The file's bytes, refusing oversize files before reading them into memory."""
    name = path.name
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise TooLargeError(
                name,
                f"it is {size / 2**20:.1f} MiB, more than the limit of {limits.max_bytes / 2**20:.0f} MiB",
            )
        with path.open("rb") as handle:
            data = handle.read(limits.max_bytes + 1)
    except FileNotFoundError:
        raise FileNotReadableError(name, "the file does not exist") from None
    except IsADirectoryError:
        raise FileNotReadableError(name, "it is a folder, not a file") from None
    except PermissionError:
        raise FileNotReadableError(name, "permission to read it was denied") from None
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
        self, data: bytes, name: str, cancel: CancelToken | None = None
    ) -> ExtractedDocument:
        return self._worker.extract(data, name, self.limits, cancel)

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
) -> Iterator[IngestOutcome]:
    """Extract files in order, yielding one outcome per path as soon as it is known.

    Progress is reported by bytes, so one 600-page PDF moves the bar as much as it
    costs. Cancel is honoured between files and while a file is being read (the worker
    is stopped); ``CancelledError`` is raised and outcomes already yielded stand, so an
    interrupted import resumes by passing the stored hashes as ``known_sha256``.
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
                data = read_file(path, extractor.limits)
                digest = hashlib.sha256(data).hexdigest()
                if digest in seen:
                    yield IngestOutcome(path, duplicate_of=digest)
                else:
                    document = extractor.extract_bytes(data, path.name, cancel)
                    seen.add(digest)
                    yield IngestOutcome(path, document=document)
            except IngestError as exc:
                yield IngestOutcome(path, error=exc)
            done += size
        progress(1.0, f"Read {len(items)} files")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
