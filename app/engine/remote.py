"""The second engine backend: the firm's own OpenAI-compatible inference server.

Tasks see the same ``EngineLike`` as with local llama.cpp. Prompts are rendered here with
the model's own chat format (as the local engine does) and sent to the *completions*
endpoint, so the server sees exactly the text the local engine would have evaluated:
answers, choices and therefore citations match a local run of the same model.

- Structured output: ``stream(schema=...)`` sends the bounded JSON schema as
  ``response_format`` (JSON Schema, read by vLLM) and, when the owner gave a GBNF writer
  (app/engine/backend.py gives llama.cpp's), as ``grammar`` too (read by llama.cpp's
  servers); each server ignores the field it does not know. Nothing here imports
  llama.cpp.
- Option scoring: ``max_tokens=1`` with ``logprobs=K``; a label outside the top K gets
  ``LOGPROB_FLOOR``.
- Trust: every connection pins the policy's certificate fingerprint (or verifies against
  the policy's CA file) right after the TLS handshake and before one byte of a request
  is written. Nothing here runs unless app/engine/backend.py found the server, the model
  and the matter in the machine policy.
- Audit: every request is told to the ``on_call`` listener the owner injects (one
  ``inference.call`` record: host, model, task, endpoint, byte counts, outcome; never
  content), so the engine does not import the audit package.
- Bounds: every request has an overall deadline (settings.server_timeout_seconds) and
  every answer a size cap (app/engine/server_link.py); a garbage answer becomes a short
  error naming the server, never a traceback. The server's own text is never copied into
  a message unless it is a short JSON error message, and the API key is redacted
  from anything shown (a proxy that echoes request headers would otherwise print it).
"""

from __future__ import annotations

import contextvars
import hashlib
import http.client
import json
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from app.cancel import CancelToken
from app.engine.calibration import CalibrationCache
from app.engine.chat import Message, render, stop_strings
from app.engine.context import CallListener, ServerCall, current_call
from app.engine.generation import DONE, Generation
from app.engine.identity import Capabilities, ModelIdentity
from app.engine.server_link import (
    MAX_ANSWER_BYTES,
    MAX_STREAM_BYTES,
    Connection,
    Deadline,
    ServerAnswerError,
    ServerConfig,
    ServerTrustError,
    ServerUnavailableError,
)
from app.engine.stats import GenerationStats, StatsFeed
from app.errors import ChambersError, EngineError
from app.models.catalog import ModelSpec

__all__ = [
    "LOGPROB_FLOOR",
    "RemoteEngine",
    "ServerAnswerError",
    "ServerConfig",
    "ServerTrustError",
    "ServerUnavailableError",
]

#: Log-probability given to an option label the server did not list in its top K.
LOGPROB_FLOOR = -30.0
#: How many next-token alternatives score_options asks for (vLLM's default cap is 20).
TOP_K = 20
_COUNT_CACHE = 4096
#: Grid workers finish requests at the same moment; their records go one at a time.
_CALL_LOCK = threading.Lock()
#: Writes GBNF for a JSON schema (llama.cpp's servers read ``grammar``).
GbnfWriter = Callable[[dict[str, Any]], str]
#: Model ids named in an error (a server may list thousands, each of any length).
_SHOWN_MODELS = 10
_SHOWN_CHARS = 200
_UNSAFE_RE = re.compile(r"[^\x20-\x7e]")
_SECRETISH_RE = re.compile(r"authorization|bearer|api[-_ ]?key|x-api|cookie", re.IGNORECASE)


def _short(text: str, limit: int = _SHOWN_CHARS) -> str:
    """One printable line of at most ``limit`` characters."""
    flat = _UNSAFE_RE.sub("?", text)
    return flat if len(flat) <= limit else flat[: limit - 3] + "..."


