"""Confine the parsing worker: clean environment, no new privileges, no network, no local
IPC, writes only to its scratch folder.

A parser exploited by a hostile file runs with the worker's rights, so the worker keeps
as few as the platform lets it drop, each measure independent of the others:

- **environment**: started with an allow-list (locale, time zone, scratch as HOME and
  TMPDIR), so ``CHAMBERS_PASSPHRASE`` and any other secret of the user's shell is never
  in its memory, nor the addresses of the user's session services (D-Bus, X11,
  Wayland, ``XDG_RUNTIME_DIR``, SSH and GPG agents);
- **no_new_privs** (Linux): exec of a setuid binary gains nothing; also the
  precondition for the two filters below without privileges;
- **network**: a fresh network namespace where the kernel allows one (no interfaces);
- **sockets and local IPC** (seccomp, always on Linux): ``socket()``, ``socketpair()`` and
  ``connect()`` fail for every family, AF_UNIX included. A UNIX socket reaches the
  user's D-Bus session bus, where the Secret Service hands out the vault's keyring
  secret and the audit keys, and every other daemon of the user; knowing the address is
  not needed (``/run/user/UID/bus`` is guessable), so the environment alone is no
  defence. The worker needs no new socket: its one channel to the parent is a socket
  pair created and connected before it starts, inherited as a file descriptor, and read
  and written with ``read``/``write``. Also refused: io_uring (which can open sockets
  too), ``ptrace``, ``process_vm_readv``/``writev`` and ``pidfd_getfd`` (reading another
  process of the user, or taking its open sockets);
- **writes** (Landlock, Linux >= 5.13): creating, writing, truncating, renaming or
  removing files is refused outside the scratch folder; with Landlock ABI >= 6 also
  connecting to abstract UNIX sockets and signalling processes outside the worker.

What could not be applied is returned as a reason (the parent logs it once); reading
files stays allowed (the parsers need their libraries), and the memory cap and timeout
in app/ingest/worker.py still hold everywhere.
"""

from __future__ import annotations

import ctypes
import errno
import os
import platform
import socket
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

from app.hardening import libc, set_no_new_privs

#: Variables the worker may inherit (nothing else: the user's environment can hold secrets
#: and the addresses of the user's session services: DBUS_SESSION_BUS_ADDRESS, DISPLAY,
#: XAUTHORITY, WAYLAND_DISPLAY, XDG_RUNTIME_DIR, SSH_AUTH_SOCK are all left out).
ENV_ALLOW = ("LANG", "LC_ALL", "LC_CTYPE", "TZ", "TESSDATA_PREFIX", "SYSTEMROOT", "WINDIR")


def worker_environment(parent: Mapping[str, str], scratch: Path) -> dict[str, str]:
    """The worker's whole environment: the allow-list, plus scratch as home and temp."""
    env = {name: parent[name] for name in ENV_ALLOW if name in parent}
    env["PATH"] = os.defpath
    for name in ("HOME", "TMPDIR", "TMP", "TEMP"):
        env[name] = str(scratch)
    return env


# -- Linux constants ---------------------------------------------------------------------

_CLONE_NEWNET = 0x40000000
_PR_SET_SECCOMP = 22
_SECCOMP_MODE_FILTER = 2
_SECCOMP_RET_ALLOW = 0x7FFF0000
_SECCOMP_RET_ERRNO = 0x00050000
#: Per machine: the audit arch, then the system calls refused with EACCES (socket,
#: socketpair, connect, ptrace, process_vm_readv, process_vm_writev, io_uring_setup,
#: pidfd_getfd).
_ARCH = {
    "x86_64": (0xC000003E, (41, 53, 42, 101, 310, 311, 425, 438)),
    "aarch64": (0xC00000B7, (198, 199, 203, 117, 270, 271, 425, 438)),
}

_LANDLOCK_CREATE_RULESET, _LANDLOCK_ADD_RULE, _LANDLOCK_RESTRICT_SELF = 444, 445, 446
_LANDLOCK_CREATE_RULESET_VERSION = 1
_LANDLOCK_RULE_PATH_BENEATH = 1
# write-side filesystem rights, ABI 1 (WRITE_FILE, REMOVE_*, MAKE_*), 2 (REFER), 3 (TRUNCATE)
_FS_WRITE_V1 = (1 << 1) | (1 << 4) | (1 << 5) | sum(1 << bit for bit in range(6, 13))
_FS_REFER, _FS_TRUNCATE = 1 << 13, 1 << 14
_SCOPE_ABSTRACT_UNIX_SOCKET, _SCOPE_SIGNAL = 1 << 0, 1 << 1


