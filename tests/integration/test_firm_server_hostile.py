"""A hostile or broken firm inference server cannot exhaust memory, hang, or leak the key.

Issue 25: a 3 GiB answer took the client to 6.2 GB, a stalled server was waited on
forever, an error body from a proxy that echoes request headers printed the API key, and
garbage or deeply nested JSON ended in a traceback. The server here is a stdlib HTTPS
server on 127.0.0.1 (another layer, so a stand-in is fine) with one route per attack; the
client is the real RemoteEngine with its real TLS pinning, deadline and caps. Every test
is bounded in time by the engine's own deadline (a few seconds).
"""

from __future__ import annotations

import json
import ssl
import threading
import time
import tracemalloc
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import policy
from app.config import Settings
from app.engine.backend import allowed_timeout, connect_server
from app.engine.remote import RemoteEngine, ServerAnswerError, ServerConfig
from app.engine.server_link import MAX_ANSWER_BYTES, ServerUnavailableError
from app.errors import ChambersError, EngineError
from app.models.catalog import default_model_id, load_catalog
from app.policy import PolicyError
from app.tasks.audited import record_inference_call
from tests.fixtures.firm_server import LOOPBACK, make_certificate, write_policy

API_KEY = "sk-chambers-test-0123456789abcdef"
MODEL = default_model_id()


