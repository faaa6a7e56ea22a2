"""Model-written cells: the schema of a quoted answer and the check of its quote.

Draft still asks the model for a passage number, a quote and a value under a grammar
(``cell_schema``); ``verify_cell`` checks such a quote against its page. Extract's own
cells copy a sentence instead and never need this.
"""

from __future__ import annotations

from typing import Any

from app.tasks.candidates.document import closest_sentence
from app.tasks.extract.cells import Cell
from app.tasks.fieldsets import Field
from app.tasks.quote import Quote
from app.tasks.quotes import find_quote

MAX_QUOTE_CHARS = 240


def cell_schema(item: Field, passages: int) -> dict[str, Any]:
    """Bounded, so the object always closes; ``passage`` can only name a shown passage."""
    return {
        "type": "object",
        "properties": {
            "found": {"type": "boolean"},
            "passage": {"enum": list(range(1, passages + 1))},
            "quote": {"type": "string", "maxLength": MAX_QUOTE_CHARS},
            "value": item.schema,
        },
        "required": ["found", "passage", "quote", "value"],
        "additionalProperties": False,
    }


def verify_cell(value: str | None, quote: str, page: int, page_text: str, passage: str) -> Cell:
    """A found cell whose quote is checked against the full text of its page."""
    quote = " ".join(quote.split())
    span = find_quote(quote, page_text) if quote else None
    if span is None:
        return Cell(value, quote, page, "unsupported", closest=closest_sentence(quote, passage))
    return Cell.quoting(value, Quote.cut("", page, page_text, *span))
