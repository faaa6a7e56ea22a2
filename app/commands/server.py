"""`chambers server`: where tasks run, and the firm inference server's API key.

``status`` reads only the policy and the settings (no network). ``check`` connects to the
server the policy lists (certificate pinned before any request) and asks which models it
serves. ``set-key`` stores the API key in the OS keyring; it is read from the terminal or
standard input, never from the command line, where other users could see it.
"""

from __future__ import annotations

import argparse
import getpass
import sys

from app.commands._output import print_json
from app.config import load_settings
from app.engine.backend import connect_server, placement, store_api_key
from app.errors import UsageError
from app.tasks.audited import record_inference_call


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("server", help="the firm inference server (policy-gated)")
    verbs = parser.add_subparsers(dest="server_verb", metavar="ACTION", required=True)
    status = verbs.add_parser("status", help="where tasks run for a matter (no network)")
    status.add_argument(
        "--matter", action="append", default=[], help="vault id or matter name (repeatable)"
    )
    status.add_argument("--json", action="store_true")
    status.set_defaults(func=_status)
    check = verbs.add_parser("check", help="connect to the chosen server and list its models")
    check.add_argument("--model", default=None)
    check.set_defaults(func=_check)
    key = verbs.add_parser("set-key", help="store the server's API key in the OS keyring")
    key.add_argument("base_url")
    key.set_defaults(func=_set_key)


def _status(args: argparse.Namespace) -> int:
    chosen = placement(args.matter)
    if args.json:
        print_json({"runs": chosen.label, "reason": chosen.reason})
    else:
        print(f"{chosen.label} ({chosen.reason})")
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.inference_server:
        raise UsageError("No inference server is chosen.", "Set inference_server in settings.")
    url, model = settings.inference_server, args.model
    with connect_server(url, model, settings=settings, on_call=record_inference_call) as engine:
        print(f"{settings.inference_server}: serves {engine.spec.id}; certificate verified")
    return 0


def _set_key(args: argparse.Namespace) -> int:
    key = (getpass.getpass("API key: ") if sys.stdin.isatty() else sys.stdin.readline()).strip()
    if not key:
        raise UsageError("No API key was given.", "Type it at the prompt or pipe it in.")
    store_api_key(args.base_url, key)
    print("Stored in the OS keyring.")
    return 0
