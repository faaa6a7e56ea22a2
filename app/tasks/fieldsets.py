"""Field sets for Extract: JSON Schema objects, one property per column of the grid.

Built-in sets live in ``resources/fieldsets/``; a user adds their own as a ``NAME.json``
file in ``<data dir>/fieldsets/`` (a user set with a built-in's name replaces it). Each
property is one field:

- ``title`` (optional) names the column; ``description`` (required) tells the model what
  to look for;
- ``type: "string"`` with a ``maxLength`` (at most 600), or an ``enum`` of strings such as
  ``["Yes", "No"]``: the bounded value the model's grammar allows;
- ``x-search`` (optional): words and phrases that locate the clause in a document
  ("governed by", "laws of the State"). Without it, the description's words are used;
- ``x-where`` (optional): ``"start"`` when the answer is usually in the opening words
  (parties, dates: the preamble is always read), ``"end"`` when usually near the end
  (governing law: later pages win ties), ``"any"`` (the default);
- ``x-label`` (optional): the column of a labels CSV that holds this field's expected
  answer, for ``chambers evaluate`` (CUAD's ``Governing Law-Answer``, say);
- ``x-match`` (optional): how ``chambers evaluate`` compares an answer with its label,
  one of ``MATCH_KINDS`` (app/evaluation/match.py says what each does); guessed from the
  field when absent.
- ``x-extractor`` (optional): the typed candidate generator that answers the field
  without asking the model to copy anything (a document generator of the registry,
  app/tasks/candidates/registry.py: parties, agreement_date, governing_law, ..., or
  ``clause`` for a yes/no clause found by its ``x-cues``, or ``pattern`` for a value
  found by its ``x-pattern``). A field without one is answered by retrieval and the model.
- ``x-cues`` (with ``x-extractor: "clause"``): ``{"yes": [[regex, weight], ...],
  "not": [regex, ...]}``: the language that makes the clause, and what cancels a cue
  in its sentence ("non-exclusive").
- ``x-pattern`` (with ``x-extractor: "pattern"``): ``{"kind": KIND, "patterns":
  [[regex, weight], ...]}``, each regex with a ``(?P<value>...)`` group read as KIND
  (text, date, duration, money or place: app/tasks/candidates/pattern_field.py).

A file that is not valid JSON, not a valid JSON Schema, or breaks these rules is refused
with an error naming the file and the field at fault; so is one that is not a regular
file or is over 2 MiB (app/textfiles.py), and a cue pattern that fails the backtracking
check of app/tasks/patterns.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jsonschema

from app.errors import ChambersError
from app.tasks.candidates import registry
from app.tasks.named_files import NamedFiles
from app.textfiles import FileRefusedError, read_small_text

MAX_VALUE_CHARS = 600
WHERE = ("any", "start", "end")
MATCH_KINDS = ("text", "date", "jurisdiction", "parties", "duration", "choice")
PATTERN_HINT = (
    "Correct the pattern (Python regular expression syntax, no repeated group "
    "holding another repeat such as (\\w+\\s?)+) or remove it."
)


class FieldSetError(ChambersError):
    default_hint = (
        "Fix the field set file (a JSON Schema object whose properties each have a "
        '"description" and a bounded string or an enum), or remove it.'
    )


@dataclass(frozen=True)
class Field:
    name: str
    title: str
    description: str
    #: The JSON Schema of the value (a bounded string or an enum), without x- keys.
    schema: dict[str, Any]
    search: tuple[str, ...]
    where: str = "any"
    #: ``x-label``: the labels-CSV column with this field's expected answer (evaluate).
    label: str | None = None
    #: ``x-match``: how evaluate compares an answer with its label (one of MATCH_KINDS).
    match: str | None = None
    #: ``x-extractor``: the typed candidate generator for this field, if any.
    extractor: str | None = None
    #: ``x-cues`` of a clause field, as given (compiled by app.tasks.candidates.Cues).
    cues: dict[str, Any] | None = None
    #: ``x-pattern`` of a pattern field, as given (compiled by its generator).
    pattern: dict[str, Any] | None = None

    @property
    def config(self) -> dict[str, Any] | None:
        """The raw configuration of the field's generator (its cues or its pattern)."""
        return self.cues if self.cues is not None else self.pattern

    @property
    def is_choice(self) -> bool:
        return "enum" in self.schema


@dataclass(frozen=True)
class FieldSet:
    name: str
    title: str
    description: str
    fields: tuple[Field, ...]
    path: Path

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise FieldSetError(f"Field set {self.name!r} has no field {name!r}.")

    def subset(self, names: list[str]) -> FieldSet:
        """The same set restricted to ``names`` (in that order)."""
        return FieldSet(
            self.name, self.title, self.description, tuple(self.field(n) for n in names), self.path
        )


