"""The model as chooser: pick one of a few numbered verbatim sentences, or none.

A small model is a good judge of which sentence answers a question and a poor copyist,
so it is never asked to copy: it reads the question and up to ``MAX_OPTIONS`` lettered
options, and one forward pass gives the log-probability of each option letter as the
next token (``engine.score_options``; no generation, no JSON).

Models favour some letters whatever the options say (often "A"). That bias is measured
by scoring the same letters against a content-free version of the prompt (every option
replaced by "N/A") and subtracted ("contextual calibration", Zhao et al. 2021); the
content-free scores depend only on the question and the option count, so they are
computed once per question and reused across documents.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass

from app.cancel import CancelToken
from app.engine.chat import Message
from app.engine.protocol import EngineLike
from app.tasks.prompts import fill, load_prompt

PROMPT_FILE = "choose.txt"
MAX_OPTIONS = 6
NONE_TEXT = "None of these sentences answers the question."
CONTENT_FREE = "N/A"
MAX_OPTION_CHARS = 600


@dataclass(frozen=True)
class Choice:
    """Calibrated scores per option (last one is "none" when offered) and the best index."""

    scores: tuple[float, ...]
    raw: tuple[float, ...]
    #: Index into the options given, or None when "none of these" won.
    index: int | None


class Chooser:
    """Asks one engine to choose; keeps the content-free scores it has measured."""

    def __init__(self, engine: EngineLike) -> None:
        self.engine = engine
        self._baseline: dict[tuple[str, int], tuple[float, ...]] = {}
        self.calls = 0

    def prompt(self, question: str, description: str, options: Sequence[str]) -> str:
        system, user = load_prompt(PROMPT_FILE)
        lines = "\n".join(
            f"{letter}. {_clip(text)}"
            for letter, text in zip(string.ascii_uppercase, options, strict=False)
        )
        content = fill(user, {"question": question, "description": description, "options": lines})
        messages: list[Message] = [
            {"role": "system", "content": system.strip()},
            {"role": "user", "content": content.strip()},
        ]
        return self.engine.render(messages)

    def _content_free(self, question: str, description: str, count: int) -> tuple[float, ...]:
        key = (question + "\x00" + description, count)
        if key not in self._baseline:
            prompt = self.prompt(question, description, [CONTENT_FREE] * count)
            self._baseline[key] = tuple(
                self.engine.score_options(prompt, string.ascii_uppercase[:count])
            )
            self.calls += 1
        return self._baseline[key]

    def choose(
        self,
        question: str,
        description: str,
        options: Sequence[str],
        *,
        allow_none: bool = True,
        cancel: CancelToken | None = None,
    ) -> Choice:
        """Score ``options`` (verbatim sentences) plus "none of these" when allowed."""
        shown = list(options[: MAX_OPTIONS - (1 if allow_none else 0)])
        if allow_none:
            shown.append(NONE_TEXT)
        letters = string.ascii_uppercase[: len(shown)]
        raw = self.engine.score_options(
            self.prompt(question, description, shown), letters, cancel=cancel
        )
        self.calls += 1
        bias = self._content_free(question, description, len(shown))
        calibrated = tuple(r - b for r, b in zip(raw, bias, strict=True))
        best = max(range(len(shown)), key=lambda i: calibrated[i])
        index = None if allow_none and best == len(shown) - 1 else best
        return Choice(calibrated, tuple(raw), index)


def _clip(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= MAX_OPTION_CHARS else flat[: MAX_OPTION_CHARS - 1] + "\u2026"
