"""Custom columns: CUAD's yes/no categories typed as a lawyer would, over the dev contracts.

Each column is a plain-language question with no cues (``COLUMNS``: the label column and
the question). It is answered twice: routed (a column that resembles a field of the field
library uses that field's rules) and unrouted (the model's own path: sentences scored by
the question's words, the model chooses one and reads it for Yes or No; the only path a
firm's novel column gets). Scored by balanced accuracy over Yes and No (most categories
are mostly "No", so plain accuracy flatters), beside the keyword baseline (Yes when a
sentence holds half the question's weighed words) and the commonest answer. "Not found"
counts as No. ``EVAL_LIMIT=N`` takes the first N contracts; ``EVAL_COLUMNS_UNROUTED=0``
skips the model's own path (it asks the model for every cell: slow on a laptop CPU).
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import Counter
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.extraction import scratch_matter
from app.evaluation.labels import document_files, load_labels
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.ask.sentences import find_sentences
from app.tasks.chooser import Chooser
from app.tasks.columns import column_cell, column_route
from app.tasks.extract.pipeline import document_text
from app.tasks.fieldsets import load_fieldset
from tests.eval import eval_limit, eval_model_id, temporary_home
from tests.group_runner import RESULTS
from tests.shared_data import CUAD

#: CUAD label column -> the question a lawyer would type for it.
COLUMNS = {
    "Most Favored Nation": "Must a party be offered terms at least as favourable as any given to a third party?",
    "Non-Compete": "Is a party restricted from competing with the other?",
    "Exclusivity": "Does a party have to deal exclusively with the other?",
    "No-Solicit of Customers": "Is a party barred from soliciting the other's customers?",
    "No-Solicit of Employees": "Is a party barred from hiring or soliciting the other's employees?",
    "Non-Disparagement": "Must a party refrain from disparaging the other?",
    "Termination for Convenience": "Can a party end the agreement without cause?",
    "Rofr/Rofo/Rofn": "Does a party have a right of first refusal or first offer?",
    "Change of Control": "Does a change of control of a party give rights under the agreement?",
    "Anti-Assignment": "Is consent needed to assign the agreement?",
    "Revenue/Profit Sharing": "Must a party share revenue or profits with the other?",
    "Price Restrictions": "Is a party restricted in raising or setting prices?",
    "Minimum Commitment": "Must a party buy or pay a minimum amount?",
    "Volume Restriction": "Is there a limit on the volume a party may buy or use?",
    "IP Ownership Assignment": "Does one party assign intellectual property to the other?",
    "Joint IP Ownership": "Is any intellectual property jointly owned?",
    "License Grant": "Does the agreement grant a licence?",
    "Non-Transferable License": "Is the licence non-transferable?",
    "Irrevocable or Perpetual License": "Is any licence perpetual or irrevocable?",
    "Source Code Escrow": "Must source code be deposited in escrow?",
    "Post-Termination Services": "Must a party keep providing services after termination?",
    "Audit Rights": "Can a party audit the other's books and records?",
    "Uncapped Liability": "Is any liability uncapped?",
    "Cap on Liability": "Is liability capped?",
    "Liquidated Damages": "Are liquidated damages payable?",
    "Warranty Duration": "Is there a warranty period?",
    "Insurance": "Must a party maintain insurance?",
    "Covenant Not to Sue": "Does a party promise not to sue or challenge the other?",
    "Third Party Beneficiary": "Can a third party enforce the agreement?",
}


def _yes(value: str | None) -> bool:
    return bool(value) and str(value).strip().lower().startswith("yes")


def balanced(pairs: list[tuple[bool, bool]]) -> float | None:
    """Mean of the recall of Yes and the recall of No (None when either class is absent)."""
    pos = [p for g, p in pairs if g]
    neg = [not p for g, p in pairs if not g]
    if not pos or not neg:
        return None
    return round((sum(pos) / len(pos) + sum(neg) / len(neg)) / 2, 4)


def _accuracy(pairs: list[tuple[bool, bool]]) -> float | None:
    return round(sum(g == p for g, p in pairs) / len(pairs), 4) if pairs else None


def run() -> list[dict[str, Any]]:
    unrouted = os.environ.get("EVAL_COLUMNS_UNROUTED", "1") != "0"
    settings = load_settings()
    model = resolve_model(eval_model_id(settings.default_model))
    labels = load_labels(CUAD / "labels.csv", load_fieldset("commercial-contract"))
    limit = eval_limit()
    ids = labels.document_ids[:limit] if limit else labels.document_ids
    gold = _gold(ids)
    files = document_files(ids, CUAD / "pdf")
    paths: dict[str, list[tuple[bool, bool]]] = {"routed": [], "unrouted": [], "keyword": [],
                                                 "majority": []}  # fmt: skip
    per: dict[str, dict[str, list[tuple[bool, bool]]]] = {}
    cells: list[dict[str, Any]] = []
    seconds: dict[str, float] = Counter()
    with temporary_home():
        engine = Engine()
        try:
            engine.load(model, settings=settings, hardware=detect())
            chooser = Chooser(engine)
            with scratch_matter("column evaluation") as vault:
                summary = import_paths(vault, list(files.values()))
                by_path = {d.path: d.document_id for d in summary.imported}
                for column, question in COLUMNS.items():
                    truth = [gold[d][column] for d in ids]
                    common = Counter(truth).most_common(1)[0][0]
                    route = column_route(question)
                    per[column] = {k: [] for k in paths}
                    for doc, path in files.items():
                        document_id = by_path.get(str(path))
                        if document_id is None:
                            continue
                        g = gold[doc][column]
                        text = document_text(vault, document_id)
                        start = time.perf_counter()
                        routed = column_cell(question, document_id, vault, engine,
                                             chooser=chooser, doc=text)  # fmt: skip
                        seconds["routed"] += time.perf_counter() - start
                        found, _ = find_sentences(question, [(document_id, text)], limit=1,
                                                  min_coverage=0.5)  # fmt: skip
                        record = {"document": doc, "column": column, "gold": g,
                                  "route": route.target.path if route else None,
                                  "routed": routed.value, "keyword": bool(found)}  # fmt: skip
                        rows = [("routed", _yes(routed.value)), ("keyword", bool(found)),
                                ("majority", common)]  # fmt: skip
                        if unrouted:
                            start = time.perf_counter()
                            own = column_cell(question, document_id, vault, engine,
                                              routing=False, chooser=chooser, doc=text)  # fmt: skip
                            seconds["unrouted"] += time.perf_counter() - start
                            record["unrouted"] = own.value
                            rows.append(("unrouted", _yes(own.value)))
                        for key, predicted in rows:
                            paths[key].append((g, predicted))
                            per[column][key].append((g, predicted))
                        cells.append(record)
                    print(f"  {column}: " + ", ".join(
                        f"{k} {balanced(v)}" for k, v in per[column].items() if v),
                        file=sys.stderr, flush=True)  # fmt: skip
        finally:
            engine.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"eval-cells-columns-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(cells, indent=2)
    )
    out: list[dict[str, Any]] = []
    for column, block in per.items():
        for key, pairs in block.items():
            if pairs:
                out.append({"name": f"{column} {key} balanced accuracy",
                            "value": balanced(pairs), "unit": f"of {len(pairs)}"})  # fmt: skip
    for key, pairs in paths.items():
        if pairs:
            out.append({"name": f"all columns {key} balanced accuracy", "value": balanced(pairs),
                        "unit": f"of {len(pairs)}"})  # fmt: skip
            out.append({"name": f"all columns {key} accuracy", "value": _accuracy(pairs),
                        "unit": f"of {len(pairs)}"})  # fmt: skip
    n_cells = max(1, len(cells))
    for key in ("routed", "unrouted"):
        if seconds.get(key):
            out.append({"name": f"{key} seconds per cell", "value": round(seconds[key] / n_cells, 3),
                        "unit": "s"})  # fmt: skip
    out.append({"name": "routed columns", "value": sum(column_route(q) is not None
                for q in COLUMNS.values()), "unit": f"of {len(COLUMNS)}"})  # fmt: skip
    return out


def _gold(ids: list[str]) -> dict[str, dict[str, bool]]:
    """Document -> label column -> Yes (True) / No, from labels.csv's -Answer columns."""
    import csv

    out: dict[str, dict[str, bool]] = {}
    with (CUAD / "labels.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            if row["id"] in ids:
                out[row["id"]] = {c: _yes(row.get(f"{c}-Answer")) for c in COLUMNS}
    return out
