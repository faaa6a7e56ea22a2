"""Run parsers in a sandboxed, reusable child process.

PDF, DOCX and mail parsers are large C and Python codebases fed hostile input: a file
can make them hang, balloon memory or crash the interpreter. Each file is therefore
read in a child process started with ``spawn`` (no inherited state, no forked locks),
with its address space capped by ``RLIMIT_AS`` and the wait capped by a timeout. A
hang, a crash or an exhausted cap becomes an ``IngestError`` naming the file; the
caller never hangs or dies. The child is reused across files (starting one and
importing PDFium costs far more than reading a typical file) and replaced after any
failure that may have left it in a bad state.

On POSIX the child is started as a fresh interpreter with an allow-listed environment
(no ``CHAMBERS_PASSPHRASE``, nothing of the user's shell) and a private scratch folder,
and confines itself before taking any file: no new privileges, no network, no new
socket of any family (its pipe to the parent is a socket pair made before it starts),
writes only to scratch (see app/ingest/sandbox.py). What the platform could not apply is logged once,
with the reason. Elsewhere (Windows) multiprocessing's ``spawn`` starts it, unconfined
apart from the memory cap and timeout, and that is logged too.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any, Protocol

from app.cancel import CancelToken
from app.ingest.errors import IngestError, ParserCrashError, ParserMemoryError, ParserTimeoutError
from app.ingest.types import ExtractedDocument, IngestLimits

_POLL_S = 0.05
_STARTUP_S = 60.0
_APP_ROOT = Path(__file__).resolve().parents[2]
_CHILD_CODE = (
    "import sys; sys.path.insert(0, sys.argv[1]); "
    "from app.ingest.worker import child_main; child_main(sys.argv[2:])"
)

log = logging.getLogger(__name__)
_reported: set[str] = set()


class _Child(Protocol):
    """What the parent needs of the child: a ``multiprocessing`` process or ``_Popen``."""

    @property
    def exitcode(self) -> int | None: ...

    def is_alive(self) -> bool: ...

    def join(self, timeout: float | None = None) -> None: ...

    def kill(self) -> None: ...


class _Popen:
    """A ``subprocess.Popen`` child behind the ``multiprocessing.Process`` interface."""

    def __init__(self, popen: subprocess.Popen[bytes]) -> None:
        self._popen = popen

    @property
    def exitcode(self) -> int | None:
        return self._popen.poll()

    def is_alive(self) -> bool:
        return self._popen.poll() is None

    def join(self, timeout: float | None = None) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self._popen.wait(timeout)

    def kill(self) -> None:
        with contextlib.suppress(OSError):
            self._popen.kill()


def _launch(child: Connection, memory_mb: int, scratch: Path) -> _Child:
    """Start the worker on ``child``'s end of the pipe, with a clean environment."""
    from app.ingest.sandbox import worker_environment

    if os.name == "posix" and not getattr(sys, "frozen", False):
        fd = child.fileno()
        popen = subprocess.Popen(
            [
                sys.executable,
                "-I",
                "-c",
                _CHILD_CODE,
                str(_APP_ROOT),
                str(fd),
                str(memory_mb),
                str(scratch),
            ],
            env=worker_environment(os.environ, scratch),
            cwd=scratch,
            pass_fds=(fd,),
            stdin=subprocess.DEVNULL,
        )
        return _Popen(popen)
    _report("environment", "the reader process inherits the environment on this platform")
    context = multiprocessing.get_context("spawn")
    process = context.Process(
        target=_serve, args=(child, memory_mb, scratch), name="chambers-ingest", daemon=True
    )
    process.start()
    return process


def _report(measure: str, reason: str) -> None:
    """Log a confinement the platform lacks, once per process (not once per worker)."""
    if measure not in _reported:
        _reported.add(measure)
        log.warning("Reader sandbox: %s not confined: %s", measure, reason)


def child_main(argv: list[str]) -> None:
    """Entry point of the worker interpreter: ``FD MEMORY_MB SCRATCH``."""
    fd, memory_mb, scratch = int(argv[0]), int(argv[1]), Path(argv[2])
    _serve(Connection(fd), memory_mb, scratch)


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


