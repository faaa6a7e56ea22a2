"""`chambers import`, `chambers search`, `chambers docs`: fill a matter and find things in it.

Import shows progress on stderr and ends with a summary (imported, duplicates, refused
with reasons). Ctrl-C stops after the current file's transaction: the vault stays
consistent and re-running the same command resumes where it stopped.
Exit codes: 0 everything imported or already there, 1 some files refused, 130 cancelled.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from app.commands._output import interruptible, print_json, safe
from app.commands._unlock import add_unlock_arguments, close_vault, open_vault
from app.ingest.importer import ImportSummary, import_paths


def register(sub: Any) -> None:
    p = sub.add_parser("import", help="import documents into a matter vault")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("paths", metavar="PATH", nargs="+", type=Path)
    p.add_argument("--recursive", "-r", action="store_true", help="descend into sub-folders")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")
    p.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="import what symbolic links point to, also outside the folders given",
    )
    add_unlock_arguments(p)
    p.set_defaults(func=_import)

    p = sub.add_parser("search", help="full-text search inside one matter")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("query", help='words, "phrases", prefix*, AND / OR / NOT')
    p.add_argument("--limit", type=int, default=10)
    p.add_argument("--json", action="store_true")
    add_unlock_arguments(p)
    p.set_defaults(func=_search)

    p = sub.add_parser("docs", help="list a matter's documents")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("--json", action="store_true")
    add_unlock_arguments(p)
    p.set_defaults(func=_docs)


def _print_summary(summary: ImportSummary) -> None:
    for doc in summary.imported:
        extra = f", {doc.children} attachment(s)" if doc.children else ""
        flags = f" [{', '.join(doc.flags)}]" if doc.flags else ""
        print(f"imported  {safe(doc.path)}: {doc.kind}, {doc.pages} page(s){extra}{flags}")
    for path, existing in summary.duplicates:
        print(f"duplicate {safe(path)}: already in the vault as {existing}")
    for refusal in summary.refused:
        print(f"refused   {safe(refusal.path)}: {safe(refusal.message)} {refusal.hint}".rstrip())
    for path in summary.not_processed:
        print(f"not imported {safe(path)}")
    if summary.stopped:
        print(f"stopped: {safe(summary.stopped)}")
    print(
        f"{len(summary.imported)} imported, {len(summary.duplicates)} duplicate(s), "
        f"{len(summary.refused)} refused"
        + (f", {len(summary.not_processed)} not processed" if summary.not_processed else "")
        + ("; cancelled: run the same command again to resume." if summary.cancelled else ".")
    )


def _import(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        with interruptible() as (progress, cancel):
            summary = import_paths(
                vault,
                args.paths,
                recursive=args.recursive,
                progress=progress,
                cancel=cancel,
                follow_symlinks=args.follow_symlinks,
            )
    finally:
        close_vault(vault)
    if args.json:
        print_json(summary.to_json())
    else:
        _print_summary(summary)
    if summary.cancelled:
        return 130
    return 1 if summary.refused or summary.stopped else 0


def _search(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        hits = vault.search(args.query, limit=args.limit)
    finally:
        close_vault(vault)
    if args.json:
        print_json([vars(hit) for hit in hits])
        return 0
    if not hits:
        print("No matches.")
    for hit in hits:
        snippet = " ".join(hit.snippet.split())
        print(
            f"{hit.score:6.2f}  {safe(hit.title)}, p. {hit.page}  ({hit.document_id[:8]})\n"
            f"        {safe(snippet)}"
        )
    return 0


def _docs(args: argparse.Namespace) -> int:
    vault = open_vault(args)
    try:
        documents = vault.list_documents()
    finally:
        close_vault(vault)
    rows = [
        {
            "id": d.id,
            "title": d.title,
            "type": d.metadata.get("kind", d.mime_type),
            "pages": d.metadata.get("pages"),
            "size": d.size,
            "imported": d.created,
            "flags": d.metadata.get("flags", []),
            "parent_id": d.parent_id,
        }
        for d in documents
    ]
    if args.json:
        print_json(rows)
        return 0
    if not rows:
        print("No documents.")
    for row in rows:
        indent = "  └ " if row["parent_id"] else ""
        flags = f"  [{', '.join(row['flags'])}]" if row["flags"] else ""
        print(
            f"{indent}{safe(row['title']):<50.50} {safe(row['type']):<6} {row['pages'] or '':>5} p  "
            f"{row['size'] / 1024:8,.0f} KB  {row['imported'][:10]}{flags}",
            file=sys.stdout,
        )
    return 0
