"""Managed settings from IT: machine policy first, and anything else can only tighten it.

The machine sources (app/policy_sources.py) are read first: ``/etc/chambers/policy.json``
and ``/etc/chambers/policy.d/*.json`` on Linux, ``HKLM\\SOFTWARE\\Policies\\Chambers`` on
Windows, managed preferences on macOS. Several machine documents merge *strictest-wins*
(each key has its own rule below). Then the user-level file (``CHAMBERS_POLICY`` if set,
else ``<data>/policy.json``) is applied, but it can only add restrictions: a key the
machine did not set starts from its default, and the user's value is merged with the
same strictest-wins rule, so deleting, emptying or replacing the user file never loosens
what IT set. Environment variables that point elsewhere (``CHAMBERS_MODELS_DIR``) yield to
the policy too. The app reads policy and never writes it.

Every audit record carries ``policy_hash()``: with one policy document in force it is the
SHA-256 of that file's bytes exactly as deployed (``sha256sum policy.json``). With several
it is the SHA-256 of what ``sha256sum`` prints for them in the order applied, so an
auditor recomputes it with
``sha256sum /etc/chambers/policy.json /etc/chambers/policy.d/*.json [user file] | sha256sum``
(registry and plist sources use their canonical bytes, see policy_sources). No document
at all gives ``"none"``.

Keys (all optional; unknown keys and wrong types are errors naming the file)::

    {
      "audit":    {"checkpoint_interval": 100,          # min wins (1..100000)
                   "allow_file_signing_key": false,     # default false; false wins
                   "witness": "none",                   # "syslog": every record to syslog
                   "syslog_socket": "/dev/log"},        # first source wins
      "models":   {"folder": "/srv/chambers/models",    # first source wins (a read-only share)
                   "allow_user_trust": false,           # `models import --trust`; false wins
                   "allowed_sha256": ["<64 hex>", ...]},# only these models load; intersection
      "vault":    {"user_may_accept_restore": true,     # false: only IT accepts; false wins
                   "accepted_restores": ["<id>:<gen>"]},# restored copies IT accepted (machine)
      "security": {"auto_lock_max_minutes": 15},        # users may lock sooner, never later; min
      "ocr":      {"enabled": true,                     # OCR scans on import; false wins
                   "languages": "eng"},                 # fixes the OCR languages; first wins
      "inference": {"servers": [                        # firm inference servers (default: none);
          {"base_url": "https://llm.firm.example",      # intersection by base_url
           "fingerprint": "sha256:<64 hex>",            # or "ca_cert": "/etc/chambers/ca.pem"
           "models": ["qwen..."], "matters": ["M-1"],   # optional narrowing lists
           "max_parallel": 8,                           # most documents at once (optional)
           "max_timeout_seconds": 300}]},               # longest wait per request (optional)
      "settings": {"auto_lock_minutes": 10,             # user settings fixed by IT: first
                   "threads": 4}                        # source wins (auto-lock: shortest)
    }
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import paths
from app.errors import ChambersError
from app.policy_sources import (
    PolicyDocument,
    PolicySource,
    SourceError,
    platform_sources,
    read_json_file,
)

#: What ``policy_hash()`` returns when no policy document exists.
NO_POLICY = "none"

#: The machine-wide sources for this platform. Never changed at run time.
MACHINE_SOURCES: tuple[PolicySource, ...] = platform_sources()
#: Extra machine-level sources, read *after* MACHINE_SOURCES. Tests append a fake /etc
#: here (monkeypatch); nothing a user controls (no variable, no file) can reach it, and it
#: can only add documents, never drop the real machine ones.
EXTRA_MACHINE_SOURCES: list[PolicySource] = []


class PolicyError(ChambersError):
    default_hint = (
        "A managed policy document is damaged or holds a setting Chambers does not know. "
        "Ask IT to fix and deploy it again (/etc/chambers/policy.json and policy.d/ on Linux, "
        "the Chambers Group Policy on Windows, the configuration profile on macOS; the user "
        "file is CHAMBERS_POLICY or policy.json in the Chambers data folder)."
    )


class PolicyForbidsError(ChambersError):
    """An action the managed policy does not allow (not a damaged policy)."""

    exit_code = 3
    default_hint = "Ask IT: this is set by your organisation's managed policy."


def _is_int(value: Any, low: int, high: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high


_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_SERVER_FIELDS = {
    "base_url",
    "ca_cert",
    "fingerprint",
    "models",
    "matters",
    "max_parallel",
    "max_timeout_seconds",
}


def _is_str_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_hash_list(value: Any) -> bool:
    return _is_str_list(value) and all(_HEX64.match(v) for v in value)


def _is_servers(value: Any) -> bool:
    if not isinstance(value, list):
        return False
    for item in value:
        if not isinstance(item, dict) or set(item) - _SERVER_FIELDS:
            return False
        url = item.get("base_url")
        if not isinstance(url, str) or not url.startswith(("https://", "http://")):
            return False
        pins = [item.get(k) for k in ("ca_cert", "fingerprint") if k in item]
        if len(pins) != 1 or not isinstance(pins[0], str) or not pins[0]:
            return False
        if any(k in item and not _is_str_list(item[k]) for k in ("models", "matters")):
            return False
        if "max_parallel" in item and not _is_int(item["max_parallel"], 1, 1024):
            return False
        if "max_timeout_seconds" in item and not _is_int(item["max_timeout_seconds"], 1, 86400):
            return False
    return True


def _first(earlier: Any, later: Any) -> Any:
    return earlier


def _intersect(earlier: list[Any], later: list[Any]) -> list[Any]:
    return [item for item in earlier if item in later]


def _intersect_servers(earlier: list[dict[str, Any]], later: list[dict[str, Any]]) -> list[Any]:
    urls = {server["base_url"] for server in later}
    return [server for server in earlier if server["base_url"] in urls]


@dataclass(frozen=True)
class Key:
    """One policy key: what a valid value is, and how two values merge (strictest wins)."""

    check: Callable[[Any], bool]
    expected: str
    stricter: Callable[[Any, Any], Any]
    #: The value in force when no machine source sets it (None: no restriction).
    default: Any = None


#: Every known key. Another feature adds its key here: (section, name) -> Key.
KEYS: dict[tuple[str, str], Key] = {
    ("audit", "checkpoint_interval"): Key(
        lambda v: _is_int(v, 1, 100_000), "an integer 1..100000", min, 100
    ),
    ("audit", "allow_file_signing_key"): Key(
        lambda v: isinstance(v, bool), "true or false", lambda a, b: a and b, False
    ),
    ("audit", "witness"): Key(
        lambda v: v in ("none", "syslog"),
        '"none" or "syslog"',
        lambda a, b: "syslog" if "syslog" in (a, b) else "none",
        "none",
    ),
    ("audit", "syslog_socket"): Key(  # machine only: a user file cannot redirect the witness
        lambda v: isinstance(v, str) and Path(v).is_absolute(),
        "an absolute path",
        _first,
        "/dev/log",
    ),
    ("models", "folder"): Key(
        lambda v: isinstance(v, str) and Path(v).is_absolute(), "an absolute path", _first
    ),
    ("models", "allow_user_trust"): Key(
        lambda v: isinstance(v, bool), "true or false", lambda a, b: a and b, True
    ),
    ("models", "allowed_sha256"): Key(
        _is_hash_list, "a list of lower-case SHA-256 hex strings", _intersect
    ),
    ("vault", "user_may_accept_restore"): Key(
        lambda v: isinstance(v, bool), "true or false", lambda a, b: a and b, True
    ),
    ("vault", "accepted_restores"): Key(  # machine only: a user file cannot accept
        lambda v: _is_str_list(v) and all(re.match(r"^[0-9a-f]{32}:[0-9]+$", x) for x in v),
        'a list of "<vault id>:<generation>" strings',
        _intersect,
        [],
    ),
    ("security", "auto_lock_max_minutes"): Key(
        lambda v: _is_int(v, 1, 24 * 60), "an integer 1..1440 (minutes)", min
    ),
    ("ocr", "enabled"): Key(  # OCR of scanned pages on import; false wins
        lambda v: isinstance(v, bool), "true or false", lambda a, b: a and b, True
    ),
    ("ocr", "languages"): Key(  # Tesseract languages, e.g. "eng+deu"; first source wins
        lambda v: (
            isinstance(v, str) and re.fullmatch(r"[A-Za-z0-9_]+(\+[A-Za-z0-9_]+)*", v) is not None
        ),
        'Tesseract language codes joined by "+", e.g. "eng+deu"',
        _first,
    ),
    ("inference", "servers"): Key(
        _is_servers,
        "a list of {base_url, ca_cert or fingerprint, models?, matters?, max_parallel?, "
        "max_timeout_seconds?} objects",
        _intersect_servers,
        [],
    ),
}


def _stricter_setting(name: str, earlier: Any, later: Any) -> Any:
    """Settings IT fixes: the first source wins, except that the shortest auto-lock wins."""
    if name == "auto_lock_minutes" and isinstance(earlier, int) and isinstance(later, int):
        positive = [v for v in (earlier, later) if v > 0]  # 0 = never, the loosest
        return min(positive) if positive else 0
    return earlier


@dataclass
class Policy:
    """The merged policy and the documents it came from (for the hash and for messages)."""

    values: dict[str, dict[str, Any]] = field(default_factory=dict)
    origins: dict[str, str] = field(default_factory=dict)
    documents: list[PolicyDocument] = field(default_factory=list)

    def get(self, section: str, name: str, default: Any = None) -> Any:
        return self.values.get(section, {}).get(name, default)

    def origin(self, section: str, name: str) -> str:
        return self.origins.get(f"{section}.{name}", "the managed policy")

    @property
    def hash(self) -> str:
        if not self.documents:
            return NO_POLICY
        if len(self.documents) == 1:
            return hashlib.sha256(self.documents[0].raw).hexdigest()
        listing = "".join(
            f"{hashlib.sha256(doc.raw).hexdigest()}  {doc.origin}\n" for doc in self.documents
        )
        return hashlib.sha256(listing.encode("utf-8")).hexdigest()


def _validate(doc: PolicyDocument) -> None:
    for section, block in doc.content.items():
        if not isinstance(block, dict):
            raise PolicyError(f'"{section}" in {doc.origin} must be an object of name: value.')
        if section == "settings":
            continue  # checked against app/config.Settings in managed_settings()
        for name, value in block.items():
            key = KEYS.get((section, name))
            if key is None:
                known = ", ".join(sorted(f"{s}.{n}" for s, n in KEYS))
                raise PolicyError(
                    f"{section}.{name} in {doc.origin} is not a Chambers policy key "
                    f"(known: {known}, settings.*)."
                )
            if not key.check(value):
                raise PolicyError(f"{section}.{name} in {doc.origin} must be {key.expected}.")


def _apply(policy: Policy, doc: PolicyDocument, *, machine: bool) -> None:
    """Merge one document into ``policy``; a user-level one starts from the defaults."""
    for section, block in doc.content.items():
        merged = policy.values.setdefault(section, {})
        for name, value in block.items():
            where = f"{section}.{name}"
            if name in merged:
                if section == "settings":
                    new = _stricter_setting(name, merged[name], value)
                else:
                    new = KEYS[(section, name)].stricter(merged[name], value)
            elif (
                not machine and section != "settings" and KEYS[(section, name)].default is not None
            ):
                key = KEYS[(section, name)]
                new = key.stricter(key.default, value)
            else:
                new = value
            if where not in policy.origins or new != merged.get(name):
                policy.origins[where] = doc.origin
            merged[name] = new
    policy.documents.append(doc)


def policy_path() -> Path:
    """Where the user-level policy file is expected (it may not exist)."""
    override = os.environ.get("CHAMBERS_POLICY")
    return Path(override) if override else paths.data_dir() / "policy.json"


def _read(sources: Sequence[PolicySource]) -> list[PolicyDocument]:
    docs: list[PolicyDocument] = []
    try:
        for source in sources:
            docs.extend(source.documents())
    except SourceError as exc:
        raise PolicyError(f"The policy document {exc.origin} is unusable: {exc.reason}.") from exc
    return docs


def effective_policy() -> Policy:
    """Machine documents merged strictest-wins, then the user file, which only tightens."""
    policy = Policy()
    for doc in _read([*MACHINE_SOURCES, *EXTRA_MACHINE_SOURCES]):
        _validate(doc)
        _apply(policy, doc, machine=True)
    try:
        user = read_json_file(policy_path())
    except SourceError as exc:
        raise PolicyError(f"The policy document {exc.origin} is unusable: {exc.reason}.") from exc
    if user is not None:
        _validate(user)
        _apply(policy, user, machine=False)
    return policy


def policy_hash() -> str:
    """SHA-256 (hex) of the policy in force (see the module docstring), or ``"none"``."""
    return effective_policy().hash


def load_policy() -> dict[str, Any]:
    """The merged policy as ``{section: {name: value}}`` (empty without any document).

    A broken policy must not silently fall back to defaults: that would loosen what IT set.
    """
    return effective_policy().values


def policy_value(section: str, name: str, default: Any) -> Any:
    """``policy[section][name]`` as merged, else ``default``."""
    return effective_policy().get(section, name, default)


def audit_checkpoint_interval(default: int = 100) -> int:
    """How many records between signed checkpoints."""
    value: int = policy_value("audit", "checkpoint_interval", default)
    return value


def allow_file_signing_key() -> bool:
    """Whether the audit signing key may fall back to a wrapped file when no keyring works.

    Off unless machine policy turns it on: the wrap key comes from non-secret machine facts,
    so the file stops only a copied key, not a thief or the user (docs/audit-format.md).
    """
    return bool(policy_value("audit", "allow_file_signing_key", False))


def audit_witness() -> str:
    """``"syslog"`` when every audit record must also be sent to syslog (app/audit/witness)."""
    return str(policy_value("audit", "witness", "none"))


def audit_syslog_socket() -> str:
    """The syslog datagram socket for the audit witness."""
    return str(policy_value("audit", "syslog_socket", "/dev/log"))


def models_folder() -> Path | None:
    """The models folder IT fixed (e.g. a read-only share), or None."""
    value = policy_value("models", "folder", None)
    return Path(value) if value else None


def restore_accepted_by_policy(vault_id: str, generation: int) -> bool:
    """Whether IT accepted this restored vault copy (``vault.accepted_restores``)."""
    return f"{vault_id}:{generation}" in policy_value("vault", "accepted_restores", [])


def require_user_may_accept_restore() -> None:
    """Refuse `vault accept-restore` where IT keeps that decision (policy)."""
    policy = effective_policy()
    if not policy.get("vault", "user_may_accept_restore", True):
        raise PolicyForbidsError(
            "Accepting a vault restored from an older copy is left to IT by "
            f"vault.user_may_accept_restore in {policy.origin('vault', 'user_may_accept_restore')}.",
            'Ask IT to add "<vault id>:<generation>" to vault.accepted_restores in the '
            "machine policy; the vault then opens and the acceptance is audited.",
        )


def require_user_trust_allowed() -> None:
    """Refuse ``models import --trust`` where policy forbids users trusting models."""
    policy = effective_policy()
    if not policy.get("models", "allow_user_trust", True):
        raise PolicyForbidsError(
            "Importing a model on your own authority (--trust) is not allowed by "
            f"models.allow_user_trust in {policy.origin('models', 'allow_user_trust')}.",
            "Ask IT to approve the model in a signed bundle (`chambers bundle import`).",
        )


def require_model_allowed(sha256: str, what: str) -> None:
    """Refuse a model whose hash is not on the policy's allow-list (when one is set)."""
    policy = effective_policy()
    allowed = policy.get("models", "allowed_sha256")
    if allowed is not None and sha256.lower() not in allowed:
        raise PolicyForbidsError(
            f"{what} (SHA-256 {sha256[:16]}…) is not on the allow-list in "
            f"{policy.origin('models', 'allowed_sha256')} (models.allowed_sha256).",
            "Ask IT to add its hash to the managed policy, or choose an allowed model.",
        )