class _SockFilter(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_ushort),
        ("jt", ctypes.c_ubyte),
        ("jf", ctypes.c_ubyte),
        ("k", ctypes.c_uint),
    ]


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_SockFilter))]


class _RulesetAttr(ctypes.Structure):
    _fields_ = [
        ("handled_access_fs", ctypes.c_uint64),
        ("handled_access_net", ctypes.c_uint64),
        ("scoped", ctypes.c_uint64),
    ]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _syscall(number: int, *args: object) -> int:
    lib = libc()
    if lib is None:
        return -1
    fn = lib.syscall
    fn.restype = ctypes.c_long
    return int(fn(ctypes.c_long(number), *args))  # restype is set on every call: same value


def _errno_text() -> str:
    code = ctypes.get_errno()
    return errno.errorcode.get(code, str(code))


def unshare_network() -> str | None:
    """A new, empty network namespace; None on success, else why not."""
    lib = libc()
    if lib is None:
        return "not Linux"
    if lib.unshare(ctypes.c_int(_CLONE_NEWNET)) != 0:
        return f"network namespace not permitted ({_errno_text()})"
    return None


def seccomp_program(audit_arch: int, denied: tuple[int, ...]) -> list[tuple[int, int, int, int]]:
    """The classic-BPF filter: another ABI, x32 numbering or a ``denied`` call fail.

    Each instruction is (code, jump if true, jump if false, k); jumps count
    instructions after the next one, so every deny jump lands on the last instruction.
    """
    ld, jeq, jge, ret = 0x20, 0x15, 0x35, 0x06
    length = 4 + len(denied) + 2
    deny_at = length - 1

    def to_deny(index: int) -> int:
        return deny_at - (index + 1)

    program = [
        (ld, 0, 0, 4),  # 0: arch
        (jeq, 0, to_deny(1), audit_arch),  # 1: another ABI (i386, x32 entry points): deny
        (ld, 0, 0, 0),  # 2: syscall number
        (jge, to_deny(3), 0, 0x40000000),  # 3: x32 numbering: deny
    ]
    program += [(jeq, to_deny(4 + i), 0, nr) for i, nr in enumerate(denied)]
    program += [(ret, 0, 0, _SECCOMP_RET_ALLOW), (ret, 0, 0, _SECCOMP_RET_ERRNO | errno.EACCES)]
    assert len(program) == length
    return program


def deny_sockets() -> str | None:
    """Install the seccomp filter refusing every new socket (AF_UNIX included), connect,
    io_uring and access to other processes; None on success, else why not."""
    arch = _ARCH.get(platform.machine())
    if arch is None or libc() is None:
        return f"no seccomp filter for {sys.platform}/{platform.machine()}"
    program = seccomp_program(*arch)
    filters = (_SockFilter * len(program))(*(_SockFilter(*op) for op in program))
    prog = _SockFprog(len(program), filters)
    lib = libc()
    assert lib is not None
    zero = ctypes.c_ulong(0)
    mode = ctypes.c_ulong(_SECCOMP_MODE_FILTER)
    if lib.prctl(ctypes.c_int(_PR_SET_SECCOMP), mode, ctypes.byref(prog), zero, zero) != 0:
        return f"seccomp filter refused ({_errno_text()})"
    return None


def landlock_abi() -> int:
    """The kernel's Landlock ABI version; 0 where Landlock is missing or disabled."""
    if libc() is None:
        return 0
    version = _syscall(
        _LANDLOCK_CREATE_RULESET,
        None,
        ctypes.c_size_t(0),
        ctypes.c_uint32(_LANDLOCK_CREATE_RULESET_VERSION),
    )
    return max(version, 0)


