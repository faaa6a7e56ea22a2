"""What the desktop app's panels last showed for a matter, kept inside the matter's vault.

Locking a matter wipes every result off the screen (nothing of a locked matter stays
shown or in memory); unlocking it again shows the last grid, review, summary and answers
as they were, read back from here. Each panel's last result is one row of the vault's
``task_outputs`` table (task ``gui.shown``, one row per panel, a newer result replacing
the older), so it is encrypted with the matter and deleted with it, like the results
and corrections it repeats. The JSON shapes are the tasks' own ``to_json``; the readers
here turn them back into the task layer's objects for the panels.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any

from app.tasks.ask import Citation
from app.tasks.corrections import Correction, load_corrections
from app.tasks.extract import Cell, Grid, Row
from app.tasks.review import ReviewRow
from app.tasks.summarise.parts import SummaryStats
from app.tasks.summarise.pipeline import Point, Summary
from app.vault import Vault

TASK = "gui.shown"


def save_shown(vault: Vault, panel: str, shown: Mapping[str, Any]) -> None:
    """Keep ``shown`` as what ``panel`` (a short name: "extract") shows now."""
    vault.put_task_output(TASK, f"{TASK}:{panel}", shown)


def load_shown(vault: Vault) -> tuple[dict[str, dict[str, Any]], list[Correction]]:
    """Each panel's last result, and the reviews stored since (a grid shows them)."""
    shown = {
        output.id.removeprefix(f"{TASK}:"): output.result
        for output in vault.list_task_outputs(TASK)
    }
    return shown, load_corrections(vault)


def _known(kind: type, data: Mapping[str, Any]) -> dict[str, Any]:
    """``data`` without keys ``kind`` does not take (a JSON field added or derived)."""
    names = {f.name for f in fields(kind)}
    return {k: v for k, v in data.items() if k in names}


def grid_from_json(data: Mapping[str, Any]) -> Grid:
    rows = [
        Row(
            str(row["document_id"]),
            str(row["title"]),
            {name: Cell(**_known(Cell, cell)) for name, cell in row["cells"].items()},
        )
        for row in data["rows"]
    ]
    return Grid(str(data["fieldset"]), [(f["name"], f["title"]) for f in data["fields"]], rows)


def review_rows_from_json(rows: list[Mapping[str, Any]], document_id: str) -> list[ReviewRow]:
    return [ReviewRow.from_json(row, document_id) for row in rows]


def summary_from_json(data: Mapping[str, Any]) -> Summary:
    points = [Point.from_json(p, str(data["document_id"])) for p in data["points"]]
    stats = SummaryStats(**_known(SummaryStats, data.get("stats", {})))
    return Summary(
        str(data["document_id"]),
        str(data["title"]),
        str(data["text"]),
        points,
        list(data["covered_pages"]),
        int(data["total_pages"]),
        str(data["style"]),
        list(data.get("empty_pages", [])),
        stats,
        int(data.get("facts", 0)),
        int(data.get("key_terms", 0)),
        [str(a) for a in data.get("absent", [])],
        int(data.get("written", 0)),
        int(data.get("confirmed", 0)),
        int(data.get("quoted", 0)),
        str(data.get("fieldset", "")),
    )


def citations_from_json(items: list[Mapping[str, Any]]) -> list[Citation]:
    return [Citation.from_json(c) for c in items]
