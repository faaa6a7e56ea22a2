"""ContractNLI scoring and keyword baseline, on the real dev set (no model)."""

from __future__ import annotations

from collections import Counter

from app.ingest.text import normalise
from app.tasks.retrieve import Passage, build_query
from tests.eval.nli_scoring import (
    accuracy,
    baseline_label,
    best_sentence,
    load_ndas,
    locate,
    macro_f1,
    majority,
    overlaps,
    recall_by_class,
)
from tests.shared_data import SHARED_DATA

DEV = SHARED_DATA / "contractnli" / "dev.json"


def _passage(text: str, start: int, end: int, coverage: float) -> Passage:
    return Passage("doc", "nda", 1, start, end, text[start:end], 1.0, coverage)


def test_the_dev_set_loads_as_61_ndas_of_17_labelled_pairs() -> None:
    ndas = load_ndas(DEV)
    assert len(ndas) == 61 and all(len(n.pairs) == 17 for n in ndas)
    counts = Counter(p.gold for n in ndas for p in n.pairs)
    assert counts == {"Entailment": 519, "NotMentioned": 423, "Contradiction": 95}
    assert len(load_ndas(DEV, 2)) == 2
    first = ndas[0].pairs[0]
    assert first.key == "nda-1" and first.hypothesis.startswith("All Confidential Information")


def test_gold_evidence_offsets_point_into_the_nda_text() -> None:
    nda = load_ndas(DEV, 1)[0]
    reverse = next(p for p in nda.pairs if p.key == "nda-11")
    assert reverse.gold == "Entailment"
    assert any("reverse engineer" in nda.text[s:e] for s, e in reverse.evidence)
    solicit = next(p for p in nda.pairs if p.key == "nda-18")
    assert solicit.gold == "NotMentioned" and solicit.evidence == ()


def test_a_quote_from_the_vaults_normalised_page_is_located_in_the_original() -> None:
    nda = load_ndas(DEV, 1)[0]
    page = normalise(nda.text)  # what the vault stores for a .txt file
    start = page.index("f) Not to alter")
    quote = page[start : start + 80]
    span = locate(quote, nda.text)
    reverse = next(p for p in nda.pairs if p.key == "nda-11")
    assert span is not None and overlaps(span, reverse.evidence)
    assert not overlaps(span, [(0, 10)]) and not overlaps(None, reverse.evidence)
    assert locate("words that are in no NDA at all", nda.text) is None


def test_scores_and_the_majority_class() -> None:
    golds = ["Entailment", "Entailment", "NotMentioned", "Contradiction"]
    predicted = ["Entailment", "NotMentioned", "NotMentioned", "Entailment"]
    assert accuracy(golds, predicted) == 0.5
    assert majority(golds) == ("Entailment", 0.5)
    assert recall_by_class(golds, predicted) == {
        "Entailment": 0.5,
        "Contradiction": 0.0,
        "NotMentioned": 1.0,
    }
    # F1: Entailment 0.5, Contradiction 0, NotMentioned 2/3.
    assert abs(macro_f1(golds, predicted) - (0.5 + 2 / 3) / 3) < 1e-9
    assert recall_by_class(["Entailment"], ["Entailment"])["Contradiction"] is None


def test_the_keyword_baseline_on_a_real_clause() -> None:
    nda = load_ndas(DEV, 1)[0]
    page = normalise(nda.text)
    start = page.index("f) Not to alter")
    clause = _passage(page, start - 200, start + 120, coverage=0.8)
    allowed = "Receiving Party may reverse engineer objects embodying Confidential Information."
    query = build_query(allowed)
    assert "reverse engineer" in best_sentence(clause.text, query)
    assert baseline_label(allowed, [clause], query, 0.5) == "Entailment"
    assert baseline_label(allowed, [clause], query, 0.5, negation=True) == "Contradiction"
    forbidden = "Receiving Party shall not reverse engineer any objects."
    assert baseline_label(forbidden, [clause], build_query(forbidden), 0.5, negation=True) == (
        "Entailment"
    )
    weak = _passage(page, start, start + 120, coverage=0.2)
    assert baseline_label(allowed, [weak], query, 0.5) == "NotMentioned"
    assert baseline_label(allowed, [], query, 0.5) == "NotMentioned"


def test_figures_compare_model_baselines_and_majority_on_the_same_pairs() -> None:
    from tests.eval.eval_nli import Outcome, figures

    def outcome(gold: str, label: str, keyword: str, quote_ok: bool | None) -> Outcome:
        called = label != "NotMentioned" or keyword != "NotMentioned"
        return Outcome("1", "nda-1", gold, label, keyword, keyword, "q" if quote_ok is not None
                       else "", bool(quote_ok), quote_ok, None, called, 1.0)  # fmt: skip

    outcomes = [
        outcome("Entailment", "Entailment", "Entailment", True),
        outcome("Contradiction", "Contradiction", "Entailment", False),
        outcome("NotMentioned", "NotMentioned", "NotMentioned", None),
        outcome("Entailment", "Contradiction", "Entailment", True),
    ]
    shown = {f["name"]: f["value"] for f in figures(outcomes, ndas=1, seconds=8.0)}
    assert shown["model accuracy"] == 0.75 and shown["keyword baseline accuracy"] == 0.75
    assert shown["majority class (Entailment) accuracy"] == 0.5
    assert shown["model recall Contradiction"] == 1.0
    assert shown["on pairs the model read: model accuracy"] == 2 / 3
    assert shown["Entailment/Contradiction quotes on gold evidence"] == 2 / 3
    assert shown["time per NDA (17 checks)"] == 8.0 and shown["time per check"] == 2.0
