"""Policy gates and certificate pinning of the firm-server backend, without a model.

The server here is a stand-in for the inference server (another layer): a stdlib HTTPS
server on 127.0.0.1 that answers ``/v1/models`` and logs every request line it reads.
The gates under test are the real ones (app/engine/backend.py, app/engine/remote.py):
each refusal must come before any request reaches the server.
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from app import policy
from app.config import Settings
from app.engine.backend import LOCAL, connect_server, open_backend, placement
from app.engine.remote import ServerConfig, ServerTrustError
from app.errors import EngineError
from app.models.catalog import default_model_id
from app.paths import audit_dir
from app.policy import PolicyError, PolicyForbidsError
from app.tasks.audited import record_inference_call
from tests.fixtures.firm_server import LOOPBACK, Certificate, make_certificate, write_policy


class StandIn:
    def __init__(self, folder: Path, served: str) -> None:
        self.certificate: Certificate = make_certificate(folder)
        self.requests: list[str] = []
        log, models = self.requests, {"object": "list", "data": [{"id": served}]}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                log.append(f"GET {self.path}")
                body = json.dumps(models).encode()
                self.send_response(200 if self.path == "/v1/models" else 404)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                return None

        self.httpd = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(str(self.certificate.cert), str(self.certificate.key))
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def base_url(self) -> str:
        return f"https://{LOOPBACK}:{self.httpd.server_address[1]}"

    def entry(self, **extra: object) -> dict[str, object]:
        return {"base_url": self.base_url, "fingerprint": self.certificate.fingerprint, **extra}


@pytest.fixture
def stand_in(tmp_path: Path) -> Iterator[StandIn]:
    server = StandIn(tmp_path / "stand-in", default_model_id())
    yield server
    server.httpd.shutdown()
    server.httpd.server_close()


def _chosen(server: StandIn) -> Settings:
    return Settings(context=2048, inference_server=server.base_url)


def _calls() -> list[dict[str, object]]:
    log = audit_dir() / "audit.jsonl"
    lines = log.read_text().splitlines() if log.exists() else []
    return [r for r in map(json.loads, lines) if r["action"] == "inference.call"]


def test_no_policy_no_server_no_request(stand_in: StandIn, etc: Path) -> None:
    assert placement(settings=Settings()).label == LOCAL
    with pytest.raises(PolicyForbidsError, match=r"not listed in inference\.servers"):
        open_backend(settings=_chosen(stand_in), on_call=record_inference_call)
    assert stand_in.requests == [] and _calls() == []


def test_a_user_policy_file_cannot_add_a_server(
    stand_in: StandIn, etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    user = tmp_path / "user-policy.json"
    user.write_text(json.dumps({"inference": {"servers": [stand_in.entry()]}}))
    monkeypatch.setenv("CHAMBERS_POLICY", str(user))
    with pytest.raises(PolicyForbidsError):
        connect_server(stand_in.base_url, settings=_chosen(stand_in), on_call=record_inference_call)
    assert stand_in.requests == []


def test_model_matter_and_certificate_are_checked_before_any_request(
    stand_in: StandIn, etc: Path, tmp_path: Path
) -> None:
    chosen = _chosen(stand_in)
    write_policy(etc, [stand_in.entry(models=["another-model"])])
    with pytest.raises(PolicyForbidsError, match="nothing was sent"):
        connect_server(stand_in.base_url, settings=chosen, on_call=record_inference_call)
    write_policy(etc, [stand_in.entry(matters=["M-1"])])
    with pytest.raises(PolicyForbidsError, match="may not use"):
        connect_server(
            stand_in.base_url, matter=["M-2"], settings=chosen, on_call=record_inference_call
        )
    assert placement(["M-2"], settings=chosen).label == LOCAL
    impostor = make_certificate(tmp_path / "impostor", "impostor")
    write_policy(etc, [stand_in.entry(fingerprint=impostor.fingerprint)])
    with pytest.raises(ServerTrustError, match=re.escape(stand_in.certificate.fingerprint)):
        connect_server(stand_in.base_url, settings=chosen, on_call=record_inference_call)
    entry = stand_in.entry()
    del entry["fingerprint"]
    write_policy(etc, [{**entry, "ca_cert": str(impostor.cert)}])
    with pytest.raises(ServerTrustError, match="does not verify"):
        connect_server(stand_in.base_url, settings=chosen, on_call=record_inference_call)
    assert stand_in.requests == [] and _calls() == []

    write_policy(etc, [{**entry, "ca_cert": str(stand_in.certificate.cert)}])
    with connect_server(
        stand_in.base_url, settings=chosen, on_call=record_inference_call
    ) as engine:
        assert engine.capabilities.server == stand_in.base_url
    assert stand_in.requests == ["GET /v1/models"]
    (call,) = _calls()
    assert call["details"] == {  # ids and counts only
        "host": LOOPBACK, "port": stand_in.httpd.server_address[1],
        "model": default_model_id(), "task": "direct", "endpoint": "models",
        "bytes_sent": 0, "bytes_received": call["details"]["bytes_received"],  # type: ignore[index]
        "duration_s": call["details"]["duration_s"],  # type: ignore[index]
    }  # fmt: skip


def test_a_server_not_serving_the_model_is_an_error(tmp_path: Path, etc: Path) -> None:
    server = StandIn(tmp_path / "other", "some-other-model")
    try:
        write_policy(etc, [server.entry()])
        with pytest.raises(EngineError, match="does not serve"):
            connect_server(server.base_url, settings=_chosen(server), on_call=record_inference_call)
        assert server.requests == ["GET /v1/models"]
    finally:
        server.httpd.shutdown()
        server.httpd.server_close()


def test_policy_entries_must_be_https_with_a_valid_pin(etc: Path) -> None:
    with pytest.raises(ServerTrustError, match="does not use https"):
        ServerConfig.from_policy(
            {"base_url": "http://10.0.0.5:8000", "fingerprint": "sha256:" + "a" * 64}
        )
    with pytest.raises(ServerTrustError, match="not a SHA-256"):
        ServerConfig.from_policy({"base_url": "https://llm.firm.example", "fingerprint": "abc"})
    (etc / "policy.json").write_text(json.dumps({"inference": {"servers": [{"base_url": "x"}]}}))
    with pytest.raises(PolicyError):
        policy.inference_servers()


def test_cli_status_says_where_a_matter_runs(
    stand_in: StandIn, etc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from app.cli import main
    from app.config import save_settings

    assert main(["server", "status", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["runs"] == LOCAL
    save_settings(_chosen(stand_in))
    write_policy(etc, [stand_in.entry(matters=["M-1"])])
    assert main(["server", "status", "--matter", "M-1"]) == 0
    assert capsys.readouterr().out.startswith(f"Firm server: {LOOPBACK}")
    assert main(["server", "status", "--matter", "M-2"]) == 0
    assert capsys.readouterr().out.startswith(LOCAL)
    assert stand_in.requests == []
