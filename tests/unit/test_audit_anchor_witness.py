"""Policy ``audit.witness = "syslog"``: each record's position goes to a syslog socket first.

The test binds its own Unix datagram socket (as journald or rsyslog does at /dev/log) and
points the machine policy at it through a fake /etc (policy.EXTRA_MACHINE_SOURCES).
"""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from app import audit, policy
from app.audit import AuditWriteError
from app.audit.records import line_hash
from app.policy_sources import LinuxPolicyFiles


def _machine_policy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, doc: dict[str, object]
) -> None:
    etc = tmp_path / "etc-chambers"
    etc.mkdir()
    (etc / "policy.json").write_text(json.dumps(doc))
    monkeypatch.setattr(policy, "EXTRA_MACHINE_SOURCES", [LinuxPolicyFiles(etc)])


@pytest.fixture(name="syslog_socket")
def syslog_socket_fixture(tmp_path: Path) -> Iterator[tuple[socket.socket, Path]]:
    path = tmp_path / "log.sock"
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(path))
    sock.settimeout(5)
    yield sock, path
    sock.close()


def test_every_record_is_sent_to_syslog_when_policy_asks(
    audit_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    syslog_socket: tuple[socket.socket, Path],
) -> None:
    sock, path = syslog_socket
    _machine_policy(
        tmp_path, monkeypatch, {"audit": {"witness": "syslog", "syslog_socket": str(path)}}
    )
    audit.audit_event("vault.unlock", vault_id="v1", details={"generation": 7})
    message = sock.recv(4096).decode("ascii")
    line = (audit_home / "audit.jsonl").read_bytes().splitlines()[0]
    assert message.startswith("<85>chambers[")
    assert "seq=1" in message and f"hash={line_hash(line)}" in message
    assert "action=vault.unlock" in message and "vault=v1" in message and "generation=7" in message


def test_an_unreachable_syslog_refuses_the_record(
    audit_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = tmp_path / "no-such.sock"
    _machine_policy(
        tmp_path, monkeypatch, {"audit": {"witness": "syslog", "syslog_socket": str(missing)}}
    )
    with pytest.raises(AuditWriteError, match="syslog"):
        audit.audit_event("vault.unlock", vault_id="v1")
    assert (
        not (audit_home / "audit.jsonl").exists() or not (audit_home / "audit.jsonl").read_bytes()
    )


def test_a_user_policy_file_cannot_redirect_the_witness(
    audit_home: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    syslog_socket: tuple[socket.socket, Path],
) -> None:
    sock, path = syslog_socket
    _machine_policy(
        tmp_path, monkeypatch, {"audit": {"witness": "syslog", "syslog_socket": str(path)}}
    )
    user = tmp_path / "user-policy.json"
    user.write_text(json.dumps({"audit": {"witness": "none", "syslog_socket": "/tmp/mine"}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(user))
    assert policy.audit_witness() == "syslog" and policy.audit_syslog_socket() == str(path)
    audit.audit_event("vault.lock", vault_id="v1")
    assert "action=vault.lock" in sock.recv(4096).decode("ascii")


def test_no_policy_means_no_witness_and_no_file_key(audit_home: Path) -> None:
    assert policy.audit_witness() == "none"
    assert policy.allow_file_signing_key() is False
