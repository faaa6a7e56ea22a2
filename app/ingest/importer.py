"""Import files into an unlocked vault: extract, chunk, encrypt and index, one file at a time.

Each document (with its attachments) is stored in one transaction, so a crash, a refused
attachment or Ctrl-C never leaves a partial document behind. Re-running an import skips
what is already in the vault (by SHA-256), which makes an interrupted import resumable.
Each stored document is audited by id only; a document with more attachments than one
audit record may list (``MAX_OBJECT_IDS``) is audited over several numbered records, so
its audit trail can never fail after the document was committed. Every file of a batch
is accounted for in the summary: imported, duplicate, refused, or (when the batch was
cancelled or stopped) not processed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.audit import audit_event
from app.audit.records import MAX_OBJECT_IDS
from app.cancel import CancelToken, Progress, no_progress
from app.errors import CancelledError, ChambersError
from app.ingest.api import IngestOutcome, extract_many
from app.ingest.chunk import DEFAULT_MAX_TOKENS, chunk_pages, estimate_tokens
from app.ingest.ocr_boxes import ocr_record
from app.ingest.types import ExtractedDocument, IngestLimits
from app.vault import Vault, WriteTxn
from app.vault.documents import DuplicateDocumentError


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
    #: Files never reached because the batch was cancelled or stopped.
    not_processed: list[str] = field(default_factory=list)
    #: Why the batch stopped early (an error that is not about one file), or None.
    stopped: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "imported": [vars(d) for d in self.imported],
            "duplicates": [{"path": p, "document_id": i} for p, i in self.duplicates],
            "refused": [vars(r) for r in self.refused],
            "not_processed": list(self.not_processed),
            "cancelled": self.cancelled,
            "stopped": self.stopped,
        }

    @property
    def accounted(self) -> int:
        """How many files the summary names (equals the batch size, by construction)."""
        return (
            len(self.imported) + len(self.duplicates) + len(self.refused) + len(self.not_processed)
        )


def expand_paths(paths: Iterable[Path], recursive: bool = False) -> list[Path]:
    """Files named directly, plus the files in named folders (sub-folders if recursive)."""
    return list(expand_sources(paths, recursive))


def expand_sources(
    paths: Iterable[Path], recursive: bool = False, follow_symlinks: bool = False
) -> dict[Path, Path | None]:
    """Every path to import, mapped to the folder it was found in (None: named directly).

    Entries of a folder that are not folders are all listed, links, FIFOs and devices
    included, so that each is refused with its reason instead of vanishing from the
    summary; links to folders are not descended into.
    """
    found: dict[Path, Path | None] = {}
    for path in paths:
        if path.is_dir() and (follow_symlinks or not path.is_symlink()):
            pattern = "**/*" if recursive else "*"
            for entry in sorted(path.glob(pattern)):
                if entry.name.startswith(".") or (entry.is_dir() and not entry.is_symlink()):
                    continue
                if entry.is_symlink() and entry.is_dir():
                    continue
                found.setdefault(entry, path)
        else:
            found.setdefault(path, None)
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
    for page in doc.pages:
        if page.ocr is not None:
            txn.add_page_ocr(info.id, page.number, ocr_record(page.ocr))
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
    follow_symlinks: bool = False,
) -> ImportSummary:
    """Import every file under ``paths``; refused files are reported, never half-stored.

    Only regular files are read; symbolic links are refused when named directly and
    followed from a folder only to files inside it, unless ``follow_symlinks``.
    """
    sources = expand_sources(paths, recursive, follow_symlinks)
    files = list(sources)
    found_in = {path: folder for path, folder in sources.items() if folder is not None}
    cancel = cancel or CancelToken()
    if limits is None:  # the user's OCR settings and IT's policy (app/config.py)
        from app.config import ingest_limits

        limits = ingest_limits()
    known = vault.document_ids_by_sha256()
    summary = ImportSummary()
    outcomes = extract_many(
        files,
        limits,
        progress,
        cancel,
        known_sha256=set(known),
        follow_symlinks=follow_symlinks,
        found_in=found_in,
    )
    done = 0
    try:
        for outcome in outcomes:
            _record(vault, outcome, summary, known, count_tokens, max_tokens)
            done += 1
    except CancelledError:
        summary.cancelled = True
    except ChambersError as exc:
        # Not about one file (the audit log or the vault itself failed): stop, and say
        # which files were not reached instead of dropping them from the summary.
        summary.stopped = f"{exc.message} {exc.hint}".strip()
    summary.not_processed = [str(path) for path in files[done:]]
    return summary


def audit_import(
    vault: Vault, document_id: str, children: Sequence[str], details: dict[str, Any]
) -> None:
    """Audit one stored document and its attachments, over several records if need be.

    One record holds at most ``MAX_OBJECT_IDS`` ids; a larger family (an e-mail with
    thousands of attachments) is split into records numbered ``part``/``parts``, each
    beginning with the parent's id so every part names the document it belongs to.
    """
    ids = [document_id, *children]
    per_record = MAX_OBJECT_IDS - 1
    rest = ids[1:]
    parts = max(1, -(-len(rest) // per_record))
    for part in range(parts):
        chunk = rest[part * per_record : (part + 1) * per_record]
        extra = {"part": part + 1, "parts": parts} if parts > 1 else {}
        audit_event(
            "document.import",
            vault_id=vault.vault_id,
            object_ids=[document_id, *chunk],
            details={**details, **extra},
        )


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
        try:
            with vault.write() as txn:
                doc_id, chunks, children = _store(txn, doc, None, count_tokens, max_tokens)
        except DuplicateDocumentError as exc:  # another import stored the same bytes first
            known[doc.sha256] = exc.existing_id
            summary.duplicates.append((name, exc.existing_id))
            return
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
        audit_import(
            vault,
            doc_id,
            children,
            {"kind": doc.kind, "pages": len(doc.pages), "generation": vault.generation},
        )
