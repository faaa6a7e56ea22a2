"""Import files into an unlocked vault: extract, chunk, encrypt and index, one file at a time.

Each document (with its attachments) is stored in one transaction, so a crash, a refused
attachment or Ctrl-C never leaves a partial document behind. Re-running an import skips
what is already in the vault (by SHA-256), which makes an interrupted import resumable.
Each stored document is audited by id only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.audit import audit_event
from app.cancel import CancelToken, Progress, no_progress
from app.errors import CancelledError
from app.ingest.api import IngestOutcome, extract_many
from app.ingest.chunk import DEFAULT_MAX_TOKENS, chunk_pages, estimate_tokens
from app.ingest.model import ExtractedDocument, IngestLimits
from app.vault import Vault, WriteTxn


@dataclass(frozen=True)
class ImportedDocument:
    path: str
    document_id: str
    kind: str
    pages: int
    chunks: int
    flags: tuple[str, ...]
    children: int


@dataclass(frozen=True)
class Refusal:
    path: str
    reason: str
    message: str
    hint: str


@dataclass
class ImportSummary:
    imported: list[ImportedDocument] = field(default_factory=list)
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (path, existing id)
    refused: list[Refusal] = field(default_factory=list)
    cancelled: bool = False

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": [vars(d) for d in self.imported],
            "duplicates": [{"path": p, "document_id": i} for p, i in self.duplicates],
            "refused": [vars(r) for r in self.refused],
            "cancelled": self.cancelled,
        }


def expand_paths(paths: Iterable[Path], recursive: bool = False) -> list[Path]:
    """Files named directly, plus the files in named folders (sub-folders if recursive)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            pattern = "**/*" if recursive else "*"
            found += sorted(
                p for p in path.glob(pattern) if p.is_file() and not p.name.startswith(".")
            )
        else:
            found.append(path)
    return found


def _store(
    txn: WriteTxn,
    doc: ExtractedDocument,
    parent_id: str | None,
    count_tokens: Callable[[str], int],
    max_tokens: int,
) -> tuple[str, int, list[str]]:
    """Store ``doc`` and its children; returns (id, chunk count, child ids)."""
    metadata = {
        **doc.metadata,
        "kind": doc.kind,
        "pages": len(doc.pages),
        "flags": sorted(doc.flags),
        "source_name": doc.name,
    }
    info = txn.add_document(
        doc.content,
        title=doc.title,
        mime_type=doc.mime_type,
        metadata=metadata,
        parent_id=parent_id,
    )
    txn.add_pages(info.id, ((p.number, p.text) for p in doc.pages))
    spans = chunk_pages(doc.pages, max_tokens=max_tokens, count_tokens=count_tokens)
    txn.add_chunks(info.id, ((c.page, c.start, c.end, c.text) for c in spans))
    children: list[str] = []
    for child in doc.children:
        child_id, _, grandchildren = _store(txn, child, info.id, count_tokens, max_tokens)
        children += [child_id, *grandchildren]
    return info.id, len(spans), children


def import_paths(
    vault: Vault,
    paths: Sequence[Path],
    *,
    recursive: bool = False,
    limits: IngestLimits | None = None,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    count_tokens: Callable[[str], int] = estimate_tokens,
    max_tokens: int = DEFAULT_MAX_TOKENS,
) -> ImportSummary:
    """Import every file under ``paths``; refused files are reported, never half-stored."""
    files = expand_paths(paths, recursive)
    cancel = cancel or CancelToken()
    known = vault.document_ids_by_sha256()
    summary = ImportSummary()
    outcomes = extract_many(files, limits, progress, cancel, known_sha256=set(known))
    try:
        for outcome in outcomes:
            _record(vault, outcome, summary, known, count_tokens, max_tokens)
    except CancelledError:
        summary.cancelled = True
    return summary


def _record(
    vault: Vault,
    outcome: IngestOutcome,
    summary: ImportSummary,
    known: dict[str, str],
    count_tokens: Callable[[str], int],
    max_tokens: int,
) -> None:
    name = str(outcome.path)
    if outcome.error is not None:
        error = outcome.error
        summary.refused.append(
            Refusal(name, getattr(error, "reason", "refused"), error.message, error.hint)
        )
        audit_event(
            "document.import",
            vault_id=vault.vault_id,
            outcome="refused",
            details={"reason": getattr(error, "reason", "refused")},
        )
    elif outcome.duplicate_of is not None:
        summary.duplicates.append((name, known.get(outcome.duplicate_of, outcome.duplicate_of)))
    elif outcome.document is not None:
        doc = outcome.document
        with vault.write() as txn:
            doc_id, chunks, children = _store(txn, doc, None, count_tokens, max_tokens)
        known[doc.sha256] = doc_id
        summary.imported.append(
            ImportedDocument(
                name,
                doc_id,
                doc.kind,
                len(doc.pages),
                chunks,
                tuple(sorted(doc.flags)),
                len(children),
            )
        )
        audit_event(
            "document.import",
            vault_id=vault.vault_id,
            object_ids=[doc_id, *children],
            details={"kind": doc.kind, "pages": len(doc.pages), "generation": vault.generation},
        )
