"""The firm inference server backend against a real server on loopback.

One llama-cpp-python OpenAI-compatible server (the real default model, TLS with a
certificate made here, 127.0.0.1 only) serves the whole module. Refusals are checked
against the server's own access log: a refused server must have received no request.
Documents are short text contracts so the module stays within a few minutes on a CPU.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from app.config import Settings
from app.engine import Engine
from app.engine.backend import LOCAL, connect_server, open_backend, placement
from app.engine.context import calls_for
from app.engine.protocol import EngineLike
from app.engine.remote import RemoteEngine, ServerTrustError, ServerUnavailableError
from app.ingest.importer import import_paths
from app.models.store import InstalledModel
from app.paths import audit_dir
from app.policy import PolicyForbidsError
from app.tasks.audited import record_inference_call, run_ask, run_extract
from app.tasks.extract.resume import ROW_TASK
from app.tasks.fieldsets import FieldSet, load_fieldset
from app.tasks.quotes import find_quote
from app.tasks.summarise.batch import summarise_batch
from app.tasks.summarise.parts import PARTIAL_TASK, RESULT_TASK
from app.tasks.summarise.pipeline import Summary, summarise
from app.vault import Vault, unlock
from tests.fixtures.firm_server import FirmServer, make_certificate, write_policy
from tests.fixtures.vault import Ready

pytestmark = pytest.mark.model

CONTRACTS = {
    "alder-supply": (
        "SUPPLY AGREEMENT\n\nThis Supply Agreement is dated 3 March 2021 and is made between "
        "Alder Components Ltd (the Supplier) and Birch Tools plc (the Buyer).\n\n"
        "1. Supply. The Supplier shall supply the Products ordered by the Buyer.\n\n"
        "2. Term. This Agreement shall continue for a period of five years.\n\n"
        "3. Governing Law. This Agreement shall be governed by and construed in "
        "accordance with the laws of England and Wales.\n\n"
        # Terms no key-term rule reads, so the summary's points are the model's to write.
        "4. Payment. The Buyer shall pay each invoice within thirty (30) days of its date.\n\n"
        "5. Delivery. The Supplier shall deliver the Products to the Buyer's warehouse in "
        "Leeds within ten (10) working days of each order.\n"
    ),
    "cedar-licence": (
        "LICENCE AGREEMENT\n\nThis Licence Agreement is dated 14 June 2019 between Cedar "
        "Software Inc. (the Licensor) and Dune Retail LLC (the Licensee).\n\n"
        "1. Licence. The Licensor grants the Licensee a licence to use the Software.\n\n"
        "2. Governing Law. This Agreement is governed by the laws of the State of New York.\n\n"
        "3. Fees. The Licensee shall pay the Licensor an annual fee of $12,000 each January.\n\n"
        "4. Support. The Licensor shall answer support requests within two business days.\n"
    ),
    "elm-services": (
        "SERVICES AGREEMENT\n\nThis Services Agreement is dated 1 October 2020 between Elm "
        "Consulting GmbH and Fir Logistics AG.\n\n1. Services. Elm shall provide the "
        "Services.\n\n2. Governing Law. This Agreement is governed by the laws of Germany.\n\n"
        "3. Reports. Elm shall send Fir a written progress report at the end of each month.\n\n"
        "4. Fees. Fir shall pay Elm EUR 9,500 for each month of Services.\n"
    ),
}


def _open_fieldset(folder: Path) -> FieldSet:
    """One field without an extractor: the model chooses the sentence and writes the value.

    (The built-in governing-law field is decided by rules on these short contracts, so it
    would not exercise the server at all.)
    """
    path = folder / "firm-law.json"
    path.write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "chambers:fieldset:firm-law", "title": "Law", "description": "Governing law.",
        "type": "object", "additionalProperties": False,
        "properties": {"law": {
            "title": "Governing law", "type": "string", "maxLength": 80,
            "description": "The jurisdiction (state or country) whose law governs the contract.",
            "x-search": ["governed by", "governing law", "laws of"],
        }},
    }))  # fmt: skip
    return load_fieldset(path)


@pytest.fixture(scope="module")
def firm_server(
    tmp_path_factory: pytest.TempPathFactory, default_model: InstalledModel
) -> Iterator[FirmServer]:
    server = FirmServer(
        tmp_path_factory.mktemp("firm-server"), default_model.path, default_model.spec.id
    )
    server.start()
    yield server
    server.kill()


@pytest.fixture
def vault(ready_vault: Ready, tmp_path: Path) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    files = []
    for name, text in CONTRACTS.items():
        path = tmp_path / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        files.append(path)
    import_paths(opened, files)
    yield opened
    opened.lock()


def _ids(vault: Vault) -> dict[str, str]:
    return {d.title: d.id for d in vault.list_documents() if d.parent_id is None}


def _settings(server: FirmServer, parallel: int = 1) -> Settings:
    return Settings(context=4096, inference_server=server.base_url, server_parallel=parallel)


def _calls() -> list[dict[str, object]]:
    log = audit_dir() / "audit.jsonl"
    lines = log.read_text().splitlines() if log.exists() else []
    return [r for r in map(json.loads, lines) if r["action"] == "inference.call"]


def test_without_a_policy_nothing_is_sent(firm_server: FirmServer, etc: Path) -> None:
    seen = firm_server.requests_seen()
    assert placement(settings=Settings()).label == LOCAL
    with pytest.raises(PolicyForbidsError, match=r"not listed in inference\.servers"):
        placement(settings=_settings(firm_server))
    with pytest.raises(PolicyForbidsError, match="nothing was sent"):
        open_backend(settings=_settings(firm_server), on_call=record_inference_call)
    assert firm_server.requests_seen() == seen
    assert _calls() == []


def test_refusals_come_before_any_request(
    firm_server: FirmServer, etc: Path, tmp_path: Path
) -> None:
    seen = firm_server.requests_seen()
    settings = _settings(firm_server)
    write_policy(etc, [firm_server.policy_entry(models=["some-other-model"])])
    with pytest.raises(PolicyForbidsError, match="is not allowed on"):
        connect_server(firm_server.base_url, settings=settings, on_call=record_inference_call)
    assert placement(settings=settings).label == LOCAL

    write_policy(etc, [firm_server.policy_entry(matters=["M-ALLOWED"])])
    with pytest.raises(PolicyForbidsError, match="may not use"):
        connect_server(
            firm_server.base_url,
            matter=["M-OTHER"],
            settings=settings,
            on_call=record_inference_call,
        )
    assert placement(["M-OTHER"], settings=settings).label == LOCAL
    assert placement(["M-ALLOWED"], settings=settings).label == "Firm server: 127.0.0.1"

    other = make_certificate(tmp_path / "other", "impostor")
    write_policy(etc, [firm_server.policy_entry(fingerprint=other.fingerprint)])
    with pytest.raises(ServerTrustError, match="nothing was sent") as wrong_pin:
        connect_server(firm_server.base_url, settings=settings, on_call=record_inference_call)
    assert firm_server.certificate.fingerprint in wrong_pin.value.message

    entry = firm_server.policy_entry()
    del entry["fingerprint"]
    write_policy(etc, [{**entry, "ca_cert": str(other.cert)}])
    with pytest.raises(ServerTrustError, match="does not verify"):
        connect_server(firm_server.base_url, settings=settings, on_call=record_inference_call)
    assert firm_server.requests_seen() == seen
    assert _calls() == []

    # The same server with the right CA file connects: the refusals above were the checks.
    write_policy(etc, [{**entry, "ca_cert": str(firm_server.certificate.cert)}])
    with connect_server(
        firm_server.base_url, settings=settings, on_call=record_inference_call
    ) as engine:
        assert engine.capabilities.remote and engine.plan is None
    assert firm_server.requests_seen() == seen + 1
    (call,) = _calls()
    assert call["details"]["endpoint"] == "models" and call["outcome"] == "ok"  # type: ignore[index]


def test_ask_extract_and_summarise_cite_as_the_local_engine_does(
    firm_server: FirmServer, etc: Path, vault: Vault, qwen_engine: Engine, tmp_path: Path
) -> None:
    write_policy(etc, [firm_server.policy_entry(matters=[vault.vault_id])])
    ids = _ids(vault)
    # Unrouted, so the model (here: the server) chooses the sentence instead of the rules.
    question = "Which law governs the supply agreement?"
    fieldset = _open_fieldset(tmp_path)
    doc = ids["alder-supply"]
    pages = {p.page: p.text for p in vault.pages(doc)}

    def short_summary(engine: EngineLike) -> Summary:
        # Two short points, nothing stored: the remote run must not reuse the local parts.
        with calls_for("summarise", vault.vault_id):
            return summarise(doc, engine, vault, max_points=2, max_chars=100, store=False)

    local_answer = run_ask(question, qwen_engine, vault, routing=False)
    local_grid = run_extract([doc], fieldset, qwen_engine, vault)
    local_summary = short_summary(qwen_engine)

    remote = open_backend(
        matter=[vault.vault_id], settings=_settings(firm_server), on_call=record_inference_call
    )
    assert isinstance(remote, RemoteEngine)
    with remote:
        answer = run_ask(question, remote, vault, routing=False)
        grid = run_extract([doc], fieldset, remote, vault)
        summary = short_summary(remote)

    def cites(a: object) -> list[tuple[str, int, str, bool]]:
        return [(c.document_id, c.page, c.quote, c.verified) for c in a.citations]  # type: ignore[attr-defined]

    assert cites(answer) == cites(local_answer) and answer.citations
    assert all(c.verified for c in answer.citations)
    cell, local_cell = grid.rows[0].cells["law"], local_grid.rows[0].cells["law"]
    assert cell.decided_by == "generated" and cell.status == local_cell.status != "not_found"
    assert (cell.value, cell.page, cell.quote) == (
        local_cell.value,
        local_cell.page,
        local_cell.quote,
    )
    assert cell.quote and cell.quote in pages[cell.page or 0]
    assert summary.stats.model_calls >= 1 and summary.points
    assert [p.pages for p in summary.points] == [p.pages for p in local_summary.points]
    assert [p.quote for p in summary.points] == [p.quote for p in local_summary.points]
    _check_cited(vault, summary)

    calls = _calls()
    assert {c["details"]["task"] for c in calls} >= {"ask", "extract", "summarise"}  # type: ignore[index]
    for call in calls:
        details = call["details"]
        assert details["host"] == "127.0.0.1" and details["model"] == remote.spec.id  # type: ignore[index]
        assert details["bytes_received"] > 0  # type: ignore[index]
        assert details["bytes_sent"] > 0 or details["endpoint"] == "models"  # type: ignore[index]
        assert call["vault_id"] in (vault.vault_id, None)
    log = (audit_dir() / "audit.jsonl").read_text()
    assert question not in log and "England and Wales" not in log


def test_server_killed_mid_grid_keeps_rows_and_rerun_completes(
    firm_server: FirmServer, etc: Path, vault: Vault, tmp_path: Path
) -> None:
    write_policy(etc, [firm_server.policy_entry()])
    ids = _ids(vault)
    order = [ids["alder-supply"], ids["cedar-licence"], ids["elm-services"]]
    fieldset = _open_fieldset(tmp_path)

    def kill_after_first_row(fraction: float, message: str) -> None:
        if message.endswith(": done"):
            firm_server.kill()

    engine = connect_server(
        firm_server.base_url,
        settings=_settings(firm_server, parallel=2),
        on_call=record_inference_call,
    )
    try:
        with pytest.raises(ServerUnavailableError, match=re.escape(firm_server.base_url)):
            run_extract(order, fieldset, engine, vault, progress=kill_after_first_row)
        kept = vault.list_task_outputs(ROW_TASK)
        assert 1 <= len(kept) < len(order)

        firm_server.start()
        messages: list[str] = []
        grid = run_extract(order, fieldset, engine, vault,
                           progress=lambda f, m: messages.append(m))  # fmt: skip
    finally:
        engine.close()
    assert grid.document_ids == order
    assert len(vault.list_task_outputs(ROW_TASK)) == len(order)
    assert sum("kept from the last run" in m for m in messages) == len(kept)
    laws = [row.cells["law"] for row in grid.rows]
    for row, cell in zip(grid.rows, laws, strict=True):
        text = {p.page: p.text for p in vault.pages(row.document_id)}
        if cell.status != "not_found":
            assert cell.quote in text[cell.page or 0]


#: Short points, one call per document: the loopback server on a shared CPU takes
#: 10-25 s a call. Resuming from the parts of a half-done document is covered
#: without a model in tests/unit/test_summarise_scripted.py.
SHORT: dict[str, int] = {"max_points": 2, "max_chars": 60}


def _most_in_flight(calls: list[dict[str, object]]) -> int:
    """The most completion requests open at one moment, from their audit records' times."""
    spans = []
    for call in calls:
        details: dict[str, object] = call["details"]  # type: ignore[assignment]
        if details["endpoint"] == "completions":
            end = datetime.fromisoformat(str(call["time"]))
            spans.append((end - timedelta(seconds=float(details["duration_s"])), end))
    return max(sum(1 for s, e in spans if s <= start < e) for start, _ in spans)


