"""`chambers generate`: stream a model's answer to stdout (optionally schema-constrained JSON)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from app.cancel import CancelToken
from app.commands._output import print_json
from app.engine.chat import Message
from app.engine.loader import load_engine
from app.engine.structured import generate_json
from app.errors import CancelledError, UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("generate", help="run the model on a prompt and stream the answer")
    parser.add_argument("--model", help="model id (default: the catalog default)")
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--prompt", help="a user message")
    source.add_argument("--messages", type=Path, help="a JSON file: [{role, content}, ...]")
    parser.add_argument("--json-schema", type=Path, help="constrain output to this JSON Schema")
    parser.add_argument("--max-tokens", type=int, default=None)
    parser.add_argument("--stats", action="store_true", help="print timing to stderr")
    parser.set_defaults(func=_generate)


def _read_json(path: Path, what: str) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"Cannot read {what} {path}: {exc.strerror}.") from exc
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON ({exc.msg}, line {exc.lineno}).") from exc


def _messages(args: argparse.Namespace) -> list[Message]:
    if args.prompt is not None:
        return [{"role": "user", "content": args.prompt}]
    data = _read_json(args.messages, "messages file")
    if not isinstance(data, list):
        raise UsageError(f"{args.messages} must hold a JSON list of {{role, content}} objects.")
    return [Message(role=str(m.get("role")), content=str(m.get("content"))) for m in data]


def _generate(args: argparse.Namespace) -> int:
    messages = _messages(args)
    schema = _read_json(args.json_schema, "JSON schema") if args.json_schema else None
    engine = load_engine(args.model)
    cancel = CancelToken()
    try:
        if schema is not None:
            value, stats = generate_json(
                engine, messages, schema, max_tokens=args.max_tokens, cancel=cancel
            )
            print_json(value)
        else:
            generation = engine.stream(messages, max_tokens=args.max_tokens or 512, cancel=cancel)
            try:
                for piece in generation:
                    sys.stdout.write(piece)
                    sys.stdout.flush()
            except KeyboardInterrupt:
                generation.cancel()
                raise CancelledError("Cancelled.") from None
            sys.stdout.write("\n")
            stats = generation.stats
        if args.stats:
            print(json.dumps(stats.to_json()), file=sys.stderr)
    finally:
        engine.close()
    return 0
