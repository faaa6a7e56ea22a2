"""Which built-in field or playbook statement a plain-language question asks about.

Extract and Review already answer the questions lawyers ask most (who are the parties,
which law governs, can it be ended for convenience, must information be returned) from
typed candidates and clause cues, with the sentence that says so. A question that
resembles one of those is answered by its rules, so Ask is never less right than the
grid. Resemblance is measured on what the field set and the playbook *say about* each
field (its title, description, search words and the literal words of its cue patterns),
never on a list of question strings: a firm's own field set or playbook routes the same
way.

Words are compared as crude stems (app/tasks/retrieve.stem), each weighed by how rare it
is across all the profiles (IDF), so "agreement" and "party", which every field mentions,
decide nothing, while "governs" and "convenience" decide a lot. A question word found in
no profile at all counts against every route: "Who signed for Acme in Paris?" is not the
parties field.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.tasks.fieldsets import Field, list_fieldsets, load_fieldset
from app.tasks.retrieve import STOPWORDS, stem
from app.tasks.review.playbook import Statement, list_playbooks, load_playbook

_WORD = re.compile(r"[a-z]+")
#: Words of a question that never locate an answer (the subject of every question).
_GENERIC_TEXT = """
    agreement contract contracts agreements clause clauses provision provisions section
    sections party either take takes taken need needs needed required require
    requires allowed allow allows permitted able happen happens apply applies kind type
    anything something someone anyone much many prohibited forbidden barred
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())
#: How much a match in each part of a profile counts (a title says most).
PART_WEIGHTS = {"title": 1.0, "search": 0.9, "description": 0.7, "cues": 0.6}
#: Below this share of the question's weight no route is taken.
MIN_SCORE = 0.5
#: A route through the description alone needs every question word found there.
DESCRIPTION_ONLY = 0.69
#: Field sets and playbooks consulted (built-in and the firm's own, by name).
DEFAULT_FIELDSETS = ("commercial-contract", "due-diligence", "nda", "lease", "employment")


#: Plain words a question uses for the law's own ("end the agreement" is "terminate it",
#: "who signed" asks who executed it): each is read as the legal word's stem.
LAY_WORDS = {
    "end": "terminat", "ends": "terminat", "ending": "terminat", "cancel": "terminat",
    "quit": "terminat", "exit": "terminat", "signed": "execut", "sign": "execut",
    "signing": "execut", "signature": "execut", "transfer": "assign", "sell": "assign",
    "hire": "solicit", "poach": "solicit", "lasts": "term", "last": "term",
    "recipient": "receiv", "discloser": "disclos", "called": "name", "named": "name",
    "capped": "cap", "caps": "cap", "orally": "oral", "verbally": "oral", "copies": "copy",
    "copying": "copy", "copied": "copy", "licence": "licens", "licences": "licens",
    "licenced": "licens", "licensing": "licens",
}  # fmt: skip
#: Two stems this long or longer match when one begins the other ("effect"/"effectiv").
PREFIX_MATCH = 5


def word_stem(word: str) -> str:
    """``stem`` with plurals in -ies read as -y ("parties" and "party" are one stem)."""
    root = stem(word)
    return root[:-1] + "y" if root.endswith("i") and len(root) > 3 else root


def content_stems(text: str) -> list[str]:
    """The stems of ``text``'s content words, in order, without repeats."""
    out: list[str] = []
    for word in _WORD.findall(text.lower()):
        if len(word) < 3 or word in STOPWORDS or word in _GENERIC:
            continue
        root = LAY_WORDS.get(word) or word_stem(word)
        if root not in out:
            out.append(root)
    return out


def pattern_words(patterns: Iterable[str]) -> str:
    """The literal words of regular expressions ("\\breturn or destroy" -> "return or
    destroy"): escapes and classes dropped, alternatives kept as words."""
    cleaned = []
    for pattern in patterns:
        text = re.sub(r"\\[bBdDsSwW]|\[[^\]]*\]|\{[^}]*\}|\(\?[:=!<]+", " ", pattern)
        cleaned.append(re.sub(r"[^A-Za-z]+", " ", text))
    return " ".join(cleaned)


@dataclass(frozen=True)
class Target:
    """A field of a field set or a statement of a playbook that a question may mean."""

    kind: str  # "field" | "statement"
    source: str  # the field set or playbook name
    name: str  # the field name or statement id
    title: str
    parts: tuple[tuple[str, frozenset[str]], ...]  # (part, stems)
    field: Field | None = None
    statement: Statement | None = None

    @property
    def path(self) -> str:
        return f"{self.kind}:{self.name}"

    @property
    def stems(self) -> frozenset[str]:
        return frozenset().union(*(s for _, s in self.parts))

    @property
    def yes_no(self) -> bool:
        if self.statement is not None:
            return True
        assert self.field is not None
        options = [str(o).lower() for o in self.field.schema.get("enum", [])]
        return "yes" in options