def _check_cited(vault: Vault, summary: Summary) -> None:
    """Every page covered; points cite real pages; a quote is on its page (the app's own
    quote check: verbatim up to whitespace, as a facts-header quote may span a line break)."""
    text = {p.page: p.text for p in vault.pages(summary.document_id)}
    assert summary.covered_pages == sorted(text) and summary.points
    for point in summary.points:
        assert point.pages and set(point.pages) <= set(text)
        assert point.quote is None or find_quote(point.quote, text[point.pages[0]]), point


def test_batch_summaries_are_sent_two_at_once_and_cite_pages(
    firm_server: FirmServer, etc: Path, vault: Vault
) -> None:
    write_policy(etc, [firm_server.policy_entry()])
    ids = _ids(vault)
    docs = [ids["alder-supply"], ids["cedar-licence"]]
    settings = _settings(firm_server, parallel=2)
    with (
        connect_server(
            firm_server.base_url, settings=settings, on_call=record_inference_call
        ) as engine,
        calls_for("summarise", vault.vault_id),
    ):
        summaries = summarise_batch(docs, engine, vault, **SHORT)
    assert [s.document_id for s in summaries] == docs
    for summary in summaries:
        _check_cited(vault, summary)
        assert summary.stats.model_calls >= 1
    calls = _calls()
    assert sum(c["details"]["endpoint"] == "completions" for c in calls) == sum(  # type: ignore[index]
        s.stats.model_calls for s in summaries
    )
    assert _most_in_flight(calls) == 2  # both documents at once, never more


