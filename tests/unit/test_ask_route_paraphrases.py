"""A dozen questions per field, as a lawyer types them, reach the field that answers them.

None of these questions is written in any field's text: routing reads only what the field
sets say about each field (title, description, search words, cue language), plus what a
question's opening words ask for ("who" a name, "when" a date). These are the misroutes
found by trying Ask as a lawyer ("Who signed this agreement?" reached the agreement
date, "Does this contract restrict competition?" the exception to a competitive
restriction) and the paraphrases around them.
"""

from __future__ import annotations

import pytest

from app.tasks.ask.route import content_stems, rank, route

SIGNERS = [
    "Who signed this agreement?",
    "Who signed the contract?",
    "Who are the signatories?",
    "Who executed this agreement?",
    "Who signed on behalf of the licensee?",
    "Who executed the contract on behalf of the company?",
    "Whose signatures are on the agreement?",
    "Who is the authorized signatory?",
    "Who put their signature to this contract?",
    "Which officers signed the agreement?",
    "Who signed for each party?",
    "Who are the people who signed it?",
]
NON_COMPETE = [
    "Is there a non-compete?",
    "Does this contract restrict competition?",
    "Is a party prevented from competing?",
    "Is there a non-compete clause?",
    "Is a party forbidden to compete?",
    "Is the supplier barred from competing with us?",
    "Does the agreement contain a covenant not to compete?",
    "Are we restricted from competing with the other side?",
    "May the licensee compete with the licensor?",
    "Is there a noncompetition covenant?",
    "Is either party bound by a non-competition covenant?",
    "Can the distributor compete with the supplier?",
]
AGREEMENT_DATE = [
    "When was this agreement signed?",
    "When was it signed?",
    "What is the date of this agreement?",
    "When was the contract made?",
    "When was the agreement entered into?",
    "What date is the agreement dated?",
    "When was the contract executed?",
    "On what date was this agreement made?",
    "When did the parties sign?",
    "What date does the contract bear?",
    "When did the parties execute the agreement?",
    "When was the agreement concluded?",
]
CASES = (
    [(q, "field:signers") for q in SIGNERS]
    + [(q, "field:non_compete") for q in NON_COMPETE]
    + [(q, "field:agreement_date") for q in AGREEMENT_DATE]
)


@pytest.mark.parametrize(("question", "path"), CASES)
def test_a_lawyer_s_paraphrase_reaches_its_field(question: str, path: str) -> None:
    chosen = route(question)
    top = [(r.target.path, round(r.score, 2), round(r.fit, 2)) for r in rank(question)[:3]]
    assert chosen is not None, top
    assert chosen.target.path == path, top


@pytest.mark.parametrize(
    "question",
    [
        "Are there exceptions to the non-compete?",
        "Is there a carve-out from the restriction on competition?",
    ],
)
def test_an_exception_to_a_restriction_still_reaches_the_exception(question: str) -> None:
    chosen = route(question)
    assert chosen is not None and chosen.target.name == "competitive_restriction_exception"


def test_when_and_who_split_the_signing_questions() -> None:
    """The same content word ("signed"), two questions: the opening word decides."""
    assert content_stems("Who signed it?") == content_stems("When was it signed?")
    who, when = route("Who signed it?"), route("When was it signed?")
    assert who is not None and who.target.kind_of_value == "text"
    assert when is not None and when.target.kind_of_value == "date"


def test_a_fused_negation_reads_as_the_word_after_it() -> None:
    assert content_stems("noncompetition") == content_stems("non-competition")
