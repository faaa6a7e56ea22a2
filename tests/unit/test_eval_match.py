"""The evaluation matcher on real CUAD label strings: what it accepts and what it rejects.

Labels are verbatim from ../shared/data/cuad/labels.csv; each rule is checked both ways,
so a matcher that accepted everything (or nothing) would fail here.
"""

from __future__ import annotations

import pytest

from app.evaluation.match import is_correct, match_kind, party_names
from app.tasks.fieldsets import load_fieldset
from app.tasks.legal_values import PartialDate, find_dates, find_durations, find_states

# cuad-dev-000's preamble, as pypdfium2 extracts it (note "1 st  day of May 2006").
PREAMBLE_000 = (
    'This Outsourcing Agreement (" Agreement") is executed as of this 1 st  day of May 2006, '
    'by and between Virtual Item Processing Systems, Inc. ("VIP"), with its principal place'
)
PARTIES_000 = (
    'Virtual Item Processing Systems, Inc. ("VIP"); Brokers National Life Assurance Company ("BNL")'
)
PARTIES_001 = (
    'Loop Industries, Inc. ("Loop"); Indorama Loop Technologies, LLC ("Joint Venture Company”); '
    'Loop and Joint Venture Company (individually a "Party, toge'
)


def test_dates_are_read_in_every_spelling_contracts_use() -> None:
    may_first = PartialDate(2006, 5, 1)
    assert find_dates(PREAMBLE_000) == [may_first]
    for text in ("May 1, 2006", "the 1st day of May, 2006", "5/1/2006", "2006-05-01", "1 May 2006"):
        assert find_dates(text) == [may_first], text
    assert find_dates("as of September __, 2018 (the") == [PartialDate(2018, 9, None)]
    assert find_dates("effective on this 21s t day of February 2011") == [PartialDate(2011, 2, 21)]
    assert find_dates("24/06/2020") == [PartialDate(2020, 6, 24)]  # day first when it must be
    assert find_dates("within thirty days of the notice") == []


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("5/1/2006", "May 1, 2006", True),
        ("5/1/2006", PREAMBLE_000, True),
        ("5/1/2006", "May 2, 2006", False),
        ("5/1/2006", "5/1/2007", False),
        ("5/1/2006", "May 2006", False),  # less than the label knows
        ("5/1/2006", "upon signature by both parties", False),
        ("09/[]/2018", "September __, 2018", True),
        ("09/[]/2018", "September 14, 2018", True),  # unknown day: month and year decide
        ("09/[]/2018", "October 1, 2018", False),
        ("[]/[]/2000", "March 3, 2000", True),
        ("[]/[]/2000", "March 3, 2001", False),
        ("perpetual", "The Agreement shall continue in perpetuity", True),
        ("perpetual", "December 31, 2024", False),
    ],
)
def test_date_rule(label: str, value: str, expected: bool) -> None:
    assert is_correct("date", label, value) is expected


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("Oklahoma", "Oklahoma", True),
        ("Oklahoma", "the laws of the State of Oklahoma", True),
        ("Oklahoma", "OK", True),
        ("Oklahoma", "Texas", False),
        ("Oklahoma", "Oklahoma and Texas", False),  # another state named as well
        ("Kansas", "Arkansas", False),
        ("Virginia", "West Virginia", False),
        ("New York", "N.Y.", True),
        ("New York", "GOVERNED BY THE LAWS OF THE STATE OF NEW YORK", True),
        ("Massachusetts", "Commonwealth of Massachusetts", True),
        ("People's Republic of China", "PRC", True),
        ("People's Republic of China", "the laws of the People's Republic of China", True),
        ("People's Republic of China", "Hong Kong", False),
        ("Ontario, Canada", "the Province of Ontario", True),
        ("Ontario, Canada", "Canada", False),
        ("England; Wales", "England and Wales", True),
        ("Federal Republic of Germany", "German law (Germany)", True),
        ("England", "Delaware", False),
    ],
)
def test_jurisdiction_rule(label: str, value: str, expected: bool) -> None:
    assert is_correct("jurisdiction", label, value) is expected


def test_states_by_name_and_safe_codes_only() -> None:
    assert find_states("the State of West Virginia") == {"west virginia"}
    assert find_states("Austin, TX") == {"texas"}
    assert find_states("IN WITNESS WHEREOF, OR AS OTHERWISE AGREED") == set()


