"""Cue patterns cannot hang review or extract (issue 25), written as the attack.

A firm's playbook or field set holding a catastrophic-backtracking pattern is refused
when loaded, naming the file and the statement or field; a pattern that passes the
check but is slow anyway is stopped by the time budget, and Ctrl-C / Cancel stop it too.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest

from app import paths
from app.cancel import CancelToken
from app.errors import CancelledError
from app.tasks.candidates import Cues, DocumentText, Extractors, Page
from app.tasks.draft.templates import TemplateError, load_template
from app.tasks.fieldsets import FieldSetError, list_fieldsets, load_fieldset
from app.tasks.patterns import (
    BUDGET_S,
    MAX_PATTERN_CHARS,
    CueBudget,
    CueTimeoutError,
    compile_cue,
    pattern_problem,
)
from app.tasks.retrieve import build_query
from app.tasks.review import PlaybookError, list_playbooks, load_playbook
from app.tasks.review.candidates import rank_sentences, review_sentences

HOSTILE = r"(\w+\s?)+$"
#: Passes the static check (a bounded repeat) yet backtracks for seconds on a sentence.
SLOW = r"(?:\w+\s?){1,10}\d"
SENTENCE = (
    "The Receiving Party shall hold the Confidential Information in strict confidence and "
    "shall not disclose it to any third party without the prior written consent of the "
    "Disclosing Party, except to its employees who need to know it!"
)
#: The budget as stopped: the engine checks its clock now and then, on a shared machine.
LATE_S = BUDGET_S * 3 + 5


def _write(kind: str, name: str, data: object) -> Path:
    folder = paths.data_dir() / kind
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _playbook(pattern: str) -> dict[str, object]:
    return {
        "statements": [
            {"id": "safe", "statement": "Copies are limited.", "topic": ["copies"]},
            {"id": "conf", "statement": "Information is confidential.", "entail": [pattern]},
        ]
    }


def _fieldset(pattern: str) -> dict[str, object]:
    clause = {
        "enum": ["Yes", "No"],
        "description": "Is there a confidentiality clause?",
        "x-extractor": "clause",
        "x-cues": {"yes": [[pattern, 1.5]]},
    }
    return {"type": "object", "properties": {"confidentiality": clause}}


@pytest.mark.parametrize(
    "pattern", [HOSTILE, r"(x+)+y", r"(x*)*y", r"(a|a)*b", r"(a|ab)*c", r"(?:\w+\s+){0,50}x"]
)
def test_backtracking_cue_in_a_playbook_is_refused_naming_file_and_statement(
    pattern: str,
) -> None:
    path = _write("playbooks", "hostile", _playbook(pattern))
    with pytest.raises(PlaybookError, match="can take forever") as caught:
        load_playbook("hostile")
    assert str(path) in caught.value.message and "statement 2 (conf) entail" in caught.value.message


def test_backtracking_cue_in_a_field_set_or_template_is_refused_naming_the_field() -> None:
    _write("fieldsets", "hostile", _fieldset(HOSTILE))
    with pytest.raises(FieldSetError, match="can take forever") as caught:
        load_fieldset("hostile")
    assert "hostile.json" in caught.value.message and "'confidentiality'" in caught.value.message

    template = {
        "facts": _fieldset(HOSTILE)["properties"],
        "body": [{"text": "Dear Sir, {confidentiality}."}],
    }
    _write("templates", "hostile", template)
    with pytest.raises(TemplateError, match="can take forever") as caught_t:
        load_template("hostile")
    assert "hostile.json" in caught_t.value.message


def test_an_overlong_cue_is_refused() -> None:
    long = "confiden" * (MAX_PATTERN_CHARS // 8 + 1)
    _write("playbooks", "long", _playbook(long))
    with pytest.raises(PlaybookError, match="over the limit"):
        load_playbook("long")


def test_every_built_in_pattern_passes_the_check() -> None:
    books = [load_playbook(name) for name in list_playbooks()]
    cues = [c.pattern for b in books for s in b.statements for c in s.topic + s.entail]
    for name in list_fieldsets():
        for item in load_fieldset(name).fields:
            node = item.cues or {}
            cues += [p for p, _ in node.get("yes", [])] + list(node.get("not", []))
    assert len(cues) > 100
    assert [c for c in cues if pattern_problem(c) is not None] == []


def test_harmless_repeats_pass_the_check() -> None:
    for pattern in [r"(?:the|this)\s+agreement", r"(foo|bar)+", r"(\w+\s+){0,5}consent", r"\w+"]:
        assert pattern_problem(pattern) is None, pattern


def test_a_slow_cue_in_review_is_stopped_by_the_budget_naming_its_file() -> None:
    path = _write("playbooks", "slow", _playbook(SLOW))
    book = load_playbook("slow")  # passes the static check
    statement = book.statement("conf")
    sentences = review_sentences([Page(1, " ".join([SENTENCE] * 3))])
    start = time.monotonic()
    with pytest.raises(CueTimeoutError) as caught:
        rank_sentences(statement, sentences, build_query(statement.statement))
    elapsed = time.monotonic() - start
    assert elapsed < LATE_S, elapsed
    assert path.name in caught.value.message and SLOW[:20] in caught.value.message


def test_a_slow_cue_in_extract_is_stopped_by_the_budget() -> None:
    _write("fieldsets", "slow", _fieldset(SLOW))
    item = load_fieldset("slow").field("confidentiality")
    doc = DocumentText([Page(1, SENTENCE), Page(2, SENTENCE)])
    start = time.monotonic()
    with pytest.raises(CueTimeoutError, match="confidentiality"):
        Extractors(doc).candidates(
            "clause", Cues.parse(item.cues or {}, "field 'confidentiality' x-cues")
        )
    assert time.monotonic() - start < LATE_S


def test_cancel_during_a_slow_cue_ends_as_cancelled() -> None:
    """The GUI's Cancel and the CLI's Ctrl-C trip the token while a match runs."""
    cue = compile_cue(SLOW, "test")
    cancel = CancelToken()
    timer = threading.Timer(0.2, cancel.cancel)
    timer.start()
    start = time.monotonic()
    try:
        with pytest.raises(CancelledError):
            CueBudget(cancel=cancel).search(cue, SENTENCE)
    finally:
        timer.cancel()
    assert time.monotonic() - start < LATE_S
    with pytest.raises(CancelledError):  # and no further match starts
        CueBudget(cancel=cancel).search(compile_cue("consent", "test"), SENTENCE)


def test_ctrl_c_interrupts_a_slow_cue_mid_match() -> None:
    """With Python's default SIGINT handler, the match stops at once."""
    cue = compile_cue(SLOW, "test")
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    try:
        timer.start()
        with pytest.raises(KeyboardInterrupt):
            CueBudget(seconds=60).search(cue, SENTENCE * 3)
    finally:
        timer.cancel()
        signal.signal(signal.SIGINT, previous)
    assert time.monotonic() - start < 10
