"""Summarise's rules-then-one-call shape, its checks and resume, on the scripted engine,
in a real encrypted vault.

The writer answers from the prompt alone: it reads the numbered sentences and writes
one point per page whose "period N" it restates (confirmed: N is in the sentence), one
point claiming an amount no sentence states (replaced by its quoted sentence), and a
repeat (dropped), so a test can check what the model was shown, what was kept and what
a rerun asks again. The real model runs in tests/integration/test_summarise.py.
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

OPTIONS: dict[str, int] = {"max_points": 5}
SENTENCE = re.compile(r"^\[(\d+)\] \(p\. (\d+)\) (.+)$", re.MULTILINE)
PERIOD = re.compile(r"period (\d+)")
COUNTERPARTS = "This Lease may be executed in counterparts, each of which shall be an original."
DEFINITION = '"Premises" means the building at 1 Main Street, which the Tenant shall keep clean.'


def page_text(n: int) -> str:
    return (
        f"Clause {n}. The Tenant shall pay the rent for period {n} on the first day of "
        "each month, and the Landlord shall keep the building in good repair. Either party "
        "may end this lease by giving the other three months' written notice of its end. "
        f"{COUNTERPARTS if n == 1 else DEFINITION}"
    )


def numbered(prompt: str) -> list[tuple[int, int, str]]:
    """The (number, page, sentence) lines the model was shown."""
    return [(int(n), int(p), t) for n, p, t in SENTENCE.findall(prompt)]


def write(prompt: str) -> str:
    """A confirmed point per sentence (its period restated), an unconfirmed one, a repeat."""
    shown = numbered(prompt)
    points = [
        {"sentences": [n], "text": f"The Tenant pays the rent for period {PERIOD.findall(t)[0]}."}
        for n, _, t in shown
        if PERIOD.search(t)
    ][: OPTIONS["max_points"] - 2]
    points.append({"sentences": [shown[-1][0]], "text": "The Tenant pays 999 dollars a day."})
    points.append(dict(points[0]))  # the same sentences again: dropped
    return json.dumps({"points": points})


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


def model_points(summary: Summary) -> list[tuple[str, list[int], str]]:
    return [(p.text, p.pages, p.kind) for p in summary.narrative]


def failing_after(calls: int, error: Callable[[], Exception]) -> Callable[[str], str]:
    """The writer, except that call number ``calls`` + 1 raises ``error()``."""
    seen = [0]

    def writer(prompt: str) -> str:
        seen[0] += 1
        if seen[0] == calls + 1:
            raise error()
        return write(prompt)

    return writer


def test_facts_and_terms_by_rule_then_one_call_whose_points_are_checked(vault: Vault) -> None:
    doc = add_document(vault, "Lease", 4)
    engine = ScriptedEngine(writer=write, n_ctx=4096)
    shown: list[list[str]] = []
    summary = summarise(doc, engine, vault, on_points=lambda p: shown.append([x.kind for x in p]),
                        **OPTIONS)  # fmt: skip

    assert len(engine.generations) == 1 == summary.stats.model_calls  # one call, every page
    prompt = engine.generations[0]
    sentences = numbered(prompt)
    assert [page for _, page, _ in sentences] == [1, 2, 3, 4]  # every page read, in order
    assert COUNTERPARTS not in prompt and "means the building" not in prompt  # filtered
    assert summary.stats.sentences_boilerplate >= 4
    assert summary.covered_pages == [1, 2, 3, 4] and summary.total_pages == 4
    # Checked: 3 confirmed (one per period, 5 less the two extras), 1 quoted, 1 dropped.
    assert (summary.written, summary.confirmed, summary.quoted) == (5, 3, 1)
    kinds = [p.kind for p in summary.narrative]
    assert kinds == ["point", "point", "point", "quoted"]
    pages = {n: page_text(n) for n in range(1, 5)}
    for point in summary.narrative:
        assert point.cited and point.pages == sorted({c.page for c in point.cited})
        for cited in point.cited:  # the citation is the numbered sentence, by span
            assert pages[cited.page][cited.start : cited.end].startswith(("Clause", "The"))
        if point.kind == "point":
            period = PERIOD.findall(point.text)[0]
            assert f"period {period} " in pages[point.pages[0]]
    quoted = summary.narrative[-1]
    assert quoted.text == quoted.quote and "999" not in summary.text
    assert (
        "3 of 5 points confirmed" in summary.text
        and "1 shown as the contract's own words" in summary.text
    )
    # The rule lines reach the caller before the model is asked, then the points.
    assert shown[-1] == kinds and len(vault.list_task_outputs(RESULT_TASK)) == 1


def test_a_failed_run_resumes_and_a_finished_one_asks_nothing(vault: Vault) -> None:
    doc = add_document(vault, "Lease", 4)
    gone = ServerUnavailableError("The firm inference server stopped answering.")
    first = ScriptedEngine(writer=failing_after(0, lambda: gone), n_ctx=4096)
    with pytest.raises(ServerUnavailableError):
        summarise(doc, first, vault, **OPTIONS)
    assert vault.list_task_outputs(PARTIAL_TASK) == vault.list_task_outputs(RESULT_TASK) == []

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    done = summarise(doc, rerun, vault, **OPTIONS)
    assert rerun.generations == first.generations  # the same one question
    assert done.stats.model_calls == 1 and done.stats.windows_reused == 0

    again = ScriptedEngine(writer=write, n_ctx=4096)
    kept = summarise(doc, again, vault, **OPTIONS)
    assert again.generations == [] and kept.stats.windows_reused == 1
    assert model_points(kept) == model_points(done)
    assert (kept.written, kept.confirmed, kept.quoted) == (done.written, done.confirmed, 1)
    clean = summarise(doc, ScriptedEngine(writer=write, n_ctx=4096), vault, store=False,
                      **OPTIONS)  # fmt: skip
    assert clean.text == kept.text


def test_a_cancelled_run_says_finished_parts_are_kept(vault: Vault) -> None:
    doc = add_document(vault, "Lease", 2)
    cancel = CancelToken()

    def cancelling(prompt: str) -> str:
        cancel.cancel()
        raise CancelledError("cancelled")

    with pytest.raises(CancelledError, match="finished parts are kept"):
        summarise(doc, ScriptedEngine(writer=cancelling, n_ctx=4096), vault, cancel=cancel,
                  **OPTIONS)  # fmt: skip
    assert vault.list_task_outputs(RESULT_TASK) == []


def test_a_document_with_nothing_but_boilerplate_asks_no_model(vault: Vault) -> None:
    with vault.write() as txn:
        info = txn.add_document(b"boiler", title="Boiler", mime_type="text/plain")
        txn.add_pages(info.id, [(1, COUNTERPARTS), (2, "")])
    engine = ScriptedEngine(writer=write, n_ctx=4096)
    summary = summarise(info.id, engine, vault)
    assert engine.generations == [] and summary.narrative == []
    assert summary.covered_pages == [1, 2] and summary.empty_pages == [2]
    assert "The model wrote no points" in summary.text


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
    first = ScriptedEngine(writer=failing_after(1, lambda: gone), n_ctx=4096)
    with pytest.raises(ServerUnavailableError, match="1 of 2 summaries were finished") as err:
        summarise_batch(docs, first, vault, **OPTIONS)
    assert "rerun resumes" in err.value.hint
    assert len(vault.list_task_outputs(RESULT_TASK)) == 1

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    messages: list[str] = []
    done = summarise_batch(docs, rerun, vault, progress=lambda f, m: messages.append(m),
                           **OPTIONS)  # fmt: skip
    assert done[0].stats.model_calls == 0 and done[0].stats.windows_reused == 1
    assert "Lease 0: kept from the last run" in messages
    assert done[1].stats.model_calls == 1 and rerun.generations == first.generations[1:]


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
    assert out.count("KEY TERMS") == 2 and "2 of 4 points confirmed" in out

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
    assert "period 1" not in log and "Lease 0" not in log  # never content, never titles

    # One document: its own record, with the summary's counts (the points all kept).
    with use_engine_factory(lambda model=None: engine):
        assert main(["summarise", name, "Lease 0", "--json", "--no-keyring"]) == 0
    one = json.loads(capsys.readouterr().out)
    assert (one["written"], one["confirmed"], one["quoted"]) == (4, 2, 0)  # a repeat: dropped
    log = (vault_home / "audit" / "audit.jsonl").read_text(encoding="utf-8")
    last = [json.loads(line) for line in log.splitlines() if '"task.run"' in line][-1]
    assert last["object_ids"] == [docs[0]] and last["outcome"] == "ok"
    details = last["details"]
    assert (details["written"], details["confirmed"], details["model_calls"]) == (4, 2, 0)
