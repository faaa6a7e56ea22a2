"""Fit the custom-column Yes threshold (app/tasks/columns.YES_LEAN) on CUAD *train*.

For the first N train contracts and every column of tests/eval/eval_columns.COLUMNS, the
unrouted path is run (sentences, the model's choice, its calibrated Yes/No lean) and the
balanced accuracy of "Yes when lean >= t" is printed for a grid of t, beside "Yes
whenever a sentence holds half the question" (the keyword baseline). Dev is never read.

Usage: python tools/fit_columns.py N   (about 40 s per contract on two cores)
"""

import csv
import sys

from app.config import Settings
from app.engine import Engine
from app.models.store import resolve_model
from app.tasks.ask.pipeline import yes_no_lean
from app.tasks.ask.sentences import find_sentences
from app.tasks.candidates import DocumentText, Page
from app.tasks.chooser import Chooser

sys.path.insert(0, ".")
from tests.eval.eval_columns import COLUMNS
from tests.shared_data import CUAD_TRAIN

N = int(sys.argv[1])
with (CUAD_TRAIN / "labels.csv").open(encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))[:N]
e = Engine()
e.load(resolve_model(), settings=Settings())
ch = Chooser(e)
out = []
for r in rows:
    text = (CUAD_TRAIN / "txt" / f"{r['id']}.txt").read_text(encoding="utf-8")
    doc = DocumentText([Page(1, text)], r["id"])
    for col, q in COLUMNS.items():
        gold = (r.get(f"{col}-Answer") or "").strip().lower().startswith("yes")
        rel, _ = find_sentences(q, [("d", doc)])
        rec = {"doc": r["id"], "col": col, "gold": gold, "n": len(rel)}
        if rel:
            c = ch.choose(q, "Answer from these sentences only.", [f.sentence.text for f in rel])
            rec["choice"] = c.index
            rec["none_margin"] = max(c.scores[:-1]) - c.scores[-1]
            if c.index is not None:
                rec["cov"] = rel[c.index].coverage
                rec["lean"] = yes_no_lean(e, q, rel[c.index].sentence.flat, None)
        out.append(rec)
    print(r["id"], file=sys.stderr, flush=True)


def balanced(pairs: list[tuple[bool, bool]]) -> float:
    pos = [p for g, p in pairs if g]
    neg = [not p for g, p in pairs if not g]
    return (sum(pos) / max(1, len(pos)) + sum(neg) / max(1, len(neg))) / 2


print("keyword baseline", round(balanced([(r["gold"], r["n"] > 0) for r in out]), 4))
for t in (-1.0, -0.5, 0.0, 0.1, 0.2, 0.3, 0.5, 1.0):
    pairs = [(r["gold"], r.get("lean") is not None and r["lean"] >= t) for r in out]
    print(f"Yes when lean >= {t:+.1f}", round(balanced(pairs), 4))