class RemoteEngine:
    """``EngineLike`` over an OpenAI-compatible server; safe to call from several threads."""

    def __init__(
        self,
        server: ServerConfig,
        spec: ModelSpec,
        *,
        n_ctx: int,
        api_key: str | None = None,
        parallel: int = 1,
        timeout_s: float = 600.0,
        on_call: CallListener,
        gbnf_of: GbnfWriter | None = None,
    ) -> None:
        self.server = server
        #: The longest one request may take, answer included (settings, bounded by policy).
        self.timeout_s = timeout_s
        self.spec = spec
        #: Documents a grid or batch may send at once (settings.server_parallel).
        self.parallel = max(1, parallel)
        self.capabilities = Capabilities(
            remote=True, parallel=self.parallel, server=server.base_url
        )
        self.calibration = CalibrationCache()
        self._api_key = api_key
        self._on_call = on_call
        self._gbnf_of = gbnf_of
        self._identity: ModelIdentity | None = ModelIdentity.of(spec, n_ctx)
        self._executor = ThreadPoolExecutor(
            max_workers=self.parallel + 1, thread_name_prefix="chambers-remote"
        )
        self._counts: OrderedDict[str, int] = OrderedDict()
        self._lock = threading.Lock()
        self._tokenize_path: str | None = None
        self.stats_feed = StatsFeed()
        self.last_score_stats: GenerationStats | None = None

    # -- plumbing ---------------------------------------------------------------------
    @property
    def identity(self) -> ModelIdentity | None:
        return self._identity

    @property
    def plan(self) -> None:
        """No local memory plan: the server's operator sized it."""
        return None

    @property
    def host(self) -> str:
        return self.server.host

    def _headers(self, length: int) -> dict[str, str]:
        headers = {
            "Content-Type": "application/json",
            "Content-Length": str(length),
            "Accept": "application/json, text/event-stream",
        }
        if self._api_key:
            headers["Authorization"] = f"Bearer {self._api_key}"
        return headers

    def _redact(self, text: str) -> str:
        """``text`` with the API key (in any spelling the server could echo) blanked out."""
        if self._api_key:
            for form in {self._api_key, json.dumps(self._api_key)[1:-1]}:
                text = text.replace(form, "[API key]")
        return text

    def _server_says(self, body: bytes) -> str:
        """A short JSON error message from the server, or "" (its raw body is never shown:
        a proxy that echoes the request would put the API key on the screen)."""
        try:
            doc = json.loads(body)
        except (ValueError, RecursionError):
            return ""
        error = doc.get("error", doc) if isinstance(doc, dict) else None
        message = error.get("message", error.get("detail")) if isinstance(error, dict) else error
        if not isinstance(message, str) or not message.strip():
            return ""
        text = self._redact(message)
        if "[API key]" in text or _SECRETISH_RE.search(text):
            return ""
        return ": " + _short(text)

    def _fail(self, message: str, exc: BaseException | None = None) -> EngineError:
        """An error about this server whose text is bounded and holds no API key."""
        detail = f" ({_short(self._redact(str(exc)))})" if exc is not None and str(exc) else ""
        return ServerAnswerError(self._redact(message) + detail)

    def _audit(self, endpoint: str, sent: int, received: int, outcome: str, start: float) -> None:
        call = current_call()
        record = ServerCall(
            task=call.task,
            vault_id=call.vault_id,
            host=self.server.host,
            port=self.server.port,
            model=self.spec.id,
            model_sha256=self.spec.sha256,
            endpoint=endpoint,
            bytes_sent=sent,
            bytes_received=received,
            outcome=outcome,
            duration_s=round(time.perf_counter() - start, 3),
        )
        with _CALL_LOCK:
            self._on_call(record)

    def _open(
        self, method: str, endpoint: str, payload: dict[str, Any] | None, *, root: bool = False
    ) -> tuple[Connection, http.client.HTTPResponse, int, float]:
        """Connect (certificate checked), send, and return the response once it is 200."""
        body = json.dumps(payload).encode("utf-8") if payload is not None else None
        start = time.perf_counter()
        conn = Connection(self.server, Deadline(self.timeout_s))
        prefix = self.server.prefix.removesuffix("/v1") if root else self.server.prefix
        try:
            response = conn.request(
                method, prefix + endpoint, body, self._headers(len(body or b""))
            )
        except ServerUnavailableError:
            self._audit(endpoint.strip("/"), len(body or b""), 0, "error", start)
            raise
        if response.status != 200:
            try:
                detail = conn.read_body(response, 4096, endpoint, truncate=True)
            except EngineError:
                detail = b""
            conn.close()
            self._audit(endpoint.strip("/"), len(body or b""), len(detail), "error", start)
            hint = (
                "Store the server's API key in the OS keyring: chambers server set-key "
                f"{self.server.base_url}"
                if response.status in (401, 403)
                else None
            )
            raise EngineError(
                f"The firm inference server {self.server.base_url} answered HTTP "
                f"{response.status} to {endpoint}{self._server_says(detail)}",
                hint,
            )
        return conn, response, len(body or b""), start

    def _call_json(
        self, method: str, endpoint: str, payload: dict[str, Any] | None, *, root: bool = False
    ) -> Any:
        conn, response, sent, start = self._open(method, endpoint, payload, root=root)
        try:
            raw = conn.read_body(response, MAX_ANSWER_BYTES, endpoint)
        except EngineError:
            self._audit(endpoint.strip("/"), sent, 0, "error", start)
            raise
        finally:
            conn.close()
        self._audit(endpoint.strip("/"), sent, len(raw), "ok", start)
        try:
            return json.loads(raw)
        except (ValueError, RecursionError) as exc:  # garbage, or nested past the stack
            raise self._fail(
                f"The firm inference server {self.server.base_url} answered {endpoint} with "
                f"something that is not usable JSON ({len(raw)} bytes).",
                exc if isinstance(exc, json.JSONDecodeError) else None,
            ) from None

    # -- checks -----------------------------------------------------------------------
    def check_model_served(self) -> None:
        """Ask the server which models it serves; the policy's model must be one of them."""
        listing = self._call_json("GET", "/models", None)
        entries = listing.get("data", []) if isinstance(listing, dict) else []
        entries = entries if isinstance(entries, list) else []
        served = {str(item.get("id")): item for item in entries if isinstance(item, dict)}
        if self.spec.id not in served:
            names = [_short(self._redact(name), 80) for name in sorted(served)[:_SHOWN_MODELS]]
            if len(served) > _SHOWN_MODELS:
                names.append(f"and {len(served) - _SHOWN_MODELS} more")
            raise EngineError(
                f"The firm inference server {self.server.base_url} does not serve "
                f"{self.spec.id} (it serves: {', '.join(names) or 'nothing'}).",
                "Ask IT to serve the model under its Chambers catalog id "
                "(vLLM --served-model-name, llama.cpp --alias / --model_alias).",
            )
        limit = served[self.spec.id].get("max_model_len")
        if isinstance(limit, int) and self._identity and limit < self._identity.context:
            self._identity = ModelIdentity.of(self.spec, limit)

    # -- tokens -----------------------------------------------------------------------
    def count_tokens(self, text: str) -> int:
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._lock:
            if key in self._counts:
                self._counts.move_to_end(key)
                return self._counts[key]
        count = self._remote_count(text)
        with self._lock:
            self._counts[key] = count
            while len(self._counts) > _COUNT_CACHE:
                self._counts.popitem(last=False)
        return count

    def _remote_count(self, text: str) -> int:
        # vLLM and llama.cpp's server: /tokenize; llama-cpp-python: /extras/tokenize/count.
        paths = [self._tokenize_path] if self._tokenize_path else ["/tokenize", "extras"]
        last: Exception | None = None
        for path in paths:
            try:
                if path == "extras":
                    value = self._call_json(
                        "POST",
                        "/extras/tokenize/count",
                        {"input": text, "model": self.spec.id},
                        root=True,
                    )
                    count = int(value["count"])
                else:
                    value = self._call_json(
                        "POST",
                        "/tokenize",
                        root=True,
                        payload={
                            "model": self.spec.id,
                            "prompt": text,
                            "content": text,
                            "add_special_tokens": False,
                        },
                    )
                    count = int(value.get("count", len(value.get("tokens", []))))
            except ServerUnavailableError:
                raise
            except (EngineError, KeyError, TypeError, ValueError, AttributeError) as exc:
                last = exc
                continue
            self._tokenize_path = path
            return count
        raise EngineError(
            f"The firm inference server {self.server.base_url} offers no tokenizer endpoint "
            f"(/tokenize or /extras/tokenize/count): {_short(self._redact(str(last)))}",
            "Run vLLM, llama.cpp's llama-server or llama-cpp-python's server.",
        )

    def render(self, messages: Sequence[Message]) -> str:
        return render(messages, self.spec.chat_format)

    # -- generation -------------------------------------------------------------------
    def stream(
        self,
        messages: Sequence[Message] | None = None,
        *,
        prompt: str | None = None,
        max_tokens: int = 512,
        temperature: float = 0.0,
        schema: dict[str, Any] | None = None,
        cancel: CancelToken | None = None,
        stop: Sequence[str] | None = None,
    ) -> Generation:
        """Start a completion on the server; iterate the result for text as it arrives.

        ``schema`` travels as ``response_format`` and, given a GBNF writer, as ``grammar``.
        """
        if (messages is None) == (prompt is None):
            raise EngineError("Give either messages or a raw prompt.", "")
        text = prompt if prompt is not None else render(messages or [], self.spec.chat_format)
        stops = list(stop) if stop is not None else stop_strings(self.spec.chat_format)
        payload: dict[str, Any] = {
            "model": self.spec.id,
            "prompt": text,
            "max_tokens": max_tokens,
            "temperature": temperature,
            "repeat_penalty": 1.0,
            "stream": True,
        }
        if stops:
            payload["stop"] = stops
        if schema is not None:
            if self._gbnf_of is not None:
                payload["grammar"] = self._gbnf_of(schema)
            payload["response_format"] = {
                "type": "json_schema",
                "json_schema": {"name": "answer", "schema": schema, "strict": True},
            }
        generation = Generation(cancel or CancelToken())
        context = contextvars.copy_context()  # the task label travels to the worker
        self._executor.submit(context.run, self._generate, generation, payload)
        return generation

    def _generate(self, gen: Generation, payload: dict[str, Any]) -> None:
        stats, token = gen.stats, gen.cancel_token
        received, outcome, sent, start = 0, "error", 0, time.perf_counter()
        try:
            conn, response, sent, start = self._open("POST", "/completions", payload)
            finish = ""
            try:
                while line := conn.read_line(response, "a generation"):
                    received += len(line)
                    if received > MAX_STREAM_BYTES:
                        raise self._fail(
                            f"The firm inference server {self.server.base_url} streamed more "
                            f"than {MAX_STREAM_BYTES // (1024 * 1024)} MiB for one generation; "
                            "the answer was refused."
                        )
                    if token.cancelled:
                        finish = "cancelled"
                        break
                    line = line.rstrip(b"\r\n")
                    if not line.startswith(b"data:"):
                        continue
                    data = line[5:].strip()
                    if data == b"[DONE]":
                        break
                    text, finish, usage = self._stream_chunk(data, finish)
                    if usage is not None:
                        stats.prompt_tokens = usage
                    if text:
                        if not stats.generated_tokens:
                            stats.time_to_first_token = time.perf_counter() - start
                        stats.generated_tokens += 1
                        gen._put(text)
                        self.stats_feed.running(stats, start)
            finally:
                conn.close()
            if not finish and not token.cancelled:
                raise ServerUnavailableError(
                    f"The firm inference server {self.server.base_url} closed the connection "
                    "before the generation finished."
                )
            outcome = "cancelled" if token.cancelled else "ok"
            stats.finish_reason = "cancelled" if token.cancelled else finish
            stats.total_seconds = time.perf_counter() - start
            self.stats_feed.finished(stats)
            gen._put(DONE)
        except BaseException as exc:  # delivered to the reading thread
            gen._put(
                exc
                if isinstance(exc, ChambersError)
                else self._fail(f"Generation on {self.server.base_url} failed.", exc)
            )
        finally:
            if sent:
                self._audit("completions", sent, received, outcome, start)

    def _stream_chunk(self, data: bytes, finish: str) -> tuple[str, str, int | None]:
        """(text, finish reason, prompt tokens or None) of one streamed event, checked."""
        try:
            chunk = json.loads(data)
            if not isinstance(chunk, dict):
                raise TypeError("not an object")
            usage = chunk.get("usage")
            prompt = int(usage.get("prompt_tokens") or 0) if isinstance(usage, dict) else None
            text = ""
            for choice in (chunk.get("choices") or [])[:1]:
                text = choice.get("text") or ""
                if not isinstance(text, str):
                    raise TypeError("text is not a string")
                finish = str(choice.get("finish_reason") or finish)
        except (ValueError, TypeError, AttributeError, RecursionError) as exc:
            raise self._fail(
                f"The firm inference server {self.server.base_url} streamed an event that is "
                "not an OpenAI completion chunk.",
                exc if not isinstance(exc, RecursionError) else None,
            ) from None
        return text, finish, prompt

    def generate(self, messages: Sequence[Message], **kwargs: Any) -> tuple[str, GenerationStats]:
        return self.stream(messages, **kwargs).result()

    # -- option scoring ---------------------------------------------------------------
    def score_options(
        self, prompt: str, labels: Sequence[str], *, cancel: CancelToken | None = None
    ) -> list[float]:
        """Log-probabilities of each label as the next token (the top K the server lists)."""
        if cancel is not None:
            cancel.raise_if_cancelled()
        if len(set(labels)) != len(labels):
            raise EngineError("Two option labels are the same.", "Use distinct labels.")
        start = time.perf_counter()
        value = self._call_json(
            "POST",
            "/completions",
            {
                "model": self.spec.id,
                "prompt": prompt,
                "max_tokens": 1,
                "temperature": 0.0,
                "logprobs": TOP_K,
                "stream": False,
            },
        )
        try:
            top = value["choices"][0]["logprobs"]["top_logprobs"][0] or {}
            scores = [
                max(LOGPROB_FLOOR, float(top[label])) if label in top else LOGPROB_FLOOR
                for label in labels
            ]
        except (KeyError, IndexError, TypeError, ValueError, OverflowError) as exc:
            raise EngineError(
                f"The firm inference server {self.server.base_url} returned no log-"
                "probabilities for option scoring.",
                "Serve the model with log-probabilities enabled (vLLM --max-logprobs 20; "
                "llama-cpp-python --logits_all true).",
            ) from exc
        stats = GenerationStats(total_seconds=time.perf_counter() - start, finish_reason="scored")
        self.last_score_stats = stats
        self.stats_feed.finished(stats)
        return scores

    def close(self) -> None:
        self._executor.shutdown(wait=True)
        self._identity = None

    def __enter__(self) -> RemoteEngine:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