def _serve(conn: Connection, memory_mb: int, scratch: Path | None = None) -> None:
    """Child main loop: read requests until told to stop (``None``) or the pipe closes."""
    _limit_memory(memory_mb)
    missing: dict[str, str] = {}
    if scratch is not None:
        from app.ingest.sandbox import confine

        missing = confine(scratch)
    from app.ingest.reader import read_bytes, warm_up

    # Import the parsers before saying ready, so the per-file timeout measures parsing,
    # not interpreter start-up.
    try:
        warm_up()
        conn.send(("ready", missing))
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
        if request[0] == "probe":  # doctor and tests: what a parser could do from here
            from app.ingest.sandbox import probe

            unix_path = request[2] if len(request) > 2 else None
            conn.send(("ok", probe(Path(request[1]), unix_path)))
            continue
        data, name, limits = request

        def page_done(done: int, total: int) -> None:
            conn.send(("progress", (done, total)))

        try:
            from app.ingest.ocr import page_progress

            with page_progress(page_done):  # OCR: one message per recognised page
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
        self._process: _Child | None = None
        self._conn: Connection | None = None
        self._scratch: Path | None = None

    def _start(self) -> tuple[_Child, Connection]:
        if self._process is not None and self._conn is not None and self._process.is_alive():
            return self._process, self._conn
        self.close()
        parent, child = multiprocessing.Pipe(duplex=True)
        self._scratch = scratch = Path(tempfile.mkdtemp(prefix="chambers-ingest-"))
        try:
            process = _launch(child, self._memory_mb, scratch)
        except OSError as exc:
            parent.close()
            raise _StartupError(f"the reader process did not start ({exc.strerror})") from None
        finally:
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
        for measure, reason in dict(detail or {}).items():
            _report(measure, reason)
        return process, parent

    def probe(self, outside: Path, unix_path: Path | None = None) -> dict[str, Any]:
        """Ask the running worker what it can do (env, sockets, writes to ``outside``,
        connecting to the UNIX socket ``unix_path``)."""
        _, conn = self._start()
        conn.send(("probe", str(outside), None if unix_path is None else str(unix_path)))
        if not conn.poll(_STARTUP_S):
            self.close(force=True)
            raise _StartupError("the reader process did not answer")
        status, report = conn.recv()
        assert status == "ok" and isinstance(report, dict)
        return report

    def extract(
        self,
        data: bytes,
        name: str,
        limits: IngestLimits,
        cancel: CancelToken | None = None,
        pages: Callable[[int, int], None] | None = None,
    ) -> ExtractedDocument:
        """Read ``data`` in the child; the returned document carries ``data`` as content.

        ``pages`` hears (done, total) as slow per-page work (OCR) proceeds; each such
        message restarts the timeout, so it bounds a stall, not a long scan's length.
        """
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
        while True:
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
            if status != "progress":
                break
            deadline = time.monotonic() + limits.timeout_s
            if pages is not None and isinstance(payload, tuple):
                pages(*payload)
        if status == "ok" and isinstance(payload, ExtractedDocument):
            from dataclasses import replace

            return replace(payload, content=data)
        if isinstance(payload, ParserMemoryError):
            self.close()  # a MemoryError can leave the child's heap in a poor state
        assert isinstance(payload, IngestError)
        raise payload

    def _death(self, name: str, process: _Child) -> IngestError:
        process.join(1)
        code = process.exitcode
        if code is not None and code < 0 and -code == 9:
            return ParserMemoryError(
                name, f"the reader was stopped after exceeding {self._memory_mb} MiB of memory"
            )
        return ParserCrashError(name, f"the reader process crashed (exit status {code})")

    def close(self, force: bool = False) -> None:
        """Stop the child: politely if idle, at once when ``force`` (stuck or cancelled)."""
        process, conn, scratch = self._process, self._conn, self._scratch
        self._process = self._conn = self._scratch = None
        if conn is not None:
            with contextlib.suppress(OSError, ValueError):
                conn.send(None)
            conn.close()
        if process is not None:
            process.join(0 if force else 2)
            if process.is_alive():
                process.kill()
                process.join(5)
        if scratch is not None:
            shutil.rmtree(scratch, ignore_errors=True)

    def __enter__(self) -> ExtractionWorker:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
