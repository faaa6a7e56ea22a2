"""Summarise short CUAD contracts in real encrypted vaults with the real default model.

A brief summary is rules (facts header, key terms) then one model call over numbered
sentences; the chronology keeps page windows. Short contracts keep it quick on a CPU.
"""

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
from app.tasks.grounding import unsupported_facts
from app.tasks.quotes import find_quote
from app.tasks.summarise.pipeline import date_key, summarise
from app.vault import Vault, unlock
from tests.fixtures.vault import PASSPHRASE, Ready
from tests.shared_data import CUAD

TWO_PAGES = "cuad-dev-076"
ONE_PAGE = "cuad-dev-024"


def _pdf(name: str) -> Path:
    return CUAD / "pdf" / f"{name}.pdf"


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    import_paths(opened, [_pdf(TWO_PAGES), _pdf(ONE_PAGE)])
    yield opened
    opened.lock()


def _id(vault: Vault, title: str) -> str:
    return next(d.id for d in vault.list_documents() if d.title == title)


class Prompts:
    """Records the user prompt of every call into the model on the shared engine."""

    def __init__(self, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[str] = []
        original = engine.stream

        def recording(messages: Any, *args: Any, **kwargs: Any) -> Any:
            self.seen.append(messages[-1]["content"])
            return original(messages, *args, **kwargs)

        monkeypatch.setattr(engine, "stream", recording)


def test_brief_summary_rules_then_one_checked_call_and_a_rerun_asks_nothing(
    qwen_engine: Engine, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _id(vault, ONE_PAGE)  # a one-page agreement with terms to read (076 has 4 sentences)
    text = {p.page: p.text for p in vault.pages(doc)}
    assert sorted(text) == [1]
    prompts = Prompts(qwen_engine, monkeypatch)
    options: dict[str, Any] = {"max_points": 3, "max_chars": 120}

    cancel = CancelToken()

    def stop_before_the_model(fraction: float, message: str) -> None:
        if message.startswith("Asking the model"):
            cancel.cancel()

    with pytest.raises(CancelledError):
        summarise(doc, qwen_engine, vault, progress=stop_before_the_model, cancel=cancel,
                  **options)  # fmt: skip
    assert prompts.seen == []

    steps: list[float] = []
    result = summarise(doc, qwen_engine, vault, progress=lambda f, m: steps.append(f), **options)
    assert result.stats.model_calls == len(prompts.seen) == 1
    assert "SENTENCES:\n[1] (p. " in prompts.seen[0]
    assert result.covered_pages == [1] and result.total_pages == 1
    assert result.facts >= 1 and result.stats.rules_seconds < 2
    # Every line quotes its page; a model point's citation is its numbered sentences.
    for point in result.points:
        assert point.pages == [1] and point.text
        assert point.quote and find_quote(point.quote, text[point.pages[0]]), point
        for cited in point.cited:
            assert cited.end > cited.start and text[cited.page][cited.start : cited.end]
    assert 0 <= result.confirmed <= result.written <= 3
    assert len(result.narrative) == result.confirmed + result.quoted
    for point in result.narrative:
        assert point.kind in ("point", "quoted") and point.cited
        if point.kind == "point":
            sources = [text[c.page][c.start : c.end] for c in point.cited]
            assert not unsupported_facts(point.text, sources), point
    assert "KEY FACTS" in result.text and f"[{ONE_PAGE}, p. 1]" in result.text
    assert steps[-1] == 1.0 and steps == sorted(steps)

    again = summarise(doc, qwen_engine, vault, **options)
    assert len(prompts.seen) == 1 and again.stats.windows_reused == 1  # kept, not asked
    assert again.text == result.text


def test_chronology_lists_dated_events_in_order(qwen_engine: Engine, vault: Vault) -> None:
    doc = _id(vault, ONE_PAGE)
    result = summarise(
        doc, qwen_engine, vault, style="chronology", store=False, max_points=4, max_chars=100
    )
    assert result.covered_pages == [1] and result.style == "chronology"
    assert result.points, "a contract page with dates yields dated events"
    for point in result.points:
        assert point.date and point.pages == [1]
    assert [date_key(p.date) for p in result.points] == sorted(
        date_key(p.date) for p in result.points
    )


def test_cli_summarise_json_and_one_audit_record_without_content(
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
    assert main(["import", name, str(_pdf(ONE_PAGE)), "--no-keyring", "--json"]) == 0
    capsys.readouterr()
    assert main(["summarise", name, ONE_PAGE, "--json", "--no-keyring"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert {"document_id", "title", "style", "text", "points", "covered_pages"} <= set(result)
    assert result["style"] == "brief" and result["title"] == ONE_PAGE
    assert result["covered_pages"] == [1] and result["total_pages"] == 1
    assert result["points"] and all(p["pages"] == [1] for p in result["points"])

    # Plain output, by id prefix: the stored window is reused, no new model call.
    assert main(["summarise", name, result["document_id"][:8], "--no-keyring"]) == 0
    out = capsys.readouterr().out
    assert f"[{ONE_PAGE}, p. 1]" in out and "Pages covered: 1/1" in out
    assert main(["summarise", name, "no-such-doc", "--no-keyring"]) != 0

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert len(records) == 2
    first = records[0]
    assert first["details"]["kind"] == "summarise" and first["outcome"] == "ok"
    assert first["object_ids"] == [result["document_id"]]
    assert first["details"]["covered"] == 1 and first["details"]["model_calls"] == 1
    assert records[1]["details"]["model_calls"] == 0
    assert first["model_sha256"] == qwen_engine.loaded.model.spec.sha256  # type: ignore[union-attr]
    for point in result["points"]:
        for word in point["text"].split():
            if len(word) > 8:
                assert word.lower() not in log.lower()
