"""What a panel whose answers a person reviews needs: store a review, export with reviews.

The Extract grid and the Review table both show a model's values that a lawyer accepts or
corrects. A review is stored as a correction in the vault (app/tasks/corrections.py, one
``extract.review`` audit record each) and an export writes the values as reviewed, from
the same grid shape (documents x fields), so both panels share this instead of each
wiring its own jobs and file dialog.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app.gui.task_panel import TaskContext, TaskPanel
from app.tasks.corrections import Correction, export_reviewed, save_correction
from app.tasks.extract import Cell, Grid

SUFFIXES = (".xlsx", ".csv", ".json")


def choose_export_path(parent: QWidget, title: str, suggested: str, filters: str) -> Path | None:
    """Ask where to export; the suffix follows the chosen type when the name has none."""
    path, chosen = QFileDialog.getSaveFileName(parent, title, str(Path.home() / suggested), filters)
    if not path:
        return None
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        suffix = ".csv" if "csv" in chosen.lower() else ".json" if "json" in chosen else ".xlsx"
        target = target.with_suffix(suffix)
    return target


class ReviewingPanel(TaskPanel):
    """A task panel whose results are reviewed cell by cell and exported as reviewed."""

    def store_review(
        self,
        fieldset: str,
        document_id: str,
        field: str,
        value: str,
        original: Cell,
        on_done: Callable[[Correction], None],
    ) -> None:
        """Store ``value`` as the reviewed value of one cell, on a worker."""

        def work(task: TaskContext) -> Correction:
            return save_correction(
                task.vault, document_id, field, value, fieldset=fieldset, original=original
            )

        self.side_job(
            "review", self.tr("Saving the review…"), work, on_done,
            document_id=document_id, field=field, value=value, original=original,
        )  # fmt: skip

    def export_grid(self, grid: Grid, path: Path) -> None:
        """Write ``grid`` with the vault's reviewed values (CSV, XLSX or JSON by suffix)."""

        def work(task: TaskContext) -> Path:
            export_reviewed(grid, task.vault, path)
            return path

        self.side_job("export", self.tr("Exporting…"), work, self.show_exported, path=path)

    def show_exported(self, path: Path) -> None:
        self.state.setText(self.tr("Exported to {0}").format(path))

    def export_to(self, path: Path) -> None:
        """Export the results shown to ``path`` (a subclass builds its grid)."""
        raise NotImplementedError

    def choose_export(self, title: str, suggested: str) -> None:
        """The Export… button: ask for a file, then export to it."""
        filters = self.tr("Excel workbook (*.xlsx);;CSV (*.csv);;JSON (*.json)")
        target = choose_export_path(self, title, suggested, filters)
        if target is not None:
            self.export_to(target)
