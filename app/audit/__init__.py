"""Tamper-evident audit log: the API every other layer calls.

Layers record what happened with ``audit_event`` (identifiers and short facts only, never
content); the vault asks ``last_vault_generation`` to notice a vault rolled back to an old
copy and calls ``checkpoint`` when it locks; the GUI wraps its lifetime in
``audit_session``. A process that appended anything seals it with a signed checkpoint at
exit, so CLI verbs need do nothing special. The log lives in ``paths.audit_dir()``
(resolved per call, so ``CHAMBERS_HOME`` is honoured) and its format is specified in
docs/audit-format.md.
"""

from __future__ import annotations

import atexit
import logging
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import TextIO

from app import paths
from app.audit import generations
from app.audit.export import export
from app.audit.keys import (
    AuditKeyError,
    KeyringKeyStore,
    KeyStore,
    NoKeyringError,
    WrappedFileKeyStore,
)
from app.audit.log import AuditLog, AuditLogDamagedError, AuditWriteError
from app.audit.records import AuditRecordError, DetailValue
from app.audit.verify import VerifyReport, verify
from app.errors import ChambersError, LinkedFolderError

__all__ = [
    "AuditKeyError",
    "AuditLog",
    "AuditLogDamagedError",
    "AuditRecordError",
    "AuditWriteError",
    "KeyStore",
    "KeyringKeyStore",
    "NoKeyringError",
    "VerifyReport",
    "WrappedFileKeyStore",
    "app_started",
    "app_stopped",
    "audit_event",
    "audit_log",
    "audit_session",
    "checkpoint",
    "configure",
    "export_log",
    "export_log_file",
    "forget_logs",
    "last_vault_generation",
    "reset",
    "sealing_note",
    "sealing_problem",
    "set_exit_reporter",
    "verify_log",
]

log = logging.getLogger(__name__)

KeyStoreFactory = Callable[[Path], KeyStore]
#: Told (audit folder, error) when the checkpoint at process exit fails.
ExitReporter = Callable[[Path, Exception], None]
#: Given the audit folder, where the anchor's MAC key lives (None: an unkeyed anchor).
AnchorKeyFactory = Callable[[Path], "KeyStore | None"]

_guard = threading.Lock()
_logs: dict[Path, AuditLog] = {}
_key_store_factory: KeyStoreFactory | None = None
_checkpoint_interval: int | None = None
_anchor_key_factory: AnchorKeyFactory | None = None
_atexit_registered = False
_exit_reporter: ExitReporter | None = None


def configure(
    *,
    key_store_factory: KeyStoreFactory | None = None,
    checkpoint_interval: int | None = None,
    anchor_key_factory: AnchorKeyFactory | None = None,
) -> None:
    """Choose the signing-key and anchor-key backends (given the audit folder) explicitly.

    Without this the keyring is used for both, the signing key falling back to a wrapped
    file where policy allows. Tests use it so they never touch the developer's keyring.
    """
    global _key_store_factory, _checkpoint_interval, _anchor_key_factory
    with _guard:
        _key_store_factory, _checkpoint_interval = key_store_factory, checkpoint_interval
        _anchor_key_factory = anchor_key_factory
        _logs.clear()


def forget_logs() -> None:
    """Drop the open writers (and their pending exit checkpoints), keeping the configuration.

    For a process that moves between data folders (the test suite gives each test its own):
    a log left behind is not sealed at exit against whatever anchor folder is current then.
    """
    with _guard:
        _logs.clear()


def reset() -> None:
    """Forget configuration and open logs (pending exit checkpoints are dropped)."""
    configure()


def audit_log(directory: Path | None = None) -> AuditLog:
    """The process's writer for ``directory`` (default: the current data folder's log).

    A symbolic link as the audit folder is refused (LinkedFolderError): see verify_log.
    """
    if directory is not None:
        paths.refuse_link(directory, "audit folder")
    folder = (directory or paths.audit_dir()).resolve()
    with _guard:
        found = _logs.get(folder)
        if found is None:
            store = _key_store_factory(folder) if _key_store_factory else None
            anchor_key = _anchor_key_factory(folder) if _anchor_key_factory else "keyring"
            found = AuditLog(
                folder,
                key_store=store,
                checkpoint_interval=_checkpoint_interval,
                anchor_key=anchor_key,
            )
            _logs[folder] = found
        return found


def audit_event(
    action: str,
    *,
    vault_id: str | None = None,
    object_ids: Sequence[str] = (),
    outcome: str = "ok",
    model_sha256: str | None = None,
    details: Mapping[str, DetailValue] | None = None,
) -> None:
    """Append one record. Raises AuditRecordError if a field could carry content."""
    audit_log().append(
        action,
        vault_id=vault_id,
        object_ids=object_ids,
        outcome=outcome,
        model_sha256=model_sha256,
        details=details,
    )
    _register_exit_checkpoint()


def last_vault_generation(vault_id: str) -> int | None:
    """Largest ``details["generation"]`` logged for ``vault_id`` (None if never).

    Served from a cache that is brought up to date by scanning only records appended
    since it was written (see app/audit/generations.py), so unlock stays fast. The anchors
    count too: this log's, and other logs' of this user unless this log accepted a
    restored copy of the vault (so an old copy moved into a new data folder is refused).
    """
    writer = audit_log()
    logged = generations.last_vault_generation(writer.directory, vault_id)
    anchored = writer.anchored_generation(vault_id)
    values = [v for v in (logged, anchored) if v is not None]
    return max(values) if values else None


