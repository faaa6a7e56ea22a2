"""Extract: a field set over documents into a grid (candidates -> choose -> copy)."""

from app.tasks.extract.cells import NOT_FOUND_CELL, Cell, Grid, Row, Status
from app.tasks.extract.passages import (
    candidate_passages,
    document_passages,
    search_query,
)
from app.tasks.extract.pipeline import document_text, extract_document, extract_grid
from app.tasks.extract.quoted import MAX_QUOTE_CHARS, cell_schema, verify_cell

__all__ = [
    "MAX_QUOTE_CHARS",
    "NOT_FOUND_CELL",
    "Cell",
    "Grid",
    "Row",
    "Status",
    "candidate_passages",
    "cell_schema",
    "document_passages",
    "document_text",
    "extract_document",
    "extract_grid",
    "search_query",
    "verify_cell",
]
