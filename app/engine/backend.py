"""Where the model runs: this computer, or the firm's inference server the policy allows.

The decision is made here, once, from three things: the machine policy
(``inference.servers``, app/policy.py), the user's settings (``inference_server``, the
base URL the user or IT chose; empty means this computer) and the matter (a server entry
may list the matters allowed to use it, by vault id or matter name). Every refusal
happens before a socket is opened: a server the policy does not list, a model it does not
allow for that server, or a matter it does not allow when the server was asked for
explicitly. With no ``inference.servers`` in the policy nothing here touches the network.

``open_backend`` is the one place that picks the backend: the CLI session and the
desktop app's engine service both ask it. Adding a backend is one module plus its line
here; the owner injects the audit listener (``on_call``), so no backend imports the
audit package.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.config import Settings, load_settings
from app.engine.context import CallListener
from app.engine.llama_backend import schema_to_gbnf
from app.engine.loader import load_engine
from app.engine.protocol import EngineHandle
from app.engine.remote import RemoteEngine
from app.engine.server_link import ServerConfig
from app.errors import ChambersError
from app.policy import PolicyForbidsError, effective_policy, inference_servers

LOCAL = "On this computer"
#: The keyring entry holding a server's API key (app/vault/oskeyring, service "Chambers").
KEY_PREFIX = "inference-api-key:"
DEFAULT_SERVER_CONTEXT = 8192


@dataclass(frozen=True)
class Placement:
    """Where a matter's tasks run; ``server`` is None for this computer."""

    server: dict[str, Any] | None
    reason: str

    @property
    def label(self) -> str:
        """The status-bar text: "On this computer" or "Firm server: host"."""
        if self.server is None:
            return LOCAL
        return f"Firm server: {ServerConfig.from_policy(self.server).host}"


def _policy_entry(base_url: str) -> dict[str, Any]:
    wanted = base_url.rstrip("/")
    for entry in inference_servers():
        if str(entry["base_url"]).rstrip("/") == wanted:
            return entry
    origin = effective_policy().origin("inference", "servers")
    raise PolicyForbidsError(
        f"The inference server {wanted} is not listed in inference.servers of the machine "
        f"policy ({origin}); nothing was sent to it.",
        "Ask IT to add it to the machine policy, or clear the inference_server setting to "
        "run on this computer.",
    )


def _matter_allowed(entry: dict[str, Any], matter: Sequence[str]) -> bool:
    allowed = entry.get("matters")
    return allowed is None or any(key in allowed for key in matter)


def placement(
    matter: Sequence[str] = (), *, settings: Settings | None = None, model_id: str | None = None
) -> Placement:
    """Where tasks for ``matter`` (its vault id and/or name) run under the policy and settings.

    A server named in the settings but not in the policy raises PolicyForbidsError; a
    matter or model the server's entry does not allow runs on this computer instead.
    """
    settings = settings or load_settings()
    url = settings.inference_server
    if not url:
        return Placement(None, "no inference server is chosen in the settings")
    entry = _policy_entry(url)
    if matter and not _matter_allowed(entry, matter):
        return Placement(None, "the policy does not allow this matter on the firm server")
    model = _model_id(model_id, settings)
    if "models" in entry and model not in entry["models"]:
        return Placement(None, f"the policy does not allow {model} on the firm server")
    return Placement(entry, "the policy allows this matter on the firm server")


def allowed_parallel(entry: dict[str, Any], wanted: int) -> int:
    """Documents sent at once: the settings' ``server_parallel``, within the policy's
    ``max_parallel`` for that server (IT knows how many sequences it batches well)."""
    limit = entry.get("max_parallel")
    return max(1, min(wanted, limit) if isinstance(limit, int) else wanted)


def allowed_timeout(entry: dict[str, Any], wanted: int) -> int:
    """Seconds one request may take: the settings' ``server_timeout_seconds``, within the
    policy's ``max_timeout_seconds`` for that server (at least 1)."""
    limit = entry.get("max_timeout_seconds")
    return max(1, min(wanted, limit) if isinstance(limit, int) else wanted)


