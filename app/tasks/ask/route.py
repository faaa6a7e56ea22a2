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

Two things a question says besides its content words decide between close targets:

- what kind of answer it wants: "who" a name, "when" a date, "where" a place, "how long"
  a duration. A field whose rules give another kind of value ("Who signed?" and the
  agreement *date*, whose description says "signed") is down-weighted (``WRONG_KIND``);
- how much of the target's own title it names: a title word the question never uses
  makes the target narrower than the question ("restrict competition" asks about the
  non-compete, not the *exception* to a competitive restriction), so ranking prefers the
  target whose title the question covers (``TITLE_MISS``). This orders targets only; the
  threshold is on how much of the question the target holds, and only targets close to
  the best are reordered so.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from app.tasks.candidates.registry import generator
from app.tasks.fieldsets import Field, list_fieldsets, load_fieldset
from app.tasks.retrieve import STOPWORDS, stem
from app.tasks.review.playbook import Statement, list_playbooks, load_playbook

_WORD = re.compile(r"[a-z]+")
#: Words of a question that never locate an answer (the subject of every question).
_GENERIC_TEXT = """
    agreement contract contracts agreements clause clauses provision provisions section
    sections party either take takes taken need needs needed required require
    requires allowed allow allows permitted able happen happens apply applies kind type
    anything something someone anyone much many prohibited forbidden barred non anti
    put puts contain contains bear bears
"""
_GENERIC = frozenset(_GENERIC_TEXT.split())
#: Words naming a party (by its role, or just "parties"): they say who a question is
#: about, not what, so
#: they weigh ``ROLE_WEIGHT`` of their rarity ("May the licensee compete?" is the
#: non-compete, not the licence fields).
_ROLES_TEXT = """
    supplier suppliers distributor distributors vendor vendors buyer buyers seller sellers
    purchaser purchasers contractor contractors consultant consultants licensee licensees
    licensor licensors reseller resellers manufacturer manufacturers franchisee franchisor
    company client clients us we our parties
"""
_ROLES = frozenset(_ROLES_TEXT.split())
ROLE_WEIGHT = 0.3
#: A word fused with a negating prefix ("noncompetition") is read as the word after it,
#: as the hyphenated form ("non-competition") already is.
_FUSED_PREFIX = re.compile(r"^(?:non|anti)(?=[a-z]{6,})")
#: How much of its rarity a stem a question's opening words stand for ("when": date) weighs.
IMPLIED_WEIGHT = 0.5
#: How much a match in each part of a profile counts (a title says most).
PART_WEIGHTS = {"title": 1.0, "search": 0.9, "description": 0.7, "cues": 0.6}
#: Below this share of the question's weight no route is taken.
MIN_SCORE = 0.5
#: A route through the description alone needs every question word found there.
DESCRIPTION_ONLY = 0.69
#: Field sets and playbooks consulted (built-in and the firm's own, by name).
DEFAULT_FIELDSETS = (
    "commercial-contract",
    "due-diligence",
    "execution",
    "nda",
    "lease",
    "employment",
)
#: A typed field whose kind of value the question does not want keeps this share.
WRONG_KIND = 0.6
#: Among targets within ``CLOSE`` of the best fit, ranking loses up to this share for
#: the (IDF-weighted) part of the title the question does not name.
TITLE_MISS = 0.5
CLOSE = 0.15
#: The kinds of value a question's opening words want (generator kinds: registry.py),
#: and the title words that name that kind ("when" asks for a date).
_WANTS: tuple[tuple[re.Pattern[str], frozenset[str], tuple[str, ...]], ...] = (
    (re.compile(r"^\s*(?:who|whom|whose)\b", re.I), frozenset({"parties", "text"}), ()),
    (
        re.compile(r"^\s*(?:when|on\s+what\s+date|what\s+date)\b", re.I),
        frozenset({"date", "duration"}),
        ("date",),
    ),
    (re.compile(r"^\s*where\b", re.I), frozenset({"place", "text"}), ()),
    (
        re.compile(r"^\s*(?:for\s+)?how\s+long\b", re.I),
        frozenset({"duration", "date"}),
        ("period", "term"),
    ),
)


#: Plain words a question uses for the law's own ("end the agreement" is "terminate it",
#: "who signed" asks who executed it): each is read as the legal word's stem.
LAY_WORDS = {
    "end": "terminat",
    "ends": "terminat",
    "ending": "terminat",
    "cancel": "terminat",
    "quit": "terminat",
    "exit": "terminat",
    "signed": "execut",
    "sign": "execut",
    "signing": "execut",
    "signature": "execut",
    "transfer": "assign",
    "sell": "assign",
    "hire": "solicit",
    "poach": "solicit",
    "lasts": "term",
    "last": "term",
    "recipient": "receiv",
    "discloser": "disclos",
    "called": "name",
    "named": "name",
    "capped": "cap",
    "caps": "cap",
    "orally": "oral",
    "verbally": "oral",
    "copies": "copy",
    "copying": "copy",
    "copied": "copy",
    "licence": "licens",
    "licences": "licens",
    "licenced": "licens",
    "licensing": "licens",
    "signatures": "execut",
    "signs": "execut",
    "signatory": "execut",
    "signatories": "execut",
    "signer": "execut",
    "signers": "execut",
    "concluded": "execut",
}
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
        word = _FUSED_PREFIX.sub("", word)
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
    #: The kind of value its rules give (registry.VALUE_KINDS), "yes/no" for a statement.
    kind_of_value: str = "yes/no"

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
    return Target(
        "field", source, item.name, item.title, parts, field=item, kind_of_value=value_kind(item)
    )