def checkpoint() -> int | None:
    """Seal the log now (the vault calls this on lock); None if nothing was unsealed."""
    return audit_log().checkpoint()


def verify_log(directory: Path | None = None) -> VerifyReport:
    """Verify the log, including against its anchor outside the data folder.

    A symbolic link as the audit folder is checked through (the anchor is found by the
    log id, so a cut log behind it is named as such) and is itself reported as tampering:
    Chambers never makes one, and the writer refuses it.
    """
    given = directory or paths.data_dir() / "audit"
    link = paths.link_problem(given, "audit folder")
    folder = given.resolve()
    report = verify(folder, anchor=audit_log(folder).anchor)
    if link and report.ok:
        report.ok, report.status, report.problem = False, "tampered", link
    elif link:
        report.notes.append(link)
    return report


def export_log(
    out: TextIO, fmt: str, since: datetime | None = None, directory: Path | None = None
) -> int:
    """Write the records to ``out`` as CSV or JSON, and record the export (``audit.export``).

    Every front end exports through here or ``export_log_file``, so every export is in
    the log, once.
    """
    count = export((directory or paths.audit_dir()).resolve(), out, fmt, since)
    _record_export(fmt, count)
    return count


def export_log_file(
    target: Path,
    fmt: str,
    since: datetime | None = None,
    directory: Path | None = None,
    *,
    before_replace: Callable[[], None] | None = None,
) -> int:
    """Export to the file ``target`` (private to this user), then record the export.

    The records are written beside it and moved into place, so a failed or abandoned
    export leaves no half file and no record. ``before_replace`` (the desktop app's
    cancel check) may raise to abandon it.
    """
    partial = target.with_name(target.name + ".partial")
    try:
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = export((directory or paths.audit_dir()).resolve(), handle, fmt, since)
        if before_replace is not None:
            before_replace()
        os.replace(partial, target)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise ChambersError(
            f"Could not write {target}: {exc.strerror or exc}.",
            "Choose a folder you can write to, with free space.",
        ) from exc
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    _record_export(fmt, count)
    return count


def _record_export(fmt: str, count: int) -> None:
    audit_event("audit.export", details={"format": fmt, "records": count})


def app_started(interface: str = "gui") -> None:
    audit_event("app.start", details={"interface": interface})


def app_stopped(interface: str = "gui") -> None:
    """Record the stop and seal the log; a signing failure is logged, not raised."""
    audit_event("app.stop", details={"interface": interface})
    try:
        checkpoint()
    except ChambersError as exc:
        log.warning("Audit checkpoint at stop failed; tail stays unsealed: %s", exc.message)


@contextmanager
def audit_session(interface: str = "gui") -> Iterator[None]:
    """``with audit_session():`` around the GUI's event loop records start and stop."""
    app_started(interface)
    try:
        yield
    finally:
        app_stopped(interface)


def sealing_problem(directory: Path | None = None) -> AuditKeyError | None:
    """Why the log in ``directory`` cannot be sealed on this machine now, or None.

    Resolves the signing-key store without signing anything, so `chambers doctor` and
    `chambers audit verify` can say "no keyring" every time they run.
    """
    try:
        audit_log(directory).key_store()
    except AuditKeyError as exc:
        return exc
    except LinkedFolderError:
        return None  # a linked audit folder is tampering, which verify_log reports itself
    return None


#: What a missing keyring changes, in the words every front end uses.
UNSEALED_NOTE = "audit log kept but not sealed: no OS keyring"


def sealing_note(directory: Path | None = None) -> str | None:
    """The line `doctor`, `audit verify` and the desktop audit view show every time when
    the log cannot be sealed here, or None where sealing works."""
    problem = sealing_problem(directory)
    if problem is None:
        return None
    short = UNSEALED_NOTE if isinstance(problem, NoKeyringError) else "audit log cannot be sealed"
    return f"Sealing: {short}. {problem.message}"


def set_exit_reporter(reporter: ExitReporter | None) -> None:
    """Choose who hears a failed checkpoint at exit (None: a logged warning, the default).

    The CLI installs one that says "no keyring" once a day per data folder instead of
    after every command.
    """
    global _exit_reporter
    _exit_reporter = reporter


def _warn_exit_failure(directory: Path, exc: Exception) -> None:
    log.warning("Audit checkpoint at exit failed for %s: %s", directory, exc)


def _register_exit_checkpoint() -> None:
    global _atexit_registered
    with _guard:
        if not _atexit_registered:
            atexit.register(_checkpoint_at_exit)
            _atexit_registered = True


def _checkpoint_at_exit() -> None:
    """Seal whatever this process appended; never raise during interpreter shutdown."""
    with _guard:
        pending = [item for item in _logs.values() if item.dirty]
    for item in pending:
        try:
            item.checkpoint()
        except Exception as exc:
            try:
                (_exit_reporter or _warn_exit_failure)(item.directory, exc)
            except Exception:  # a reporter's own failure must not break shutdown
                _warn_exit_failure(item.directory, exc)
