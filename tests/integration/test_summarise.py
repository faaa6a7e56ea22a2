"""Summarise short CUAD contracts in real encrypted vaults with the real default model.

Small windows (``window_tokens``) and few points per call force several windows and a
hierarchical combine on a two-page document, so the tests stay quick on a laptop CPU.
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
from app.tasks import summarise
from app.tasks.summarise.pipeline import date_key
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


def test_small_windows_cover_every_page_and_resume_after_cancel(
    qwen_engine: Engine, vault: Vault, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = _id(vault, TWO_PAGES)
    pages = [p.page for p in vault.pages(doc)]
    assert pages == [1, 2]
    prompts = Prompts(qwen_engine, monkeypatch)
    options: dict[str, Any] = {
        "window_tokens": 150,
        "max_points": 2,
        "target_points": 2,
        "max_chars": 100,
    }

    cancel = CancelToken()

    def stop_after_first(fraction: float, message: str) -> None:
        if message.startswith("Summarised part 1 "):
            cancel.cancel()

    with pytest.raises(CancelledError):
        summarise(doc, qwen_engine, vault, progress=stop_after_first, cancel=cancel, **options)
    assert len(prompts.seen) == 1
    first_window = prompts.seen[0]

    steps: list[float] = []
    result = summarise(doc, qwen_engine, vault, progress=lambda f, m: steps.append(f), **options)
    stats = result.stats
    assert stats.windows >= 2, stats
    assert stats.windows_reused == 1
    assert first_window not in prompts.seen[1:]  # the finished window was not recomputed
    assert stats.model_calls == len(prompts.seen) - 1
    map_calls = [p for p in prompts.seen[1:] if "\nPAGES " in p]
    assert len(map_calls) == stats.windows - 1
    assert stats.reduce_levels >= 1 and stats.model_calls > len(map_calls)  # combined

    assert result.covered_pages == pages and result.total_pages == 2
    # The facts header (rule-built, each fact with its quote) comes first, then the
    # model's points, combined down to the target.
    assert 1 <= len(result.points) - result.facts <= 2
    assert all(point.quote for point in result.points[: result.facts])
    for point in result.points:
        assert point.pages and set(point.pages) <= set(pages)
        assert point.text
    assert all(f"[{TWO_PAGES}, p. " in line for line in result.text.splitlines())
    assert steps[-1] == 1.0 and steps == sorted(steps)


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
