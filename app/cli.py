"""The ``chambers`` command.

With no verb it opens the desktop app (or, where no display exists, says how to run the
headless demo). Every verb runs headless, so IT can script it and tests can drive it.
Each feature registers its verbs from a module in ``app.commands``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

from app import __version__
from app.errors import ChambersError

#: Modules under ``app.commands`` that each expose ``register(subparsers)``.
COMMAND_MODULES = (
    "doctor",
    "models",
    "generate",
    "demo",
    "vault",
    "audit",
    "ingest",
    "tasks",
    "draft",
    "evaluate",
    "bundle",
    "review",
    "server",
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="chambers",
        description="Chambers: a private, on-device AI workbench for legal work.",
    )
    parser.add_argument("--version", action="version", version=f"chambers {__version__}")
    sub = parser.add_subparsers(dest="verb", metavar="VERB")
    for name in COMMAND_MODULES:
        importlib.import_module(f"app.commands.{name}").register(sub)
    return parser


def has_display() -> bool:
    if sys.platform in ("win32", "darwin"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_desktop() -> int:
    try:
        gui = importlib.import_module("app.gui.main")
    except ModuleNotFoundError:
        print(
            "The desktop window is not part of this build yet; running the headless demo.",
            file=sys.stderr,
        )
        from app.commands.demo import run_demo

        return run_demo()
    result: int = gui.main()
    return result


def main(argv: Sequence[str] | None = None) -> int:
    # First thing, before any secret is read: no core dumps, not dumpable (a dump of
    # this process would hold the passphrase and the vault key).
    from app.hardening import disable_core_dumps

    disable_core_dumps()
    parser = build_parser()
    args = parser.parse_args(argv)
    from app.commands._audit_notice import install

    install()  # "audit log kept but not sealed" once a day, not after every command
    if args.verb is None:
        if has_display():
            return _open_desktop()
        print("No display found. Run `chambers demo` for a headless run, or `chambers --help`.")
        return 0
    try:
        result: int = args.func(args)
        return result
    except ChambersError as exc:
        from app.commands._output import safe  # messages may quote a hostile file name

        print(f"error: {safe(exc.message)}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {safe(exc.hint)}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("Cancelled.", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into `head` and the like: not an error
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 0
    except OSError as exc:  # a full disk or read-only folder is said in words, not a traceback
        from app.storage_errors import classify

        storage = classify(exc, exc.filename)
        if storage is None:
            raise
        print(f"error: {storage.message}", file=sys.stderr)
        print(f"hint: {storage.hint}", file=sys.stderr)
        return storage.exit_code


if __name__ == "__main__":
    sys.exit(main())
