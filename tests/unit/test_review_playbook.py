"""Playbooks: the built-in NDA one matches ContractNLI, and a bad file says what to fix."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from app import paths
from app.tasks.review import PlaybookError, list_playbooks, load_playbook
from tests.shared_data import SHARED_DATA


def test_the_built_in_nda_playbook_holds_the_17_contractnli_statements() -> None:
    labels = json.loads((SHARED_DATA / "contractnli" / "dev.json").read_text())["labels"]
    book = load_playbook("nda")
    assert "nda" in list_playbooks()
    assert {s.id: s.statement for s in book.statements} == {
        k: v["hypothesis"] for k, v in labels.items()
    }
    reverse = book.statement("nda-11")
    assert reverse.topic and reverse.entail
    assert any(p.search("shall not reverse engineer the samples") for p in reverse.entail)
    with pytest.raises(PlaybookError, match="no statement"):
        book.statement("nda-99")


def _write(folder: Path, name: str, data: object) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def test_a_firms_playbook_in_the_data_folder_is_listed_and_loaded() -> None:
    folder = paths.data_dir() / "playbooks"
    _write(folder, "supply", {"title": "Supply", "statements": [
        {"id": "cap", "statement": "Liability is capped.", "entail": [r"\bcap\w*"]},
    ]})  # fmt: skip
    assert "supply" in list_playbooks() and "nda" in list_playbooks()
    book = load_playbook("supply")
    assert book.name == "supply" and book.statements[0].statement == "Liability is capped."
    assert book.statements[0].topic == ()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not valid JSON"),
        ({"statements": []}, "has no statements"),
        ({"statements": [{"statement": "x y z"}]}, 'no "id"'),
        ({"statements": [{"id": "a", "statement": ""}]}, 'no "statement"'),
        (
            {"statements": [{"id": "a", "statement": "s"}, {"id": "a", "statement": "t"}]},
            "used twice",
        ),
        (
            {"statements": [{"id": "a", "statement": "s", "entail": ["(unclosed"]}]},
            "not a valid regular expression",
        ),
        ({"statements": [{"id": "a", "statement": "s", "topic": "cap"}]}, "must be a list"),
    ],
)
def test_a_bad_playbook_names_its_file_and_the_fault(content: object, message: str) -> None:
    path = _write(paths.data_dir() / "playbooks", "broken", content)
    with pytest.raises(PlaybookError, match=message) as caught:
        load_playbook("broken")
    assert str(path) in caught.value.message and caught.value.hint


def test_an_unknown_playbook_lists_the_known_ones() -> None:
    with pytest.raises(PlaybookError, match="no playbook named 'lease'") as caught:
        load_playbook("lease")
    assert "nda" in caught.value.hint
    with pytest.raises(PlaybookError, match="no playbook file"):
        load_playbook(Path("/nonexistent/x.json"))