def auto_lock_max_minutes() -> int | None:
    """The longest idle time before matters lock that IT allows (None: no limit)."""
    value = policy_value("security", "auto_lock_max_minutes", None)
    return value if isinstance(value, int) else None


def ocr_allowed() -> bool:
    """False when IT turned OCR of scanned documents off (ocr.enabled)."""
    return policy_value("ocr", "enabled", True) is not False


def ocr_languages() -> str | None:
    """The OCR languages IT fixed (ocr.languages), or None to let the user choose."""
    value = policy_value("ocr", "languages", None)
    return value if isinstance(value, str) else None


def inference_servers() -> list[dict[str, Any]]:
    """The firm inference servers policy allows (none unless the machine policy lists them)."""
    servers: list[dict[str, Any]] = policy_value("inference", "servers", [])
    return [dict(server) for server in servers]


def managed_settings(allowed: dict[str, type]) -> dict[str, Any]:
    """The user settings IT fixed (``policy["settings"]``), checked against ``allowed``.

    ``allowed`` maps each setting's name to its type (app/config.Settings). An unknown
    name or a value of the wrong type is an error, not ignored: IT must learn that the
    setting they meant to enforce is not in force.
    """
    policy = effective_policy()
    block = policy.values.get("settings", {})
    for name, value in block.items():
        origin = policy.origin("settings", name)
        if name not in allowed:
            raise PolicyError(
                f"settings.{name} in {origin} is not a Chambers setting "
                f"(known: {', '.join(sorted(allowed))})."
            )
        if isinstance(value, bool) or not isinstance(value, allowed[name]):
            raise PolicyError(f"settings.{name} in {origin} must be a {allowed[name].__name__}.")
    return dict(block)
