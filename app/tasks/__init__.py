"""Task pipelines over engine + vault: pure functions, no Qt, progress and cancel passed in.

Each takes a ``progress(fraction, message)`` callback and a ``CancelToken`` so the GUI,
the CLI and the tests drive the same code.
"""

from app.tasks.ask import NOT_STATED, Answer, AskStats, Citation, ask
from app.tasks.extract import Cell, Grid, Row, extract_document, extract_grid
from app.tasks.fieldsets import FieldSet, FieldSetError, list_fieldsets, load_fieldset
from app.tasks.quotes import find_quote
from app.tasks.retrieve import Passage, build_query
from app.tasks.summarise.pipeline import (
    Point,
    Summary,
    SummaryStats,
    Window,
    make_windows,
    summarise,
)

__all__ = [
    "NOT_STATED",
    "Answer",
    "AskStats",
    "Cell",
    "Citation",
    "FieldSet",
    "FieldSetError",
    "Grid",
    "Passage",
    "Point",
    "Row",
    "Summary",
    "SummaryStats",
    "Window",
    "ask",
    "build_query",
    "extract_document",
    "extract_grid",
    "find_quote",
    "list_fieldsets",
    "load_fieldset",
    "make_windows",
    "summarise",
]
