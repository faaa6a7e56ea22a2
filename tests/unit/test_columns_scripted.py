"""A firm's novel column (routing off) on the scripted engine, in a real encrypted vault.

The scripted engine stands in for the model under the logic tested here: a Yes needs a
sentence the model reads as saying yes, and the cell quotes that sentence; a reading
that leans No, or no sentence at all, is "not found", never Yes and never a bare No.
The real model runs in tests/integration/test_ask.py and the column eval.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import pytest

from app.tasks.columns import NOT_FOUND_NOTE, column_cell
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready

SUPPLY = (
    "The Supplier shall maintain insurance records for each delivery under this Agreement.\n\n"
    "The Supplier shall maintain general liability insurance of not less than $1,000,000.\n\n"
    "Payment is due within thirty (30) days."
)
LEASE = "The Tenant shall pay rent monthly. The Landlord shall repair the roof."
QUESTION = "Must a party maintain insurance?"


def reader(says_yes: str) -> tuple[ScriptedEngine, list[str]]:
    """An engine that reads a sentence holding ``says_yes`` as Yes, any other as No."""
    read: list[str] = []

    def score(prompt: str, labels: Sequence[str]) -> list[float]:
        sentence = prompt.split("SENTENCE: ", 1)[1].split("\n", 1)[0]
        read.append(sentence)
        if sentence == "N/A":
            return [0.5, 0.0]  # the model's own lean to Yes, calibrated away
        return [3.0, 0.0] if says_yes and says_yes in sentence else [0.0, 3.0]

    return ScriptedEngine(score), read


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    with opened.write() as txn:
        for title, text in (("Supply", SUPPLY), ("Lease", LEASE)):
            info = txn.add_document(title.encode(), title=title, mime_type="text/plain")
            txn.add_pages(info.id, [(1, text)])
    yield opened
    opened.lock()


def _ids(vault: Vault) -> dict[str, str]:
    return {d.title: d.id for d in vault.list_documents()}


def test_a_yes_quotes_the_one_sentence_read_as_saying_so(vault: Vault) -> None:
    engine, read = reader("general liability insurance")
    cell = column_cell(QUESTION, _ids(vault)["Supply"], vault, engine, routing=False)
    assert cell.value == "Yes" and cell.decided_by == "model" and cell.status == "supported"
    assert cell.quote.startswith("The Supplier shall maintain general liability insurance")
    page = {p.page: p.text for p in vault.pages(_ids(vault)["Supply"])}[1]
    assert cell.char_start is not None and cell.char_end is not None
    assert " ".join(page[cell.char_start : cell.char_end].split()) == cell.quote
    assert read.count("N/A") == 1 and len(read) == 3  # the bias, then each candidate


def test_sentences_read_as_no_give_not_found_never_no(vault: Vault) -> None:
    engine, read = reader("")
    cell = column_cell(QUESTION, _ids(vault)["Supply"], vault, engine, routing=False)
    assert cell.value is None and cell.status == "not_found"
    assert cell.note == "No sentence read clearly says so."
    assert len(read) >= 2  # sentences were read, and none said so


def test_no_sentence_on_the_topic_is_not_found_without_asking_the_model(vault: Vault) -> None:
    engine, read = reader("insurance")
    cell = column_cell(QUESTION, _ids(vault)["Lease"], vault, engine, routing=False)
    assert cell.value is None and cell.status == "not_found" and cell.note == NOT_FOUND_NOTE
    assert read == []


def test_the_bias_is_measured_once_per_question_for_the_whole_column(vault: Vault) -> None:
    engine, read = reader("general liability insurance")
    for _ in range(2):
        column_cell(QUESTION, _ids(vault)["Supply"], vault, engine, routing=False)
    assert read.count("N/A") == 1
