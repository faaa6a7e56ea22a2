"""The Summarise panel's "All documents" batch, run on a real vault with the scripted engine.

The engine is the scripted fake posing as a firm server with two slots (the model is not
under test here; tests/integration/test_firm_server.py runs a batch on the real server).
The panel's request runs the same task function the CLI calls, with its audit record.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QUrl

from app.cancel import CancelToken
from app.gui.summarise_panel import ALL, SummarisePanel
from app.gui.task_panel import TaskContext
from app.tasks.summarise.parts import Point, Summary
from app.vault import Vault, unlock
from tests.fixtures.fake_engine import ScriptedEngine
from tests.fixtures.vault import Ready

SENTENCE = re.compile(r"^\[(\d+)\] \(p\. (\d+)\) ", re.MULTILINE)


def write(prompt: str) -> str:
    """One point per numbered sentence, naming its page."""
    shown = SENTENCE.findall(prompt)
    points = [{"sentences": [int(n)], "text": f"A point of page {p}."} for n, p in shown]
    return json.dumps({"points": points})


@pytest.fixture
def vault(ready_vault: Ready) -> Iterator[Vault]:
    opened = unlock(ready_vault.info, recovery_key=ready_vault.recovery_key)
    for title in ("Lease", "Licence"):
        with opened.write() as txn:
            info = txn.add_document(title.encode(), title=title, mime_type="text/plain")
            txn.add_pages(info.id, [
                (1, f"Under this {title} the tenant shall pay the rent on the first day of each month."),
                (2, "The landlord shall keep the building in good repair and insured against fire."),
            ])  # fmt: skip
    yield opened
    opened.lock()


def test_all_documents_runs_a_batch_and_links_each_documents_pages(qtbot, vault: Vault) -> None:  # type: ignore[no-untyped-def]
    panel = SummarisePanel()
    qtbot.addWidget(panel)
    panel.show()
    panel.set_available(True)
    documents = vault.list_documents()
    panel.set_documents(documents[:1])
    assert panel.document.count() == 1  # one document: no batch choice
    panel.set_documents(documents)
    assert panel.document.itemText(2) == "All 2 documents"
    panel.document.setCurrentIndex(panel.document.findData(ALL))

    with qtbot.waitSignal(panel.run_requested) as asked:
        panel.run_button.click()
    request = asked.args[0]
    ids = [d.id for d in documents]
    assert request.params == {"document_ids": ids, "style": "brief"}

    emitted: list[object] = []
    engine = ScriptedEngine(writer=write, n_ctx=4096, remote=True, parallel=2)
    context = TaskContext(vault, lambda f, m: None, CancelToken(), emitted.append, engine)
    summaries = request.work(context)
    assert [s.document_id for s in summaries] == ids
    assert sorted(doc for doc, _ in emitted) == sorted(ids)  # type: ignore[misc]

    for value in emitted:
        panel.partial(value)
    assert "Taking shape" in panel.output.toPlainText()
    panel.finish(summaries)
    assert panel.summaries == summaries and panel.has_result()
    assert panel.coverage.text() == "Pages covered 4/4 in 2 documents"
    text = panel.output.toPlainText()
    assert "Lease — brief summary" in text and "Licence — brief summary" in text
    second = [i for i in range(len(panel._links)) if panel.link(i)[0] == ids[1]]
    assert second, "the second document's points link to its own pages"
    with qtbot.waitSignal(panel.source_requested) as opened:
        panel.output.anchorClicked.emit(QUrl(f"cite:{second[0]}"))
    assert opened.args[0] == ids[1] and opened.args[1] in (1, 2)


def test_a_stopped_batch_shows_what_each_document_had(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.vault import DocumentInfo

    panel = SummarisePanel()
    qtbot.addWidget(panel)
    panel.set_available(True)
    infos = [
        DocumentInfo(f"doc-{n}", title, "text/plain", 10, "0" * 64, {"pages": 2}, "", None)
        for n, title in enumerate(("Lease", "Licence"))
    ]
    panel.set_documents(infos)
    panel.document.setCurrentIndex(panel.document.findData(ALL))
    with qtbot.waitSignal(panel.run_requested):
        panel.run_button.click()
    panel.partial(("doc-1", [Point("Rent is due.", [2])]))
    panel.fail("The firm inference server stopped answering. 0 of 2 summaries were finished")
    assert "0 of 2" in panel.state.text()
    text = panel.output.toPlainText()
    assert "Stopped" in text and "Licence" in text and "Rent is due." in text
    assert "Lease" not in text  # nothing of it had finished
    assert panel.link(0) == ("doc-1", 2, "")
    assert not panel.has_result()
    panel.finish([Summary("doc-0", "Lease", "", [Point("x", [1])], [1], 2, "brief")])
    assert panel.coverage.text().startswith("⚠ Pages covered 1/2 in 1 documents")


def test_a_kept_summary_shows_its_key_terms_table_and_checked_points_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    from app.tasks.quote import Quote

    control = Quote("doc-1", 2, 10, 47, "If Beta is acquired, Acme may end it.")
    points = [
        Point("Parties: Acme; Beta.", [1], kind="fact", unplaced="between Acme and Beta"),
        Point("Change of control: Yes", [2], kind="term", term="change_of_control", cited=[control]),
        Point("Beta pays within 30 days.", [3],
              cited=[Quote("doc-1", 3, 0, 39, "Beta shall pay within thirty (30) days.")]),
        Point("Acme shall deliver monthly.", [4], kind="quoted",
              cited=[Quote("doc-1", 4, 0, 27, "Acme shall deliver monthly.")]),
    ]  # fmt: skip
    summary = Summary("doc-1", "Lease", "", points, [1, 2, 3, 4], 4, "brief", [], facts=1,
                      key_terms=1, absent=["Cap on liability"], written=3, confirmed=1, quoted=1)  # fmt: skip
    shown, again = SummarisePanel(), SummarisePanel()
    qtbot.addWidget(shown)
    qtbot.addWidget(again)
    shown.finish(summary)
    text = shown.output.toPlainText()
    for words in ("Key facts", "Key terms", "Change of control", "If Beta is acquired",
                  "No cap on liability found", "1 of 3 points confirmed",
                  "the contract's own words"):  # fmt: skip
        assert words in text, words
    assert "1 key facts, 1 key terms, 2 other point(s)" in shown.state.text()
    assert shown.link(1) == ("doc-1", 2, control)
    assert shown.link(0) == ("doc-1", 1, "between Acme and Beta")  # kept without a span
    again.restore(json.loads(json.dumps(shown.snapshot())), [])
    assert again.output.toPlainText() == text and again.summary is not None
    assert again.summary.points[1].cited == [control] and again.summary.absent
    assert again.summary.points[0].quote == "between Acme and Beta"
