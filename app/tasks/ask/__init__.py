"""Ask: a question over one matter, answered from its own documents, checked before shown.

See app/tasks/ask/pipeline.py for the path a question takes (route to a field or a
playbook statement, else sentences chosen by the model; a short answer checked against
the cited sentences).
"""

from __future__ import annotations

from app.tasks.ask.pipeline import ask, is_yes_no, split_question
from app.tasks.ask.types import (
    NOT_STATED,
    UNCONFIRMED,
    Answer,
    AskStats,
    Citation,
    DocumentAnswer,
)

__all__ = [
    "NOT_STATED",
    "UNCONFIRMED",
    "Answer",
    "AskStats",
    "Citation",
    "DocumentAnswer",
    "ask",
    "is_yes_no",
    "split_question",
]
