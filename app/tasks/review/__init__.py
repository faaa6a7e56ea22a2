"""Review a document against a playbook: each statement Entailment / Contradiction /
NotMentioned, with a verbatim quote and its page.

The public API the CLI (`chambers review`), the desktop Review panel and the evaluation
(app/evaluation/playbook.py) use; the parts live in playbook.py (statements and cues),
candidates.py (verbatim sentences), decide.py (option scoring and the fitted combiner)
and review.py (the pipeline).
"""

from __future__ import annotations

from collections.abc import Callable

from app.cancel import CancelToken, Progress, no_progress
from app.engine.protocol import EngineLike
from app.tasks.audited import audited_task
from app.tasks.review.decide import LABELS, Label
from app.tasks.review.playbook import (
    Playbook,
    PlaybookError,
    Statement,
    list_playbooks,
    load_playbook,
)
from app.tasks.review.review import ReviewResult, ReviewRow, review_document
from app.vault import Vault

__all__ = [
    "LABELS",
    "Label",
    "Playbook",
    "PlaybookError",
    "ReviewResult",
    "ReviewRow",
    "Statement",
    "list_playbooks",
    "load_playbook",
    "review_document",
    "run_review",
]


def run_review(
    engine: EngineLike,
    vault: Vault,
    document_id: str,
    playbook: str | Playbook,
    *,
    progress: Progress = no_progress,
    cancel: CancelToken | None = None,
    on_row: Callable[[ReviewRow], None] | None = None,
) -> ReviewResult:
    """``review_document`` with its ``task.run`` audit record: ids and counts, never text."""
    with audited_task("review", vault, engine) as record:
        record.document_ids = [document_id]
        result = review_document(
            engine, vault, document_id, playbook, progress=progress, cancel=cancel, on_row=on_row
        )
        counts = result.counts()
        record.details.update(
            playbook=result.playbook,
            statements=len(result.rows),
            entailment=counts["Entailment"],
            contradiction=counts["Contradiction"],
            not_mentioned=counts["NotMentioned"],
            verified=sum(r.verified for r in result.rows),
            model_calls=sum(r.decided_by == "model" for r in result.rows),
        )
    return result
