"""Lay a Draft out as paragraphs of runs, then as plain text (preview) or a DOCX file.

One layout feeds both outputs, so the preview a lawyer reads is the document they save.
Every supported fact and every sentence carries a superscript source number; the numbers
lead to a "Sources" list at the end (document, page and the quote relied on). Anything
the draft could not establish is a placeholder in ``[●...●]``, bold and highlighted in
Word, so it cannot be missed or mistaken for checked text.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from docx import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Pt, RGBColor

from app.tasks.draft.pipeline import Draft, Fact, Source
from app.tasks.draft.templates import SLOT

RunKind = Literal["text", "value", "placeholder", "cite"]
OPEN, CLOSE = "[\u25cf", "\u25cf]"
#: An unchecked suggestion longer than this is cut short in the list of suggestions.
SUGGESTION_CHARS = 60
SUGGESTIONS_HEADING = "Suggestions to check (not used in the draft)"


@dataclass(frozen=True)
class Run:
    text: str
    kind: RunKind = "text"


@dataclass
class Paragraph:
    style: str
    runs: list[Run] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(f"[{r.text}]" if r.kind == "cite" else r.text for r in self.runs)


@dataclass
class Layout:
    title: str
    notice: str
    paragraphs: list[Paragraph]
    sources: list[Source]
    #: Unconfirmed suggestions for placeholders, shown after the draft for checking.
    suggestions: list[str] = field(default_factory=list)

    @property
    def placeholders(self) -> list[str]:
        return [r.text for p in self.paragraphs for r in p.runs if r.kind == "placeholder"]


def placeholder(text: str) -> str:
    return f"{OPEN}{text}{CLOSE}"


def _fact_runs(fact: Fact, cite: Run | None) -> list[Run]:
    if fact.status == "supported" and fact.value and cite:
        return [Run(fact.value, "value"), cite]
    return [Run(placeholder(fact.title), "placeholder")]


def suggestions(draft: Draft) -> list[str]:
    """Unconfirmed suggestions, listed beside the draft rather than inside a placeholder."""
    out = []
    for fact in draft.facts.values():
        if fact.status == "unsupported" and fact.value:
            value = fact.value
            if len(value) > SUGGESTION_CHARS:
                value = value[: SUGGESTION_CHARS - 3] + "..."
            out.append(f'{fact.title}: "{value}" (not confirmed by a source: check)')
    return out


def layout(draft: Draft) -> Layout:
    sources: list[Source] = []

    def cite(source: Source | None) -> Run | None:
        if source is None:
            return None
        for n, known in enumerate(sources, 1):
            if (known.document_id, known.page, known.quote) == (
                source.document_id,
                source.page,
                source.quote,
            ):
                return Run(str(n), "cite")
        sources.append(source)
        return Run(str(len(sources)), "cite")

    paragraphs: list[Paragraph] = []
    for block in draft.template.body:
        if block.section is not None:
            section = draft.sections.get(block.section)
            if section is None or not section.sentences:
                title = section.title if section else block.section
                note = f"{title}: nothing in the sources; write this section"
                paragraphs.append(Paragraph("paragraph", [Run(placeholder(note), "placeholder")]))
                continue
            runs: list[Run] = []
            for sentence in section.sentences:
                runs += [Run(("" if not runs else " ") + sentence.text)]
                marker = cite(sentence.source)
                assert marker is not None
                runs.append(marker)
                if not sentence.source.verified:
                    flag = placeholder("source not confirmed: check")
                    runs += [Run(" "), Run(flag, "placeholder")]
            paragraphs.append(Paragraph("paragraph", runs))
            continue
        runs = []
        position = 0
        for match in SLOT.finditer(block.text):
            runs.append(Run(block.text[position : match.start()]))
            name = match.group(1)
            if name == "today":
                runs.append(Run(draft.date))
            else:
                fact = draft.facts[name]
                runs += _fact_runs(fact, cite(fact.source) if fact.status == "supported" else None)
            position = match.end()
        runs.append(Run(block.text[position:]))
        paragraphs.append(Paragraph(block.style, [r for r in runs if r.text]))
    documents = len(draft.document_ids)
    notice = (
        f"Draft prepared with Chambers on {draft.date} from your instructions and "
        f"{documents} document{'s' if documents != 1 else ''}. Check every highlighted "
        f"placeholder {placeholder('...')} and every numbered source before use."
    )
    return Layout(draft.template.title, notice, paragraphs, sources, suggestions(draft))


def source_line(source: Source) -> str:
    where = source.title if source.page is None else f"{source.title}, p. {source.page}"
    check = "" if source.verified else " (not found in the source: check)"
    return f'{where}: "{source.quote}"{check}'


def to_text(result: Layout) -> str:
    """The preview: paragraphs, then the numbered sources."""
    lines = [result.notice, ""]
    for paragraph in result.paragraphs:
        lines += [paragraph.text, ""]
    if result.sources:
        lines.append("Sources")
        lines += [f"[{n}] {source_line(s)}" for n, s in enumerate(result.sources, 1)]
    if result.suggestions:
        lines += ["", SUGGESTIONS_HEADING, *(f"- {s}" for s in result.suggestions)]
    return "\n".join(lines).rstrip() + "\n"


def _add_runs(paragraph: object, runs: list[Run]) -> None:
    for item in runs:
        pieces = item.text.split("\n")
        for i, piece in enumerate(pieces):
            run = paragraph.add_run(piece)  # type: ignore[attr-defined]
            if i < len(pieces) - 1:
                run.add_break()
            if item.kind == "placeholder":
                run.bold = True
                run.font.highlight_color = WD_COLOR_INDEX.YELLOW
            elif item.kind == "cite":
                run.font.superscript = True


def write_docx(result: Layout, path: Path) -> Path:
    """Save as DOCX, written to a temporary file first so a crash leaves no half file."""
    document = Document()
    document.core_properties.title = result.title
    document.core_properties.author = "Chambers"
    document.core_properties.comments = ""
    notice = document.add_paragraph().add_run(result.notice)
    notice.italic = True
    notice.font.size = Pt(9)
    notice.font.color.rgb = RGBColor(0x60, 0x60, 0x60)
    for paragraph in result.paragraphs:
        if paragraph.style == "title":
            target = document.add_heading("", level=0)
        elif paragraph.style == "heading":
            target = document.add_heading("", level=2)
        else:
            target = document.add_paragraph()
        _add_runs(target, paragraph.runs)
    if result.sources:
        document.add_heading("Sources", level=2)
        for n, source in enumerate(result.sources, 1):
            line = document.add_paragraph()
            line.add_run(f"[{n}] ").bold = True
            line.add_run(source_line(source)).font.size = Pt(9)
    if result.suggestions:
        document.add_heading(SUGGESTIONS_HEADING, level=2)
        for suggestion in result.suggestions:
            document.add_paragraph(suggestion, style="List Bullet").runs[0].font.size = Pt(9)
    path = Path(path)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".draft-", suffix=".docx")
    os.close(handle)
    try:
        document.save(temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
