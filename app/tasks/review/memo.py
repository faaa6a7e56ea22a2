"""The review memo: what a PDF (or any document Word cannot redline) gets instead.

A DOCX written with python-docx: the findings by risk as a table (statement, what the
firm wants, the outcome, what the document says with its verbatim quote and page), then
each accepted proposed clause in full, ready to paste into the reply to the other side.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

from app.tasks.review.playbook import Playbook
from app.tasks.review.redline import Edit
from app.tasks.review.review import ReviewResult

_LABEL = {
    "Entailment": "Says so",
    "Contradiction": "Says the opposite",
    "NotMentioned": "Not mentioned",
}
_KIND = {
    "insert": "Add this clause",
    "replace": "Replace the quoted sentence with",
    "comment": "Raise with the other side",
}


def write_memo(
    title: str, result: ReviewResult, book: Playbook, edits: Sequence[Edit], author: str
) -> bytes:
    """The memo as DOCX bytes."""
    import docx

    memo = docx.Document()
    memo.core_properties.author = author
    memo.core_properties.title = f"Review of {title}"
    memo.add_heading(f"Review of {title}", level=1)
    memo.add_paragraph(
        f"Playbook: {book.title} ({book.name}). Reviewed by {author}. The document cannot "
        "be redlined (it is not a Word document), so the proposed changes follow the table."
    )
    table = memo.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(
        table.rows[0].cells,
        ("Risk", "Statement", "Firm wants", "Outcome", "The document"),
        strict=True,
    ):
        cell.text = text
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for row in result.ordered():
        cells = table.add_row().cells
        cells[0].text = row.risk or ""
        cells[1].text = f"{row.statement_id}: {row.statement}"
        cells[2].text = row.position or ""
        cells[3].text = row.outcome or ""
        said = _LABEL.get(row.label, row.label)
        if row.quote:
            said += f' (page {row.page}): "{row.quote}"'
        cells[4].text = said
    memo.add_heading("Proposed changes", level=2)
    if not edits:
        memo.add_paragraph("None: every point is as the firm wants, or each change was rejected.")
    for edit in edits:
        memo.add_paragraph(f"{edit.statement_id}: {_KIND[edit.kind]}", style="List Number")
        if edit.quote and edit.kind != "insert":
            memo.add_paragraph(f'Document: "{edit.quote}"')
        if edit.text:
            memo.add_paragraph(edit.text)
        memo.add_paragraph().add_run(" ".join(edit.comment)).italic = True
    out = io.BytesIO()
    memo.save(out)
    return out.getvalue()
