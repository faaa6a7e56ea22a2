"""From a review to what the lawyer sends: the reviewer's decisions on each proposed
change, and the export (a tracked-change redline of a DOCX, a review memo otherwise).

Decisions are kept in the matter's vault with the Extract corrections
(app/tasks/corrections.py, field set ``redline:<playbook>``): "accept", "reject", or
the reviewer's own wording of the clause. Each save writes one ``extract.review`` audit
record (the document id and whether the change was accepted as proposed; never the
text), and each export one ``review.export`` record (format and counts).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from app.audit import audit_event
from app.config import load_settings
from app.errors import ChambersError
from app.tasks.corrections import Correction, load_corrections, save_correction
from app.tasks.extract import Cell
from app.tasks.quotes import find_quote
from app.tasks.review.memo import write_memo
from app.tasks.review.ooxml import Mark
from app.tasks.review.playbook import Playbook
from app.tasks.review.redline import DEFAULT_AUTHOR, Edit, write_redline
from app.tasks.review.review import ReviewResult, ReviewRow
from app.vault import Vault

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPT, REJECT = "accept", "reject"
_SAYS = {
    "Entailment": "says so",
    "Contradiction": "says the opposite",
    "NotMentioned": "does not mention it",
}


def fieldset(playbook: str) -> str:
    return f"redline:{playbook}"


def load_decisions(vault: Vault, document_id: str, playbook: str) -> dict[str, str]:
    """Statement id -> the reviewer's decision on its proposed change, as stored."""
    return {
        c.field: c.value
        for c in load_corrections(vault)
        if c.fieldset == fieldset(playbook) and c.document_id == document_id
    }


def save_decision(
    vault: Vault, document_id: str, playbook: str, row: ReviewRow, decision: str
) -> Correction:
    """Keep the reviewer's decision (``accept``, ``reject`` or new wording) in the vault."""
    if not decision.strip():
        raise ChambersError("A changed clause cannot be empty.", "Reject the change instead.")
    proposed = Cell(ACCEPT, row.quote or "", row.page, "supported" if row.verified else "not_found")
    return save_correction(
        vault,
        document_id,
        row.statement_id,
        decision.strip(),
        fieldset=fieldset(playbook),
        original=proposed,
        page=row.page,
        char_start=row.char_start,
        char_end=row.char_end,
    )


def comment_text(book: Playbook, row: ReviewRow) -> tuple[str, ...]:
    statement = book.statement(row.statement_id)
    name = f"{row.statement_id} ({statement.title})" if statement.title else row.statement_id
    return (
        f"{(row.risk or 'low').capitalize()} risk: {row.guidance or ''}",
        f"Playbook {book.name}, {name}: the firm wants {row.position}; the document "
        f"{_SAYS.get(row.label, row.label)}.",
    )


def occurrence(pages: dict[int, str], row: ReviewRow) -> int:
    """How many times the row's quote appears in the document before the quoted place."""
    if not row.quote or row.page is None or row.char_start is None:
        return 0
    count = 0
    for number in sorted(p for p in pages if p <= row.page):
        text = pages[number] if number < row.page else pages[number][: row.char_start]
        while (found := find_quote(row.quote, text)) is not None:
            count += 1
            text = text[found[1] :]
    return count


def edits_for(
    result: ReviewResult,
    book: Playbook,
    decisions: dict[str, str],
    accept: Collection[str] | None = None,
    pages: dict[int, str] | None = None,
) -> list[Edit]:
    """The accepted changes, by risk. ``accept`` (statement ids) overrides ``decisions``;
    a proposed change with no decision is accepted. ``pages`` (the document's page
    texts) place a quoted sentence that recurs."""
    edits = []
    for row in result.ordered():
        if row.change is None:
            continue
        if accept is not None:
            decision = ACCEPT if row.statement_id in accept else REJECT
        else:
            decision = decisions.get(row.statement_id, ACCEPT)
        if decision == REJECT:
            continue
        text = row.change.text if decision == ACCEPT else decision
        kind = row.change.kind
        if kind == "comment" and decision != ACCEPT:
            kind = "replace"  # the reviewer drafted wording for a deviation
        edits.append(
            Edit(
                row.statement_id,
                kind,
                text,
                row.quote,
                comment_text(book, row),
                occurrence(pages, row) if pages else 0,
            )
        )
    return edits


@dataclass
class Delivered:
    path: Path
    kind: str  # "redline" | "memo"
    changes: int
    notes: list[str] = field(default_factory=list)


def now_stamp() -> str:
    return datetime.now(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ")


def export_review(
    vault: Vault,
    result: ReviewResult,
    book: Playbook,
    path: Path,
    *,
    accept: Collection[str] | None = None,
    author: str | None = None,
) -> Delivered:
    """Write the redline (a DOCX document) or the review memo (any other) to ``path``."""
    if path.suffix.lower() != ".docx":
        raise ChambersError(f"{path} does not end in .docx.", "Name the output file NAME.docx.")
    document = vault.get_document(result.document_id)
    pages = {p.page: p.text for p in vault.pages(result.document_id)}
    decisions = load_decisions(vault, result.document_id, book.name)
    edits = edits_for(result, book, decisions, accept, pages)
    author = author or load_settings().reviewer_name.strip() or DEFAULT_AUTHOR
    if document.info.mime_type == DOCX_MIME:
        data, notes = write_redline(
            document.content, document.info.title, edits, Mark(author, now_stamp())
        )
        kind = "redline"
    else:
        data, notes = write_memo(document.info.title, result, book, edits, author), []
        kind = "memo"
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ChambersError(
            f"The {kind} could not be written to {path}: {exc.strerror or exc}.",
            "Choose a folder you can write to, and close the file if Word has it open.",
        ) from exc
    audit_event(
        "review.export",
        vault_id=vault.vault_id,
        object_ids=[result.document_id],
        details={"format": kind, "changes": len(edits), "not_placed": len(notes)},
    )
    return Delivered(path, kind, len(edits), notes)