class Hostile:
    """One loopback HTTPS server whose answer to every request is chosen by ``mode``."""

    def __init__(self, folder: Path) -> None:
        self.certificate = make_certificate(folder)
        self.mode = "ok"
        self.stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:
                self._answer()

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self._answer()

            def _send(self, status: int, body: bytes, kind: str = "application/json") -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _answer(self) -> None:
                mode = owner.mode
                try:
                    getattr(self, f"_mode_{mode}")()
                except (BrokenPipeError, ConnectionResetError, ssl.SSLError, OSError):
                    return  # the client hung up: the point of most attacks here

            def _mode_ok(self) -> None:
                self._send(200, json.dumps({"data": [{"id": MODEL}]}).encode())

            def _mode_huge(self) -> None:  # an endless chunked answer (3 GiB and more)
                self.send_response(200)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                block = b"[" + b" " * (1024 * 1024 - 1)
                chunk = f"{len(block):x}\r\n".encode() + block + b"\r\n"
                for _ in range(3 * 1024):
                    if owner.stop.is_set():
                        return
                    self.wfile.write(chunk)

            def _mode_stall(self) -> None:  # headers, then nothing
                self.send_response(200)
                self.send_header("Content-Length", "100")
                self.end_headers()
                self.wfile.flush()
                owner.stop.wait(60)

            def _mode_trickle(self) -> None:  # one byte a tenth of a second, forever
                self.send_response(200)
                self.send_header("Content-Length", str(10**6))
                self.end_headers()
                while not owner.stop.wait(0.1):
                    self.wfile.write(b" ")
                    self.wfile.flush()

            def _mode_echo(self) -> None:  # a proxy that echoes the request headers
                echoed = str(self.headers)
                self._send(400, echoed.encode(), "text/plain")

            def _mode_echo_json(self) -> None:
                auth = self.headers.get("Authorization", "")
                message = {"error": {"message": f"invalid token {auth.split()[-1]}"}}
                self._send(401, json.dumps(message).encode())

            def _mode_nested(self) -> None:
                self._send(200, b"[" * 200_000 + b"]" * 200_000)

            def _mode_garbage(self) -> None:
                self._send(200, b"\x00\xff<html>not json at all" * 1000)

            def _mode_many_models(self) -> None:  # 5 MiB of other models, none ours
                names = [{"id": f"model-{i}-" + "x" * 80} for i in range(50_000)]
                self._send(200, json.dumps({"data": names}).encode())

            def _mode_stream_garbage(self) -> None:
                body = b"data: {not json\n\n" if "completions" in self.path else b"{}"
                self._send(200, body, "text/event-stream")

            def _mode_stream_long_line(self) -> None:
                self._send(200, b"data: " + b"x" * (2 * 1024 * 1024) + b"\n", "text/event-stream")

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.httpd.daemon_threads = True
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.certificate.cert), str(self.certificate.key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"https://{LOOPBACK}:{self.httpd.server_address[1]}"

    def engine(self, timeout_s: float = 3.0) -> RemoteEngine:
        entry = {"base_url": self.base_url, "fingerprint": self.certificate.fingerprint}
        spec = next(s for s in load_catalog() if s.id == MODEL)
        return RemoteEngine(
            ServerConfig.from_policy(entry),
            spec,
            n_ctx=2048,
            api_key=API_KEY,
            timeout_s=timeout_s,
            on_call=record_inference_call,
        )


@pytest.fixture
def hostile(tmp_path: Path, audit_home: Path) -> Iterator[Hostile]:
    server = Hostile(tmp_path / "hostile")
    yield server
    server.stop.set()
    server.httpd.shutdown()
    server.httpd.server_close()


def _refused(server: Hostile, mode: str, timeout_s: float = 3.0) -> tuple[ChambersError, float]:
    server.mode = mode
    engine = server.engine(timeout_s)
    start = time.monotonic()
    try:
        with pytest.raises(ChambersError) as caught:
            engine.check_model_served()
    finally:
        engine.close()
    return caught.value, time.monotonic() - start


def test_the_stand_in_serves_normally(hostile: Hostile) -> None:
    engine = hostile.engine()
    engine.check_model_served()  # no error: the attacks below are not a broken harness
    engine.close()


def test_an_endless_answer_is_refused_at_the_cap_without_buffering_it(hostile: Hostile) -> None:
    tracemalloc.start()
    try:
        error, took = _refused(hostile, "huge", timeout_s=60)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert isinstance(error, ServerAnswerError)
    assert hostile.base_url in error.message and "more than 8 MiB" in error.message
    assert peak < 4 * MAX_ANSWER_BYTES  # the 3 GiB answer is never held
    assert took < 30


def test_a_stalled_server_is_abandoned_at_the_deadline(hostile: Hostile) -> None:
    error, took = _refused(hostile, "stall", timeout_s=2)
    assert isinstance(error, ServerUnavailableError)
    assert hostile.base_url in error.message and "within 2 s" in error.message
    assert "server_timeout_seconds" in error.hint
    assert 1.5 < took < 6


def test_a_trickling_server_is_abandoned_at_the_overall_deadline(hostile: Hostile) -> None:
    """Each byte arrives well inside any per-read timeout; only an overall deadline ends it."""
    error, took = _refused(hostile, "trickle", timeout_s=2)
    assert isinstance(error, ServerUnavailableError) and "within 2 s" in error.message
    assert took < 6


def test_an_echoing_proxy_never_puts_the_api_key_in_a_message(
    hostile: Hostile, capsys: pytest.CaptureFixture[str]
) -> None:
    for mode in ("echo", "echo_json"):
        error, _ = _refused(hostile, mode)
        shown = f"{error.message}\n{error.hint}\n{error}"
        assert API_KEY not in shown and "Bearer" not in shown
        assert hostile.base_url in error.message and "HTTP 40" in error.message
    captured = capsys.readouterr()
    assert API_KEY not in captured.out + captured.err


def test_garbage_and_deep_nesting_are_clear_bounded_errors(hostile: Hostile) -> None:
    for mode in ("nested", "garbage"):
        error, _ = _refused(hostile, mode)
        assert isinstance(error, EngineError) and hostile.base_url in error.message
        assert "not usable JSON" in error.message and len(str(error)) < 1000


def test_a_huge_model_list_gives_a_short_error(hostile: Hostile) -> None:
    error, _ = _refused(hostile, "many_models")
    assert f"does not serve {MODEL}" in error.message and "and 49990 more" in error.message
    assert len(str(error)) < 2500


def test_a_garbage_or_endless_stream_ends_the_generation_with_a_clear_error(
    hostile: Hostile,
) -> None:
    for mode, expected in (("stream_garbage", "not an OpenAI"), ("stream_long_line", "longer")):
        hostile.mode = mode
        engine = hostile.engine()
        try:
            with pytest.raises(EngineError, match=expected) as caught:
                engine.stream(prompt="hello", max_tokens=4).result()
        finally:
            engine.close()
        assert hostile.base_url in caught.value.message and API_KEY not in str(caught.value)


def test_the_policy_bounds_the_deadline(hostile: Hostile, etc: Path) -> None:
    """IT's max_timeout_seconds wins over a user's longer setting, through connect_server."""
    entry = {"base_url": hostile.base_url, "fingerprint": hostile.certificate.fingerprint}
    write_policy(etc, [{**entry, "max_timeout_seconds": 2}])
    hostile.mode = "stall"
    start = time.monotonic()
    with pytest.raises(ServerUnavailableError, match="within 2 s"):
        connect_server(
            hostile.base_url,
            settings=Settings(server_timeout_seconds=600),
            on_call=record_inference_call,
        )
    assert time.monotonic() - start < 6
    assert allowed_timeout({"max_timeout_seconds": 900}, 600) == 600
    assert allowed_timeout({}, 45) == 45 and allowed_timeout({}, 0) == 1
    write_policy(etc, [{**entry, "max_timeout_seconds": 0}])
    with pytest.raises(PolicyError, match=r"policy\.json"):
        policy.inference_servers()