def field_target(source: str, item: Field) -> Target:
    cues = item.cues or {}
    cue_text = pattern_words([c[0] for c in cues.get("yes", [])])
    parts = (
        ("title", frozenset(content_stems(item.title))),
        ("search", frozenset(content_stems(" ".join(item.search)))),
        ("description", frozenset(content_stems(item.description))),
        ("cues", frozenset(content_stems(cue_text))),
    )
    return Target("field", source, item.name, item.title, parts, field=item)


def statement_target(source: str, statement: Statement, raw_cues: Sequence[str]) -> Target:
    parts = (
        ("title", frozenset(content_stems(statement.title))),
        ("description", frozenset(content_stems(statement.statement))),
        ("cues", frozenset(content_stems(pattern_words(raw_cues)))),
    )
    return Target("statement", source, statement.id, statement.title or statement.statement,
                  parts, statement=statement)  # fmt: skip


@lru_cache(maxsize=4)
def _targets(fieldsets: tuple[str, ...], playbooks: tuple[str, ...]) -> tuple[Target, ...]:
    out: list[Target] = []
    seen: set[str] = set()
    known = set(list_fieldsets())
    for name in fieldsets:
        if name not in known:
            continue
        for item in load_fieldset(name).fields:
            if item.name in seen or not item.extractor:
                continue  # a field without a rule has nothing to route to
            seen.add(item.name)
            out.append(field_target(name, item))
    for name in playbooks:
        book = load_playbook(name)
        for statement in book.statements:
            if f"statement:{statement.id}" in seen:
                continue  # a variant (nda-disclosing) asks the same statement
            seen.add(f"statement:{statement.id}")
            raw = [p.pattern for p in statement.topic + statement.entail]
            out.append(statement_target(name, statement, raw))
    return tuple(out)


def targets(
    fieldsets: Sequence[str] = DEFAULT_FIELDSETS, playbooks: Sequence[str] | None = None
) -> tuple[Target, ...]:
    """Every routable field and statement (fields without an extractor are not routable)."""
    books = tuple(playbooks) if playbooks is not None else tuple(list_playbooks())
    return _targets(tuple(fieldsets), books)


@dataclass(frozen=True)
class Route:
    target: Target
    score: float


def _idf(all_targets: Sequence[Target]) -> dict[str, float]:
    counts: dict[str, int] = {}
    for target in all_targets:
        for root in target.stems:
            counts[root] = counts.get(root, 0) + 1
    n = len(all_targets)
    return {root: math.log(1.0 + n / count) for root, count in counts.items()}


def matches(root: str, stems: frozenset[str]) -> bool:
    """``root`` is one of ``stems``, or begins one or is begun by one (crude stems differ:
    "effect" and "effectiv", "assign" and "assignment")."""
    if root in stems:
        return True
    if len(root) < PREFIX_MATCH:
        return False
    return any(len(s) >= PREFIX_MATCH and (s.startswith(root) or root.startswith(s))
               for s in stems)  # fmt: skip


def score(question_stems: Sequence[str], target: Target, idf: dict[str, float],
          unseen: float) -> float:  # fmt: skip
    """Share of the question's weight the target's profile holds, each word counted at
    the weight of the best part of the profile that has it."""
    total = held = 0.0
    for root in question_stems:
        weight = idf.get(root, unseen)
        total += weight
        best = max((PART_WEIGHTS[part] for part, stems in target.parts if matches(root, stems)),
                   default=0.0)  # fmt: skip
        held += weight * best
    return held / total if total else 0.0


def rank(question: str, pool: Sequence[Target] | None = None) -> list[Route]:
    """Every target scored for ``question``, best first."""
    pool = list(pool if pool is not None else targets())
    stems = content_stems(question)
    if not stems or not pool:
        return []
    idf = _idf(pool)
    unseen = math.log(1.0 + len(pool))
    for root in stems:
        if root not in idf:
            near = [w for s, w in idf.items() if matches(root, frozenset((s,)))]
            if near:
                idf[root] = max(near)
    scored = [Route(t, score(stems, t, idf, unseen)) for t in pool]
    return sorted(scored, key=lambda r: -r.score)


def route(question: str, pool: Sequence[Target] | None = None,
          min_score: float = MIN_SCORE) -> Route | None:  # fmt: skip
    """The field or statement ``question`` asks about, or None (answered by retrieval).

    A question that touches a target only through its description (not its title,
    search words or cues) is routed only when the description holds all of it.
    """
    ranked = rank(question, pool)
    if not ranked or ranked[0].score < min_score:
        return None
    best = ranked[0]
    stems = set(content_stems(question))
    named = {r for part, roots in best.target.parts if part in ("title", "search", "cues")
             for r in roots}  # fmt: skip
    if not stems & named and best.score < DESCRIPTION_ONLY:
        return None
    return best
