"""Playbooks: the statements a reviewer checks a contract against, with their cues.

A playbook is a JSON file: ``name``, ``title`` and a list of ``statements``, each with an
``id``, the ``statement`` in plain words and, optionally, regular expressions in the
law's own language (case-insensitive): ``topic`` (the clause is there at all: "reverse
engineer", "return or destroy"), ``entail`` (wording that makes the statement true:
"solely for the purpose") and ``contradict`` (wording that makes it false: "shall not
make copies"). The cues find the sentences to quote and are features of the decision;
a statement with none still works, from its own words and the model.

Each statement may also carry the firm's position on it (positions.py reads them):
``position`` (the answer the firm wants: "Entailment", "Contradiction" or "either"),
``risk`` ("high", "medium", "low"), ``guidance`` (one line for the reviewer),
``missing_ok`` (silence serves the firm, e.g. no non-solicit clause at all) and
``fallback`` (``{"insert": clause to add when the point is missing, "replace": text
for the offending sentence}``). A variant playbook (``"extends": "nda"``) takes
another playbook's statements and cues unchanged and gives its own ``positions`` by
statement id, so a receiving and a disclosing party's view of an NDA share one set of
cues and fitted weights (``Playbook.weights``).

Built-in playbooks live in resources/playbooks/; a firm adds its own as
``<data dir>/playbooks/NAME.json`` (a file with a built-in's name replaces it). Every
error names the file and what to fix, because a firm edits these by hand. The file is
read only if it is a regular file of at most 2 MiB (app/textfiles.py), and each cue must
pass the backtracking check of app/tasks/patterns.py, which also bounds its matching.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from app.errors import ChambersError
from app.tasks.named_files import NAME, NamedFiles
from app.tasks.patterns import CuePattern, compile_cue
from app.tasks.review.positions import RISKS, WANTS, Position
from app.textfiles import FileRefusedError, read_small_text

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
    #: The firm's position (None: the playbook states none; no outcome is given).
    position: Position | None = None


@dataclass(frozen=True)
class Playbook:
    name: str
    title: str
    statements: tuple[Statement, ...]
    path: Path | None = None
    #: The playbook whose fitted review weights decide (a variant's base: same cues).
    weights: str = ""

    def statement(self, statement_id: str) -> Statement:
        for item in self.statements:
            if item.id == statement_id:
                return item
        raise PlaybookError(f"Playbook {self.name!r} has no statement {statement_id!r}.")


def playbook_paths() -> dict[str, Path]:
    """Name -> file of every playbook, built-in first, then the user's."""
    return PLAYBOOKS.paths()


def list_playbooks() -> list[str]:
    return PLAYBOOKS.names()


def user_dir() -> Path:
    return PLAYBOOKS.user_dir()


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


def _text(
    item: dict[str, Any], key: str, where: str, path: Path, *, empty: bool = False
) -> str | None:
    value = item.get(key)
    if value is None:
        return None
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise PlaybookError(
            f'{path}: {where} "{key}" must be {"a" if empty else "a non-empty"} string.'
        )
    return " ".join(value.split())


def parse_position(item: dict[str, Any], where: str, path: Path) -> Position | None:
    """The firm's position given in ``item`` (None when it gives none); errors name the field."""
    keys = ("position", "risk", "guidance", "fallback", "missing_ok")
    if not any(key in item for key in keys):
        return None
    want = item.get("position")
    if want not in WANTS:
        raise PlaybookError(
            f'{path}: {where} "position" is {want!r}.',
            f"Give the answer the firm wants: one of {', '.join(WANTS)}.",
        )
    risk = item.get("risk")
    if risk not in RISKS:
        raise PlaybookError(
            f'{path}: {where} "risk" is {risk!r}.', f"Use one of {', '.join(RISKS)}."
        )
    guidance = _text(item, "guidance", where, path)
    if guidance is None:
        raise PlaybookError(f'{path}: {where} has no "guidance" (one line for the reviewer).')
    missing_ok = item.get("missing_ok", False)
    if not isinstance(missing_ok, bool):
        raise PlaybookError(f'{path}: {where} "missing_ok" must be true or false.')
    fallback = item.get("fallback", {})
    if not isinstance(fallback, dict) or set(fallback) - {"insert", "replace"}:
        raise PlaybookError(
            f'{path}: {where} "fallback" must be an object with "insert" and/or "replace".'
        )
    insert = _text(fallback, "insert", f"{where} fallback", path)
    replacement = _text(fallback, "replace", f"{where} fallback", path, empty=True)
    return Position(want, risk, guidance, missing_ok, insert, replacement)


def _read_json(path: Path) -> dict[str, Any]:
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
    return data


def parse_playbook(path: Path, _seen: tuple[Path, ...] = ()) -> Playbook:
    """Read and check one playbook file; every error names ``path`` and the fix."""
    data = _read_json(path)
    if "extends" in data:
        return _variant(path, data, _seen)
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
        position = parse_position(item, f"{where} ({sid})", path)
        statements.append(
            Statement(
                sid,
                " ".join(text.split()),
                str(item.get("title") or ""),
                **cues,
                position=position,
            )
        )
    name = str(data.get("name") or path.stem)
    return Playbook(name, str(data.get("title") or name), tuple(statements), path, name)


def _variant(path: Path, data: dict[str, Any], seen: tuple[Path, ...]) -> Playbook:
    """A playbook that takes ``extends``'s statements and cues with its own positions."""
    base_name = data.get("extends")
    if not isinstance(base_name, str) or not NAME.match(base_name):
        raise PlaybookError(f'{path}: "extends" must name another playbook, e.g. "nda".')
    known = playbook_paths()
    if base_name not in known:
        raise PlaybookError(
            f'{path}: "extends" names {base_name!r}, which is not a playbook.',
            f"Choose one of: {', '.join(sorted(known))}.",
        )
    if known[base_name] in (path, *seen):
        raise PlaybookError(f'{path}: "extends" leads back to itself ({base_name!r}).')
    if "statements" in data:
        raise PlaybookError(
            f'{path}: a playbook that "extends" another takes its statements; remove '
            '"statements" and give "positions" by statement id.'
        )
    base = parse_playbook(known[base_name], (*seen, path))
    raw = data.get("positions")
    if not isinstance(raw, dict) or not raw:
        raise PlaybookError(f'{path}: "positions" must be an object of statement id -> position.')
    ids = {s.id for s in base.statements}
    for sid in raw:
        if sid not in ids:
            raise PlaybookError(
                f"{path}: positions names {sid!r}, which playbook {base_name!r} does not have.",
                f"Use one of its statement ids: {', '.join(s.id for s in base.statements)}.",
            )
    statements = []
    for item in base.statements:
        given = raw.get(item.id)
        if given is None:
            statements.append(item)
            continue
        if not isinstance(given, dict):
            raise PlaybookError(f"{path}: positions {item.id!r} must be an object.")
        position = parse_position(given, f"positions ({item.id})", path)
        statements.append(replace(item, position=position))
    name = str(data.get("name") or path.stem)
    title = str(data.get("title") or name)
    return Playbook(name, title, tuple(statements), path, base.weights)


#: Playbooks by name: ``resources/playbooks/`` then ``<data dir>/playbooks/``.
PLAYBOOKS: NamedFiles[Playbook] = NamedFiles("playbooks", "playbook", parse_playbook, PlaybookError)


def load_playbook(name_or_path: str | Path) -> Playbook:
    """A playbook by name (built-in or ``<data dir>/playbooks/``) or by file path."""
    return PLAYBOOKS.load(name_or_path)
