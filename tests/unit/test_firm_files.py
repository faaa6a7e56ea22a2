"""A FIFO or a huge file named as a playbook, field set or template is refused by name,
at once, before it is read (issue 25), written as the attack."""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from app import paths
from app.errors import ChambersError
from app.tasks.draft.templates import load_template
from app.tasks.fieldsets import load_fieldset
from app.tasks.review import load_playbook
from app.textfiles import MAX_TEXT_FILE_BYTES

LOADERS: dict[str, Callable[[str], object]] = {
    "playbooks": load_playbook,
    "fieldsets": load_fieldset,
    "templates": load_template,
}


def _refusal(load: Callable[[str], object], name: str, fifo: Path | None = None) -> str:
    """Load ``name`` in a thread bounded in time; a blocked open is released afterwards."""
    outcome: list[BaseException | object] = []

    def run() -> None:
        try:
            outcome.append(load(name))
        except BaseException as exc:
            outcome.append(exc)

    thread = threading.Thread(target=run, daemon=True)
    start = time.monotonic()
    thread.start()
    thread.join(10)
    blocked = thread.is_alive()
    if blocked and fifo is not None:  # release the reader the attack blocked
        with contextlib.suppress(OSError):
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        thread.join(5)
    assert not blocked, f"loading {name} blocked"
    assert time.monotonic() - start < 5
    (result,) = outcome
    assert isinstance(result, ChambersError), result
    return result.message


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_a_fifo_named_as_a_firm_file_is_refused_at_once(kind: str) -> None:
    folder = paths.data_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    fifo = folder / "pipe.json"
    os.mkfifo(fifo)
    for name in ("pipe", str(fifo)):  # by name, and by path
        message = _refusal(LOADERS[kind], name, fifo)
        assert "pipe.json" in message and "named pipe (FIFO)" in message


@pytest.mark.parametrize("kind", sorted(LOADERS))
def test_an_oversize_firm_file_is_refused_before_it_is_read(kind: str) -> None:
    folder = paths.data_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    huge = folder / "huge.json"
    with huge.open("wb") as handle:  # sparse: 400 MB on paper, nothing on disk
        handle.truncate(400 * 2**20)
    message = _refusal(LOADERS[kind], "huge")
    assert "huge.json" in message and "over the limit of 2 MiB" in message


def test_a_file_at_the_limit_is_still_read(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    padding = " " * (MAX_TEXT_FILE_BYTES - 200)
    path.write_text('{"statements": [{"id": "a", "statement": "s"}]}' + padding)
    assert load_playbook(path).statements[0].id == "a"


def test_a_folder_named_as_a_playbook_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "folder.json"
    folder.mkdir()
    message = _refusal(load_playbook, str(folder))
    assert "folder.json" in message and "a folder, not a regular file" in message
