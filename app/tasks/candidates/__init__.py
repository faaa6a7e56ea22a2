"""Typed candidates: deterministic generators of possible answers, one per kind of value.

Extract, Summarise (its facts header) and Draft all ask the same questions of a contract
(who are the parties, when was it made, which law governs), so the answers come from
one place. A field names its generator with ``x-extractor`` in its field set; the
generators are listed, one record each, in ``registry.py``. Each document generator
reads the full text of every page (not only search hits) and returns ranked
``Candidate`` objects whose quote is a sentence cut from the page.
"""

from __future__ import annotations

from app.tasks.candidates.clauses import Cues
from app.tasks.candidates.document import DocumentText, Page, Sentence
from app.tasks.candidates.registry import GENERATORS, Extractors, names
from app.tasks.candidates.types import Candidate, distinct_values

#: The generators a field set may name (those that read a document).
EXTRACTORS = names("document")

__all__ = [
    "EXTRACTORS",
    "GENERATORS",
    "Candidate",
    "Cues",
    "DocumentText",
    "Extractors",
    "Page",
    "Sentence",
    "distinct_values",
]
