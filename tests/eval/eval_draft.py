"""Draft: a demand letter over each of 10 dev contracts, facts filled and none invented.

For each of the first 10 CUAD dev contracts (``EVAL_LIMIT=N``: N of them) the demand
letter template is drafted from that contract and instructions a lawyer would write,
naming the first labelled party as our client:

    Our client <party> is owed $25,000 in unpaid fees under the agreement.
    Give them 14 days. Sign as Jane Doe, Doe & Partners LLP.

Figures: template facts filled and checked per letter (target >= 6 of 8 on average), and
facts invented: a filled fact whose quote does not hold its value (target 0), plus the
recipient checked against the labels: it must be a labelled party other than our
client. Every letter's facts go to bench-results/eval-draft-detail-<stamp>.json.
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from app.config import load_settings
from app.engine import Engine
from app.engine.hardware import detect
from app.evaluation.match import party_names
from app.ingest.importer import import_paths
from app.models.store import resolve_model
from app.tasks.draft.pipeline import draft, grounded
from app.tasks.draft.templates import load_template
from app.tasks.legal_values import find_dates, words
from app.vault import create_vault, unlock
from tests.eval import eval_limit, temporary_home
from tests.eval.eval_summaries import load_rows
from tests.group_runner import RESULTS
from tests.shared_data import CUAD

DEFAULT_CONTRACTS = 10
INSTRUCTIONS = (
    "Our client {client} is owed $25,000 in unpaid fees under the agreement. "
    "Give them 14 days. Sign as Jane Doe, Doe & Partners LLP."
)


def holds(value: str, quote: str) -> bool:
    """The quote states the value: its words, or the same date written another way
    ("15th day of July, 2010" holds "July 15, 2010")."""
    if grounded(value, quote):
        return True
    dates = find_dates(value)
    return bool(dates) and dates[0] in find_dates(quote)


def _names(label: str) -> list[set[str]]:
    return [set(p) for p in party_names(label)]


def _is_party(value: str, parties: list[set[str]]) -> int | None:
    """Index of the labelled party ``value`` names (most of its words), else None."""
    given = set(words(value))
    for i, party in enumerate(parties):
        if party and len(party & given) >= max(1, (2 * len(party)) // 3):
            return i
    return None


def run() -> list[dict[str, Any]]:
    rows = load_rows(eval_limit() or DEFAULT_CONTRACTS)
    template = load_template("demand-letter")
    model, settings = resolve_model(None), load_settings()
    details: list[dict[str, Any]] = []
    with temporary_home():
        engine = Engine()
        info, recovery = create_vault("eval-draft", passphrase="eval passphrase", use_keyring=False)  # fmt: skip
        vault = unlock(info, recovery_key=recovery)
        try:
            engine.load(model, settings=settings, hardware=detect())
            import_paths(vault, [CUAD / "pdf" / f"{row['id']}.pdf" for row in rows])
            ids = {d.title: d.id for d in vault.list_documents()}
            for row in rows:
                parties = _names(row["Parties-Answer"])
                client = row["Parties-Answer"].split(";")[0].split("(")[0].strip(' "')
                start = time.perf_counter()
                result = draft(template, INSTRUCTIONS.format(client=client), [ids[row["id"]]],
                               engine, vault)  # fmt: skip
                facts = {n: f for n, f in result.facts.items()}
                filled = [f for f in facts.values() if f.status == "supported"]
                invented = [f.name for f in filled
                            if not (f.source and f.value and holds(f.value, f.source.quote))]  # fmt: skip
                recipient = facts["recipient_name"]
                recipient_ok = (
                    recipient.status == "supported"
                    and recipient.value is not None
                    and _is_party(recipient.value, parties) not in (None, 0)
                )
                details.append({
                    "id": row["id"], "filled": len(filled), "facts": len(facts),
                    "invented": invented, "recipient_ok": recipient_ok,
                    "seconds": round(time.perf_counter() - start, 1),
                    "values": {n: [f.status, f.value, f.source.quote if f.source else None]
                               for n, f in facts.items()},
                })  # fmt: skip
                print(f"  {row['id']}: {len(filled)}/{len(facts)} facts, invented {invented}",
                      file=sys.stderr, flush=True)  # fmt: skip
        finally:
            vault.lock()
            engine.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / f"eval-draft-detail-{time.strftime('%Y%m%d-%H%M%S')}.json").write_text(
        json.dumps(details, indent=2)
    )
    n = max(1, len(details))
    mean = sum(d["filled"] for d in details) / n
    invented = sum(len(d["invented"]) for d in details)
    return [
        {"name": "demand letters drafted", "value": len(details), "unit": "contracts"},
        {"name": "facts filled and checked per letter", "value": mean,
         "unit": f"of {details[0]['facts'] if details else 8}", "target": ">= 6", "ok": mean >= 6},
        {"name": "facts invented (quote does not hold the value)", "value": invented,
         "unit": "facts", "target": "== 0", "ok": invented == 0},
        {"name": "recipient is the other labelled party", "value": sum(d["recipient_ok"] for d in details) / n,
         "unit": f"of {len(details)}"},
        {"name": "time per letter", "value": sum(d["seconds"] for d in details) / n, "unit": "s"},
    ]  # fmt: skip
