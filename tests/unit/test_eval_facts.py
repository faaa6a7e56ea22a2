"""Key-fact matching for the summary eval, on CUAD's real labels and contract texts."""

from __future__ import annotations

import csv
from pathlib import Path

from tests.eval.facts import (
    Fact,
    contract_facts,
    date_named,
    fact_named,
    law_named,
    lead,
    party_named,
    recall,
    stated_facts,
)
from tests.shared_data import CUAD


def _rows() -> dict[str, dict[str, str]]:
    with (CUAD / "labels.csv").open(encoding="utf-8", newline="") as handle:
        return {row["id"]: row for row in csv.DictReader(handle)}


def _text(contract: str) -> str:
    return Path(CUAD / "txt" / f"{contract}.txt").read_text(encoding="utf-8")


def test_facts_of_a_contract_come_from_its_labels() -> None:
    facts = contract_facts(_rows()["cuad-dev-000"])
    assert [(f.kind, f.label) for f in facts] == [
        ("party", 'Virtual Item Processing Systems, Inc. ("VIP")'),
        ("party", 'Brokers National Life Assurance Company ("BNL")'),
        ("governing law", "Oklahoma"),
        ("agreement date", "5/1/2006"),
        ("effective date", "5/1/2006"),
        ("expiration date", "5/1/2007"),
    ]


def test_a_party_entry_that_only_names_the_others_together_is_not_a_fact() -> None:
    parties = [f.label for f in contract_facts(_rows()["cuad-dev-001"]) if f.kind == "party"]
    assert len(parties) == 2 and parties[0].startswith("Loop Industries")
    assert not any(p.startswith("Loop and Joint Venture") for p in parties)


def test_redacted_and_yearless_labels_are_not_facts() -> None:
    row = {"Governing Law-Answer": "[* * *]", "Agreement Date-Answer": "[]/[]/19[]"}
    assert contract_facts(row) == []


def test_dates_match_in_any_common_spelling_and_partial_labels_match_what_they_know() -> None:
    for text in ("dated May 1, 2006", "on 5/1/2006", "the 1st day of May, 2006", "2006-05-01"):
        assert date_named("5/1/2006", text), text
    assert not date_named("5/1/2006", "dated May 2, 2006 and expiring 5/1/2007")
    assert not date_named("5/1/2006", "May 2006")  # the day is known, so it must be named
    assert date_named("09/[]/2018", "signed in September 2018")
    assert date_named("09/[]/2018", "as of September 12, 2018")
    assert not date_named("09/[]/2018", "October 2018")
    assert date_named("perpetual", "The licence continues in perpetuity.")


def test_governing_law_is_named_by_state_or_place_even_beside_other_states() -> None:
    assert law_named("Oklahoma", "governed by the laws of the State of Oklahoma")
    assert law_named("New York", "VIP, a Delaware corporation; New York law governs.")
    assert not law_named("New York", "governed by Delaware law")
    assert law_named("Ontario, Canada", "the laws of the Province of Ontario apply")
    assert law_named("People's Republic of China", "governed by PRC law")
    assert law_named("England; Wales", "the law of England")


def test_a_party_is_named_by_its_distinctive_words_not_its_defined_term() -> None:
    entry = 'Virtual Item Processing Systems, Inc. ("VIP")'
    assert party_named(entry, "Virtual Item Processing Systems (VIP) will process items")
    assert not party_named(entry, "VIP will process items")
    assert party_named('Glu Mobile, Inc. f/k/a Sorrent, Inc. ("Licensee")', "Glu Mobile licenses")


def test_the_matchers_find_nearly_every_labelled_fact_in_the_contracts_own_text() -> None:
    """On the full text the matchers must succeed, or the summary figures measure them."""
    rows = _rows()
    found = total = 0
    for contract, row in rows.items():
        text = _text(contract)
        for fact in contract_facts(row):
            if fact.kind != "expiration date":  # mostly computed by the annotator
                found += fact_named(fact, text)
                total += 1
    assert total > 350 and found / total >= 0.98


def test_only_facts_the_contract_states_are_scored() -> None:
    row = _rows()["cuad-dev-000"]
    stated = stated_facts(row, _text("cuad-dev-000"))
    assert Fact("expiration date", "5/1/2007") not in stated  # "one year" in the text
    assert [f.kind for f in stated] == ["party", "party", "governing law", "agreement date",
                                        "effective date"]  # fmt: skip


def test_the_lead_baseline_is_the_documents_opening_and_recall_counts_by_kind() -> None:
    text = _text("cuad-dev-000")
    opening = lead([text[:3000], text[3000:]], 600)
    assert len(opening) == 600 and opening == " ".join(text.split())[:600]
    facts = stated_facts(_rows()["cuad-dev-000"], text)
    scores = recall(facts, opening)
    assert scores["party"] == (2, 2)  # the preamble names both parties
    assert scores["agreement date"] == (1, 1)  # "this 1 st day of May 2006"
    # The governing-law clause is on page 13, but VIP's address is in Oklahoma City: a
    # place counts wherever it is named (a limit of matching words, shared by both sides).
    assert scores["governing law"] == (1, 1)
    assert sum(named for named, _ in scores.values()) == sum(fact_named(f, opening) for f in facts)


def test_summary_figures_score_coverage_and_recall_against_the_lead() -> None:
    from tests.eval.eval_summaries import Scored, figures, score

    text = _text("cuad-dev-000")
    facts = stated_facts(_rows()["cuad-dev-000"], text)
    summary = (
        "Virtual Item Processing Systems will process items for Brokers National Life "
        "Assurance Company from May 1, 2006 under Oklahoma law. [cuad-dev-000, p. 1]"
    )
    named, lead_named = score(facts, summary, [text])
    assert named == [True] * len(facts)
    full = Scored("cuad-dev-000", 13, 13, 60.0, summary, 6, facts, named, lead_named)
    part = Scored("x", 10, 9, 40.0, summary, 6, facts[:1], [False], [True])
    shown = {f["name"]: f for f in figures([full, part])}
    assert shown["page coverage"]["value"] == 22 / 23 and shown["page coverage"]["ok"] is False
    assert shown["contracts fully covered"]["value"] == 1
    assert shown["key facts stated in the contracts"]["value"] == len(facts) + 1
    assert shown["recall all key facts: summary"]["value"] == len(facts) / (len(facts) + 1)
    assert shown["time per contract"]["value"] == 50.0
