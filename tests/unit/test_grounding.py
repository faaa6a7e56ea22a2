"""The grounding check: every fact a model writes must be stated by the sentences it cites."""

from __future__ import annotations

import pytest

from app.tasks.grounding import facts_in, is_grounded, unsupported_facts

SOURCE = (
    "This Agreement shall commence on May 1, 2006 and shall continue for thirty (30) "
    "months. Acme Widgets Corp. shall pay Beta Logistics LLC $48,500.00 plus interest at "
    "ten percent (10%) per annum."
)


@pytest.mark.parametrize(
    "answer",
    [
        "It commences on 1 May 2006.",  # a date written another way
        "It commences on 5/1/2006.",
        "It runs for 30 months.",  # a duration as a figure
        "It runs for thirty months.",
        "Acme pays $48,500 plus 10% interest.",  # an amount without its cents
        "Interest is ten percent.",
        "Acme Widgets Corp. pays Beta Logistics LLC.",  # names by their words
        "Yes. Either party may end it.",  # nothing to check
    ],
)
def test_facts_stated_by_the_source_are_confirmed(answer: str) -> None:
    assert unsupported_facts(answer, [SOURCE]) == [], facts_in(answer)


@pytest.mark.parametrize(
    ("answer", "invented"),
    [
        ("The agreement expires on December 31, 2023.", "December 31, 2023"),
        ("It commences on May 2, 2006.", "May 2, 2006"),
        ("It runs for 36 months.", "36 months"),
        ("Acme pays $50,000.", "50,000"),
        ("Interest is 12% per annum.", "12"),
        ("Gamma Holdings pays the fee.", "Gamma"),
        ("It is governed by the laws of Delaware.", "Delaware"),
    ],
)
def test_an_invented_fact_is_named(answer: str, invented: str) -> None:
    missing = [f.text for f in unsupported_facts(answer, [SOURCE])]
    assert any(invented in m or m in invented for m in missing), missing
    assert not is_grounded(answer, [SOURCE])


def test_a_fact_may_come_from_any_cited_sentence() -> None:
    other = "The laws of the State of Delaware govern this Agreement."
    answer = "Delaware law governs; the term is 30 months from May 1, 2006."
    assert not is_grounded(answer, [SOURCE])
    assert is_grounded(answer, [SOURCE, other])


def test_no_sources_confirm_nothing_but_an_empty_answer() -> None:
    assert is_grounded("", [])
    assert not is_grounded("On June 1, 2020.", [])
