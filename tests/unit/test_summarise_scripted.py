"""Summarise's map, combine and resume on the scripted engine, in a real encrypted vault.

The writer answers from the prompt alone: a window's points name the page they came
from ("p3a"), a combined point is the names of its sources joined, so a test can check
that every combined point cites exactly the pages of its sources, and which prompts a
rerun asks again. The real model runs in tests/integration/test_summarise.py.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from app.cancel import CancelToken
from app.cli import main
from app.commands.session import use_engine_factory
from app.engine.server_link import ServerUnavailableError
from app.errors import CancelledError
from app.tasks.summarise.batch import summarise_batch
from app.tasks.summarise.parts import PARTIAL_TASK, RESULT_TASK, Summary
from app.tasks.summarise.pipeline import summarise
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import PASSPHRASE, Ready

#: Small windows (one page each) and few points per call force a combine.
OPTIONS: dict[str, int] = {"window_tokens": 64, "max_points": 3, "target_points": 3}
PAGE = re.compile(r"\[page (\d+)\]")
POINT = re.compile(r"^\[(\d+)\] \(p\. [^)]*\) (.+)$", re.MULTILINE)
NAME = re.compile(r"p(\d+)[ab]")


def page_text(n: int) -> str:
    return (
        f"Clause {n}. The Tenant shall pay the rent for period {n} on the first day of "
        "each month, and the Landlord shall keep the building in good repair. Either party "
        "may end this lease by giving the other three months' written notice of its end."
    )


def write(prompt: str) -> str:
    """Two points per window page; a combine joins consecutive sources, at most 3 points."""
    if "\nPOINTS:\n" in prompt:
        sources = POINT.findall(prompt)
        chunks = min(OPTIONS["max_points"], len(sources))
        size = -(-len(sources) // chunks)
        points = []
        for start in range(0, len(sources), size):
            group = sources[start : start + size]
            points.append({"text": " ".join(t for _, t in group),
                           "from": [int(n) for n, _ in group]})  # fmt: skip
        return json.dumps({"points": points})
    pages = PAGE.findall(prompt)
    points = [{"text": f"p{p}{x}", "page": int(p)} for p in pages for x in "ab"]
    return json.dumps({"points": points[: OPTIONS["max_points"]]})


def add_document(vault: Vault, title: str, pages: int) -> str:
    with vault.write() as txn:
        info = txn.add_document(title.encode() * 3, title=title, mime_type="text/plain")
        txn.add_pages(info.id, [(n, page_text(n)) for n in range(1, pages + 1)])
    return info.id


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def window_prompts(engine: ScriptedEngine) -> list[tuple[int, ...]]:
    """The pages of every window prompt the engine was asked, in order."""
    return [tuple(map(int, PAGE.findall(p))) for p in engine.generations if "\nPAGES " in p]


def combine_prompts(engine: ScriptedEngine) -> list[str]:
    return [p for p in engine.generations if "\nPOINTS:\n" in p]


def model_points(summary: Summary) -> list[tuple[str, list[int]]]:
    return [(p.text, p.pages) for p in summary.points[summary.facts :]]


def failing_after(calls: int, error: Callable[[], Exception]) -> Callable[[str], str]:
    """The writer, except that call number ``calls`` + 1 raises ``error()``."""
    seen = [0]

    def writer(prompt: str) -> str:
        seen[0] += 1
        if seen[0] == calls + 1:
            raise error()
        return write(prompt)

    return writer


def test_map_then_combine_cites_the_union_of_the_sources_pages(vault: Vault) -> None:
    doc = add_document(vault, "Lease", 4)
    engine = ScriptedEngine(writer=write, n_ctx=4096)
    summary = summarise(doc, engine, vault, **OPTIONS)

    assert window_prompts(engine) == [(1,), (2,), (3,), (4,)]  # each page asked once
    assert combine_prompts(engine), "8 points over a target of 3 must be combined"
    assert summary.covered_pages == [1, 2, 3, 4] and summary.stats.windows == 4
    assert summary.stats.model_calls == len(engine.generations)
    assert summary.stats.reduce_levels >= 1
    points = model_points(summary)
    assert 1 <= len(points) <= OPTIONS["target_points"]
    for text, pages in points:
        assert pages == sorted({int(n) for n in NAME.findall(text)}), text
    # Nothing lost in the combine: every window point is inside some combined point.
    assert sorted(NAME.findall(" ".join(t for t, _ in points))) == sorted(
        f"{p}" for p in (1, 1, 2, 2, 3, 3, 4, 4)
    )
    assert len(vault.list_task_outputs(RESULT_TASK)) == 1


def test_a_failed_run_resumes_without_asking_finished_windows_again(vault: Vault) -> None:
    doc = add_document(vault, "Lease", 4)
    gone = ServerUnavailableError("The firm inference server stopped answering.")
    first = ScriptedEngine(writer=failing_after(2, lambda: gone), n_ctx=4096)
    with pytest.raises(ServerUnavailableError):
        summarise(doc, first, vault, **OPTIONS)
    assert window_prompts(first) == [(1,), (2,), (3,)]
    assert len(vault.list_task_outputs(PARTIAL_TASK)) == 2  # the two finished windows
    assert vault.list_task_outputs(RESULT_TASK) == []

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    resumed = summarise(doc, rerun, vault, **OPTIONS)
    assert window_prompts(rerun) == [(3,), (4,)]
    assert resumed.stats.windows_reused == 2
    assert resumed.stats.model_calls == len(rerun.generations)

    clean = ScriptedEngine(writer=write, n_ctx=4096)
    whole = summarise(doc, clean, vault, store=False, **OPTIONS)
    assert model_points(resumed) == model_points(whole)
    assert resumed.covered_pages == whole.covered_pages == [1, 2, 3, 4]


def test_a_run_cancelled_while_combining_keeps_every_window_and_finished_group(
    vault: Vault,
) -> None:
    doc = add_document(vault, "Lease", 6)
    probe = ScriptedEngine(writer=write, n_ctx=4096)
    summarise(doc, probe, vault, store=False, **OPTIONS)
    combines = combine_prompts(probe)
    assert len(combines) >= 2, "six pages need more than one combine call"

    cancel = CancelToken()
    seen = [0]

    def cancel_on_second_combine(prompt: str) -> str:
        if "\nPOINTS:\n" in prompt:
            seen[0] += 1
            if seen[0] == 2:
                cancel.cancel()
                raise CancelledError("cancelled")
        return write(prompt)

    first = ScriptedEngine(writer=cancel_on_second_combine, n_ctx=4096)
    with pytest.raises(CancelledError, match="finished parts are kept"):
        summarise(doc, first, vault, cancel=cancel, **OPTIONS)

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    resumed = summarise(doc, rerun, vault, **OPTIONS)
    assert window_prompts(rerun) == []  # every window was kept
    assert resumed.stats.windows_reused == 6
    assert combines[0] not in rerun.generations  # the finished combine was kept
    assert combine_prompts(rerun) == combines[1:]
    assert model_points(resumed) == model_points(
        summarise(doc, ScriptedEngine(writer=write, n_ctx=4096), vault, store=False, **OPTIONS)
    )


class InFlight:
    """Counts concurrent generations; with ``pair`` each waits (up to 5 s) for a second."""

    def __init__(self, pair: bool) -> None:
        self.pair, self.now, self.most = pair, 0, 0
        self._cond = threading.Condition()

    def __call__(self, prompt: str) -> str:
        with self._cond:
            self.now += 1
            self.most = max(self.most, self.now)
            self._cond.notify_all()
            if self.pair:
                self._cond.wait_for(lambda: self.most >= 2, timeout=120)  # ends when both are in
        try:
            return write(prompt)
        finally:
            with self._cond:
                self.now -= 1


def test_batch_runs_in_parallel_on_a_server_and_one_at_a_time_locally(vault: Vault) -> None:
    docs = [add_document(vault, f"Lease {n}", 2) for n in range(3)]
    local = InFlight(pair=False)
    sequential = summarise_batch(docs, ScriptedEngine(writer=local, n_ctx=4096), vault,
                                 store=False, **OPTIONS)  # fmt: skip
    assert local.most == 1
    remote = InFlight(pair=True)
    server = ScriptedEngine(writer=remote, n_ctx=4096, remote=True, parallel=2)
    messages: list[str] = []
    parallel = summarise_batch(docs, server, vault, store=False,
                               progress=lambda f, m: messages.append(m), **OPTIONS)  # fmt: skip
    assert remote.most == 2  # two documents in flight, never three
    assert [s.document_id for s in parallel] == [s.document_id for s in sequential] == docs
    assert [model_points(s) for s in parallel] == [model_points(s) for s in sequential]
    assert messages[0] == "Summarising 3 document(s), 2 at a time"


def test_batch_stopped_by_a_server_error_says_so_and_the_rerun_reuses_everything(
    vault: Vault,
) -> None:
    docs = [add_document(vault, f"Lease {n}", 2) for n in range(2)]
    gone = ServerUnavailableError("The firm inference server stopped answering.")
    first = ScriptedEngine(writer=failing_after(4, lambda: gone), n_ctx=4096)
    with pytest.raises(ServerUnavailableError, match="1 of 2 summaries were finished") as err:
        summarise_batch(docs, first, vault, **OPTIONS)
    assert "rerun resumes" in err.value.hint
    assert len(vault.list_task_outputs(RESULT_TASK)) == 1

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    messages: list[str] = []
    done = summarise_batch(docs, rerun, vault, progress=lambda f, m: messages.append(m),
                           **OPTIONS)  # fmt: skip
    assert done[0].stats.model_calls == 0 and done[0].stats.windows_reused == 2
    assert "Lease 0: kept from the last run" in messages
    assert done[1].stats.windows_reused == 1  # its first window was finished before
    assert window_prompts(rerun) == [(2,)]


def test_cli_summarises_several_documents_with_one_audit_record(
    ready_vault: Ready,
    vault_home: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CHAMBERS_PASSPHRASE", PASSPHRASE)
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    docs = [add_document(opened, f"Lease {n}", 2) for n in range(2)]
    opened.lock()
    engine = ScriptedEngine(writer=write, n_ctx=4096)
    name = ready_vault.info.name
    with use_engine_factory(lambda model=None: engine):
        assert main(["summarise", name, "--all", "--json", "--no-keyring"]) == 0
        result = json.loads(capsys.readouterr().out)
        assert main(["summarise", name, "Lease 1", "Lease 0", "--no-keyring"]) == 0
        out = capsys.readouterr().out
        assert main(["summarise", name, "--no-keyring"]) == 2  # neither DOC nor --all
    assert sorted(s["document_id"] for s in result) == sorted(docs)  # --all: the matter's order
    assert all(s["covered_pages"] == [1, 2] and s["points"] for s in result)
    assert out.index("== Lease 1 ==") < out.index("== Lease 0 ==")
    assert out.count("Pages covered: 2/2") == 2 and "[Lease 0, p. 1]" in out

    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in log.splitlines() if '"task.run"' in line]
    assert len(records) == 2  # one per batch, not one per document
    first, second = records
    assert sorted(first["object_ids"]) == sorted(docs) and first["outcome"] == "ok"
    assert first["details"]["documents"] == 2 and first["details"]["parallel"] == 1
    # The second run asked nothing: every model call the engine saw was the first run's.
    assert first["details"]["model_calls"] == len(engine.generations) > 0
    assert second["details"]["model_calls"] == 0  # every part kept from the first run
    assert second["details"]["windows_reused"] == first["details"]["windows"]
    assert "p1a" not in log and "Lease 0" not in log  # never content, never titles