def value_kind(item: Field) -> str:
    """The kind of value the field's rules give ("date", "parties", "yes/no" ...)."""
    try:
        kind = generator(item.extractor or "").kind
    except KeyError:
        return "text"
    if kind == "per field":
        return str((item.pattern or {}).get("kind", "text"))
    return kind


def statement_target(source: str, statement: Statement, raw_cues: Sequence[str]) -> Target:
    parts = (
        ("title", frozenset(content_stems(statement.title))),
        ("description", frozenset(content_stems(statement.statement))),
        ("cues", frozenset(content_stems(pattern_words(raw_cues)))),
    )
    return Target(
        "statement",
        source,
        statement.id,
        statement.title or statement.statement,
        parts,
        statement=statement,
    )


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
    #: What ranks the targets: ``fit`` less the share of the title the question misses.
    score: float
    #: Share of the question's weight the target holds, for a wrong kind ``WRONG_KIND``
    #: of it: what the routing threshold is checked on.
    fit: float = 0.0


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
    return any(len(s) >= PREFIX_MATCH and (s.startswith(root) or root.startswith(s)) for s in stems)


def score(
    question_stems: Sequence[str],
    target: Target,
    idf: dict[str, float],
    unseen: float,
    scale: dict[str, float] | None = None,
) -> float:
    """Share of the question's weight the target's profile holds, each word counted at
    the weight of the best part of the profile that has it (times its ``scale``)."""
    total = held = 0.0
    for root in question_stems:
        weight = idf.get(root, unseen) * (scale or {}).get(root, 1.0)
        total += weight
        best = max(
            (PART_WEIGHTS[part] for part, stems in target.parts if matches(root, stems)),
            default=0.0,
        )
        held += weight * best
    return held / total if total else 0.0


def wanted_kinds(question: str) -> tuple[frozenset[str] | None, tuple[str, ...]]:
    """The kinds of value the question's opening words ask for (None when they do not
    say), and the title words those opening words stand for."""
    for pattern, kinds, implied in _WANTS:
        if pattern.match(question):
            return kinds, implied
    return None, ()


def title_missed(
    question_stems: Sequence[str], target: Target, idf: dict[str, float], unseen: float
) -> float:
    """IDF-weighted share of the target's title stems that no question word matches, when
    the question names some of the title (a question naming none of it reached the target
    through its description or cues, where a jargon title says nothing either way)."""
    title = next((stems for part, stems in target.parts if part == "title"), frozenset())
    total = missed = 0.0
    for root in title:
        weight = idf.get(root, unseen)
        total += weight
        if not any(matches(q, frozenset((root,))) for q in question_stems):
            missed += weight
    return missed / total if total and missed < total else 0.0


def rank(question: str, pool: Sequence[Target] | None = None) -> list[Route]:
    """Every target scored for ``question``, best first."""
    pool = list(pool if pool is not None else targets())
    stems = content_stems(question)
    if not stems or not pool:
        return []
    roles = {word_stem(w) for w in _WORD.findall(question.lower()) if w in _ROLES}
    idf = _idf(pool)
    unseen = math.log(1.0 + len(pool))
    for root in stems:
        if root not in idf:
            near = [w for s, w in idf.items() if matches(root, frozenset((s,)))]
            if near:
                idf[root] = max(near)
    wants, implied = wanted_kinds(question)
    asked = [*stems, *(r for r in implied if r not in stems)]
    scale = {r: ROLE_WEIGHT for r in roles} | {r: IMPLIED_WEIGHT for r in implied if r not in stems}
    fits = []
    for target in pool:
        fit = score(asked, target, idf, unseen, scale)
        typed = target.kind_of_value != "yes/no"
        if wants is not None and typed and target.kind_of_value not in wants:
            fit *= WRONG_KIND
        fits.append((target, fit))
    best = max(fit for _, fit in fits)
    scored = []
    for target, fit in fits:
        # Close to the best, the title decides; further off, the full loss keeps it below.
        missed = title_missed(asked, target, idf, unseen) if fit >= best - CLOSE else 1.0
        scored.append(Route(target, fit * (1.0 - TITLE_MISS * missed), fit))
    return sorted(scored, key=lambda r: -r.score)


def route(
    question: str, pool: Sequence[Target] | None = None, min_score: float = MIN_SCORE
) -> Route | None:
    """The field or statement ``question`` asks about, or None (answered by retrieval):
    the best ranked of those holding ``min_score`` of the question.

    A question that touches a target only through its description (not its title,
    search words or cues) is routed only when the description holds all of it.
    """
    eligible = [r for r in rank(question, pool) if r.fit >= min_score]
    if not eligible:
        return None
    best = eligible[0]
    stems = set(content_stems(question)) | set(wanted_kinds(question)[1])
    named = {
        r for part, roots in best.target.parts if part in ("title", "search", "cues") for r in roots
    }
    if not stems & named and best.fit < DESCRIPTION_ONLY:
        return None
    return best