def test_server_killed_mid_batch_keeps_finished_summaries_and_rerun_completes(
    firm_server: FirmServer, etc: Path, vault: Vault
) -> None:
    write_policy(etc, [firm_server.policy_entry()])
    ids = _ids(vault)
    docs = [ids["alder-supply"], ids["cedar-licence"]]
    finished: list[str] = []

    def kill_after_first_summary(summary: Summary) -> None:
        finished.append(summary.document_id)
        firm_server.kill()

    engine = connect_server(
        firm_server.base_url,
        settings=_settings(firm_server, parallel=2),
        on_call=record_inference_call,
    )
    try:
        with pytest.raises(ServerUnavailableError, match="1 of 2 summaries were finished"):
            summarise_batch(docs, engine, vault, on_summary=kill_after_first_summary, **SHORT)
        assert len(finished) == 1
        assert len(vault.list_task_outputs(RESULT_TASK)) == 1
        kept = {o.id for o in vault.list_task_outputs(PARTIAL_TASK)}

        firm_server.start()
        messages: list[str] = []
        summaries = summarise_batch(docs, engine, vault, progress=lambda f, m: messages.append(m),
                                    **SHORT)  # fmt: skip
    finally:
        engine.close()
        if firm_server.proc is None or firm_server.proc.poll() is not None:
            firm_server.start()
    assert [s.document_id for s in summaries] == docs
    done = next(s for s in summaries if s.document_id == finished[0])
    other = next(s for s in summaries if s.document_id != finished[0])
    assert done.stats.model_calls == 0 and done.stats.windows_reused == done.stats.windows
    assert any(m.endswith(": kept from the last run") for m in messages)
    # The other document reused every part of it that had finished before the kill.
    assert other.stats.windows_reused == len(kept) - done.stats.windows
    assert other.stats.model_calls >= 1
    for summary in summaries:
        _check_cited(vault, summary)
    assert len(vault.list_task_outputs(RESULT_TASK)) == 3
