"""The Review panel with the firm's positions: rows by risk with Risk and Outcome columns,
a filter to what needs a change, a decision per proposed change, and Export redline.

The task layer is scripted with real review rows (the NDA playbook's positions applied
to labels), so the panel is tested without the model; storing a decision and writing the
redline are the task layer's own tests (tests/integration/test_redline.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.gui.review_panel import POSITION_COLUMN, ReviewPanel
from app.tasks.quote import Quote
from app.tasks.review import ReviewResult, load_playbook
from app.tasks.review.review import ReviewRow, with_position
from app.vault import DocumentInfo

QUOTES = {
    "nda-1": ("Entailment", "Information shall be deemed confidential only if marked as such."),
    "nda-5": ("NotMentioned", None),
    "nda-12": ("NotMentioned", None),
    "nda-18": ("Entailment", "The Recipient shall not solicit any employee of the Company."),
    "nda-3": ("Entailment", "Confidential Information includes oral information."),
    "nda-11": ("Entailment", "The Recipient shall not reverse engineer any samples."),
}


def _rows() -> list[ReviewRow]:
    book = load_playbook("nda")
    rows = []
    for statement in book.statements:
        label, quote = QUOTES.get(statement.id, ("Entailment", None))
        cited = Quote("doc-1", 1, 0, len(quote), quote) if quote else None
        row = ReviewRow(statement.id, statement.statement, label, cited,  # type: ignore[arg-type]
                        0.9, bool(quote), "rule")  # fmt: skip
        rows.append(with_position(row, statement))
    return rows


class Scripted:
    def __init__(self) -> None:
        self.result = ReviewResult("doc-1", "nda", _rows(), 0.1)

    def list_playbooks(self) -> list[str]:
        return ["nda", "nda-disclosing"]

    def run_review(self, engine: Any, vault: Any, document_id: str, playbook: str, *,
                   progress: Any, cancel: Any, on_row: Callable[[Any], None]) -> Any:  # fmt: skip
        return self.result


def test_positions_are_shown_by_risk_filtered_and_decided(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    script = Scripted()
    panel = ReviewPanel(script)
    qtbot.addWidget(panel)
    panel.resize(1400, 760)
    panel.show()
    panel.set_available(True)
    info = DocumentInfo("doc-1", "Mutual NDA.docx", "application/pdf", 10, "0" * 64, {}, "", None)
    panel.set_documents([info])
    with qtbot.waitSignal(panel.run_requested):
        panel.run_button.click()
    panel.finish((script.result, []))
    headers = [panel.table.horizontalHeaderItem(POSITION_COLUMN + i).text() for i in range(3)]
    assert headers == ["Risk", "Outcome", "Proposed change"]
    risks = [panel.table.item(i, POSITION_COLUMN).text() for i in range(panel.table.rowCount())]
    assert risks == sorted(risks, key=["high", "medium", "low"].index) and risks[0] == "high"
    first = panel.rows[0]
    assert first.outcome == "deviates" and first.statement_id == "nda-18"  # the non-solicit
    assert panel.table.item(0, POSITION_COLUMN + 1).text() == "✗ deviates"
    missing = [i for i, r in enumerate(panel.rows) if r.outcome == "missing"]
    assert {panel.rows[i].statement_id for i in missing} == {"nda-5", "nda-12"}
    box = panel.change_box(missing[0])
    assert box is not None and box.currentData() == "accept"
    assert (
        panel.change_box(panel.rows.index(next(r for r in panel.rows if r.change is None))) is None
    )

    panel.deviations.setChecked(True)
    shown = [r.statement_id for i, r in enumerate(panel.rows) if not panel.table.isRowHidden(i)]
    assert shown == [r.statement_id for r in panel.rows if r.outcome in ("deviates", "missing")]
    shot = Path(os.environ.get("CHAMBERS_SCREENSHOTS", tmp_path)) / "review-positions.png"
    assert panel.grab().save(str(shot))

    box.setCurrentIndex(box.findData("reject"))
    with qtbot.waitSignal(panel.run_requested) as stored:
        box.activated.emit(box.currentIndex())
    request = stored.args[0]
    assert request.name == "review-change" and not request.needs_engine
    assert request.params == {"document_id": "doc-1", "statement": panel.rows[missing[0]].statement_id,
                              "decision": "reject"}  # fmt: skip
    assert panel.redline_button.isEnabled()
    with qtbot.waitSignal(panel.run_requested) as exported:
        panel.export_redline(tmp_path / "redline.docx")
    assert exported.args[0].name == "export-redline"
    assert exported.args[0].params == {"path": tmp_path / "redline.docx"}
    panel.clear()
    assert not panel.redline_button.isEnabled()
