"""One session for a task verb: load the model, open the vault, catch Ctrl-C, close both.

Every model-backed verb (ask, summarise, extract, draft, evaluate, review) needs the same
ladder, in the same order, with the same clean-up whatever happens inside:

    with task_session(args) as session:
        ids = session.documents(args.documents)
        grid = run_extract(ids, fieldset, session.engine, session.vault,
                           progress=session.progress, cancel=session.cancel)

The engine comes from app.engine.backend.open_backend (the one place that picks the local
model or the firm server). ``use_engine_factory`` is the seam tests use to hand the
verbs the session's already loaded model instead.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from app.cancel import CancelToken
from app.commands._output import ProgressLine, interruptible
from app.commands._unlock import close_vault, open_vault
from app.engine.protocol import EngineHandle
from app.errors import UsageError
from app.vault import DocumentInfo, Vault

EngineFactory = Callable[[str | None], EngineHandle]

_factory: EngineFactory | None = None


@contextmanager
def use_engine_factory(factory: EngineFactory) -> Iterator[None]:
    """Make the verbs get their engine from ``factory`` (``model id -> engine``) meanwhile.

    The session closes the engine it was given, so a factory sharing one engine hands out
    a wrapper whose ``close`` does nothing (tests/fixtures/engine.py).
    """
    global _factory
    previous: EngineFactory | None
    previous, _factory = _factory, factory
    try:
        yield
    finally:
        _factory = previous


@dataclass(frozen=True)
class TaskSession:
    engine: EngineHandle
    #: None for a verb that opens no matter (``task_session(args, vault=False)``).
    opened: Vault | None
    progress: ProgressLine
    cancel: CancelToken

    @property
    def vault(self) -> Vault:
        if self.opened is None:
            raise RuntimeError("This session was opened with vault=False.")
        return self.opened

    def document(self, ref: str) -> str:
        """The id of the document named by id, unique id prefix or exact title."""
        return find_document(self.vault.list_documents(), ref)

    def documents(self, refs: Sequence[str], *, all_if_none: bool = True) -> list[str]:
        """Ids of the documents named, in order, once each; every top-level document when
        ``refs`` is empty and ``all_if_none``."""
        documents = self.vault.list_documents()
        if not refs:
            return [d.id for d in documents if d.parent_id is None] if all_if_none else []
        return list(dict.fromkeys(find_document(documents, ref) for ref in refs))


def find_document(documents: Sequence[DocumentInfo], ref: str) -> str:
    """By exact id, then exact title, then unique id prefix (4+ characters)."""
    for match in (
        [d for d in documents if d.id == ref],
        [d for d in documents if d.title == ref],
        [d for d in documents if d.id.startswith(ref.lower())] if len(ref) >= 4 else [],
    ):
        if len(match) == 1:
            return match[0].id
        if len(match) > 1:
            raise UsageError(
                f"{len(match)} documents match {ref!r}.", "Give more of the document's id."
            )
    raise UsageError(f"No document {ref!r} in this vault.", "List them with `chambers docs VAULT`.")


def _engine(args: argparse.Namespace, vault: bool) -> EngineHandle:
    """The local model, or the firm server where the policy and settings send this matter.

    Only when the settings choose a server is the matter looked up first; otherwise
    nothing changes and nothing touches the network. A verb with no matter (the
    evaluations) always runs on this computer.
    """
    from app.config import load_settings
    from app.engine.backend import open_backend
    from app.tasks.audited import record_inference_call

    model = getattr(args, "model", None)
    if _factory is not None:
        return _factory(model)
    settings = load_settings()
    keys: list[str] = []
    if vault and settings.inference_server:
        from app.vault import find_vault

        info = find_vault(args.vault)
        keys = [info.vault_id, info.name]
    return open_backend(
        model, matter=keys, settings=settings, local_only=not vault, on_call=record_inference_call
    )


@contextmanager
def task_session(args: argparse.Namespace, *, vault: bool = True) -> Iterator[TaskSession]:
    """The model (``args.model``), the unlocked matter (``args.vault``) and a Ctrl-C token;
    both are closed on the way out, whatever happened."""
    engine = _engine(args, vault)
    try:
        opened = open_vault(args) if vault else None
        try:
            with interruptible() as (progress, cancel):
                yield TaskSession(engine, opened, progress, cancel)
        finally:
            if opened is not None:
                close_vault(opened)
    finally:
        engine.close()
