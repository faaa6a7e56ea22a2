"""One by-name loader for the JSON files a firm edits: field sets, templates, playbooks.

Each kind ships built in under ``resources/<folder>/`` and a firm adds its own as
``NAME.json`` in ``<data dir>/<folder>/``; a file there with a built-in's name replaces
it (app/paths.resource_files). A caller names one by its name or by a file path. Having
one loader keeps the rules the same for every kind: the same name check (a name is a
file name, never a path), the same "choose one of ..." error naming the file to add, so
a new kind cannot drift into its own.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

from app import paths
from app.errors import ChambersError

T = TypeVar("T")

#: A name is a file name without its ``.json``: no folder, no leading dot.
NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class NamedFiles(Generic[T]):
    """The files of one kind, read by name (built in, then the user's folder) or by path."""

    #: Folder under ``resources/`` and under the data folder: "fieldsets".
    folder: str
    #: What one file is called in messages: "field set".
    noun: str
    #: Reads and validates one file; raises ``error`` naming the file on any fault.
    parse: Callable[[Path], T]
    error: type[ChambersError]

    def user_dir(self) -> Path:
        """Where a firm or user adds its own files of this kind."""
        return paths.data_dir() / self.folder

    def paths(self) -> dict[str, Path]:
        """Name -> file of every file of this kind, built in first (a user file wins)."""
        return paths.resource_files(self.folder)

    def names(self) -> list[str]:
        return sorted(self.paths())

    def path_of(self, name: str, known: dict[str, Path] | None = None) -> Path:
        """The file named ``name``; the error says which file to add or which names exist."""
        if not NAME.match(name):
            raise self.error(
                f"{name!r} is not a {self.noun} name.",
                f"A {self.noun} is named by its file, NAME.json in {self.user_dir()} or a "
                "built-in: a name starts with a letter or digit and holds only letters, "
                "digits, '.', '_' and '-'. Give a path ending in .json for another file.",
            )
        known = self.paths() if known is None else known
        if name not in known:
            raise self.error(
                f"There is no {self.noun} named {name!r}.",
                f"Choose one of: {', '.join(sorted(known)) or '(none)'}; "
                f"or add {name}.json to {self.user_dir()}.",
            )
        return known[name]

    def load(self, name_or_path: str | Path) -> T:
        """A file by name (built in or the user's) or by path (a Path, or text ending in
        .json or holding a slash)."""
        text = str(name_or_path)
        if isinstance(name_or_path, Path) or text.endswith(".json") or "/" in text:
            return self.parse(Path(name_or_path))
        return self.parse(self.path_of(text))
