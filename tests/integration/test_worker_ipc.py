"""The confined reader cannot use local IPC (issue 25): a parser exploited by a hostile
file must not reach the user's D-Bus session bus, where the Secret Service hands out the
vault's keyring secret and the audit keys, nor any other UNIX socket of the user.

Each attack runs twice in a fresh interpreter, the same code, once after the real
``confine()`` and once without it: the unconfined run must succeed (so the test could
fail), the confined one must be refused.
"""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from app.ingest.sandbox import _ARCH, seccomp_program, worker_environment
from app.ingest.worker import ExtractionWorker
from tests.fixtures.secret_service import SecretService

REPO = Path(__file__).resolve().parents[2]

#: argv: MODE (confined|open) SCRATCH ATTACK ARG; prints one JSON line.
_ATTACK = """
import json, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
mode, scratch, attack, arg = sys.argv[2:6]
missing = {}
if mode == "confined":
    from app.ingest.sandbox import confine
    missing = confine(Path(scratch))
result = {"missing": missing}
try:
    if attack == "secret":  # read a secret from the Secret Service, as keyring does
        import secretstorage
        conn = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(conn)
            items = list(collection.search_items({"chambers-test": arg}))
            result["secret"] = items[0].get_secret().decode() if items else None
        finally:
            conn.close()
    else:  # plain AF_UNIX connect to a listening socket
        import socket
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(10)
        sock.connect(arg)
        sock.sendall(b"hello from the reader")
        sock.close()
        result["sent"] = True
except Exception as exc:
    result["error"] = f"{type(exc).__name__}: {exc}"
print(json.dumps(result))
"""


def _attack(mode: str, scratch: Path, attack: str, arg: str) -> dict[str, object]:
    scratch.mkdir(exist_ok=True)
    done = subprocess.run(
        [sys.executable, "-c", _ATTACK, str(REPO), mode, str(scratch), attack, arg],
        capture_output=True,
        text=True,
        timeout=60,
        env=dict(os.environ),  # the bus address too: only confine() differs between runs
        check=False,
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_confined_reader_cannot_read_the_secret_service(
    secret_service: SecretService,
    tmp_path: Path,
) -> None:
    import secretstorage

    conn = secretstorage.dbus_init()
    try:
        collection = secretstorage.get_default_collection(conn)
        collection.create_item("chambers ipc test", {"chambers-test": "ipc"}, b"vault-slot-secret")
    finally:
        conn.close()

    opened = _attack("open", tmp_path / "a", "secret", "ipc")
    assert opened.get("secret") == "vault-slot-secret", opened  # the attack works unconfined

    confined = _attack("confined", tmp_path / "b", "secret", "ipc")
    missing = confined["missing"]
    assert isinstance(missing, dict) and "ipc" not in missing, missing
    assert "secret" not in confined, confined
    assert "Permission denied" in str(confined.get("error")), confined


def _listener(tmp_path: Path) -> tuple[socket.socket, Path]:
    path = tmp_path / "daemon.sock"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(str(path))
    server.listen(4)
    server.settimeout(0.5)
    return server, path


def _received(server: socket.socket) -> list[bytes]:
    got: list[bytes] = []
    while True:
        try:
            conn, _ = server.accept()
        except TimeoutError:
            return got
        with conn:
            conn.settimeout(5)
            got.append(conn.recv(100))


def test_confined_reader_cannot_connect_to_a_unix_socket(tmp_path: Path) -> None:
    server, path = _listener(tmp_path)
    with server:
        got: list[bytes] = []
        opened = _attack("open", tmp_path / "a", "unix", str(path))
        got += _received(server)
        assert opened.get("sent") is True and got == [b"hello from the reader"], (opened, got)

        confined = _attack("confined", tmp_path / "b", "unix", str(path))
        assert "Permission denied" in str(confined.get("error")), confined
        assert _received(server) == []


def test_running_worker_opens_no_socket_of_any_family(tmp_path: Path) -> None:
    """The worker as the app starts it (its pipe to the parent still works)."""
    server, path = _listener(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    with server:
        worker = ExtractionWorker(2048)
        try:
            report = worker.probe(outside, path)
        finally:
            worker.close()
        accepted = _received(server)  # a connection made would wait in the backlog
    for key in ("inet_socket", "unix_socket", "socketpair", "unix_connect"):
        assert str(report[key]).startswith("refused (PermissionError"), report
    assert accepted == []


@pytest.mark.parametrize(
    "name",
    [
        "DBUS_SESSION_BUS_ADDRESS",
        "DBUS_SYSTEM_BUS_ADDRESS",
        "DISPLAY",
        "XAUTHORITY",
        "WAYLAND_DISPLAY",
        "XDG_RUNTIME_DIR",
        "SSH_AUTH_SOCK",
        "GPG_AGENT_INFO",
    ],
)
def test_worker_environment_has_no_session_address(name: str, tmp_path: Path) -> None:
    parent = {name: "unix:path=/run/user/1000/bus", "LANG": "en_GB.UTF-8"}
    env = worker_environment(parent, tmp_path)
    assert name not in env and env["LANG"] == "en_GB.UTF-8"


def _run_filter(program: list[tuple[int, int, int, int]], arch: int, nr: int) -> int:
    """Classic BPF as the kernel runs a seccomp filter over (nr, arch, ...)."""
    data = {0: nr, 4: arch}
    pc = accumulator = 0
    while True:
        code, jt, jf, k = program[pc]
        if code == 0x20:  # ld [k]
            accumulator = data[k]
        elif code in (0x15, 0x35):  # jeq / jge
            hit = accumulator == k if code == 0x15 else accumulator >= k
            pc += jt if hit else jf
        elif code == 0x06:
            return k
        pc += 1


@pytest.mark.parametrize("machine", sorted(_ARCH))
def test_seccomp_program_denies_exactly_the_listed_calls(machine: str) -> None:
    """Both machines' filters, read as the kernel reads them (aarch64 is not run here)."""
    arch, denied = _ARCH[machine]
    program = seccomp_program(arch, denied)
    allow, deny = 0x7FFF0000, 0x00050000 | errno.EACCES
    for nr in denied:
        assert _run_filter(program, arch, nr) == deny
    for nr in (0, 1, 2, 3, 56, 57, 59, 63, 202, 231, 0x3FFFFFFF):  # read, write, clone...
        if nr not in denied:
            assert _run_filter(program, arch, nr) == allow
    assert _run_filter(program, arch, 0x40000000 + 41) == deny  # x32 numbering
    assert _run_filter(program, 0x40000003, 1) == deny  # i386 entry point
