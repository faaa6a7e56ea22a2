"""The firm's position on each playbook statement, and what a review finding means for it.

A review says what the document does (Entailment / Contradiction / NotMentioned); a
lawyer needs to know whether that is what the client wants. A statement's ``Position``
names the answer the firm wants, how much a deviation matters (``risk``), one line of
guidance, and the usual fix: a clause to ``insert`` when the point is missing, or text
to ``replace`` the offending sentence with. ``outcome`` turns a label into "as we want",
"deviates" or "missing"; ``proposed_change`` is the fix the redline offers for it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Want = Literal["Entailment", "Contradiction", "either"]
Risk = Literal["high", "medium", "low"]
Outcome = Literal["as we want", "deviates", "missing"]

WANTS: tuple[Want, ...] = ("Entailment", "Contradiction", "either")
RISKS: tuple[Risk, ...] = ("high", "medium", "low")
OUTCOMES: tuple[Outcome, ...] = ("deviates", "missing", "as we want")


@dataclass(frozen=True)
class Position:
    want: Want
    risk: Risk
    guidance: str
    #: Silence serves the firm (no clause at all is as good as the one it wants).
    missing_ok: bool = False
    #: A clause to add when the point is missing.
    insert: str | None = None
    #: Text for the sentence that deviates ("" deletes it).
    replace: str | None = None


@dataclass(frozen=True)
class ProposedChange:
    """The fix offered for one finding: a tracked insertion, a replacement, or a comment.

    ``kind`` "insert" adds ``text`` as a new clause; "replace" deletes the quoted sentence
    and inserts ``text``; "comment" only annotates the quoted sentence.
    """

    kind: Literal["insert", "replace", "comment"]
    text: str


def outcome(position: Position | None, label: str) -> Outcome | None:
    """What the document's ``label`` means for the firm (None: the playbook takes no view)."""
    if position is None:
        return None
    if label == "NotMentioned":
        return "as we want" if position.missing_ok else "missing"
    if position.want in ("either", label):
        return "as we want"
    return "deviates"


def proposed_change(position: Position | None, result: Outcome | None) -> ProposedChange | None:
    """The change the redline would make for a finding, or None where none is needed.

    A missing point gets the insert clause; a deviation gets its replacement text, or,
    with no replacement drafted, a comment on the sentence (adding a clause beside one
    that says the opposite would leave the contract contradicting itself).
    """
    if position is None or result in (None, "as we want"):
        return None
    if result == "missing":
        return ProposedChange("insert", position.insert) if position.insert else None
    if position.replace is not None:
        return ProposedChange("replace", position.replace)
    return ProposedChange("comment", "")


def risk_order(risk: Risk | None, result: Outcome | None) -> tuple[int, int]:
    """Sort key: high risk first, and within a risk deviations, then missing, then fine."""
    return (
        RISKS.index(risk) if risk is not None else len(RISKS),
        OUTCOMES.index(result) if result is not None else len(OUTCOMES),
    )
