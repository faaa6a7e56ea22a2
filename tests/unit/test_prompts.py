"""Prompt files (app/tasks/prompts.py): every file is used, and the prompts moved out of
the code into files send the model exactly the words they sent before (the review's
fitted weights and calibration belong to that wording)."""

from __future__ import annotations

from pathlib import Path

from app.paths import resource_path
from app.tasks.candidates.document import Sentence
from app.tasks.extract import open_field
from app.tasks.fieldsets import Field
from app.tasks.review.decide import prompt_messages

APP = Path(__file__).resolve().parents[2] / "app"


def test_every_prompt_file_is_named_by_the_code() -> None:
    source = "\n".join(p.read_text(encoding="utf-8") for p in APP.rglob("*.py"))
    files = sorted(resource_path("resources", "prompts").glob("*.txt"))
    assert len(files) >= 9
    unused = [f.name for f in files if f'"{f.name}"' not in source]
    assert unused == []


FIELD = Field("law", "Governing law", "The law that governs.", {"type": "string"}, ())
SENTENCE = Sentence(2, 0, 52, "This Agreement is governed by\n the laws of  England.", 7)


def test_the_extract_value_prompt_is_the_wording_it_was() -> None:
    assert open_field._value_messages(FIELD, SENTENCE) == [
        {
            "role": "system",
            "content": "You give the short answer to a question from one contract sentence, "
            "using only words of that sentence.",
        },
        {
            "role": "user",
            "content": "SENTENCE: This Agreement is governed by the laws of England.\n\n"
            "QUESTION: Governing law (The law that governs.)\n\n"
            'Reply in JSON with the short answer as "value".',
        },
    ]


class _Recorder:
    """An engine that records the prompt it is asked to render and prefers option B."""

    def __init__(self) -> None:
        self.messages: list[object] = []

    def render(self, messages: object) -> str:
        self.messages.append(messages)
        return "prompt"

    def score_options(self, prompt: str, options: object, cancel: object = None) -> list[float]:
        return [0.0, 1.0]


def test_the_extract_choice_prompt_is_the_wording_it_was() -> None:
    field = Field("yes", "Exclusive", "Is it exclusive?", {"enum": ["Yes", "No"]}, ())
    engine = _Recorder()
    assert open_field._choice_value(field, SENTENCE, engine, None) == "No"  # type: ignore[arg-type]
    assert engine.messages == [
        [
            {
                "role": "system",
                "content": "You answer a question about one contract sentence "
                "with the letter of one option.",
            },
            {
                "role": "user",
                "content": "SENTENCE: This Agreement is governed by the laws of England.\n\n"
                "QUESTION: Exclusive (Is it exclusive?)\n\nOPTIONS:\nA. Yes\nB. No\n\n"
                "Answer with one letter.",
            },
        ]
    ]


def test_the_review_prompt_is_the_wording_it_was() -> None:
    system = (
        "You review contracts for a lawyer. You read a statement and sentences taken from one "
        "contract, and you choose:\n"
        "A. The sentences make the statement true: the contract says so.\n"
        "B. The sentences make the statement false: the contract says the opposite.\n"
        "C. The sentences do not address the statement.\n"
        "Reply with one letter."
    )
    assert prompt_messages("May share.", ["One.", "Two."]) == [
        {"role": "system", "content": system},
        {
            "role": "user",
            "content": "Statement: May share.\n\nSentences from the contract:\n1. One.\n2. Two."
            "\n\nAnswer A (true), B (false) or C (not addressed):",
        },
    ]
    assert prompt_messages("May share.", [])[1]["content"].count("\nN/A\n") == 1
