"""Which instruct model suits a firm: the model's own paths of Ask and custom columns, one table.

A routed Ask answer or column cell is decided by the field's rules, the same whatever the
model, so this group measures what the model decides: Ask with routing off (the model picks
the supporting sentence and phrases the answer; its facts are checked) and the unrouted
custom column (the only path a firm's novel column gets). Each installed instruct model
(catalog roles ``default-instruct`` and ``optional-instruct``; ``EVAL_MODELS=id,id`` to
choose) runs both evaluations in turn, and the table prints accuracy beside seconds per
question or cell, with the keyword baseline measured in the same run.

Slow: every question and cell calls the model. ``EVAL_LIMIT=N`` (first N contracts and N
NDAs) keeps a run to minutes on a laptop CPU; the closing figures say which limit was used.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from app.models.catalog import load_catalog
from app.models.store import find_model
from tests.eval import MODEL_ENV, eval_ask, eval_columns, eval_limit

#: (figure in the group's output, column of the table)
ASK_FIGURES = {
    "all ask accuracy": "ask accuracy",
    "all keyword-sentence accuracy": "ask keyword",
    "all answers with invented facts": "invented facts",
    "all median seconds per question": "ask s median",
    "all p95 seconds per question": "ask s p95",
}
COLUMN_FIGURES = {
    "all columns unrouted balanced accuracy": "column balanced",
    "all columns keyword balanced accuracy": "column keyword",
    "unrouted seconds per cell": "column s/cell",
}
INSTRUCT_ROLES = ("default-instruct", "optional-instruct")


def _models() -> list[str]:
    wanted = os.environ.get("EVAL_MODELS", "").strip()
    if wanted:
        return [m.strip() for m in wanted.split(",") if m.strip()]
    ids = [s.id for s in load_catalog() if s.role in INSTRUCT_ROLES]
    return [i for i in ids if find_model(i).present]


@contextmanager
def _env(**values: str) -> Iterator[None]:
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _pick(figures: list[dict[str, Any]], wanted: dict[str, str]) -> dict[str, Any]:
    by_name = {f["name"]: f["value"] for f in figures}
    return {column: by_name.get(name) for name, column in wanted.items()}


def _measure(model_id: str) -> dict[str, Any]:
    runs: list[tuple[Callable[[], list[dict[str, Any]]], dict[str, str], dict[str, str]]] = [
        (eval_ask.run, {"EVAL_ASK_ROUTING": "0"}, ASK_FIGURES),
        (eval_columns.run, {"EVAL_COLUMNS_UNROUTED": "1"}, COLUMN_FIGURES),
    ]
    row: dict[str, Any] = {"model": model_id}
    for run_group, env, wanted in runs:
        with _env(**{MODEL_ENV: model_id}, **env):
            row.update(_pick(run_group(), wanted))
    return row


def _table(rows: list[dict[str, Any]]) -> str:
    columns = ["model", *ASK_FIGURES.values(), *COLUMN_FIGURES.values()]
    lines = [" | ".join(columns), " | ".join("---" for _ in columns)]
    lines += [" | ".join("-" if r.get(c) is None else str(r.get(c)) for c in columns) for r in rows]
    return "\n".join(lines)


def run() -> list[dict[str, Any]]:
    models = _models()
    if not models:
        raise SystemExit(
            "No instruct model is installed: run `make models` (and `make model-1.5b`)."
        )
    rows = [_measure(m) for m in models]
    limit = eval_limit()
    print(
        f"\nModels on the model's own paths ({limit or 'all'} documents per group):",
        file=sys.stderr,
    )
    print(_table(rows), file=sys.stderr, flush=True)
    out: list[dict[str, Any]] = []
    for row in rows:
        for column in [*ASK_FIGURES.values(), *COLUMN_FIGURES.values()]:
            out.append({"name": f"{row['model']} {column}", "value": row.get(column), "unit": ""})
    out.append({"name": "documents per group", "value": limit or 0, "unit": "0 = all"})
    return out
