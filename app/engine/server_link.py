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
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.errors import ChambersError, EngineError

TIMEOUT_S = 600.0


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
        return cls(url, parts.hostname, parts.port or 443, prefix, pin,
                   Path(ca_cert) if ca_cert else None)  # fmt: skip

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
    """One HTTPS connection whose peer certificate was checked before any request."""

    def __init__(self, server: ServerConfig, timeout: float = TIMEOUT_S) -> None:
        self.server = server
        self._conn = http.client.HTTPSConnection(
            server.host, server.port, context=server.ssl_context(), timeout=timeout
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

    def request(
        self, method: str, path: str, body: bytes | None, headers: dict[str, str]
    ) -> http.client.HTTPResponse:
        try:
            self._conn.request(method, path, body=body, headers=headers)
            return self._conn.getresponse()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            raise ServerUnavailableError(
                f"The firm inference server {self.server.base_url} stopped answering: {exc}."
            ) from exc

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._conn.close()
