"""Yes/no clauses: does the contract contain this kind of clause, and where?

A keyword is not a clause: "non-exclusive" is not exclusivity, "exclusive jurisdiction"
is a forum clause, "assign" in a definition is not a restriction on assignment. Each
clause has cue patterns written after the language such clauses use (a restriction, a
consent, a right to terminate), and patterns that cancel a cue in its sentence. A
sentence holding a cue is a candidate; its strength is the strongest cue's weight.

Cues live in the field set (``x-cues``: ``{"yes": [[pattern, weight], ...], "not":
[pattern, ...]}``), so a firm's own yes/no field gets the same treatment; the built-in
commercial-contract set carries the ones below.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from app.cancel import CancelToken
from app.tasks.candidates.document import DocumentText
from app.tasks.candidates.types import Candidate
from app.tasks.patterns import CueBudget, CuePattern, compile_cue, pattern_problem

#: A clause needs a cue at least this strong to answer Yes without asking anyone.
YES_THRESHOLD = 1.0
#: A sentence that binds someone: the clause itself, not its heading or its definition.
_OPERATIVE = re.compile(
    r"\b(shall|will|may|must|agrees?|undertakes?|covenants?|is\s+entitled)\b", re.I
)
#: A defined term's definition ("Change of Control" means ...): it names the clause
#: without making it.
_DEFINITION = re.compile(
    r"^\W{0,3}[^.;]{0,80}?[\"\u201d\u2019]\)?\s*(shall\s+)?(means?|has\s+the\s+meaning)\b", re.I
)
#: A table of contents or an index: numbered headings one after another.
_CONTENTS = re.compile(r"(\d+(\.\d+)*\.?[^\S\n]+[A-Z][^\n]{0,60}?[^\S\n][\d.]+[^\S\n]*\n\s*){3}")


@dataclass(frozen=True)
class Cues:
    yes: tuple[tuple[CuePattern, float], ...]
    not_: tuple[CuePattern, ...]

    @classmethod
    def parse(cls, node: Any, origin: str = "x-cues") -> Cues:
        """From the field set's ``x-cues`` object (validated by app/tasks/fieldsets, so
        ``compile_cue`` does not refuse any here)."""
        yes = tuple((compile_cue(p, origin), float(w)) for p, w in node.get("yes", []))
        not_ = tuple(compile_cue(p, origin) for p in node.get("not", []))
        return cls(yes, not_)

    @staticmethod
    def check(node: Any) -> str | None:
        """What is wrong with an ``x-cues`` object, or None when it is usable."""
        shape = (
            isinstance(node, dict)
            and set(node) <= {"yes", "not"}
            and all(
                isinstance(c, list)
                and len(c) == 2
                and isinstance(c[0], str)
                and isinstance(c[1], int | float)
                for c in node.get("yes", [])
            )
            and all(isinstance(c, str) for c in node.get("not", []))
        )
        if not shape:
            return '"x-cues" must be {"yes": [[pattern, weight], ...], "not": [pattern, ...]}'
        for pattern in [c[0] for c in node.get("yes", [])] + list(node.get("not", [])):
            problem = pattern_problem(pattern)
            if problem is not None:
                return f"cue '{pattern[:80]}' cannot be used: {problem}"
        return None


def clause_candidates(
    doc: DocumentText, cues: Cues, yes: str = "Yes", cancel: CancelToken | None = None
) -> list[Candidate]:
    """Sentences holding a cue; each pattern has one time budget for the document."""
    out: list[Candidate] = []
    budget = CueBudget(cancel=cancel)
    for sentence in doc.sentences:
        text = " ".join(sentence.text.split())
        best, names = 0.0, []
        for pattern, weight in cues.yes:
            match = budget.search(pattern, text)
            if match is None:
                continue
            context = text[max(0, match.start() - 60) : match.end() + 60]
            if budget.any(cues.not_, context):
                continue
            names.append(pattern.pattern[:40])
            best = max(best, weight)
        if best > 0:
            out.append(Candidate(yes, sentence, best, tuple(names)))
    return sorted(out, key=lambda c: (-c.score, -prose_rank(c.sentence.text), c.sentence.index))


def prose_rank(text: str) -> int:
    """How much a cue sentence reads as the clause itself, to break ties between cues of
    one weight: the quote a lawyer wants is the operative sentence ("X may terminate on a
    change of control"), not the contents page, the heading or the definition that name
    the same words earlier in the document. The document's answer (its strongest cue) is
    unchanged; only which of the equally strong sentences is quoted."""
    flat = " ".join(text.split())
    rank = 0
    if _OPERATIVE.search(flat):
        rank += 2
    if len(flat.split()) < 8:
        rank -= 2
    if _DEFINITION.search(flat):
        rank -= 1
    if _CONTENTS.search(text):
        rank -= 3
    return rank
