"""Hostile inputs to import (issue 14): FIFOs, devices, sockets and symbolic links,
escape sequences in names and subjects, an e-mail with more attachments than one audit
record may list, and two processes importing the same files at once."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from pathlib import Path

import pytest

from app import paths
from app.cli import main
from app.ingest.importer import import_paths
from app.vault import Vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD, FILES

REPO = Path(__file__).resolve().parents[2]
ESCAPE = "\x1b]0;owned\x07\x1b[2J\x9b31m"


@pytest.fixture
def vault(ready_vault: Ready) -> Vault:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened  # type: ignore[misc]
    opened.lock()


def _audit_records(action: str) -> list[dict[str, object]]:
    log = paths.audit_dir() / "audit.jsonl"
    records = [json.loads(line) for line in log.read_text().splitlines() if line.strip()]
    return [r for r in records if r["action"] == action]


def test_fifo_device_and_socket_are_refused_without_hanging(vault: Vault, tmp_path: Path) -> None:
    folder = tmp_path / "odd"
    folder.mkdir()
    os.mkfifo(folder / "pipe.txt")  # nobody writes: a blocking open would hang forever
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(folder / "sock.txt"))
    shutil.copy(FILES / "court" / "ca2_1-1.pdf", folder / "real.pdf")
    started = time.monotonic()
    summary = import_paths(vault, [folder, Path("/dev/zero")])
    server.close()
    assert time.monotonic() - started < 300  # a blocking open would hang forever
    refused = {Path(r.path).name: (r.reason, r.message) for r in summary.refused}
    assert refused["pipe.txt"][0] == "not a regular file" and "FIFO" in refused["pipe.txt"][1]
    assert refused["sock.txt"][0] == "not a regular file" and "socket" in refused["sock.txt"][1]
    assert refused["zero"][0] == "not a regular file" and "device" in refused["zero"][1]
    assert [Path(d.path).name for d in summary.imported] == ["real.pdf"]
    assert summary.accounted == 4


def test_cli_import_of_a_fifo_returns_promptly(ready_vault: Ready, tmp_path: Path) -> None:
    """In a separate process, as a user would run it: exit 1 with a reason, no hang."""
    fifo = tmp_path / "named.pipe"
    os.mkfifo(fifo)
    env = {**os.environ, "CHAMBERS_PASSPHRASE": PASSPHRASE}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "app.cli",
            "import",
            ready_vault.info.name,
            str(fifo),
            "--no-keyring",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env,
        timeout=120,
    )
    assert result.returncode == 1, result.stderr
    assert "named.pipe" in result.stdout and "named pipe (FIFO)" in result.stdout


def test_symlinks_are_not_followed_out_of_the_folder(vault: Vault, tmp_path: Path) -> None:
    secret = tmp_path / "outside" / "secret.txt"
    secret.parent.mkdir()
    secret.write_text("The system password file would be here.\n")
    folder = tmp_path / "matter"
    folder.mkdir()
    (folder / "inside.txt").write_text("A note that belongs to the matter.\n")
    (folder / "to-outside.txt").symlink_to(secret)
    (folder / "to-inside.txt").symlink_to(folder / "inside.txt")
    direct = tmp_path / "direct-link.txt"
    direct.symlink_to(secret)

    summary = import_paths(vault, [folder, direct])
    refused = {Path(r.path).name: r for r in summary.refused}
    assert set(refused) == {"to-outside.txt", "direct-link.txt"}
    assert refused["to-outside.txt"].reason == "symbolic link"
    assert "outside the folder" in refused["to-outside.txt"].message
    assert "--follow-symlinks" in refused["direct-link.txt"].hint
    # the link inside the folder names the same bytes as inside.txt: one document
    assert [Path(d.path).name for d in summary.imported] == ["inside.txt"]
    assert [Path(p).name for p, _ in summary.duplicates] == ["to-inside.txt"]
    assert all(
        "system password" not in vault.get_document(d.id).content.decode()
        for d in vault.list_documents()
    )

    again = import_paths(vault, [direct], follow_symlinks=True)
    assert [Path(d.path).name for d in again.imported] == ["direct-link.txt"]


def test_terminal_output_strips_escape_sequences(
    ready_vault: Ready,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    hostile = folder / f"evil{ESCAPE}.txt"
    hostile.write_text("A perfectly ordinary note.\n")
    message = EmailMessage()
    message["Subject"] = f"Re: terms{ESCAPE}"
    message["From"] = "a@example.com"
    message["To"] = "b@example.com"
    message.set_content("Body of the message about the terms.")
    (folder / "mail.eml").write_bytes(bytes(message))
    (folder / f"bad{ESCAPE}.pdf").write_bytes(b"not really a pdf")
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    name = ready_vault.info.name

    assert main(["import", name, str(folder), "--no-keyring"]) == 1
    out = capsys.readouterr().out
    assert main(["docs", name, "--no-keyring"]) == 0
    out += capsys.readouterr().out
    assert main(["search", name, "terms", "--no-keyring"]) == 0
    out += capsys.readouterr().out
    assert "evil" in out and "Re: terms" in out and "bad" in out
    for control in ("\x1b", "\x07", "\x9b"):
        assert control not in out
    # JSON keeps the real name (escaped by the JSON encoder, so inert on a terminal)
    assert main(["docs", name, "--json", "--no-keyring"]) == 0
    raw = capsys.readouterr().out
    assert "\x1b" not in raw and any(ESCAPE in d["title"] for d in json.loads(raw))


def _many_attachments(path: Path, count: int) -> Path:
    message = EmailMessage()
    message["Subject"] = "Disclosure bundle"
    message["From"] = "a@example.com"
    message["To"] = "b@example.com"
    message.set_content("Please find the disclosure bundle attached.")
    for n in range(count):
        message.add_attachment(
            f"Exhibit {n}: the witness statement number {n}.\n".encode(),
            maintype="text",
            subtype="plain",
            filename=f"exhibit-{n:04d}.txt",
        )
    path.write_bytes(bytes(message))
    return path


def test_mail_with_over_1000_attachments_is_audited_in_full(vault: Vault, tmp_path: Path) -> None:
    bundle = _many_attachments(tmp_path / "bundle.eml", 1005)
    after = tmp_path / "after.txt"
    after.write_text("The file after the bundle in the same batch.\n")
    summary = import_paths(vault, [bundle, after])
    assert summary.stopped is None and summary.not_processed == []
    assert [Path(d.path).name for d in summary.imported] == ["bundle.eml", "after.txt"]
    assert summary.imported[0].children == 1005

    stored = {d.id for d in vault.list_documents()}
    assert len(stored) == 1007
    records = [r for r in _audit_records("document.import") if r["outcome"] == "ok"]
    audited = {i for r in records for i in r["object_ids"]}  # type: ignore[attr-defined]
    assert audited == stored
    parts = [r for r in records if summary.imported[0].document_id in r["object_ids"]]  # type: ignore[operator]
    assert len(parts) == 2
    assert [r["details"]["part"] for r in parts] == [1, 2]  # type: ignore[index]


def test_concurrent_imports_store_each_file_once(ready_vault: Ready, tmp_path: Path) -> None:
    """Two `chambers import` processes started together on the same files: each file
    ends up stored once; the process that lost the race reports it as a duplicate."""
    files = []
    for n in range(6):
        path = tmp_path / f"note-{n}.txt"
        path.write_text(f"Attendance note {n} of the meeting about the lease renewal.\n")
        files.append(str(path))
    files.append(str(CUAD / "pdf" / "cuad-dev-000.pdf"))
    env = dict(os.environ, CHAMBERS_PASSPHRASE=PASSPHRASE)
    command = [sys.executable, "-m", "app.cli", "import", ready_vault.info.name, *files]
    command += ["--no-keyring", "--json"]
    # The matter has been used before (its audit log and anchor exist); then two imports.
    first_use = [sys.executable, "-m", "app.cli", "docs", ready_vault.info.name, "--no-keyring"]
    subprocess.run(first_use, cwd=REPO, env=env, capture_output=True, timeout=120, check=True)
    procs = [
        subprocess.Popen(
            command, cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err
        results.append(json.loads(out))
    imported = sum(len(r["imported"]) for r in results)
    duplicates = sum(len(r["duplicates"]) for r in results)
    assert imported == len(files) and duplicates == len(files), results

    opened = unlock(ready_vault.info, passphrase=PASSPHRASE)
    try:
        top = [d for d in opened.list_documents() if d.parent_id is None]
        assert len(top) == len(files)
        assert len({d.sha256 for d in top}) == len(files)
    finally:
        opened.lock()
