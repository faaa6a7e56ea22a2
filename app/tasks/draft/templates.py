"""Draft templates: the fixed wording of a document, the facts it needs, the prose it asks for.

Built-in templates live in ``resources/templates/``; a firm adds its own as ``NAME.json``
in ``<data dir>/templates/`` (a user template with a built-in's name replaces it). A
template is a JSON object:

- ``title``, ``description``: shown in the template picker.
- ``facts``: a JSON Schema ``properties`` object, one property per fact, exactly like a
  field set's fields (``description``, a bounded ``string`` or an ``enum``, optional
  ``x-search`` and ``x-where``). Each fact is looked for in the lawyer's instructions and
  in the chosen documents; one that cannot be found and checked becomes a visible
  placeholder in the draft, never a guess.
- ``sections``: prose the model writes from the sources, each ``{"title",
  "instruction", "x-search", "sentences"}``; every sentence must cite a passage.
- ``body``: the document in order; each block is ``{"style": S, "text": T}`` (``T`` may
  name facts as ``{fact}`` and the date as ``{today}``) or ``{"section": NAME}``. Styles:
  ``title``, ``heading``, ``paragraph``, ``lines`` (an address or signature block: one
  line per ``\\n``).

A template that breaks these rules is refused with an error naming the file and the fault.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import ChambersError
from app.tasks.fieldsets import Field, fields_from_properties
from app.tasks.named_files import NamedFiles
from app.textfiles import FileRefusedError, read_small_text

STYLES = ("title", "heading", "paragraph", "lines")
BUILTINS = ("today",)
MAX_SENTENCES = 8
SLOT = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)\}")


class TemplateError(ChambersError):
    default_hint = (
        'Fix the template file (a JSON object with "title", "facts", "sections" and '
        '"body"; see resources/templates/ for examples), or remove it.'
    )


@dataclass(frozen=True)
class Section:
    """Prose the model writes: ``instruction`` says what, ``search`` finds its sources."""

    name: str
    title: str
    instruction: str
    search: tuple[str, ...]
    sentences: int

    @property
    def as_field(self) -> Field:
        """The section as a search target for app/tasks/extract.candidate_passages."""
        schema = {"type": "string", "maxLength": 300}
        return Field(self.name, self.title, self.instruction, schema, self.search)


@dataclass(frozen=True)
class Block:
    style: str
    text: str = ""
    section: str | None = None


@dataclass(frozen=True)
class Template:
    name: str
    title: str
    description: str
    facts: tuple[Field, ...]
    sections: dict[str, Section]
    body: tuple[Block, ...]
    path: Path

    def fact(self, name: str) -> Field:
        for item in self.facts:
            if item.name == name:
                return item
        raise TemplateError(f"Template {self.name!r} has no fact {name!r}.")


def _section(path: Path, name: str, node: Any) -> Section:
    label = f"Template {path.name}: section {name!r}"
    if not isinstance(node, dict):
        raise TemplateError(f"{label} is not an object.")
    instruction = node.get("instruction")
    if not isinstance(instruction, str) or not instruction.strip():
        raise TemplateError(f'{label} has no "instruction" (the model needs one).')
    search = node.get("x-search", [])
    if not isinstance(search, list) or not all(isinstance(s, str) and s.strip() for s in search):
        raise TemplateError(f'{label}: "x-search" must be a list of words or phrases.')
    sentences = node.get("sentences", 4)
    if not isinstance(sentences, int) or not 1 <= sentences <= MAX_SENTENCES:
        raise TemplateError(f'{label}: "sentences" must be 1 to {MAX_SENTENCES}.')
    title = node.get("title")
    return Section(
        name,
        title if isinstance(title, str) and title.strip() else name.replace("_", " ").capitalize(),
        " ".join(instruction.split()),
        tuple(" ".join(s.split()) for s in search),
        sentences,
    )


def _block(path: Path, index: int, node: Any, facts: set[str], sections: set[str]) -> Block:
    label = f"Template {path.name}: body block {index + 1}"
    if not isinstance(node, dict):
        raise TemplateError(f"{label} is not an object.")
    if "section" in node:
        if node["section"] not in sections:
            raise TemplateError(f"{label} names section {node['section']!r}, which is not defined.")
        return Block("paragraph", section=str(node["section"]))
    style, text = node.get("style", "paragraph"), node.get("text")
    if style not in STYLES:
        raise TemplateError(f'{label}: "style" must be one of {", ".join(STYLES)}.')
    if not isinstance(text, str) or not text.strip():
        raise TemplateError(f'{label} has no "text".')
    for slot in SLOT.findall(text):
        if slot not in facts and slot not in BUILTINS:
            raise TemplateError(f"{label} uses {{{slot}}}, which is not one of the facts.")
    return Block(style, text)


def parse_template(path: Path) -> Template:
    """Read and validate one template file; TemplateError names the file on any fault."""
    try:
        data = json.loads(read_small_text(path))
    except FileRefusedError as exc:
        raise TemplateError(
            f"Template {path} cannot be used: {exc}.",
            "Name a template JSON file (a regular file of at most 2 MiB).",
        ) from None
    except OSError as exc:
        raise TemplateError(f"Template {path} cannot be read: {exc.strerror}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise TemplateError(f"Template {path.name} is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise TemplateError(f"Template {path.name} is not a JSON object.")
    facts_node, sections_node = data.get("facts", {}), data.get("sections", {})
    if not isinstance(facts_node, dict) or not isinstance(sections_node, dict):
        raise TemplateError(f'Template {path.name}: "facts" and "sections" must be objects.')
    try:
        facts = fields_from_properties(path, facts_node, kind="Template")
    except ChambersError as exc:
        raise TemplateError(exc.message) from exc
    sections = {name: _section(path, name, node) for name, node in sections_node.items()}
    body_node = data.get("body")
    if not isinstance(body_node, list) or not body_node:
        raise TemplateError(f'Template {path.name} has no "body" (a list of blocks).')
    names = {f.name for f in facts}
    body = tuple(_block(path, i, node, names, set(sections)) for i, node in enumerate(body_node))
    title, description = data.get("title"), data.get("description")
    return Template(
        path.stem,
        title if isinstance(title, str) and title.strip() else path.stem,
        description if isinstance(description, str) else "",
        facts,
        sections,
        body,
        path,
    )


#: Templates by name: ``resources/templates/`` then ``<data dir>/templates/``.
TEMPLATES = NamedFiles("templates", "template", parse_template, TemplateError)


def user_dir() -> Path:
    return TEMPLATES.user_dir()


def template_paths() -> dict[str, Path]:
    """Name -> file of every template, built-in then user (a user file wins)."""
    return TEMPLATES.paths()


def list_templates() -> list[str]:
    return TEMPLATES.names()


def load_template(name_or_path: str | Path) -> Template:
    """A template by name (built-in or user) or by the path of a .json file."""
    return TEMPLATES.load(name_or_path)
