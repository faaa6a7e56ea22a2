"""The grid Extract fills: documents x fields, one cell per pair, with its evidence.

A cell carries the value, the verbatim quote and where it sits on its page (a supported
cell is built from one span, ``Cell.quoting``, and read back as the one quote type,
``Cell.cited``), and how it was decided (a rule, or the model choosing among candidate sentences), so the grid, the
exports and the review screen can all show why a value is there.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.tasks.quote import Quote, Span, quote_from_fields

Status = Literal["supported", "unsupported", "not_found"]


@dataclass(frozen=True)
class Cell:
    value: str | None
    quote: str
    page: int | None
    status: Status
    #: Where a supported quote sits in the page text (for the source viewer).
    char_start: int | None = None
    char_end: int | None = None
    #: For an unsupported quote: the passage sentence it most resembles, verbatim.
    closest: str | None = None
    #: Why a cell is empty when that is not simply "not in the document".
    note: str | None = None
    #: A person reviewed the cell (accepted or corrected it; see app/tasks/corrections.py).
    reviewed: bool = False
    #: How a computed value was reached ("May 1, 2006 + 1 year"), shown beside it.
    derivation: str | None = None
    #: "rule" (one candidate clearly won), "model" (the model chose among candidates),
    #: "generated" (a custom field's value written by the model), or None (not found).
    decided_by: str | None = None
    #: A person flagged the cell for a second look (not verified; app/tasks/corrections.py).
    flagged: bool = False

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def quoting(cls, value: str | None, cited: Span, **extra: Any) -> Cell:
        """A supported cell whose evidence is ``cited`` (a sentence or a Quote cut from
        its page): quote, page and span all come from that one span, so the quote is the
        page's own text at the span the viewer highlights."""
        return cls(
            value,
            " ".join(cited.text.split()),
            cited.page,
            "supported",
            cited.start,
            cited.end,
            **extra,
        )

    def cited(self, document_id: str) -> Quote | None:
        """The cell's evidence as the one quote type (app/tasks/quote.py); None for a
        cell without a span (not found, unsupported, or kept by an older version)."""
        if self.status != "supported":
            return None
        return quote_from_fields(document_id, self.page, self.quote, self.char_start, self.char_end)


NOT_FOUND_CELL = Cell(None, "", None, "not_found")


@dataclass(frozen=True)
class Row:
    document_id: str
    title: str
    cells: dict[str, Cell]
    seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "title": self.title,
            "cells": {name: cell.to_json() for name, cell in self.cells.items()},
        }


@dataclass(frozen=True)
class Grid:
    """Documents x fields. ``fields`` keeps the field set's order: (name, title)."""

    fieldset: str
    fields: list[tuple[str, str]]
    rows: list[Row] = field(default_factory=list)

    @property
    def document_ids(self) -> list[str]:
        return [row.document_id for row in self.rows]

    def counts(self) -> dict[str, int]:
        out = {"supported": 0, "unsupported": 0, "not_found": 0}
        for row in self.rows:
            for cell in row.cells.values():
                out[cell.status] += 1
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "fieldset": self.fieldset,
            "fields": [{"name": n, "title": t} for n, t in self.fields],
            "rows": [row.to_json() for row in self.rows],
        }
