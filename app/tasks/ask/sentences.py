"""Find the sentences of a matter that bear on a question, from every page.

Chunks are the wrong unit for an answer a lawyer checks: a 2,000-character chunk holds
the clause and five others. Ask reads every page of the documents in scope, cut into
sentences by the one splitter every task uses (app/tasks/candidates/document.py), and
scores each sentence by the share of the question's weight it holds. The question's
words are widened with the search words and cue language of the fields and playbook
statements it resembles (app/tasks/ask/route.py), so "end the agreement without cause"
reaches "terminate ... for convenience" and "who signed" reaches the signature blocks.
Weights are IDF over the sentences in scope: words every sentence uses count for little.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from app.cancel import CancelToken
from app.tasks.ask.route import Route, content_stems, pattern_words
from app.tasks.candidates import DocumentText, Sentence

#: A widening word counts this much of a question word.
WIDEN_WEIGHT = 0.5
#: A sentence must hold this share of the question's own weight to be a candidate.
MIN_COVERAGE = 0.5


@dataclass(frozen=True)
class Found:
    """A sentence of one document and how much of the question it holds."""

    document_id: str
    title: str
    sentence: Sentence
    coverage: float


@dataclass(frozen=True)
class Term:
    root: str
    pattern: re.Pattern[str]
    weight: float
    own: bool  # a word of the question itself (not a widening word)


def _term(root: str, own: bool) -> Term:
    return Term(root, re.compile(rf"\b{re.escape(root)}\w*", re.IGNORECASE), 1.0, own)


def query_terms(question: str, similar: Sequence[Route] = ()) -> list[Term]:
    """The question's own stems, then the widening stems of the similar targets."""
    terms = [_term(root, True) for root in content_stems(question)]
    seen = {t.root for t in terms}
    for item in similar:
        target = item.target
        words: list[str] = []
        if target.field is not None:
            words += content_stems(" ".join(target.field.search))
            cues = target.field.cues or {}
            words += content_stems(pattern_words([c[0] for c in cues.get("yes", [])]))
        if target.statement is not None:
            words += content_stems(
                pattern_words(p.pattern for p in target.statement.topic + target.statement.entail)
            )
        for root in words:
            if root not in seen and len(root) >= 4:
                seen.add(root)
                terms.append(_term(root, False))
    return terms


def weigh(terms: Sequence[Term], sentences: Sequence[str]) -> list[Term]:
    """IDF weights over the sentences in scope; widening words at ``WIDEN_WEIGHT``."""
    n = max(1, len(sentences))
    out = []
    for term in terms:
        hits = sum(1 for s in sentences if term.pattern.search(s))
        idf = math.log(1.0 + n / (1.0 + hits))
        out.append(
            Term(term.root, term.pattern, idf * (1.0 if term.own else WIDEN_WEIGHT), term.own)
        )
    return out


def coverage(terms: Sequence[Term], text: str) -> tuple[float, float]:
    """(share of the question's own weight, share of all weight) found in ``text``."""
    own_total = sum(t.weight for t in terms if t.own)
    total = sum(t.weight for t in terms)
    own = sum(t.weight for t in terms if t.own and t.pattern.search(text))
    held = sum(t.weight for t in terms if t.pattern.search(text))
    return (own / own_total if own_total else 0.0), (held / total if total else 0.0)


def find_sentences(
    question: str,
    documents: Sequence[tuple[str, DocumentText]],
    *,
    similar: Sequence[Route] = (),
    limit: int = 5,
    min_coverage: float = MIN_COVERAGE,
    cancel: CancelToken | None = None,
) -> tuple[list[Found], list[Found]]:
    """(relevant sentences best first, the closest sentences whatever their coverage).

    A sentence is relevant when it holds ``min_coverage`` of the question's own weight,
    or the widened words hold that share and it shares at least one question word.
    """
    terms = query_terms(question, similar)
    if not terms:
        return [], []
    everything = [(d, doc, s) for d, doc in documents for s in doc.sentences]
    terms = weigh(terms, [s.text for _, _, s in everything])
    scored: list[tuple[float, float, Found]] = []
    for i, (document_id, doc, sentence) in enumerate(everything):
        if cancel is not None and i % 500 == 0:
            cancel.raise_if_cancelled()
        own, held = coverage(terms, sentence.text)
        if held <= 0.0:
            continue
        scored.append((own, held, Found(document_id, doc.title, sentence, own)))
    scored.sort(key=lambda t: (-(t[0] + t[1]), t[2].sentence.index))
    relevant = [
        f for own, held, f in scored if own >= min_coverage or (own > 0 and held >= min_coverage)
    ]
    closest = [f for _, _, f in scored[:3]]
    return relevant[:limit], closest
