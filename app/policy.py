"""Managed settings from IT (minimal for now; a later issue grows it).

IT deploys a JSON policy file to a fleet. It can only tighten what a user may do; the app
reads it, never writes it. Every audit record carries ``policy_hash()`` so an auditor can
tell which policy was in force when an action happened, and match it against the file IT
shipped with a plain ``sha256sum policy.json``. That is why the hash is taken over the raw
file bytes exactly as deployed, not over a re-serialised form.

Where the file lives: ``CHAMBERS_POLICY`` (a path) if set, else ``<data>/policy.json``.
No file means no policy: ``policy_hash()`` returns ``"none"`` and defaults apply.

Keys understood so far (all optional)::

    {
      "audit": {
        "checkpoint_interval": 100,        # sign a checkpoint every N records (1..100000)
        "allow_file_signing_key": true     # false: refuse the on-disk key fallback
      },
      "settings": {                        # user settings fixed by IT (see app/config.py)
        "auto_lock_minutes": 10,           # the user sees them, marked managed, but
        "threads": 4                       # cannot change them
      }
    }
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

from app import paths
from app.errors import ChambersError

#: What ``policy_hash()`` returns when no policy file exists.
NO_POLICY = "none"


class PolicyError(ChambersError):
    default_hint = (
        "The managed policy file is damaged. Ask IT to deploy it again "
        "(its location is CHAMBERS_POLICY, or policy.json in the Chambers data folder)."
    )


def policy_path() -> Path:
    """Where the policy file is expected (it may not exist)."""
    override = os.environ.get("CHAMBERS_POLICY")
    return Path(override) if override else paths.data_dir() / "policy.json"


def _read_bytes() -> bytes | None:
    try:
        return policy_path().read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise PolicyError(f"Cannot read the policy file {policy_path()}: {exc}") from exc


def policy_hash() -> str:
    """SHA-256 (hex) of the policy file's bytes as deployed, or ``"none"`` without one."""
    data = _read_bytes()
    return NO_POLICY if data is None else hashlib.sha256(data).hexdigest()


def load_policy() -> dict[str, Any]:
    """The parsed policy (empty without a file); a file that is not a JSON object is an error.

    A broken policy must not silently fall back to defaults: that would loosen what IT set.
    """
    data = _read_bytes()
    if data is None:
        return {}
    try:
        parsed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PolicyError(f"The policy file {policy_path()} is not valid JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise PolicyError(f"The policy file {policy_path()} must hold a JSON object.")
    return parsed


def policy_value(section: str, name: str, default: Any) -> Any:
    """``policy[section][name]`` if IT set it, else ``default``."""
    block = load_policy().get(section)
    if isinstance(block, dict) and name in block:
        return block[name]
    return default


def audit_checkpoint_interval(default: int = 100) -> int:
    """How many records between signed checkpoints."""
    value = policy_value("audit", "checkpoint_interval", default)
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100_000:
        raise PolicyError(
            f"audit.checkpoint_interval in {policy_path()} must be an integer 1..100000."
        )
    return value


def allow_file_signing_key() -> bool:
    """Whether the audit signing key may fall back to a wrapped file when no keyring works."""
    value = policy_value("audit", "allow_file_signing_key", True)
    if not isinstance(value, bool):
        raise PolicyError(f"audit.allow_file_signing_key in {policy_path()} must be true or false.")
    return value


def managed_settings(allowed: dict[str, type]) -> dict[str, Any]:
    """The user settings IT fixed (``policy["settings"]``), checked against ``allowed``.

    ``allowed`` maps each setting's name to its type (app/config.Settings). An unknown
    name or a value of the wrong type is an error, not ignored: IT must learn that the
    setting they meant to enforce is not in force.
    """
    block = load_policy().get("settings", {})
    if not isinstance(block, dict):
        raise PolicyError(f'"settings" in {policy_path()} must be an object of name: value.')
    for name, value in block.items():
        if name not in allowed:
            raise PolicyError(
                f"settings.{name} in {policy_path()} is not a Chambers setting "
                f"(known: {', '.join(sorted(allowed))})."
            )
        if isinstance(value, bool) or not isinstance(value, allowed[name]):
            raise PolicyError(
                f"settings.{name} in {policy_path()} must be a {allowed[name].__name__}."
            )
    return dict(block)
