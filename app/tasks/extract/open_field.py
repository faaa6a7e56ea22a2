"""A field with no typed generator (a firm's own field set): retrieve, choose, then value.

- Retrieve: the field's search terms, searched in this one document
  (app/tasks/extract/passages); the passages' sentences, most of the terms first.
- Choose: the model picks the sentence that answers, or none (app/tasks/chooser), by
  option scores: no copying, so the quote is a sentence of the page by construction.
- Value: for a choice field the model scores the field's own options after that one
  sentence; for a text field it writes a short value under a grammar, and the value's
  words must be in the sentence or the cell is flagged ``unsupported``.
"""

from __future__ import annotations

import string
from typing import Any

from app.cancel import CancelToken
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.engine.structured import generate_json
from app.errors import OutputInvalidError, OutputTruncatedError
from app.tasks.candidates import DocumentText, Sentence
from app.tasks.chooser import Chooser
from app.tasks.extract.cells import NOT_FOUND_CELL, Cell
from app.tasks.extract.passages import candidate_passages, search_query
from app.tasks.fieldsets import Field
from app.tasks.legal_values import words
from app.tasks.prompts import prompt_messages
from app.tasks.quotes import find_quote
from app.vault import Vault

MAX_SENTENCES = 5
MAX_VALUE_CHARS = 120


def passage_sentences(
    item: Field, document_id: str, doc: DocumentText, vault: Vault, engine: EngineLike
) -> list[Sentence]:
    """Sentences of the retrieved passages, those holding most of the terms first."""
    query = search_query(item)
    passages = candidate_passages(
        item, document_id, vault, count_tokens=engine.count_tokens, max_passages=3
    )
    found: list[Sentence] = []
    for passage in passages:
        for sentence in doc.sentences:
            inside = sentence.page == passage.page and (
                sentence.start < passage.char_end and passage.char_start < sentence.end
            )
            if inside and sentence not in found:
                found.append(sentence)
    found.sort(key=lambda s: -query.coverage(s.text))
    return found[:MAX_SENTENCES]


def _value_messages(item: Field, sentence: Sentence) -> list[Message]:
    return prompt_messages(
        "extract_value.txt",
        {"sentence": sentence.flat, "title": item.title, "description": item.description},
    )


def _choice_value(
    item: Field, sentence: Sentence, engine: EngineLike, cancel: CancelToken | None
) -> str:
    options = [str(o) for o in item.schema["enum"]]
    letters = string.ascii_uppercase[: len(options)]
    listed = "\n".join(
        f"{letter}. {option}" for letter, option in zip(letters, options, strict=True)
    )
    messages = prompt_messages(
        "extract_choice.txt",
        {
            "sentence": sentence.flat,
            "title": item.title,
            "description": item.description,
            "options": listed,
        },
    )
    scores = engine.score_options(engine.render(messages), letters, cancel=cancel)
    return options[max(range(len(options)), key=lambda i: scores[i])]


def value_in_sentence(value: str, sentence: str) -> bool:
    """Every word of the value occurs in the sentence (case and punctuation aside)."""
    wanted, present = words(value), set(words(sentence))
    return bool(wanted) and all(w in present for w in wanted)


def open_cell(
    item: Field,
    document_id: str,
    doc: DocumentText,
    vault: Vault,
    engine: EngineLike,
    chooser: Chooser,
    *,
    cancel: CancelToken | None = None,
) -> Cell:
    sentences = passage_sentences(item, document_id, doc, vault, engine)
    if not sentences:
        return NOT_FOUND_CELL
    choice = chooser.choose(
        item.title, item.description, [s.text for s in sentences], cancel=cancel
    )
    if choice.index is None:
        return Cell(None, "", None, "not_found", decided_by="model")
    sentence = sentences[choice.index]
    page_text = doc.page_text(sentence.page)
    span = find_quote(sentence.flat, page_text)
    if item.is_choice:
        value = _choice_value(item, sentence, engine, cancel)
        supported = True
    else:
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {"value": {"type": "string", "maxLength": MAX_VALUE_CHARS}},
            "required": ["value"],
            "additionalProperties": False,
        }
        try:
            answer, _ = generate_json(
                engine, _value_messages(item, sentence), schema, cancel=cancel
            )
        except (OutputInvalidError, OutputTruncatedError) as exc:
            return Cell(None, "", None, "not_found", note=exc.message, decided_by="model")
        value = " ".join(str(answer["value"]).split())
        if not value:
            return Cell(None, "", None, "not_found", decided_by="model")
        supported = value_in_sentence(value, sentence.text)
    if span is None or not supported:
        note = None if span is not None else "The quote is not on its page."
        return Cell(
            value,
            sentence.flat,
            sentence.page,
            "unsupported",
            note=note,
            decided_by="generated" if not item.is_choice else "model",
            closest=sentence.flat if not supported else None,
        )
    return Cell.quoting(value, sentence, decided_by="generated" if not item.is_choice else "model")
