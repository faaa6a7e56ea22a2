"""Routing a lawyer's question to the built-in field or playbook statement it asks about.

Questions here are written as a lawyer types them; routing reads only what the field
sets and the playbook say about each field (title, description, search words, cues).
"""

from __future__ import annotations

import pytest

from app.tasks.ask import is_yes_no, split_question
from app.tasks.ask.route import content_stems, pattern_words, rank, route, word_stem


@pytest.mark.parametrize(
    ("question", "path"),
    [
        ("When does this agreement expire?", "field:expiration_date"),
        ("Who are the parties to this agreement?", "field:parties"),
        ("Which law governs this agreement?", "field:governing_law"),
        ("What state's laws govern the contract?", "field:governing_law"),
        ("Can either party terminate this agreement for convenience?",
         "field:termination_for_convenience"),
        ("When was the agreement signed?", "field:agreement_date"),
        ("Is there a cap on liability?", "field:cap_on_liability"),
        ("Does the recipient have to return or destroy confidential information?",
         "statement:nda-16"),
    ],
)  # fmt: skip
def test_questions_reach_the_field_or_statement_that_answers_them(question: str, path: str) -> None:
    chosen = route(question)
    assert chosen is not None, rank(question)[:3]
    assert chosen.target.path == path, [
        (r.target.path, round(r.score, 2)) for r in rank(question)[:3]
    ]


@pytest.mark.parametrize(
    "question",
    [
        "What is the price of bananas?",
        "How many units must the distributor buy in the first year?",
        "Who is the contact person for notices in Paris?",
    ],
)
def test_a_question_no_field_answers_is_not_routed(question: str) -> None:
    assert route(question) is None, [(r.target.path, round(r.score, 2)) for r in rank(question)[:3]]


def test_plural_and_singular_share_a_stem() -> None:
    assert word_stem("parties") == word_stem("party") == "party"
    assert content_stems("the warranties") == content_stems("a warranty") == ["warrant"]


def test_pattern_words_read_the_law_s_language_out_of_a_regex() -> None:
    assert pattern_words([r"\breturn\s+or\s+destroy\w*"]).split() == ["return", "or", "destroy"]


def test_yes_no_questions_and_two_part_questions() -> None:
    assert is_yes_no("Can either party terminate?") and is_yes_no("Does it renew?")
    assert not is_yes_no("When does it expire?")
    assert split_question("Who are the parties and when does it expire?") == [
        "Who are the parties",
        "when does it expire?",
    ]
    assert split_question("Which law governs? When does it end?") == [
        "Which law governs",
        "When does it end?",
    ]
    assert split_question("Who may assign and transfer the licence?") == [
        "Who may assign and transfer the licence?"
    ]


def test_a_question_naming_a_party_is_asked_of_that_party_s_contract() -> None:
    from app.tasks.ask.pipeline import named_documents
    from app.tasks.candidates import DocumentText, Page

    docs = {
        "a": DocumentText([Page(1, "This Agreement is between TransMontaigne Inc. and Buyer.")]),
        "b": DocumentText([Page(1, "This Agreement is between Acme Corp. and Beta LLC.")]),
    }
    assert named_documents("Which law governs the TransMontaigne agreement?", docs) == ["a"]
    assert named_documents("Which law governs the agreement?", docs) == []
    assert named_documents("Does Gamma pay?", docs) == []  # no document holds the name
