"""``chambers audit``: verify, export and seal the audit log, headless, for IT and scripts.

``verify`` exits 0 when the log is intact (an unsealed or torn tail is a warning, not a
failure), and ``EXIT_TAMPERED`` (3) when tampering is detected, so a script can tell
"the log was altered" from a generic error (1) or bad usage (2).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

from app import audit
from app.audit.export import parse_since

EXIT_TAMPERED = 3


def register(sub: Any) -> None:
    parser = sub.add_parser("audit", help="verify, export or seal the audit log")
    verbs = parser.add_subparsers(dest="audit_verb", metavar="ACTION", required=True)

    verify = verbs.add_parser("verify", help="check the log for edits, gaps and truncation")
    verify.add_argument("--json", action="store_true", help="print the report as JSON")
    verify.set_defaults(func=_verify)

    export = verbs.add_parser("export", help="export records as CSV or JSON")
    export.add_argument("--since", metavar="DATE", help="only records at or after DATE (UTC)")
    export.add_argument("--format", choices=("csv", "json"), default="json")
    export.add_argument("--out", metavar="FILE", help="write here instead of standard output")
    export.set_defaults(func=_export)

    seal = verbs.add_parser("checkpoint", help="sign a checkpoint over the log now")
    seal.set_defaults(func=_checkpoint)


def _verify(args: argparse.Namespace) -> int:
    from app.commands._audit_notice import sealing_line

    report = audit.verify_log()
    sealing = sealing_line()  # every time, unlike the once-a-day note at exit
    if args.json:
        print(json.dumps({**report.to_dict(), "sealing": sealing}, indent=2, sort_keys=True))
        return 0 if report.ok else EXIT_TAMPERED
    for line in report.summary_lines():
        print(line)
    if sealing:
        print(sealing)
    return 0 if report.ok else EXIT_TAMPERED


def _export(args: argparse.Namespace) -> int:
    since = parse_since(args.since) if args.since else None
    if args.out:
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            count = audit.export_log(handle, args.format, since)
        print(f"Exported {count} records to {args.out}.", file=sys.stderr)
    else:
        count = audit.export_log(sys.stdout, args.format, since)
    return 0


def _checkpoint(args: argparse.Namespace) -> int:
    seq = audit.checkpoint()
    print("Nothing new to seal." if seq is None else f"Checkpoint written as record {seq}.")
    return 0
