"""The one by-name loader of field sets, templates and playbooks (app/tasks/named_files.py):
a user's file replaces a built-in of the same name, and a bad or unknown name is refused
with an error that names the file to add."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from app import paths
from app.errors import ChambersError
from app.tasks.draft.templates import TEMPLATES, TemplateError
from app.tasks.fieldsets import FIELDSETS, FieldSetError
from app.tasks.named_files import NamedFiles
from app.tasks.review.playbook import PLAYBOOKS, PlaybookError

KINDS: dict[str, tuple[NamedFiles[Any], type[ChambersError]]] = {
    "fieldsets": (FIELDSETS, FieldSetError),
    "templates": (TEMPLATES, TemplateError),
    "playbooks": (PLAYBOOKS, PlaybookError),
}


def _built_in(kind: str) -> tuple[str, Path]:
    """One shipped file of this kind (the first by name)."""
    shipped = sorted(paths.resource_path("resources", kind).glob("*.json"))
    assert shipped, f"no built-in {kind}"
    return shipped[0].stem, shipped[0]


def _retitled(kind: str, source: Path, title: str) -> dict[str, object]:
    """The built-in's content with another title (a playbook's ``title`` key is the same)."""
    data = json.loads(source.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    data["title"] = title
    return data


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_user_file_replaces_the_built_in_of_the_same_name(kind: str) -> None:
    files, _ = KINDS[kind]
    name, source = _built_in(kind)
    before = files.load(name)
    assert before.title != "Firm's own"
    folder = paths.data_dir() / kind
    assert files.user_dir() == folder
    folder.mkdir(parents=True, exist_ok=True)
    mine = folder / f"{name}.json"
    mine.write_text(json.dumps(_retitled(kind, source, "Firm's own")), encoding="utf-8")
    assert files.paths()[name] == mine
    assert files.names().count(name) == 1
    loaded = files.load(name)
    assert loaded.title == "Firm's own"
    assert loaded.path == mine


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_user_file_adds_a_name(kind: str) -> None:
    files, _ = KINDS[kind]
    name, source = _built_in(kind)
    folder = files.user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "firm-extra.json").write_text(
        json.dumps(_retitled(kind, source, "Extra")), encoding="utf-8"
    )
    assert "firm-extra" in files.names() and name in files.names()
    assert files.load("firm-extra").title == "Extra"


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_an_unknown_name_names_the_file_to_add(kind: str) -> None:
    files, error = KINDS[kind]
    with pytest.raises(error) as caught:
        files.load("no-such-file")
    assert "no-such-file" in caught.value.message
    assert f"no-such-file.json to {files.user_dir()}" in caught.value.hint
    name, _ = _built_in(kind)
    assert name in caught.value.hint  # the names there are


@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("bad", ["-dash", ".hidden", "two words", "a*b"])
def test_a_bad_name_is_refused_naming_the_folder(kind: str, bad: str) -> None:
    files, error = KINDS[kind]
    with pytest.raises(error) as caught:
        files.load(bad)
    assert repr(bad) in caught.value.message
    assert f"NAME.json in {files.user_dir()}" in caught.value.hint


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_broken_user_file_is_refused_naming_it(kind: str) -> None:
    files, error = KINDS[kind]
    name, _ = _built_in(kind)
    folder = files.user_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(error) as caught:
        files.load(name)
    assert f"{name}.json" in caught.value.message


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_a_path_is_read_as_a_file(kind: str, tmp_path: Path) -> None:
    files, _ = KINDS[kind]
    _, source = _built_in(kind)
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text(json.dumps(_retitled(kind, source, "Elsewhere")), encoding="utf-8")
    assert files.load(elsewhere).title == "Elsewhere"
    assert files.load(str(elsewhere)).title == "Elsewhere"
    assert "elsewhere" not in files.names()
