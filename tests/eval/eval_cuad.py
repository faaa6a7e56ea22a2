"""CUAD extraction: all 41 categories, train beside dev, each beside two floors.

Fitting reads only the 335 train contracts (../shared/data/cuad-train); the 80 dev
contracts (../shared/data/cuad) are the validation set, never fitted on.

- dev: the ``due-diligence`` field set (all 41 CUAD categories; the 15
  ``commercial-contract`` fields among them) through the same path as ``chambers
  evaluate``: a throwaway encrypted matter, Extract with the default model on this
  machine's default plan, and the keyword baseline on the same page text, all scored by
  app/evaluation/match.py. ``EVAL_MODEL=0`` decides every cell by rule (no model).
- train: the rules alone (app/evaluation/rules.py), each clause field's threshold
  cross-validated in 5 folds by document, since that threshold is fitted on train
  (tools/fit_clauses.py). ``EVAL_TRAIN=0`` skips it.

Per field: pipeline / keyword / commonest-answer accuracy on train and dev; for yes/no
fields the balanced accuracy (pipeline and keyword, dev), since most are mostly "No";
and the share of dev cells decided by rule and by the model. Then the overall figures
for the 15 commercial-contract fields and for all 41, and the time per document. Every
dev cell goes to bench-results/eval-cells-cuad-<stamp>.json for reading the misses.
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections.abc import Sequence
from typing import Any

from app.cancel import Progress
from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.extraction import FieldScore, Outcome, evaluate, field_score
from app.evaluation.labels import Labels, document_files, load_labels
from app.evaluation.rules import balanced_of, evaluate_rules, read_documents
from app.models.store import resolve_model
from app.tasks.extract.params import load_params
from app.tasks.fieldsets import FieldSet, load_fieldset
from tests.eval import eval_limit, temporary_home
from tests.group_runner import RESULTS
from tests.shared_data import CUAD, CUAD_TRAIN

FIELDSET = "due-diligence"
SHORT = "commercial-contract"


def _log_progress() -> Progress:
    """One stderr line per document, with the time since the start."""
    start, last = time.perf_counter(), [""]

    def log(fraction: float, message: str) -> None:
        if message.endswith("done") and message != last[0]:
            last[0] = message
            elapsed = time.perf_counter() - start
            print(f"  {elapsed:7.0f}s {fraction:4.0%} {message}", file=sys.stderr, flush=True)

    return log


def _flag(name: str, default: bool) -> bool:
    text = os.environ.get(name, "").strip()
    return default if not text else text not in ("0", "no", "false")


def _dev(
    fieldset: FieldSet, labels: Labels, ids: Sequence[str], model: bool
) -> tuple[list[Outcome], float, str | None]:
    """(cells, seconds of extraction per document, model id) on dev."""
    if not model:
        start = time.perf_counter()
        docs = read_documents(CUAD, ids)
        read = time.perf_counter() - start
        rules = evaluate_rules(docs, fieldset, labels, load_params(None))
        return rules.outcomes, (time.perf_counter() - start - read) / max(1, len(ids)), None
    settings = load_settings()  # the user's settings and default model, before the temp home
    spec = resolve_model(settings.default_model or None)
    with temporary_home():
        engine = Engine()
        try:
            engine.load(spec, settings=settings, hardware=detect())
            result = evaluate(document_files(ids, CUAD / "pdf"), fieldset, labels, engine,
                              progress=_log_progress())  # fmt: skip
        finally:
            engine.close()
    return result.outcomes, result.seconds_per_document, result.model


def _pct(value: float | None) -> str:
    return f"{100 * value:5.1f}" if value is not None else "    -"


def _scores(fieldset: FieldSet, outcomes: Sequence[Outcome]) -> dict[str, FieldScore]:
    return {
        f.name: field_score(f.name, f.title, "", [o for o in outcomes if o.field == f.name])
        for f in fieldset.fields
    }


def _overall(name: str, names: set[str], outcomes: Sequence[Outcome]) -> FieldScore:
    return field_score(name, name, "all", [o for o in outcomes if o.field in names])


def table(fieldset: FieldSet, short: set[str], train: Sequence[Outcome],
          dev: Sequence[Outcome]) -> str:  # fmt: skip
    """Per field: train pipe/kw/common, dev pipe/kw/common, dev balanced, rule/model share."""
    width = max(len(f.name) for f in fieldset.fields) + 2
    head = (f"{'field':<{width}} | train (5-fold)     | dev                | dev balanced | "
            f"decided by")  # fmt: skip
    sub = f"{'':<{width}} |  pipe    kw common |  pipe    kw common |  pipe    kw  |  rule model"
    lines = [head, sub]
    tr, dv = _scores(fieldset, train), _scores(fieldset, dev)
    for item in fieldset.fields:
        t, d = tr[item.name], dv[item.name]
        mine = [o for o in dev if o.field == item.name]
        by_model = sum(o.decided_by == "model" for o in mine) / max(1, len(mine))
        balanced = "             "
        if item.is_choice:
            balanced = f"{_pct(balanced_of(mine))} {_pct(balanced_of(mine, baseline=True))} "
        lines.append(
            f"{item.name:<{width}} | {_pct(t.model_accuracy)} {_pct(t.baseline_accuracy)} "
            f"{_pct(t.majority_accuracy)} | {_pct(d.model_accuracy)} {_pct(d.baseline_accuracy)} "
            f"{_pct(d.majority_accuracy)} | {balanced}| {_pct(1 - by_model)} {_pct(by_model)}"
        )
    every = {f.name for f in fieldset.fields}
    for label, names in ((f"overall ({len(short)})", short), (f"overall ({len(every)})", every)):
        t, d = _overall(label, names, train), _overall(label, names, dev)
        lines.append(
            f"{label:<{width}} | {_pct(t.model_accuracy)} {_pct(t.baseline_accuracy)} "
            f"{_pct(t.majority_accuracy)} | {_pct(d.model_accuracy)} {_pct(d.baseline_accuracy)} "
            f"{_pct(d.majority_accuracy)} |"
        )
    return "\n".join(lines)


def _figures(prefix: str, fieldset: FieldSet, outcomes: Sequence[Outcome]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for name, score in _scores(fieldset, outcomes).items():
        unit = f"of {score.n}"
        out += [
            {"name": f"{prefix} {name} pipeline", "value": score.model_accuracy, "unit": unit},
            {"name": f"{prefix} {name} keyword", "value": score.baseline_accuracy, "unit": unit},
            {"name": f"{prefix} {name} commonest", "value": score.majority_accuracy, "unit": unit},
        ]
        if fieldset.field(name).is_choice:
            mine = [o for o in outcomes if o.field == name]
            out.append({"name": f"{prefix} {name} balanced", "value": balanced_of(mine),
                        "unit": "mean recall"})  # fmt: skip
    return out


def run() -> list[dict[str, Any]]:
    fieldset = load_fieldset(FIELDSET)
    short = {f.name for f in load_fieldset(SHORT).fields}
    limit = eval_limit()
    labels = load_labels(CUAD / "labels.csv", fieldset)
    ids = labels.document_ids[:limit] if limit else labels.document_ids
    model = _flag("EVAL_MODEL", True)
    train: list[Outcome] = []
    if _flag("EVAL_TRAIN", True):
        train_labels = load_labels(CUAD_TRAIN / "labels.csv", fieldset)
        train_ids = train_labels.document_ids[:limit] if limit else train_labels.document_ids
        docs = read_documents(CUAD_TRAIN, train_ids)
        params = load_params(None)
        train = evaluate_rules(docs, fieldset, train_labels, params, cross_validate=True).outcomes
    dev, seconds, model_id = _dev(fieldset, labels, ids, model)
    print(f"dev: {len(ids)} contracts, model {model_id or 'none (rules only)'}; "
          f"{seconds:.2f} s of extraction per contract for {len(fieldset.fields)} fields",
          file=sys.stderr)  # fmt: skip
    print(table(fieldset, short, train, dev), file=sys.stderr)
    RESULTS.mkdir(exist_ok=True)
    cells = RESULTS / f"eval-cells-cuad-{time.strftime('%Y%m%d-%H%M%S')}.json"
    cells.write_text(json.dumps([o.__dict__ for o in dev], indent=1))
    every = {f.name for f in fieldset.fields}
    out = _figures("dev", fieldset, dev) + _figures("train", fieldset, train)
    for label, names in (("15 commercial fields", short), ("41 fields", every)):
        d = _overall(label, names, dev)
        out.append({"name": f"dev overall {label} pipeline", "value": d.model_accuracy,
                    "unit": f"of {d.n}"})  # fmt: skip
        out.append({"name": f"dev overall {label} keyword", "value": d.baseline_accuracy,
                    "unit": f"of {d.n}"})  # fmt: skip
    out.append({"name": "extraction time per document", "value": seconds, "unit": "s"})
    return out
