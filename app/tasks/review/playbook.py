"""Playbooks: the statements a reviewer checks a contract against, with their cues.

A playbook is a JSON file: ``name``, ``title`` and a list of ``statements``, each with an
``id``, the ``statement`` in plain words and, optionally, regular expressions in the
law's own language (case-insensitive): ``topic`` (the clause is there at all: "reverse
engineer", "return or destroy"), ``entail`` (wording that makes the statement true:
"solely for the purpose") and ``contradict`` (wording that makes it false: "shall not
make copies"). The cues find the sentences to quote and are features of the decision;
a statement with none still works, from its own words and the model.

Built-in playbooks live in resources/playbooks/; a firm adds its own as
``<data dir>/playbooks/NAME.json`` (a file with a built-in's name replaces it). Every
error names the file and what to fix, because a firm edits these by hand. The file is
read only if it is a regular file of at most 2 MiB (app/textfiles.py), and each cue must
pass the backtracking check of app/tasks/patterns.py, which also bounds its matching.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import ChambersError
from app.paths import data_dir, resource_files
from app.tasks.patterns import CuePattern, compile_cue
from app.textfiles import FileRefusedError, read_small_text

_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CUE_KINDS = ("topic", "entail", "contradict")


class PlaybookError(ChambersError):
    default_hint = (
        "Fix the playbook file (JSON with a name and a list of statements, each with an id "
        "and a statement), or choose a built-in playbook such as nda."
    )


@dataclass(frozen=True)
class Statement:
    """One check of a playbook, with its cue patterns compiled."""

    id: str
    statement: str
    title: str = ""
    topic: tuple[CuePattern, ...] = ()
    entail: tuple[CuePattern, ...] = ()
    contradict: tuple[CuePattern, ...] = ()


@dataclass(frozen=True)
class Playbook:
    name: str
    title: str
    statements: tuple[Statement, ...]
    path: Path | None = None

    def statement(self, statement_id: str) -> Statement:
        for item in self.statements:
            if item.id == statement_id:
                return item
        raise PlaybookError(f"Playbook {self.name!r} has no statement {statement_id!r}.")


def playbook_paths() -> dict[str, Path]:
    """Name -> file of every playbook, built-in first, then the user's."""
    return resource_files("playbooks")


def list_playbooks() -> list[str]:
    return sorted(playbook_paths())


def user_dir() -> Path:
    return data_dir() / "playbooks"


def _patterns(raw: Any, where: str, path: Path) -> tuple[CuePattern, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(p, str) for p in raw):
        raise PlaybookError(f"{path}: {where} must be a list of regular expressions (strings).")
    out = []
    for pattern in raw:
        try:
            out.append(compile_cue(pattern, f"playbook {path.name}, {where}"))
        except ValueError as exc:
            raise PlaybookError(
                f"{path}: {where} has a pattern that cannot be used, '{pattern[:80]}': {exc}.",
                "Correct the pattern (Python regular expression syntax, no repeated group "
                "holding another repeat such as (\\w+\\s?)+) or remove it.",
            ) from None
    return tuple(out)


def parse_playbook(path: Path) -> Playbook:
    """Read and check one playbook file; every error names ``path`` and the fix."""
    try:
        data = json.loads(read_small_text(path))
    except FileRefusedError as exc:
        raise PlaybookError(
            f"The playbook file {path} cannot be used: {exc}.",
            "Name a playbook JSON file (a regular file of at most 2 MiB).",
        ) from None
    except FileNotFoundError as exc:
        raise PlaybookError(f"There is no playbook file {path}.") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise PlaybookError(f"The playbook file {path} cannot be read: {exc}.") from exc
    except json.JSONDecodeError as exc:
        raise PlaybookError(
            f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})."
        ) from exc
    if not isinstance(data, dict):
        raise PlaybookError(f"{path} must hold a JSON object with a list of statements.")
    raw = data.get("statements")
    if not isinstance(raw, list) or not raw:
        raise PlaybookError(f'{path} has no statements: add a non-empty "statements" list.')
    statements: list[Statement] = []
    seen: set[str] = set()
    for i, item in enumerate(raw, 1):
        where = f"statement {i}"
        if not isinstance(item, dict):
            raise PlaybookError(f"{path}: {where} must be an object with an id and a statement.")
        sid, text = item.get("id"), item.get("statement")
        if not isinstance(sid, str) or not sid.strip():
            raise PlaybookError(f'{path}: {where} has no "id" (a short unique name).')
        if sid in seen:
            raise PlaybookError(f"{path}: the id {sid!r} is used twice; ids must be unique.")
        if not isinstance(text, str) or not text.strip():
            raise PlaybookError(f'{path}: {where} ({sid}) has no "statement" text.')
        seen.add(sid)
        cues = {
            kind: _patterns(item.get(kind), f"{where} ({sid}) {kind}", path) for kind in CUE_KINDS
        }
        statements.append(
            Statement(sid, " ".join(text.split()), str(item.get("title") or ""), **cues)
        )
    name = str(data.get("name") or path.stem)
    return Playbook(name, str(data.get("title") or name), tuple(statements), path)


def load_playbook(name_or_path: str | Path) -> Playbook:
    """A playbook by name (built-in or ``<data dir>/playbooks/``) or by file path."""
    text = str(name_or_path)
    if isinstance(name_or_path, Path) or text.endswith(".json") or "/" in text:
        return parse_playbook(Path(name_or_path))
    if not _NAME.match(text):
        raise PlaybookError(f"{text!r} is not a playbook name.")
    known = playbook_paths()
    if text not in known:
        raise PlaybookError(
            f"There is no playbook named {text!r}.",
            f"Choose one of: {', '.join(sorted(known)) or '(none)'}; "
            f"or add {text}.json to {user_dir()}.",
        )
    return parse_playbook(known[text])
