"""Issue 16 with the real default model: a real NDA sentence with a quoted defined term.

ContractNLI dev document 10 (an NDA statement of work) defines its term as
``"Confidential Information" means, ... clearly marked “Confidential” or ...``: straight
quotes around the defined term, curly quotes later. Offered as an enum option (as the
clause check offers sentences) such a sentence used to make a grammar llama.cpp could not
parse, and then a segfault; now the model answers with one of the options.
"""

from __future__ import annotations

import json

import pytest

from app.engine import Engine
from app.engine.structured import generate_json
from tests.shared_data import SHARED_DATA


def nda_sentences() -> tuple[str, list[str]]:
    """The defining sentence of document 10 and two other sentences of the same NDA."""
    data = json.loads((SHARED_DATA / "contractnli" / "dev.json").read_text(encoding="utf-8"))
    document = next(d for d in data["documents"] if d["id"] == 10)
    spans = [" ".join(document["text"][a:b].split()) for a, b in document["spans"]]
    defining = next(s for s in spans if s.startswith('"Confidential Information" means'))
    others = [s for s in spans if not {'"', "“"} & set(s) and 60 < len(s) < 160][:2]
    return defining, others


@pytest.mark.model
def test_a_quoted_defined_term_in_an_enum_option_is_answered_not_crashed(
    qwen_engine: Engine,
) -> None:
    defining, others = nda_sentences()
    assert "“" in defining and len(others) == 2  # the data is as described
    options = [others[0], defining, others[1]]
    schema = {
        "type": "object",
        "properties": {"sentence": {"enum": options}},
        "required": ["sentence"],
    }
    listing = "\n".join(f"- {option}" for option in options)
    question = (
        f"Sentences from a non-disclosure agreement:\n{listing}\n\n"
        "Which sentence defines the term Confidential Information? Copy it exactly."
    )
    value, stats = generate_json(qwen_engine, [{"role": "user", "content": question}], schema)
    assert value["sentence"] in options
    assert stats.finish_reason == "stop"
