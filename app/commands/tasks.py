"""`chambers ask`: a question over one matter, answered with checked citations.

Prints the answer, then one line per citation (``[title, p. N] "quote" (verified)``);
--json prints the whole result. Ctrl-C cancels within one token (exit 130). One audit
record ``task.run`` says which documents were read, by which model, how long it took and
how it ended; the question and the answer never go into the log.
"""

from __future__ import annotations

import argparse
from typing import Any

from app.commands._output import print_json
from app.commands._unlock import add_unlock_arguments
from app.commands.extract import register_extract
from app.commands.session import task_session
from app.errors import UsageError
from app.tasks.ask import Answer
from app.tasks.audited import run_ask, run_summarise, run_summarise_batch
from app.tasks.summarise.pipeline import STYLES, Summary


def register(sub: Any) -> None:
    p = sub.add_parser("ask", help="ask a question about one matter, answered with citations")
    p.add_argument("vault", metavar="VAULT")
    p.add_argument("question", help="the question, in plain language")
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    p.add_argument("--docs", nargs="+", metavar="DOC", help="only these documents (ids)")
    p.add_argument(
        "--no-routing",
        action="store_true",
        help="skip the field and playbook rules: the model chooses among retrieved sentences",
    )
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_unlock_arguments(p)
    p.set_defaults(func=_ask)
    register_extract(sub)
    register_summarise(sub)


def _quote(text: str) -> str:
    return text if len(text) <= 200 else text[:197] + "..."


def format_answer(answer: Answer) -> str:
    """The answer, then each cited sentence with its document and page.

    An unconfirmed answer says so first and shows the sentences as what the documents
    say; a "not stated" answer lists the closest sentences, marked as not an answer.
    """
    lines = [answer.text]
    for c in answer.citations:
        mark = "" if c.verified else " (NOT found on the page)"
        lines.append(f'  [{c.title}, p. {c.page}] "{_quote(c.quote)}"{mark}')
    if answer.closest and not answer.citations:
        lines.append("The closest sentences (they do not answer the question):")
        lines += [f'  [{c.title}, p. {c.page}] "{_quote(c.quote)}"' for c in answer.closest]
    if answer.unsupported:
        lines.append("Not in the cited sentences: " + ", ".join(answer.unsupported))
    return "\n".join(lines)


def _ask(args: argparse.Namespace) -> int:
    if not args.question.strip():
        raise UsageError("The question is empty.", "Type a question in quotes after the vault.")
    with task_session(args) as session:
        answer = run_ask(
            args.question,
            session.engine,
            session.vault,
            document_ids=args.docs,
            routing=not args.no_routing,
            progress=session.progress,
            cancel=session.cancel,
        )
    if args.json:
        print_json(answer.to_json())
    else:
        print(format_answer(answer))
    return 0


# -- summarise -------------------------------------------------------------------------


def register_summarise(sub: Any) -> None:
    p = sub.add_parser(
        "summarise",
        help="summarise documents, every point citing its page",
        description="Summarise one or several documents. Several run concurrently on the "
        "firm inference server (settings.server_parallel at a time), one at a time on this "
        "computer; finished parts are kept, so a rerun after an error or Ctrl-C resumes.",
    )
    p.add_argument("vault", metavar="VAULT")
    p.add_argument(
        "documents", metavar="DOC", nargs="*", help="document id, unique id prefix, or title"
    )
    p.add_argument("--all", action="store_true", help="every top-level document of the matter")
    p.add_argument("--style", choices=STYLES, default="brief", help="default: brief")
    p.add_argument(
        "--fieldset",
        help="field set for the key terms (default: due-diligence if installed, else "
        "commercial-contract)",
    )
    p.add_argument("--model", help="model id (default: the settings' or catalog default)")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    add_unlock_arguments(p)
    p.set_defaults(func=_summarise)


def format_summary(summary: Summary) -> str:
    lines = [summary.text] if summary.text else ["(No points: the pages hold no text.)"]
    if summary.empty_pages:
        pages = ", ".join(str(p) for p in summary.empty_pages)
        lines.append(f"Pages with no text (they may need OCR): {pages}")
    lines.append(f"Pages covered: {len(summary.covered_pages)}/{summary.total_pages}")
    return "\n".join(lines)


def _summarise(args: argparse.Namespace) -> int:
    if bool(args.documents) == bool(args.all):
        raise UsageError("Name the documents to summarise, or give --all (not both).")
    with task_session(args) as session:
        ids = session.documents(args.documents)
        if len(ids) == 1 and not args.all:
            summary = run_summarise(
                ids[0],
                session.engine,
                session.vault,
                style=args.style,
                progress=session.progress,
                cancel=session.cancel,
                fieldset=args.fieldset,
            )
            summaries = [summary]
        else:
            summaries = run_summarise_batch(
                ids,
                session.engine,
                session.vault,
                style=args.style,
                progress=session.progress,
                cancel=session.cancel,
                fieldset=args.fieldset,
            )
    if args.json:
        print_json(
            summaries[0].to_json()
            if len(summaries) == 1 and not args.all
            else [s.to_json() for s in summaries]
        )
    elif len(summaries) == 1:
        print(format_summary(summaries[0]))
    else:
        print("\n\n".join(f"== {s.title} ==\n{format_summary(s)}" for s in summaries))
    return 0
