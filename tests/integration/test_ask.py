"""Ask over real encrypted vaults of CUAD contracts with the real default model.

The answers are checked the way a lawyer would check them: the value matches CUAD's
expert label, every citation is a verbatim span of its page, and an answer never holds a
date or name its sentences do not state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from app.cancel import CancelToken
from app.cli import main
from app.engine import Engine
from app.errors import CancelledError
from app.ingest.importer import import_paths
from app.tasks.ask import NOT_STATED, Answer, ask
from app.tasks.columns import column_cell
from app.tasks.grounding import unsupported_facts
from app.vault import Vault, create_vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD

GOVERNING_LAW = "Which state's law governs this agreement?"
ABSENT = "What is the penalty for late delivery of bananas?"


def _pdf(n: int) -> Path:
    return CUAD / "pdf" / f"cuad-dev-{n:03d}.pdf"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    import_paths(opened, [_pdf(0), _pdf(1), _pdf(2)])
    yield opened
    opened.lock()


def _ids(vault: Vault) -> dict[str, str]:
    return {d.title: d.id for d in vault.list_documents()}


def assert_grounded(answer: Answer, vault: Vault) -> None:
    """Every citation is its page's own text; a confirmed answer states only their facts."""
    for cite in [*answer.citations, *answer.closest]:
        page = {p.page: p.text for p in vault.pages(cite.document_id)}[cite.page]
        assert cite.char_start is not None and cite.char_end is not None
        assert " ".join(page[cite.char_start : cite.char_end].split()) == cite.quote
        assert cite.verified
    if answer.kind == "confirmed":
        for item in answer.documents:
            if item.kind == "confirmed":
                claim = item.derivation or item.value or ""
                sources = [c.quote for c in answer.citations]
                assert not unsupported_facts(claim, sources), (claim, sources)


def test_governing_law_is_routed_to_its_rule_with_the_clause_quoted(
    qwen_engine: Engine, vault: Vault
) -> None:
    steps: list[tuple[float, str]] = []
    doc = _ids(vault)["cuad-dev-000"]
    answer = ask(GOVERNING_LAW, qwen_engine, vault, document_ids=[doc],
                 progress=lambda f, m: steps.append((f, m)))  # fmt: skip
    assert answer.path == "field:governing_law" and answer.kind == "confirmed", answer
    assert "Oklahoma" in answer.text  # CUAD label for cuad-dev-000
    assert [(c.document_id, c.page) for c in answer.citations] == [(doc, 13)]
    assert_grounded(answer, vault)
    assert steps[0][0] == 0.0 and steps[-1][0] == 1.0
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)


def test_a_matter_of_three_contracts_answers_per_document(
    qwen_engine: Engine, vault: Vault
) -> None:
    answer = ask("Who are the parties to this agreement?", qwen_engine, vault)
    assert answer.path == "field:parties"
    assert len(answer.documents) == 3
    titles = {d.title for d in answer.documents if d.value}
    assert titles == {"cuad-dev-000", "cuad-dev-001", "cuad-dev-002"}
    assert "Virtual Item Processing" in answer.text and "Loop Industries" in answer.text
    assert_grounded(answer, vault)


def test_an_expiry_the_contract_does_not_state_is_never_invented(
    qwen_engine: Engine, vault: Vault
) -> None:
    # cuad-dev-002 has no expiration date (CUAD leaves the label empty).
    doc = _ids(vault)["cuad-dev-002"]
    answer = ask("When does this agreement expire?", qwen_engine, vault, document_ids=[doc])
    assert_grounded(answer, vault)
    sources = [c.quote for c in answer.citations]
    if answer.kind == "confirmed":
        assert not unsupported_facts(answer.text.split(":", 1)[-1], sources)
    else:
        assert answer.text in (NOT_STATED,) or answer.text.startswith("No short answer")


def test_terminate_without_cause_reaches_the_convenience_rule(
    qwen_engine: Engine, vault: Vault
) -> None:
    doc = _ids(vault)["cuad-dev-000"]
    question = "Can either party end this agreement without cause?"
    answer = ask(question, qwen_engine, vault, document_ids=[doc])
    assert answer.path == "field:termination_for_convenience", answer
    assert_grounded(answer, vault)
    # CUAD: no termination for convenience in cuad-dev-000; never a bare "No" without a sentence.
    assert answer.yes_no != "No" or answer.citations


