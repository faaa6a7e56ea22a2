"""The labels a model is evaluated against: a CSV with one row per document.

The first column names the document (its file name without the suffix: ``cuad-dev-000``
for ``cuad-dev-000.pdf``), whatever its header says; the other columns hold the expected
answers, an empty cell meaning "not in this document". A field's column is, in order:
its ``x-label``, its name, its title, or ``<title>-Answer`` (CUAD's convention), each
first exactly, then ignoring case. CUAD also has a column named after each category
holding the clause text, which is why the built-in field set names its ``-Answer``
columns with ``x-label``.

Every fault is an ``EvaluationError`` naming the file and what to change, because the
person running a pilot is often not the one who made the spreadsheet.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.errors import ChambersError
from app.tasks.fieldsets import Field, FieldSet

#: Suffixes tried for a labelled document, in order, when DIR/<id>.pdf is absent.
DOCUMENT_SUFFIXES = (".pdf", ".docx", ".txt", ".md", ".html", ".htm", ".rtf", ".eml", ".msg")


class EvaluationError(ChambersError):
    exit_code = 2
    default_hint = (
        "The labels file is a CSV whose first column names each document (its file name "
        "without the suffix) and whose other columns hold the expected answers."
    )


@dataclass(frozen=True)
class Labels:
    path: Path
    #: Field name -> the CSV column holding its expected answers.
    columns: dict[str, str]
    #: Document id (file stem) -> field name -> expected answer ("" = not in the document).
    rows: dict[str, dict[str, str]]

    @property
    def document_ids(self) -> list[str]:
        return list(self.rows)


def label_column(item: Field, header: Sequence[str]) -> str | None:
    """The column of ``header`` holding ``item``'s answers (see the module docstring)."""
    candidates = [c for c in (item.label, item.name, item.title, f"{item.title}-Answer") if c]
    for candidate in candidates:
        if candidate in header:
            return candidate
    lowered = {column.lower(): column for column in header}
    for candidate in candidates:
        if candidate.lower() in lowered:
            return lowered[candidate.lower()]
    return None


def load_labels(path: Path, fieldset: FieldSet) -> Labels:
    """Read ``path`` for the fields of ``fieldset``; refuse a file that cannot be used."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            table = list(csv.reader(handle))
    except OSError as exc:
        raise EvaluationError(
            f"The labels file {path} cannot be read: {exc.strerror}.",
            "Give the path of a CSV file with --labels.",
        ) from exc
    except UnicodeDecodeError as exc:
        raise EvaluationError(
            f"The labels file {path} is not UTF-8 text.", "Save it as CSV (UTF-8)."
        ) from exc
    except csv.Error as exc:
        raise EvaluationError(f"The labels file {path} is not a valid CSV ({exc}).") from exc
    if len(table) < 2 or not table[0]:
        raise EvaluationError(f"The labels file {path} has no rows of labels under its header.")
    header = [h.strip() for h in table[0]]
    columns: dict[str, str] = {}
    missing = []
    for item in fieldset.fields:
        column = label_column(item, header[1:])
        if column is None:
            missing.append(item)
        else:
            columns[item.name] = column
    if missing:
        first = missing[0]
        raise EvaluationError(
            f"The labels file {path} has no column for field(s) "
            f"{', '.join(repr(f.name) for f in missing)} of field set {fieldset.name!r}.",
            f'Add a column named {first.title!r} (or "{first.title}-Answer"), set "x-label" '
            "on the field to the column's name, or leave the field out with --fields.",
        )
    index = {name: header.index(column) for name, column in columns.items()}
    rows: dict[str, dict[str, str]] = {}
    for number, row in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        document = row[0].strip()
        if not document:
            raise EvaluationError(f"Row {number} of {path} names no document.")
        if document in rows:
            raise EvaluationError(f"Row {number} of {path} repeats document {document!r}.")
        rows[document] = {name: row[i].strip() if i < len(row) else "" for name, i in index.items()}
    return Labels(path, columns, rows)


def document_files(document_ids: Sequence[str], folder: Path) -> dict[str, Path]:
    """``folder``/<id>.pdf (or another readable suffix) for each id, in the given order."""
    if not folder.is_dir():
        raise EvaluationError(
            f"The documents folder {folder} does not exist.",
            "Give the folder holding the labelled documents with --docs.",
        )
    found: dict[str, Path] = {}
    missing: list[str] = []
    for document in document_ids:
        path = next(
            (
                folder / f"{document}{s}"
                for s in DOCUMENT_SUFFIXES
                if (folder / f"{document}{s}").is_file()
            ),
            None,
        )
        if path is None:
            missing.append(document)
        else:
            found[document] = path
    if missing:
        shown = ", ".join(f"{d}.pdf" for d in missing[:3]) + (" ..." if len(missing) > 3 else "")
        raise EvaluationError(
            f"{len(missing)} labelled document(s) are not in {folder}: {shown}",
            "Put the files there (named as in the labels' first column, with a .pdf, .docx "
            "or .txt suffix) or remove their rows from the labels file.",
        )
    return found