def test_party_names_drop_defined_terms_forms_and_former_names() -> None:
    assert party_names(PARTIES_000) == [
        ["virtual", "item", "processing", "systems"],
        ["brokers", "national", "life", "assurance", "company"],
    ]
    glu = 'Fox Mobile Entertainment ("Fox"); Glu Mobile, Inc. f/k/a Sorrent, Inc. ("Licensee")'
    assert party_names(glu)[1] == ["glu", "mobile"]


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        (
            PARTIES_000,
            "Virtual Item Processing Systems, Inc. (VIP) and Brokers National Life Assurance Company (BNL)",
            True,
        ),
        (PARTIES_000, "VIRTUAL ITEM PROCESSING SYSTEMS and BROKERS NATIONAL LIFE ASSURANCE", True),
        (PARTIES_000, "VIP and BNL", False),  # defined names alone do not say who
        (PARTIES_000, "Virtual Item Processing Systems, Inc.", False),  # one of two parties
        (PARTIES_000, "Brokers National Bank and Item Systems", False),
        # The label's third entry is a definition fragment: two of three parties suffice.
        (PARTIES_001, "Loop Industries, Inc. and Indorama Loop Technologies, LLC", True),
        (PARTIES_001, "Loop Industries, Inc.", False),
    ],
)
def test_parties_rule(label: str, value: str, expected: bool) -> None:
    assert is_correct("parties", label, value) is expected


@pytest.mark.parametrize(
    ("label", "value", "expected"),
    [
        ("successive 1 year", "successive one (1) year periods", True),
        ("successive 1 year", "twelve (12) months", True),
        ("successive 1 year", "two (2) years", False),
        ("6 months", "six (6) months prior to the end of the term", True),
        ("6 months", "sixty (60) days", False),
        ("90 days", "ninety (90) days' written notice", True),
        ("180 days / 6 months", "six months", True),
        ("4 years, 6 months", "four years and six months", True),
        ("4 years, 6 months", "four years", False),
        ("7/22/2019; 7/22/2022", "renews on July 22, 2022", True),
    ],
)
def test_duration_rule(label: str, value: str, expected: bool) -> None:
    assert is_correct("duration", label, value) is expected


def test_durations_prefer_the_figure_in_brackets() -> None:
    assert find_durations("one hundred twenty (120) days") == [(120, "day")]
    assert find_durations("annual fee each year") == []


def test_choice_text_and_empty_labels() -> None:
    assert is_correct("choice", "Yes", "Yes") is True
    assert is_correct("choice", "Yes", "No") is False
    assert is_correct("choice", "Yes", None) is False
    assert is_correct("choice", "No", None) is True  # nothing found: no such clause
    assert is_correct("choice", "No", "Yes, with consent") is False
    assert is_correct("choice", "", "No") is True
    assert is_correct("date", "", None) is True
    assert is_correct("date", "", "May 1, 2006") is False  # found what is not there
    assert is_correct("text", "Outsourcing Agreement", "OUTSOURCING AGREEMENT") is True
    assert is_correct("text", "Outsourcing Agreement", "the Outsourcing Agreement") is True
    assert is_correct("text", "Outsourcing Agreement", "Agreement") is False
    assert is_correct("text", "Outsourcing Agreement", "Marketing Agreement") is False
    assert is_correct("text", "Outsourcing Agreement", None) is False
    assert is_correct("jurisdiction", "[* * *]", "Delaware") is None  # redacted: unscoreable


def test_match_kind_from_the_field_set_or_guessed() -> None:
    fieldset = load_fieldset("commercial-contract")
    kinds = {f.name: match_kind(f) for f in fieldset.fields}
    assert kinds["governing_law"] == "jurisdiction" and kinds["parties"] == "parties"
    assert kinds["renewal_term"] == "duration" and kinds["anti_assignment"] == "choice"
    assert kinds["document_name"] == "text" and kinds["expiration_date"] == "date"
    guessed = {
        f.name: match_kind(type(f)(f.name, f.title, f.description, f.schema, f.search))
        for f in fieldset.fields
    }
    assert guessed == kinds  # the built-in set's x-match agrees with the guesses
