"""The chronology style on the scripted engine, in a real encrypted vault: pages packed into
windows, one call per window that has a year, events merged in date order, and an
interrupted run resumed window by window (app/tasks/resume.py). The real model runs in
tests/integration/test_summarise.py."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator

import pytest

from app.engine.server_link import ServerUnavailableError
from app.tasks.summarise.parts import PARTIAL_TASK, RESULT_TASK
from app.tasks.summarise.pipeline import summarise
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready

PAGE = re.compile(r"\[page (\d+)\]\n([^\n]*)")
DATED = re.compile(r"on (\d{4}-\d{2}-\d{2})")
#: Page 3 has no year: its window is never sent to the model.
PAGES = {
    1: "The Lease was signed on 2021-03-01 by the Landlord and the Tenant of the building.",
    2: "The Tenant moved in on 2020-05-15 before the Lease was signed by either party.",
    3: "The Tenant shall keep the building clean and in good repair at all times.",
    4: "The Lease ends on 2024-02-29 unless the Tenant gives notice to extend it.",
}
FILLER = (
    "The parties agree that each of them shall act in good faith and shall give the other "
    "such information as it may reasonably ask for under this clause."
)
WINDOW_TOKENS = 64  # one page (about 50 words with the filler) a window: four windows


def write(prompt: str) -> str:
    """One event per dated page of the window, stated from the page itself."""
    events = [
        {"date": DATED.findall(text)[0], "event": text.split(" on ")[0] + ".", "page": int(n)}
        for n, text in PAGE.findall(prompt)
        if DATED.search(text)
    ]
    return json.dumps({"events": events})


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    yield opened
    opened.lock()


def add_document(vault: Vault) -> str:
    with vault.write() as txn:
        info = txn.add_document(b"lease" * 3, title="Lease", mime_type="text/plain")
        txn.add_pages(info.id, [(n, f"{text} {FILLER}") for n, text in sorted(PAGES.items())])
    return info.id


def failing_after(calls: int) -> Callable[[str], str]:
    seen = [0]

    def writer(prompt: str) -> str:
        seen[0] += 1
        if seen[0] == calls + 1:
            raise ServerUnavailableError("The firm inference server stopped answering.")
        return write(prompt)

    return writer


def test_dated_events_window_by_window_in_date_order(vault: Vault) -> None:
    doc = add_document(vault)
    engine = ScriptedEngine(writer=write, n_ctx=4096)
    shown: list[list[str]] = []
    summary = summarise(
        doc,
        engine,
        vault,
        style="chronology",
        window_tokens=WINDOW_TOKENS,
        on_points=lambda p: shown.append([x.date or "" for x in p]),
    )
    assert summary.stats.windows == 4 and summary.stats.window_tokens == WINDOW_TOKENS
    assert summary.stats.model_calls == 3 == len(engine.generations)  # page 3: no year
    assert [p.date for p in summary.narrative] == ["2020-05-15", "2021-03-01", "2024-02-29"]
    assert [p.pages for p in summary.narrative] == [[2], [1], [4]]
    assert summary.covered_pages == [1, 2, 3, 4] and summary.total_pages == 4
    assert shown == [["2021-03-01"], ["2020-05-15"], ["2024-02-29"]]  # as each window ends
    assert "2020-05-15" in summary.text and "p. 2" in summary.text
    assert len(vault.list_task_outputs(PARTIAL_TASK)) == 3
    assert len(vault.list_task_outputs(RESULT_TASK)) == 1


def test_an_interrupted_chronology_resumes_window_by_window(vault: Vault) -> None:
    doc = add_document(vault)
    first = ScriptedEngine(writer=failing_after(1), n_ctx=4096)
    with pytest.raises(ServerUnavailableError):
        summarise(doc, first, vault, style="chronology", window_tokens=WINDOW_TOKENS)
    assert len(vault.list_task_outputs(PARTIAL_TASK)) == 1  # the first window is kept

    rerun = ScriptedEngine(writer=write, n_ctx=4096)
    done = summarise(doc, rerun, vault, style="chronology", window_tokens=WINDOW_TOKENS)
    assert len(first.generations) == 2 and len(rerun.generations) == 2
    assert rerun.generations[0] == first.generations[1]  # the window that failed, again
    assert done.stats.windows_reused == 1 and done.stats.model_calls == 2

    again = ScriptedEngine(writer=write, n_ctx=4096)
    kept = summarise(doc, again, vault, style="chronology", window_tokens=WINDOW_TOKENS)
    assert again.generations == [] and kept.stats.windows_reused == 3
    assert kept.text == done.text
