"""`chambers bundle verify|import PATH`: IT's signed offline release bundle (app/bundle)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from app.commands._output import ProgressLine, print_json, safe


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("bundle", help="verify or import a signed offline release bundle")
    verbs = parser.add_subparsers(dest="bundle_verb", metavar="ACTION", required=True)

    p = verbs.add_parser("verify", help="check every signature, version and file of a bundle")
    p.add_argument("path", type=Path)
    p.add_argument(
        "--root",
        type=Path,
        help="verify against this trust root instead of the installed one (to try a bundle out)",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_verify)

    p = verbs.add_parser("import", help="verify, then install its models and catalog (as root)")
    p.add_argument("path", type=Path)
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_import)


def _verify(args: argparse.Namespace) -> int:
    from app.bundle.importer import CATALOG_TARGET, bundle_catalog
    from app.bundle.verify import verify_bundle

    started = time.monotonic()
    bundle = verify_bundle(args.path, args.root)
    if bundle.target(CATALOG_TARGET) is not None:
        bundle_catalog(bundle)  # the catalog import would write must be sound too
    seconds = time.monotonic() - started
    rows = [
        {"path": t.path, "role": t.role, "size": t.info.length, "sha256": t.sha256}
        for t in bundle.targets
    ]
    if args.json:
        print_json(
            {
                "ok": True,
                "timestamp_version": bundle.timestamp_version,
                "seconds": seconds,
                "targets": rows,
            }
        )
        return 0
    for target in bundle.targets:
        size = target.info.length / 1e6
        print(f"ok  {safe(target.path):<60} {size:9.1f} MB  ({target.role})")
    print(
        f"Bundle verified (release {bundle.timestamp_version}, {len(rows)} files, {seconds:.1f} s)."
    )
    return 0


def _import(args: argparse.Namespace) -> int:
    from app.bundle.importer import import_bundle

    progress = ProgressLine()
    result = import_bundle(args.path, progress)
    progress.done()
    if args.json:
        print_json(
            {
                "timestamp_version": result.timestamp_version,
                "catalog": str(result.catalog),
                "models": [{"id": i, "path": str(p), "status": s} for i, p, s in result.models],
            }
        )
        return 0
    for model_id, path, status in result.models:
        print(f"{model_id}: {status} ({path})")
    print(f"Catalog updated: {result.catalog} (release {result.timestamp_version}).")
    return 0