def _model_id(model_id: str | None, settings: Settings) -> str:
    from app.models.catalog import default_model_id

    return model_id or settings.default_model or default_model_id()


def _spec(model_id: str) -> Any:
    from app.models.store import known_models

    for model in known_models():
        if model.spec.id == model_id:
            return model.spec
    raise ChambersError(
        f"The model {model_id} is not in this computer's model catalog, so Chambers does "
        "not know its chat format or hash.",
        "Import IT's signed bundle that lists it (chambers bundle import).",
    )


def api_key(base_url: str) -> str | None:
    """The server's API key from the OS keyring, or None (no key stored, or no keyring)."""
    from app.vault.oskeyring import KeyringUnavailableError, load_secret

    try:
        secret = load_secret(KEY_PREFIX + base_url.rstrip("/"))
    except KeyringUnavailableError:
        return None
    return secret.decode("utf-8") if secret else None


def store_api_key(base_url: str, key: str) -> None:
    """Keep a server's API key in the OS keyring (never in a file or on a command line)."""
    from app.vault.oskeyring import store_secret

    _policy_entry(base_url)
    store_secret(KEY_PREFIX + base_url.rstrip("/"), key.encode("utf-8"))


def connect_server(
    base_url: str,
    model_id: str | None = None,
    *,
    matter: Sequence[str] = (),
    settings: Settings | None = None,
    on_call: CallListener,
) -> RemoteEngine:
    """A RemoteEngine for ``base_url``, refused before any request unless policy allows it.

    Order matters: the policy entry, the model and the matter are checked with no
    network at all; the first connection then pins the certificate before it sends the
    one request that asks the server which models it serves. ``on_call`` hears of every
    request, that first one included (app.tasks.audited.record_inference_call audits it).
    """
    settings = settings or load_settings()
    entry = _policy_entry(base_url)
    model = _model_id(model_id, settings)
    origin = effective_policy().origin("inference", "servers")
    if "models" in entry and model not in entry["models"]:
        raise PolicyForbidsError(
            f"The model {model} is not allowed on {entry['base_url']} by inference.servers "
            f"in {origin} (allowed: {', '.join(entry['models']) or 'none'}); nothing was sent.",
            "Choose an allowed model, or ask IT to add it to the server's models.",
        )
    if matter and not _matter_allowed(entry, matter):
        raise PolicyForbidsError(
            f"This matter may not use {entry['base_url']} under inference.servers in "
            f"{origin}; nothing was sent.",
            "Run it on this computer, or ask IT to add the matter to the server's matters.",
        )
    server = ServerConfig.from_policy(entry)
    spec = _spec(model)
    n_ctx = settings.context or min(spec.context_length, DEFAULT_SERVER_CONTEXT)
    engine = RemoteEngine(
        server,
        spec,
        n_ctx=n_ctx,
        api_key=api_key(server.base_url),
        parallel=allowed_parallel(entry, settings.server_parallel),
        timeout_s=allowed_timeout(entry, settings.server_timeout_seconds),
        on_call=on_call,
        gbnf_of=schema_to_gbnf,  # llama.cpp's servers read GBNF; vLLM the JSON schema
    )
    try:
        engine.check_model_served()
    except BaseException:
        engine.close()
        raise
    return engine


def open_backend(
    model_id: str | None = None,
    *,
    matter: Sequence[str] = (),
    settings: Settings | None = None,
    local_only: bool = False,
    on_call: CallListener,
) -> EngineHandle:
    """The engine for ``matter``: the firm server where policy and settings say so, else
    the model on this computer.

    ``local_only``: work that belongs to no matter (loading before one is opened, the
    evaluations on the dev set) always runs on this computer.
    """
    settings = settings or load_settings()
    chosen = (
        Placement(None, "no matter: this computer")
        if local_only
        else placement(matter, settings=settings, model_id=model_id)
    )
    if chosen.server is None:
        return load_engine(model_id, settings=settings)
    url = str(chosen.server["base_url"])
    return connect_server(url, model_id, matter=matter, settings=settings, on_call=on_call)
