"""The TLS link to a firm inference server: the policy entry, checked, and pinned connections.

Split from app/engine/remote.py (the engine) so the trust decision reads on its own: a
connection checks the server's certificate (SHA-256 pin or the policy's CA file) right
after the handshake and before a byte of any request is written.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.errors import ChambersError, EngineError

TIMEOUT_S = 600.0
#: Largest JSON answer read from a server (model lists, token counts, scores).
MAX_ANSWER_BYTES = 8 * 1024 * 1024
#: Largest streamed generation, and largest single line in it.
MAX_STREAM_BYTES = 32 * 1024 * 1024
MAX_LINE_BYTES = 1024 * 1024


class ServerTrustError(ChambersError):
    """The server's certificate is not the one the policy pins: nothing was sent."""

    exit_code = 3
    default_hint = (
        "Ask IT to check inference.servers in the machine policy: the fingerprint or CA "
        "certificate there must match the server's TLS certificate."
    )


class ServerUnavailableError(EngineError):
    """The server could not be reached or stopped answering during a task."""

    default_hint = (
        "Check that the firm inference server is running and reachable, then run the task "
        "again: finished rows and summary parts are kept and the rerun resumes."
    )


class ServerAnswerError(EngineError):
    """The server's answer is too large, not what was asked for, or malformed."""

    default_hint = (
        "Ask IT to check the firm inference server (and any proxy in front of it): it must "
        "be an OpenAI-compatible server answering with ordinary, bounded JSON."
    )


class Deadline:
    """One request's overall time limit (settings.server_timeout_seconds)."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.end = time.monotonic() + seconds

    def remaining(self) -> float:
        return self.end - time.monotonic()


@dataclass(frozen=True)
class ServerConfig:
    """One entry of the policy's ``inference.servers``, checked."""

    base_url: str
    host: str
    port: int
    prefix: str
    fingerprint: str | None = None
    ca_cert: Path | None = None

    @classmethod
    def from_policy(cls, entry: dict[str, Any]) -> ServerConfig:
        url = str(entry["base_url"]).rstrip("/")
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ServerTrustError(
                f"The inference server {url} in the machine policy does not use https.",
                "Chambers sends documents to a server only over TLS: ask IT to give an "
                "https:// base_url and its certificate fingerprint or CA file.",
            )
        fingerprint = entry.get("fingerprint")
        ca_cert = entry.get("ca_cert")
        pin = None
        if fingerprint:
            pin = str(fingerprint).lower().removeprefix("sha256:").replace(":", "")
            if len(pin) != 64 or any(c not in "0123456789abcdef" for c in pin):
                raise ServerTrustError(
                    f"The fingerprint for {url} in the machine policy is not a SHA-256 "
                    f'("sha256:" and 64 hex digits).'
                )
        prefix = parts.path.rstrip("/")
        if not prefix.endswith("/v1"):
            prefix += "/v1"
        return cls(
            url, parts.hostname, parts.port or 443, prefix, pin, Path(ca_cert) if ca_cert else None
        )

    def ssl_context(self) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.minimum_version = ssl.TLSVersion.TLSv1_2
        if self.fingerprint:
            # The pin is the trust decision: the certificate itself is compared below.
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        else:
            assert self.ca_cert is not None
            try:
                context.load_verify_locations(cafile=str(self.ca_cert))
            except (OSError, ssl.SSLError) as exc:
                raise ServerTrustError(
                    f"The CA certificate {self.ca_cert} named for {self.base_url} in the "
                    f"machine policy cannot be read: {exc}."
                ) from exc
        return context


