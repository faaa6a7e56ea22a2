"""The CLI's "audit log kept but not sealed" notice: once a day per data folder, not per command.

On a machine without a usable OS keyring (a headless server, a locked desktop session)
every command that writes an audit record fails to seal it at exit. That is a lasting
state of the machine, not news, so the CLI says it at most once per data folder per day,
remembered by a small marker file (mode 0600) in the data folder. `chambers doctor` and
`chambers audit verify` say it every time, and `audit verify` still counts the unsealed
tail in full. Scripts silence it with ``CHAMBERS_QUIET_UNSEALED_AUDIT=1`` or the setting
``quiet_unsealed_audit`` (app/config.py). Any other checkpoint failure is still warned
about every time: it is a fault, not a state.
"""

from __future__ import annotations

import logging
import os
import sys
from datetime import date
from pathlib import Path

from app import audit, paths
from app.audit import NoKeyringError

log = logging.getLogger(__name__)

#: In the data folder (the audit folder's parent); holds the ISO date it was last said.
MARKER = "unsealed-audit-notice"
QUIET_ENV = "CHAMBERS_QUIET_UNSEALED_AUDIT"
SHORT = audit.UNSEALED_NOTE


def quiet() -> bool:
    """Whether the user or a script asked not to hear the notice (env var or setting)."""
    if os.environ.get(QUIET_ENV, "").strip().lower() in ("1", "true", "yes", "on"):
        return True
    try:
        from app.config import load_settings

        return load_settings().quiet_unsealed_audit
    except Exception:  # at exit a broken settings file must not hide the notice
        return False


def due_today(data_folder: Path, today: date) -> bool:
    """True the first time it is asked on ``today`` for ``data_folder``; records the asking.

    When the marker cannot be written (read-only folder) the notice is said every time:
    saying it too often beats never.
    """
    marker = data_folder / MARKER
    stamp = today.isoformat()
    try:
        if marker.read_text(encoding="ascii").strip() == stamp:
            return False
    except (OSError, UnicodeDecodeError):
        pass
    try:
        fd = os.open(marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(stamp + "\n")
        os.chmod(marker, 0o600)  # an older marker keeps its mode through O_TRUNC
    except OSError:
        pass
    return True


def report(audit_dir: Path, exc: Exception, today: date | None = None) -> None:
    """The CLI's exit reporter (see ``audit.set_exit_reporter``)."""
    if not isinstance(exc, NoKeyringError):
        log.warning("Audit checkpoint at exit failed for %s: %s", audit_dir, exc)
        return
    if quiet() or not due_today(audit_dir.parent, today or date.today()):
        return
    print(
        f"note: {SHORT} ({audit_dir}). Records are written and anchored; they are not "
        "signed. Said once a day; `chambers doctor` and `chambers audit verify` show it "
        f"every time. Silence it with {QUIET_ENV}=1 or the setting quiet_unsealed_audit.",
        file=sys.stderr,
    )


def lock_warning(warning: str) -> None:
    """A failed seal at lock (``lock_matter``'s warning), as the CLI says it.

    No keyring is the once-a-day note; anything else is a warning every time.
    """
    problem = audit.sealing_problem()
    if isinstance(problem, NoKeyringError):
        report(paths.audit_dir(), problem)
    else:
        print(f"warning: {warning}", file=sys.stderr)


def install() -> None:
    """Route the exit checkpoint's failures through ``report`` (called by app/cli.py)."""
    audit.set_exit_reporter(report)


def sealing_line(directory: Path | None = None) -> str | None:
    """The every-time line for doctor and audit verify, or None where sealing works."""
    return audit.sealing_note(directory)