def test_nothing_relevant_is_not_stated_without_asking_the_model(
    qwen_engine: Engine, vault: Vault
) -> None:
    answer = ask(ABSENT, qwen_engine, vault)
    assert answer.kind == "not_stated" and answer.text == NOT_STATED and not answer.found
    assert answer.citations == [] and answer.stats.model_calls == 0
    assert_grounded(answer, vault)


def test_the_model_chooses_a_sentence_and_the_answer_is_checked(
    qwen_engine: Engine, vault: Vault
) -> None:
    doc = _ids(vault)["cuad-dev-000"]
    answer = ask("Where must notices under this agreement be sent?", qwen_engine, vault,
                 document_ids=[doc], routing=False)  # fmt: skip
    assert answer.path == "retrieval"
    assert answer.stats.model_calls >= 1
    assert_grounded(answer, vault)
    if answer.kind == "confirmed":
        assert not unsupported_facts(answer.text, [c.quote for c in answer.citations])
        assert answer.citations
    elif answer.kind == "unconfirmed":
        assert answer.citations  # the sentences are shown instead of an unchecked answer


def test_a_two_part_question_answers_each_part(qwen_engine: Engine, vault: Vault) -> None:
    doc = _ids(vault)["cuad-dev-000"]
    answer = ask("Who are the parties and which law governs?", qwen_engine, vault,
                 document_ids=[doc])  # fmt: skip
    assert [p.path for p in answer.parts] == ["field:parties", "field:governing_law"]
    assert answer.text.startswith("1. ") and "\n2. " in answer.text
    assert "Oklahoma" in answer.text


def test_retrieval_stays_inside_the_vault_it_is_given(
    qwen_engine: Engine, vault: Vault, vault_home: Path
) -> None:
    info, _ = create_vault("Other matter", passphrase=PASSPHRASE, use_keyring=False)
    other = unlock(info, passphrase=PASSPHRASE)
    try:
        import_paths(other, [_pdf(4), _pdf(5)])  # New York and Massachusetts law
        mine = {d.id for d in other.list_documents()}
        answer = ask(GOVERNING_LAW, qwen_engine, other)
        used = {c.document_id for c in answer.citations} | {d.document_id for d in answer.documents}
        assert used and used <= mine
        assert "Oklahoma" not in answer.text and "Delaware" not in answer.text
        assert "New York" in answer.text and "Massachusetts" in answer.text
    finally:
        other.lock()


def test_a_cancelled_question_raises_and_never_answers(qwen_engine: Engine, vault: Vault) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        ask("Where must notices be sent?", qwen_engine, vault, cancel=token, routing=False)


def test_a_custom_column_rests_a_yes_on_a_sentence(qwen_engine: Engine, vault: Vault) -> None:
    doc = _ids(vault)["cuad-dev-000"]
    # Routed: CUAD says cuad-dev-000 has audit rights; the rule answers with the clause.
    cell = column_cell("Can a party audit the other's books and records?", doc, vault,
                       qwen_engine)  # fmt: skip
    assert cell.value == "Yes" and cell.status == "supported" and cell.quote
    # Unrouted, a question about something absent: not found, never a bare Yes.
    absent = column_cell("Must a party deposit bananas in escrow?", doc, vault, qwen_engine,
                         routing=False)  # fmt: skip
    assert absent.value != "Yes" or absent.quote


def test_cli_ask_json_and_one_audit_record_without_content(
    cli_engine: Engine,
    qwen_engine: Engine,
    ready_vault: Ready,
    vault_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    assert cli_engine is qwen_engine  # the verbs get the session engine
    name = ready_vault.info.name
    assert main(["import", name, str(_pdf(0)), "--no-keyring", "--json"]) == 0
    capsys.readouterr()
    assert main(["ask", name, GOVERNING_LAW, "--json", "--no-keyring"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["found"] is True and result["confirmed"] is True
    assert result["path"] == "field:governing_law" and "Oklahoma" in result["answer"]
    citation = result["citations"][0]
    assert {"document_id", "title", "page", "quote", "char_start", "char_end"} <= set(citation)
    assert main(["ask", name, ABSENT, "--no-keyring"]) == 0
    assert capsys.readouterr().out.splitlines()[0] == NOT_STATED

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert len(records) == 2
    assert "Oklahoma" not in log and "governs" not in log and "bananas" not in log
