"""Run parsers in a sandboxed, reusable child process.

PDF, DOCX and mail parsers are large C and Python codebases fed hostile input: a file
can make them hang, balloon memory or crash the interpreter. Each file is therefore
read in a child process started with ``spawn`` (no inherited state, no forked locks),
with its address space capped by ``RLIMIT_AS`` and the wait capped by a timeout. A
hang, a crash or an exhausted cap becomes an ``IngestError`` naming the file; the
caller never hangs or dies. The child is reused across files (starting one and
importing PDFium costs far more than reading a typical file) and replaced after any
failure that may have left it in a bad state.
"""

from __future__ import annotations

import contextlib
import errno
import multiprocessing
import time
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from types import TracebackType

from app.cancel import CancelToken
from app.ingest.errors import IngestError, ParserCrashError, ParserMemoryError, ParserTimeoutError
from app.ingest.model import ExtractedDocument, IngestLimits

_POLL_S = 0.05
_STARTUP_S = 60.0


class _StartupError(Exception):
    """The worker could not start; turned into an IngestError naming the file."""


def _limit_memory(memory_mb: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: no rlimits; the timeout still applies
        return
    cap = memory_mb * 1024 * 1024
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def _serve(conn: Connection, memory_mb: int) -> None:
    """Child main loop: read requests until told to stop (``None``) or the pipe closes."""
    _limit_memory(memory_mb)
    from app.ingest.reader import read_bytes, warm_up

    # Import the parsers before saying ready, so the per-file timeout measures parsing,
    # not interpreter start-up.
    try:
        warm_up()
        conn.send(("ready", None))
    except (MemoryError, OSError, ImportError) as exc:
        conn.send(("failed", type(exc).__name__))
        return

    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        data, name, limits = request
        try:
            document = read_bytes(data, name, limits)
            # The parent already holds the bytes; do not ship them back.
            reply: tuple[str, object] = ("ok", _without_content(document))
        except IngestError as exc:
            reply = ("error", exc)
        except MemoryError:
            reply = (
                "error",
                ParserMemoryError(name, f"reading it needed more than {memory_mb} MiB of memory"),
            )
        except OSError as exc:
            # Failing to map memory (a shared library, a buffer) under RLIMIT_AS shows up
            # as OSError rather than MemoryError.
            if (
                exc.errno == errno.ENOMEM
                or "memory" in str(exc).lower()
                or "map" in str(exc).lower()
            ):
                reply = (
                    "error",
                    ParserMemoryError(
                        name, f"reading it needed more than {memory_mb} MiB of memory"
                    ),
                )
            else:
                reply = (
                    "error",
                    ParserCrashError(name, f"the reader failed ({type(exc).__name__})"),
                )
        except RecursionError:
            reply = ("error", ParserCrashError(name, "its structure is nested too deeply to read"))
        except Exception as exc:  # a parser bug on odd input: report, keep serving
            reply = ("error", ParserCrashError(name, f"the reader failed ({type(exc).__name__})"))
        try:
            conn.send(reply)
        except MemoryError:
            conn.send(
                ("error", ParserMemoryError(name, "the extracted text was too large to return"))
            )


def _without_content(document: ExtractedDocument) -> ExtractedDocument:
    from dataclasses import replace

    return replace(document, content=b"")


class ExtractionWorker:
    """One child process serving extraction requests, restarted on demand."""

    def __init__(self, memory_mb: int) -> None:
        self._memory_mb = memory_mb
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None

    def _start(self) -> tuple[BaseProcess, Connection]:
        if self._process is not None and self._conn is not None and self._process.is_alive():
            return self._process, self._conn
        self.close()
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=True)
        process = context.Process(
            target=_serve, args=(child, self._memory_mb), name="chambers-ingest", daemon=True
        )
        process.start()
        child.close()
        self._process, self._conn = process, parent
        deadline = time.monotonic() + _STARTUP_S
        while not parent.poll(_POLL_S):
            if not process.is_alive() or time.monotonic() > deadline:
                self.close(force=True)
                raise _StartupError("the reader process did not start")
        try:
            status, detail = parent.recv()
        except (EOFError, OSError):
            status, detail = "failed", "EOFError"
        if status != "ready":
            self.close(force=True)
            raise _StartupError(f"the reader process could not start ({detail})")
        return process, parent

    def extract(
        self, data: bytes, name: str, limits: IngestLimits, cancel: CancelToken | None = None
    ) -> ExtractedDocument:
        """Read ``data`` in the child; the returned document carries ``data`` as content."""
        if limits.memory_mb != self._memory_mb:
            self.close()
            self._memory_mb = limits.memory_mb
        try:
            process, conn = self._start()
        except _StartupError as exc:
            raise ParserMemoryError(name, f"{exc} within {self._memory_mb} MiB of memory") from None
        try:
            conn.send((data, name, limits))
        except (BrokenPipeError, OSError):
            self.close()
            raise ParserCrashError(name, "the reader process stopped unexpectedly") from None
        deadline = time.monotonic() + limits.timeout_s
        while not conn.poll(_POLL_S):
            if cancel is not None and cancel.cancelled:
                self.close(force=True)
                cancel.raise_if_cancelled()
            if not process.is_alive():
                self.close(force=True)
                raise self._death(name, process)
            if time.monotonic() > deadline:
                self.close(force=True)
                raise ParserTimeoutError(
                    name, f"reading it took longer than {limits.timeout_s:g} seconds"
                )
        try:
            status, payload = conn.recv()
        except (EOFError, OSError):
            self.close()
            raise self._death(name, process) from None
        if status == "ok" and isinstance(payload, ExtractedDocument):
            from dataclasses import replace

            return replace(payload, content=data)
        if isinstance(payload, ParserMemoryError):
            self.close()  # a MemoryError can leave the child's heap in a poor state
        assert isinstance(payload, IngestError)
        raise payload

    def _death(self, name: str, process: BaseProcess) -> IngestError:
        process.join(1)
        code = process.exitcode
        if code is not None and code < 0 and -code == 9:
            return ParserMemoryError(
                name, f"the reader was stopped after exceeding {self._memory_mb} MiB of memory"
            )
        return ParserCrashError(name, f"the reader process crashed (exit status {code})")

    def close(self, force: bool = False) -> None:
        """Stop the child: politely if idle, at once when ``force`` (stuck or cancelled)."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if process is not None:
            process.join(0 if force else 2)
            if process.is_alive():
                process.kill()
                process.join(5)

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