def _field(path: Path, name: str, node: Any, kind: str = "Field set") -> Field:
    label = f"{kind} {path.name}: field {name!r}"
    if not isinstance(node, dict):
        raise FieldSetError(f"{label} is not an object.")
    description = node.get("description")
    if not isinstance(description, str) or not description.strip():
        raise FieldSetError(f'{label} has no "description" (the model needs one).')
    search = node.get("x-search", [])
    if not isinstance(search, list) or not all(isinstance(s, str) and s.strip() for s in search):
        raise FieldSetError(f'{label}: "x-search" must be a list of words or phrases.')
    where = node.get("x-where", "any")
    if where not in WHERE:
        raise FieldSetError(f'{label}: "x-where" must be one of {", ".join(WHERE)}.')
    column = node.get("x-label")
    if column is not None and not (isinstance(column, str) and column.strip()):
        raise FieldSetError(f'{label}: "x-label" must name a column of the labels file.')
    match = node.get("x-match")
    if match is not None and match not in MATCH_KINDS:
        raise FieldSetError(f'{label}: "x-match" must be one of {", ".join(MATCH_KINDS)}.')
    extractor, cues, pattern = _extractor(label, node, kind)
    schema = {k: v for k, v in node.items() if not k.startswith("x-")}
    if "enum" in schema:
        options = schema["enum"]
        if not options or not all(isinstance(o, str) and o for o in options):
            raise FieldSetError(f'{label}: "enum" must list non-empty strings.')
    elif schema.get("type") == "string":
        limit = schema.get("maxLength")
        if not isinstance(limit, int) or not 1 <= limit <= MAX_VALUE_CHARS:
            raise FieldSetError(
                f'{label}: a string field needs "maxLength" between 1 and {MAX_VALUE_CHARS}.'
            )
    else:
        raise FieldSetError(f'{label} must be "type": "string" (with maxLength) or an "enum".')
    title = node.get("title")
    return Field(
        name,
        title if isinstance(title, str) and title.strip() else name.replace("_", " ").capitalize(),
        " ".join(description.split()),
        schema,
        tuple(" ".join(s.split()) for s in search),
        where,
        column,
        match,
        extractor,
        cues,
        pattern,
    )


def _extractor(
    label: str, node: dict[str, Any], kind: str
) -> tuple[str | None, dict[str, Any] | None, dict[str, Any] | None]:
    """``x-extractor`` with its ``x-cues`` or ``x-pattern``, checked against the registry.

    A field set may name a generator that reads a document; a draft template may also
    name one that reads the lawyer's instructions. A bad pattern is named here, when the
    file is read, not raised later.
    """
    known = registry.names() if kind == "Template" else registry.names("document")
    extractor = node.get("x-extractor")
    if extractor is None:
        return None, None, None
    if extractor not in known:
        raise FieldSetError(f'{label}: "x-extractor" must be one of {", ".join(known)}.')
    record = registry.generator(extractor)
    if record.config is None:
        return extractor, None, None
    raw = node.get(record.config)
    if raw is None:
        raise FieldSetError(f'{label}: a "{extractor}" extractor needs "{record.config}".')
    problem = record.check(raw) if record.check else None
    if problem:
        raise FieldSetError(f"{label}: {problem}.", PATTERN_HINT)
    if record.config == "x-cues":
        return extractor, raw, None
    return extractor, None, raw


def fields_from_properties(
    path: Path, properties: dict[str, Any], kind: str = "Field set"
) -> tuple[Field, ...]:
    """The fields of a JSON Schema ``properties`` object (field sets, draft templates' facts).

    ``kind`` names the file's kind in error messages ("Template demand-letter.json: ...").
    """
    return tuple(_field(path, name, node, kind) for name, node in properties.items())


def parse_fieldset(path: Path) -> FieldSet:
    """Read and validate one field set file; FieldSetError names the file on any fault."""
    try:
        data = json.loads(read_small_text(path))
    except FileRefusedError as exc:
        raise FieldSetError(
            f"Field set {path} cannot be used: {exc}.",
            "Name a field set JSON file (a regular file of at most 2 MiB).",
        ) from None
    except OSError as exc:
        raise FieldSetError(f"Field set {path} cannot be read: {exc.strerror}.") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise FieldSetError(f"Field set {path.name} is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict):
        raise FieldSetError(f"Field set {path.name} is not a JSON object.")
    try:
        jsonschema.Draft202012Validator.check_schema(data)
    except jsonschema.SchemaError as exc:
        raise FieldSetError(
            f"Field set {path.name} is not a valid JSON Schema: {exc.message}"
        ) from exc
    properties = data.get("properties")
    if data.get("type") != "object" or not isinstance(properties, dict) or not properties:
        raise FieldSetError(
            f'Field set {path.name} must be "type": "object" with at least one property.'
        )
    fields = fields_from_properties(path, properties)
    title = data.get("title")
    description = data.get("description")
    return FieldSet(
        path.stem,
        title if isinstance(title, str) and title else path.stem,
        description if isinstance(description, str) else "",
        fields,
        path,
    )


#: Field sets by name: ``resources/fieldsets/`` then ``<data dir>/fieldsets/``.
FIELDSETS = NamedFiles("fieldsets", "field set", parse_fieldset, FieldSetError)


def user_dir() -> Path:
    return FIELDSETS.user_dir()


def fieldset_paths() -> dict[str, Path]:
    """Name -> file of every field set, built-in then user (a user file wins)."""
    return FIELDSETS.paths()


def list_fieldsets() -> list[str]:
    return FIELDSETS.names()


def load_fieldset(name_or_path: str | Path) -> FieldSet:
    """A field set by name (built-in or user) or by the path of a .json file."""
    return FIELDSETS.load(name_or_path)