def confine_writes(scratch: Path) -> str | None:
    """Landlock: writes only beneath ``scratch``; None on success, else why not."""
    abi = landlock_abi()
    if abi < 1:
        return f"Landlock not available on this kernel ({platform.release()})"
    handled = _FS_WRITE_V1 | (_FS_REFER if abi >= 2 else 0) | (_FS_TRUNCATE if abi >= 3 else 0)
    attr = _RulesetAttr(handled, 0, _SCOPE_ABSTRACT_UNIX_SOCKET | _SCOPE_SIGNAL if abi >= 6 else 0)
    size = ctypes.sizeof(_RulesetAttr) if abi >= 6 else 8
    ruleset = _syscall(
        _LANDLOCK_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0)
    )
    if ruleset < 0:
        return f"Landlock ruleset refused ({_errno_text()})"
    try:
        rules = [(scratch, handled, os.O_PATH | os.O_DIRECTORY)]
        # Writing to /dev/null is harmless; some libraries do it.
        rules.append((Path(os.devnull), handled & ((1 << 1) | _FS_TRUNCATE), os.O_PATH))
        for path, access, flags in rules:
            try:
                fd = os.open(path, flags | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                rule = _PathBeneath(access, fd)
                if (
                    _syscall(
                        _LANDLOCK_ADD_RULE,
                        ctypes.c_int(ruleset),
                        ctypes.c_int(_LANDLOCK_RULE_PATH_BENEATH),
                        ctypes.byref(rule),
                        ctypes.c_uint32(0),
                    )
                    != 0
                    and path == scratch
                ):
                    return f"Landlock rule for the scratch folder refused ({_errno_text()})"
            finally:
                os.close(fd)
        if _syscall(_LANDLOCK_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0)) != 0:
            return f"Landlock restriction refused ({_errno_text()})"
    finally:
        os.close(ruleset)
    return None


def confine(scratch: Path) -> dict[str, str]:
    """Apply every measure the platform has; returns {measure: why it is missing}."""
    missing: dict[str, str] = {}
    if not sys.platform.startswith("linux"):
        reason = f"not available on {sys.platform}"
        return {name: reason for name in ("no_new_privs", "network", "ipc", "writes")}
    if not set_no_new_privs():
        missing["no_new_privs"] = f"prctl refused ({_errno_text()})"
    namespace = unshare_network()
    seccomp = deny_sockets()
    if seccomp is not None and namespace is not None:
        missing["network"] = f"{namespace}; {seccomp}"
    if seccomp is not None:  # a network namespace leaves UNIX sockets reachable
        missing["ipc"] = seccomp
    writes = confine_writes(scratch)
    if writes is not None:
        missing["writes"] = writes
    return missing


def connect_unix(path: str) -> socket.socket:
    """A stream socket connected to the UNIX socket at ``path`` (OSError if refused)."""
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.settimeout(5)
        sock.connect(path)
    except BaseException:
        sock.close()
        raise
    return sock


def probe(outside: Path, unix_path: str | None = None) -> dict[str, object]:
    """What this process can do that a hostile parser would want (run inside the worker).

    ``chambers doctor`` and the tests ask the running worker for this, so what they see
    is the confinement as applied, not as intended. ``unix_path``: a listening UNIX
    socket (the user's D-Bus session bus, say) to try to connect to.
    """
    report: dict[str, object] = {"env": sorted(os.environ)}
    try:
        status = Path("/proc/self/status").read_text()
        fields = dict(line.split(":\t", 1) for line in status.splitlines() if ":\t" in line)
        report["no_new_privs"] = fields.get("NoNewPrivs", "").strip() == "1"
        report["seccomp"] = fields.get("Seccomp", "").strip()
    except OSError:
        report["no_new_privs"] = None

    def attempt(key: str, action: Callable[[], object]) -> None:
        try:
            opened = action()
            if isinstance(opened, tuple):
                for item in opened:
                    item.close()
            elif isinstance(opened, socket.socket):
                opened.close()
            report[key] = "opened"
        except OSError as exc:
            report[key] = f"refused ({type(exc).__name__})"

    attempt("inet_socket", lambda: socket.socket(socket.AF_INET, socket.SOCK_STREAM))
    attempt("unix_socket", lambda: socket.socket(socket.AF_UNIX, socket.SOCK_STREAM))
    attempt("socketpair", socket.socketpair)
    if unix_path is not None:
        attempt("unix_connect", lambda: connect_unix(unix_path))
    target = outside / f"chambers-probe-{os.getpid()}"
    try:
        target.write_bytes(b"x")
        target.unlink()
        report["write_outside"] = "written"
    except OSError as exc:
        report["write_outside"] = f"refused ({type(exc).__name__})"
    scratch = Path(os.environ.get("TMPDIR", "."))
    inside = scratch / f"probe-{os.getpid()}"
    try:
        inside.write_bytes(b"x")
        inside.unlink()
        report["write_scratch"] = "written"
    except OSError as exc:
        report["write_scratch"] = f"refused ({type(exc).__name__})"
    return report
