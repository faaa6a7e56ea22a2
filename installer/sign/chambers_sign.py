"""IT's signing tool for Chambers release bundles (run on the offline signing machine).

    python -m installer.sign.chambers_sign create-keys STATE
    python -m installer.sign.chambers_sign sign STATE BUNDLE --version N [--firm-models F]
    python -m installer.sign.chambers_sign rotate STATE --retire root-1 --add root-4 \
        --old root-2 root-3 --new root-2 root-4
    python -m installer.sign.chambers_sign root STATE OUT.json   # the root to install

STATE holds the private keys and the root history; see installer/README.md.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path

from installer.sign import tufrepo


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="chambers_sign", description=__doc__.split("\n")[0])
    verbs = parser.add_subparsers(dest="verb", required=True)
    p = verbs.add_parser("create-keys", help="new keys for every role and root version 1")
    p.add_argument("state", type=Path)
    p = verbs.add_parser("sign", help="write BUNDLE/metadata for the files in BUNDLE/targets")
    p.add_argument("state", type=Path)
    p.add_argument("bundle", type=Path)
    p.add_argument("--version", type=int, required=True, help="release number; must grow")
    p.add_argument(
        "--firm-models",
        type=Path,
        help="JSON object: file name under targets/firm/ -> {id, name, chat_format, ...}",
    )
    p = verbs.add_parser("rotate", help="replace one root key (needs 2 old and 2 new signers)")
    p.add_argument("state", type=Path)
    p.add_argument("--retire", required=True)
    p.add_argument("--add", required=True)
    p.add_argument("--old", nargs="+", required=True, help="old root keys that sign")
    p.add_argument("--new", nargs="+", required=True, help="new root keys that sign")
    p = verbs.add_parser("root", help="copy the newest root, the trust root to install")
    p.add_argument("state", type=Path)
    p.add_argument("out", type=Path)
    args = parser.parse_args(argv)

    if args.verb == "create-keys":
        print(f"Root version 1: {tufrepo.create_keys(args.state)}")
    elif args.verb == "sign":
        firm = json.loads(args.firm_models.read_text("utf-8")) if args.firm_models else None
        tufrepo.sign_bundle(args.state, args.bundle, version=args.version, firm_models=firm)
        print(f"Signed {args.bundle} as release {args.version}.")
    elif args.verb == "rotate":
        path = tufrepo.rotate_root(
            args.state, retire=args.retire, add=args.add, old_signers=args.old, new_signers=args.new
        )
        print(f"New root: {path}. Sign the next bundle so that it carries it.")
    else:
        root = tufrepo.latest_root(args.state)
        args.out.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(tufrepo.root_of(args.state, root.signed.version), args.out)
        print(f"Trust root version {root.signed.version}: {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