class Connection:
    """One HTTPS connection whose peer certificate was checked before any request.

    Every read is bounded twice: by the request's overall ``Deadline`` (the socket's
    timeout is set to what is left of it before each read, so a server that stalls or
    trickles is abandoned on time) and by a byte limit (a huge answer is refused, not
    buffered).
    """

    def __init__(self, server: ServerConfig, deadline: Deadline | None = None) -> None:
        self.server = server
        self.deadline = deadline or Deadline(TIMEOUT_S)
        self._conn = http.client.HTTPSConnection(
            server.host, server.port, context=server.ssl_context(), timeout=self._left()
        )
        try:
            self._conn.connect()
        except ssl.SSLCertVerificationError as exc:
            self._conn.close()
            raise ServerTrustError(
                f"The certificate of {server.base_url} does not verify against the CA "
                f"certificate {server.ca_cert} in the machine policy ({exc.verify_message}); "
                "nothing was sent."
            ) from exc
        except TimeoutError as exc:
            self._conn.close()
            raise self._timed_out("connecting") from exc
        except OSError as exc:
            self._conn.close()
            raise ServerUnavailableError(
                f"Cannot connect to the firm inference server {server.base_url}: {exc}."
            ) from exc
        if server.fingerprint:
            sock = self._conn.sock
            der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
            seen = hashlib.sha256(der or b"").hexdigest()
            if seen != server.fingerprint:
                self._conn.close()
                raise ServerTrustError(
                    f"The certificate of {server.base_url} has SHA-256 fingerprint "
                    f"sha256:{seen}, not the sha256:{server.fingerprint} pinned in the "
                    "machine policy; nothing was sent."
                )

    def _left(self) -> float:
        left = self.deadline.remaining()
        if left <= 0:
            raise self._timed_out("waiting for its answer")
        return min(left, TIMEOUT_S)

    def _arm(self) -> None:
        """Give the next socket operation only what is left of the deadline."""
        left = self._left()
        if self._conn.sock is not None:
            self._conn.sock.settimeout(left)

    def _timed_out(self, doing: str) -> ServerUnavailableError:
        self.close()
        return ServerUnavailableError(
            f"The firm inference server {self.server.base_url} did not finish answering "
            f"within {self.deadline.seconds:g} s ({doing}); the request was abandoned.",
            "Check that the server is running and not overloaded, or raise the setting "
            "server_timeout_seconds (within the policy's max_timeout_seconds).",
        )

    def _stopped(self, exc: BaseException) -> ServerUnavailableError:
        self.close()
        kind = type(exc).__name__  # never the server's own text: it may echo our headers
        return ServerUnavailableError(
            f"The firm inference server {self.server.base_url} stopped answering ({kind})."
        )

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        try:
            self._arm()
            self._conn.request(method, path, body=body, headers=headers)
            return self._conn.getresponse()
        except TimeoutError as exc:
            raise self._timed_out("waiting for its answer") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._stopped(exc) from exc

    def read_body(
        self, response: http.client.HTTPResponse, limit: int, what: str, *, truncate: bool = False
    ) -> bytes:
        """The whole answer, refused once it passes ``limit`` bytes (``truncate``: its first
        ``limit`` bytes) or the deadline."""
        parts: list[bytes] = []
        size = 0
        try:
            while True:
                self._arm()
                chunk = response.read1(64 * 1024)
                if not chunk:
                    return b"".join(parts)
                size += len(chunk)
                if size > limit and truncate:
                    parts.append(chunk[: limit - size + len(chunk)])
                    return b"".join(parts)
                if size > limit:
                    self.close()
                    raise ServerAnswerError(
                        f"The firm inference server {self.server.base_url} sent more than "
                        f"{limit // (1024 * 1024)} MiB in answer to {what}; the answer was "
                        "refused."
                    )
                parts.append(chunk)
        except TimeoutError as exc:
            raise self._timed_out(f"reading its answer to {what}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._stopped(exc) from exc

    def read_line(self, response: http.client.HTTPResponse, what: str) -> bytes:
        """One line of a streamed answer (b"" at its end), within the line limit."""
        try:
            self._arm()
            line = response.readline(MAX_LINE_BYTES + 1)
        except TimeoutError as exc:
            raise self._timed_out(f"streaming {what}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise self._stopped(exc) from exc
        if len(line) > MAX_LINE_BYTES:
            self.close()
            raise ServerAnswerError(
                f"The firm inference server {self.server.base_url} sent a line longer than "
                f"{MAX_LINE_BYTES // 1024} KiB while streaming {what}; the answer was refused."
            )
        return line

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()
