"""What Ask returns: an answer, the sentences it rests on, and whether it was confirmed.

A citation is a sentence of a page (document, page, character span), cut by the one
sentence splitter (app/tasks/candidates/document.py): the model never types a quote, it
only chooses sentences by number, so every quote shown is verbatim by construction.
``verified`` still records the check against the page, as the guarantee's witness.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.engine import GenerationStats

#: What the answer is: a short answer confirmed by its sentences, the cited sentences
#: without a short answer (the model's phrasing held a fact they do not state), or
#: nothing found in the matter.
Kind = Literal["confirmed", "unconfirmed", "not_stated"]

NOT_STATED = "Not stated in this matter's documents."
UNCONFIRMED = "No short answer could be confirmed. The documents say:"


@dataclass(frozen=True)
class Citation:
    """One sentence of one page: ``quote == page_text[char_start:char_end]`` (whitespace
    folded for display)."""

    document_id: str
    title: str
    page: int
    quote: str
    verified: bool
    char_start: int | None = None
    char_end: int | None = None


@dataclass
class AskStats:
    routing_seconds: float = 0.0
    retrieval_seconds: float = 0.0
    model_seconds: float = 0.0
    total_seconds: float = 0.0
    model_calls: int = 0
    sentences_read: int = 0
    generation: GenerationStats | None = None

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["generation"] = self.generation.to_json() if self.generation else None
        return data


@dataclass(frozen=True)
class DocumentAnswer:
    """The answer found in one document (a routed question is asked of each document)."""

    document_id: str
    title: str
    value: str | None
    citations: tuple[Citation, ...]
    kind: Kind
    decided_by: str | None = None
    derivation: str | None = None


@dataclass
class Answer:
    """The answer shown to the lawyer, and how it was reached."""

    text: str
    citations: list[Citation]
    kind: Kind
    #: Which path answered: ``field:<name>``, ``statement:<id>`` or ``retrieval``.
    path: str
    question: str = ""
    #: Sentences shown when nothing answers (the closest the matter has), never evidence.
    closest: list[Citation] = field(default_factory=list)
    #: Facts (dates, numbers, names) of the model's phrasing its sentences did not state.
    unsupported: list[str] = field(default_factory=list)
    documents: list[DocumentAnswer] = field(default_factory=list)
    #: For a question in two parts, the answer to each (this answer joins them).
    parts: list[Answer] = field(default_factory=list)
    #: Yes / No / None for a yes-or-no question.
    yes_no: str | None = None
    stats: AskStats = field(default_factory=AskStats)

    @property
    def found(self) -> bool:
        return self.kind != "not_stated"

    @property
    def confirmed(self) -> bool:
        return self.kind == "confirmed"

    @property
    def document_ids(self) -> list[str]:
        return list(dict.fromkeys(c.document_id for c in self.citations))

    def to_json(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.text,
            "kind": self.kind,
            "found": self.found,
            "confirmed": self.confirmed,
            "path": self.path,
            "yes_no": self.yes_no,
            "citations": [asdict(c) for c in self.citations],
            "closest": [asdict(c) for c in self.closest],
            "unsupported": list(self.unsupported),
            "documents": [
                asdict(d) | {"citations": [asdict(c) for c in d.citations]} for d in self.documents
            ],
            "parts": [p.to_json() for p in self.parts],
            "stats": self.stats.to_json(),
        }
