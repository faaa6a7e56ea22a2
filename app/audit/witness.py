"""Forwarding each audit record's position to syslog, where policy asks for it.

A workstation can rewrite its own files and keyring; it cannot take back a line that the
firm's log collector already received. With policy ``audit.witness = "syslog"`` every
append first sends one short line (folder digest, sequence number, line hash, action,
vault id and generation: identifiers only, never content) to the local syslog socket
(``audit.syslog_socket``, default ``/dev/log``; journald and rsyslog both listen there),
so IT can later compare ``chambers audit export`` against what the collector holds. If the
message cannot be sent the append is refused, like any other audit write failure: IT
asked for the copy, so working without it would break their policy silently.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Mapping
from typing import Any

from app import policy

#: syslog facility LOG_AUTHPRIV (10) and severity NOTICE (5): security audit messages.
_PRIORITY = 10 * 8 + 5


class WitnessError(OSError):
    """The syslog socket did not take the message."""


def witness_message(digest: str, seq: int, line_hash: str, record: Mapping[str, Any]) -> str:
    details = record.get("details") or {}
    generation = details.get("generation") if isinstance(details, dict) else None
    parts = [
        f"folder={digest}",
        f"seq={seq}",
        f"hash={line_hash}",
        f"action={record.get('action')}",
        f"outcome={record.get('outcome')}",
    ]
    if record.get("vault_id"):
        parts.append(f"vault={record['vault_id']}")
    if isinstance(generation, int):
        parts.append(f"generation={generation}")
    return "chambers-audit: " + " ".join(parts)


def send(message: str) -> None:
    """Send ``message`` when policy asks for a syslog witness; raise WitnessError if it fails."""
    if policy.audit_witness() != "syslog":
        return
    address = policy.audit_syslog_socket()
    payload = f"<{_PRIORITY}>chambers[{os.getpid()}]: {message}".encode("ascii", "replace")
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
            sock.settimeout(5)
            sock.connect(address)  # a local Unix socket, never the network
            sock.send(payload)
    except OSError as exc:
        raise WitnessError(
            f"Policy asks for each audit record to go to syslog ({address}), but sending "
            f"failed: {exc}"
        ) from exc
