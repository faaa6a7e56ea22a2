"""Ask over real encrypted vaults of CUAD contracts with the real default model."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from app.cancel import CancelToken
from app.cli import main
from app.engine import Engine
from app.errors import CancelledError
from app.ingest.importer import import_paths
from app.tasks import NOT_FOUND, ask, retrieve
from app.vault import Vault, create_vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD

GOVERNING_LAW = "Which state's law governs the outsourcing agreement?"
ABSENT = "What is the penalty for late delivery of bananas?"


def _pdf(n: int) -> Path:
    return CUAD / "pdf" / f"cuad-dev-{n:03d}.pdf"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    import_paths(opened, [_pdf(0), _pdf(1), _pdf(2)])
    yield opened
    opened.lock()


class Calls:
    """Counts calls into the model (``stream``) on the shared engine."""

    def __init__(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        original = engine.stream

        def counting(*args: Any, **kwargs: Any) -> Any:
            self.count += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(engine, "stream", counting)


def test_answers_governing_law_from_page_13_with_a_verified_quote(
    qwen_engine: Engine, vault: Vault
) -> None:
    steps: list[tuple[float, str]] = []
    answer = ask(
        GOVERNING_LAW,
        qwen_engine,
        vault,
        max_passages=3,
        progress=lambda f, m: steps.append((f, m)),
    )
    assert answer.found, answer
    assert "Oklahoma" in answer.text  # CUAD label for cuad-dev-000: Oklahoma
    ids = {d.title: d.id for d in vault.list_documents()}
    assert answer.passages[0].document_id == ids["cuad-dev-000"]
    assert answer.passages[0].page == 13
    on_13 = [c for c in answer.citations if c.document_id == ids["cuad-dev-000"] and c.page == 13]
    assert any(c.verified for c in on_13), answer.citations
    for citation in answer.citations:  # every verified quote really is on its page
        if citation.verified:
            page = {p.page: p.text for p in vault.pages(citation.document_id)}[citation.page]
            assert citation.char_start is not None and citation.char_end is not None
            assert " ".join(page[citation.char_start : citation.char_end].split()).lower() in (
                " ".join(page.split()).lower()
            )
    assert steps[0][0] == 0.0 and steps[-1][0] == 1.0
    assert [f for f, _ in steps] == sorted(f for f, _ in steps)
    assert answer.stats.model_called and answer.stats.generation is not None


def test_nothing_relevant_says_so_without_calling_the_model(
    qwen_engine: Engine, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = Calls(qwen_engine, monkeypatch)
    answer = ask(ABSENT, qwen_engine, vault)
    assert not answer.found
    assert answer.text == NOT_FOUND
    assert answer.citations == [] and answer.passages == []
    assert calls.count == 0 and not answer.stats.model_called
    # A question of nothing but question words finds nothing either.
    assert not ask("What is it?", qwen_engine, vault).found and calls.count == 0


def test_retrieval_stays_inside_the_vault_it_is_given(
    qwen_engine: Engine, vault: Vault, vault_home: Path
) -> None:
    info, _ = create_vault("Other matter", passphrase=PASSPHRASE, use_keyring=False)
    other = unlock(info, passphrase=PASSPHRASE)
    try:
        import_paths(other, [_pdf(4), _pdf(5)])  # New York and Massachusetts law
        mine = {d.id for d in other.list_documents()}
        theirs = {d.id for d in vault.list_documents()}
        for question in (GOVERNING_LAW, "Which law governs this agreement?"):
            found = retrieve(question, other, count_tokens=qwen_engine.count_tokens)
            assert found.passages
            assert {p.document_id for p in found.passages} <= mine
        answer = ask(
            "Which state's law governs this agreement?", qwen_engine, other, max_passages=2
        )
        used = {p.document_id for p in answer.passages} | {c.document_id for c in answer.citations}
        assert used and used <= mine and not used & theirs
        assert "Oklahoma" not in answer.text and "Delaware" not in answer.text
    finally:
        other.lock()


def test_a_cancelled_question_raises_and_never_answers(qwen_engine: Engine, vault: Vault) -> None:
    token = CancelToken()
    token.cancel()
    with pytest.raises(CancelledError):
        ask(GOVERNING_LAW, qwen_engine, vault, cancel=token)


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
    code = main(["ask", name, GOVERNING_LAW, "--json", "--no-keyring", "--max-passages", "2"])
    assert code == 0
    result = json.loads(capsys.readouterr().out)
    assert set(result) == {"found", "answer", "citations", "passages", "stats"}
    assert result["found"] is True and "Oklahoma" in result["answer"]
    citation = result["citations"][0]
    assert {"document_id", "title", "page", "quote", "verified"} <= set(citation)
    assert main(["ask", name, ABSENT, "--no-keyring"]) == 0
    assert capsys.readouterr().out.strip() == NOT_FOUND

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert len(records) == 2
    first = records[0]
    assert first["details"]["kind"] == "ask" and first["outcome"] == "ok"
    assert first["details"]["duration_s"] >= 0
    assert first["object_ids"] == list(dict.fromkeys(p["document_id"] for p in result["passages"]))
    assert first["model_sha256"] == qwen_engine.loaded.model.spec.sha256  # type: ignore[union-attr]
    assert records[1]["outcome"] == "not_found"
    for word in ("governs", "outsourcing", "bananas", "Oklahoma"):
        assert word.lower() not in log.lower()
