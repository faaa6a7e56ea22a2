"""The clause check over a real NDA (ContractNLI dev, first document) with the real model.

The NDA is imported as a .txt file into an encrypted vault, as a lawyer would drop it
in. Kept to a few statements so it runs in a couple of minutes on a laptop CPU.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.engine import Engine
from app.ingest.importer import import_paths
from app.tasks.clauses import LABELS, check_clause, check_clauses
from app.tasks.verify import find_quote
from app.vault import Vault, unlock
from tests.eval.nli_scoring import Nda, load_ndas, locate, overlaps
from tests.fixtures.vault import (  # noqa: F401
    Ready,
    ready_vault_fixture,
    vault_home_fixture,
    vault_template_fixture,
)
from tests.shared_data import SHARED_DATA

ABSENT = "The Receiving Party shall deliver three tonnes of bananas to the Disclosing Party."


@pytest.fixture(scope="module")
def first_nda() -> Nda:
    return load_ndas(SHARED_DATA / "contractnli" / "dev.json", 1)[0]


@pytest.fixture
def nda(ready_vault: Ready, tmp_path: Path, first_nda: Nda) -> Iterator[tuple[Vault, str]]:
    source = tmp_path / "oisair-nda.txt"
    source.write_text(first_nda.text, encoding="utf-8")
    vault = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield vault, import_paths(vault, [source]).imported[0].document_id
    vault.lock()


def test_a_clause_the_nda_has_is_found_on_its_page_with_a_checked_quote(
    qwen_engine: Engine, nda: tuple[Vault, str], first_nda: Nda
) -> None:
    vault, document_id = nda
    pair = next(p for p in first_nda.pairs if p.key == "nda-11")  # no reverse engineering
    finding = check_clause(pair.hypothesis, document_id, qwen_engine, vault)
    assert finding.model_called and finding.label in LABELS
    # The gold evidence ("f) Not to ... reverse engineer or decompile") was read.
    read = [locate(p.text, first_nda.text) for p in finding.passages]
    assert any(overlaps(span, pair.evidence) for span in read)
    assert finding.document_id == document_id and finding.page == 1
    page = next(p.text for p in vault.pages(document_id) if p.page == 1)
    if finding.verified:
        assert finding.char_start is not None and finding.char_end is not None
        assert find_quote(finding.quote, page[finding.char_start : finding.char_end])
    elif finding.quote:
        assert find_quote(finding.quote, page) is None  # flagged, never passed off


def test_a_checklist_keeps_its_order_and_writes_one_content_free_audit_record(
    qwen_engine: Engine, nda: tuple[Vault, str], first_nda: Nda, vault_home: Path
) -> None:
    vault, document_id = nda
    share = next(p for p in first_nda.pairs if p.key == "nda-5").hypothesis  # employees
    steps: list[tuple[float, str]] = []
    checklist = check_clauses(
        [ABSENT, share],
        document_id,
        qwen_engine,
        vault,
        progress=lambda f, m: steps.append((f, m)),
    )
    absent, shared = checklist.findings
    assert absent.statement == ABSENT and absent.label == "NotMentioned"
    assert not absent.model_called
    assert shared.statement == share and shared.model_called
    assert sum(checklist.counts().values()) == 2
    assert steps[0][0] == 0.0 and steps[-1][0] == 1.0
    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    (record,) = [json.loads(x) for x in log.splitlines() if '"task.run"' in x]
    details: dict[str, Any] = record["details"]
    assert details["kind"] == "clauses" and details["statements"] == 2
    assert record["object_ids"] == [document_id] and record["outcome"] == "ok"
    for word in ("bananas", "employees", "Receiving"):
        assert word.lower() not in log.lower()
