"""What Ask returns: an answer, the sentences it rests on, and whether it was confirmed.

A citation is a sentence of a page (document, page, character span: a Quote,
app/tasks/quote.py), cut by the one sentence splitter (app/tasks/candidates/document.py): the model never types a quote, it
only chooses sentences by number, so every quote shown is verbatim by construction.
``verified`` still records the check against the page, as the guarantee's witness.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from app.engine import GenerationStats
from app.tasks.quote import Quote

#: What the answer is: a short answer confirmed by its sentences, the cited sentences
#: without a short answer (the model's phrasing held a fact they do not state), or
#: nothing found in the matter.
Kind = Literal["confirmed", "unconfirmed", "not_stated"]

NOT_STATED = "Not stated in this matter's documents."
UNCONFIRMED = "No short answer could be confirmed. The documents say:"


@dataclass(frozen=True)
class Citation:
    """One sentence of one page, as the one quote type (app/tasks/quote.py), with the
    document's title and the check against the page."""

    title: str
    cited: Quote
    verified: bool

    @property
    def document_id(self) -> str:
        return self.cited.document_id

    @property
    def page(self) -> int:
        return self.cited.page

    @property
    def quote(self) -> str:
        """The sentence on one line, for display (``cited.text`` is the page's own)."""
        return self.cited.flat

    @property
    def char_start(self) -> int:
        return self.cited.start

    @property
    def char_end(self) -> int:
        return self.cited.end

    def to_json(self) -> dict[str, Any]:
        """The fields ``chambers ask --json`` has always written."""
        return {
            "document_id": self.document_id,
            "title": self.title,
            **self.cited.fields(),
            "verified": self.verified,
        }

    @classmethod
    def from_json(cls, node: Mapping[str, Any]) -> Citation:
        """A citation as ``to_json`` wrote it (a kept result)."""
        start, end = node.get("char_start"), node.get("char_end")
        if start is None or end is None:
            raise ValueError("A kept citation without its span is an older shape.")
        cited = Quote(
            str(node["document_id"]), int(node["page"]), int(start), int(end), str(node["quote"])
        )
        return cls(str(node.get("title", "")), cited, bool(node.get("verified")))


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
            "citations": [c.to_json() for c in self.citations],
            "closest": [c.to_json() for c in self.closest],
            "unsupported": list(self.unsupported),
            "documents": [
                asdict(d) | {"citations": [c.to_json() for c in d.citations]}
                for d in self.documents
            ],
            "parts": [p.to_json() for p in self.parts],
            "stats": self.stats.to_json(),
        }
