"""ContractNLI scoring and keyword baseline, on the real dev set (no model)."""

from __future__ import annotations

from collections import Counter

from app.ingest.text import normalise
from tests.eval.nli_scoring import (
    accuracy,
    load_ndas,
    locate,
    macro_f1,
    majority,
    overlaps,
    recall_by_class,
)
from tests.shared_data import SHARED_DATA

DEV = SHARED_DATA / "contractnli" / "dev.json"


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


def test_figures_compare_the_review_with_both_floors_on_the_same_pairs() -> None:
    from app.evaluation.playbook import Outcome, PlaybookEvaluation
    from tests.eval.eval_nli import figures

    def outcome(sid: str, gold: str, value: str, baseline: str, verified: bool) -> Outcome:
        return Outcome("1", sid, gold, value, baseline, 1 if value != "NotMentioned" else None,
                       "q" if value != "NotMentioned" else None, verified, "model", 0.9,
                       None, [1.0], 0.5)  # fmt: skip

    outcomes = [
        outcome("nda-1", "Entailment", "Entailment", "Entailment", True),
        outcome("nda-1", "Contradiction", "Contradiction", "Entailment", False),
        outcome("nda-1", "Entailment", "NotMentioned", "NotMentioned", False),
        outcome("nda-2", "NotMentioned", "NotMentioned", "Entailment", False),
    ]
    result = PlaybookEvaluation("nda", "dev.json", "m", ["1"], outcomes, {"nda-1": "a", "nda-2": "b"},
                                review_seconds=8.0)  # fmt: skip
    shown = {f["name"]: f["value"] for f in figures(result)}
    assert shown["review accuracy"] == 0.75 and shown["keyword baseline accuracy"] == 0.25
    # nda-1: Entailment twice of three; nda-2: its one answer.
    assert shown["commonest answer per statement accuracy"] == 0.75
    assert shown["review recall Contradiction"] == 1.0
    assert shown["Entailment/Contradiction quotes verified on their page"] == 0.5
    assert shown["time per statement"] == 2.0 and shown["time per NDA"] == 8.0
