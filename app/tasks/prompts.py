"""Prompt files: one loader for every task's instructions to the model.

Prompts live as text in ``resources/prompts/NAME.txt``: the system message, a line
``=====``, then the user message with ``{slot}`` placeholders. Keeping them as files
lets a firm read exactly what the model is told; keeping one loader means a new task
cannot drift into its own format.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.engine.chat import Message
from app.paths import resource_path

SEPARATOR = "\n=====\n"


def load_prompt(name: str) -> tuple[str, str]:
    """(system, user) of ``resources/prompts/NAME`` (the system part stripped)."""
    text = resource_path("resources", "prompts", name).read_text(encoding="utf-8")
    system, _, user = text.partition(SEPARATOR)
    return system.strip(), user


def fill(text: str, replacements: Mapping[str, str]) -> str:
    for key, value in replacements.items():
        text = text.replace(f"{{{key}}}", value)
    return text


def prompt_messages(name: str, replacements: Mapping[str, str]) -> list[Message]:
    """The system and user messages of a prompt file with its slots filled."""
    system, user = load_prompt(name)
    return [
        {"role": "system", "content": fill(system, replacements)},
        {"role": "user", "content": fill(user, replacements)},
    ]
