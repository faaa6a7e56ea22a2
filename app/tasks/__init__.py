"""Task pipelines over engine + vault: pure functions, no Qt, progress and cancel passed in.

Each takes a ``progress(fraction, message)`` callback and a ``CancelToken`` so the GUI,
the CLI and the tests drive the same code.
"""

from app.tasks.ask import NOT_FOUND, Answer, AskStats, Citation, ask
from app.tasks.retrieve import Passage, Retrieval, build_query, retrieve
from app.tasks.verify import find_quote

__all__ = [
    "NOT_FOUND",
    "Answer",
    "AskStats",
    "Citation",
    "Passage",
    "Retrieval",
    "ask",
    "build_query",
    "find_quote",
    "retrieve",
]
