"""Fit the custom-column Yes threshold (app/tasks/columns.YES_LEAN) on CUAD *train*.

For train contracts START..START+N and every column of tests/eval/eval_columns.COLUMNS,
the unrouted path's own reading is run (app/tasks/columns.sentence_leans: the candidate
sentences, each read alone by the model for Yes or No, calibrated) and the balanced
accuracy of "Yes when some sentence's lean >= t" is printed for a grid of t, beside
"Yes whenever a sentence holds half the question" (the keyword baseline). Dev is never
read. ``--dump FILE`` appends each cell's leans as JSON lines, so a later fit (or a
second process over other contracts) need not ask the model again.

Usage: python tools/fit_columns.py N [START] [--dump FILE]
(about 1 s per cell on two idle cores; many times that on a loaded machine)
"""

import csv
import json
import sys

from app.config import Settings
from app.engine import Engine
from app.models.store import resolve_model
from app.tasks.candidates import DocumentText, Page
from app.tasks.columns import sentence_leans

sys.path.insert(0, ".")
from tests.eval.eval_columns import COLUMNS
from tests.shared_data import CUAD_TRAIN

args = [a for a in sys.argv[1:] if not a.startswith("--")]
dump = sys.argv[sys.argv.index("--dump") + 1] if "--dump" in sys.argv else None
if dump in args:
    args.remove(dump)
N, START = int(args[0]), int(args[1]) if len(args) > 1 else 0
with (CUAD_TRAIN / "labels.csv").open(encoding="utf-8", newline="") as handle:
    rows = list(csv.DictReader(handle))[START : START + N]
e = Engine()
e.load(resolve_model(), settings=Settings())
out = []
for r in rows:
    text = (CUAD_TRAIN / "txt" / f"{r['id']}.txt").read_text(encoding="utf-8")
    doc = DocumentText([Page(1, text)], r["id"])
    for col, q in COLUMNS.items():
        gold = (r.get(f"{col}-Answer") or "").strip().lower().startswith("yes")
        leans = [round(lean, 3) for _, lean in sentence_leans(q, "d", doc, e)]
        rec = {"doc": r["id"], "col": col, "gold": gold, "leans": leans}
        out.append(rec)
        if dump:
            with open(dump, "a", encoding="utf-8") as handle:
                handle.write(json.dumps(rec) + "\n")
    print(r["id"], file=sys.stderr, flush=True)
e.close()


def balanced(pairs: list[tuple[bool, bool]]) -> float:
    pos = [p for g, p in pairs if g]
    neg = [not p for g, p in pairs if not g]
    return (sum(pos) / max(1, len(pos)) + sum(neg) / max(1, len(neg))) / 2


print("keyword baseline", round(balanced([(r["gold"], bool(r["leans"])) for r in out]), 4))
for t in (-1.0, -0.5, 0.0, 0.1, 0.2, 0.3, 0.5, 1.0, 1.5, 2.0):
    pairs = [(r["gold"], bool(r["leans"]) and max(r["leans"]) >= t) for r in out]
    print(f"Yes when a lean >= {t:+.1f}", round(balanced(pairs), 4))
