"""`journeyline serve` against clients that misbehave (issue 19, item 4), through the real
server process: spoofed X-Forwarded-For, a real proxy, half-sent requests, too many
connections. On main, uvicorn trusted X-Forwarded-For from 127.0.0.1, and 100 of 100
half-sent requests were still held after 120 s."""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.service.campaigns import create_campaign
from journeyline.runtime import open_runtime
from journeyline.settings import Settings
from tests.browser_support import WebServer, run_server

pytestmark = pytest.mark.slow


def _prepare(data_dir: Path) -> None:
    rt = open_runtime(Settings(data_dir=data_dir, database_url=None))
    with rt.sessions.begin() as session:
        create_campaign(session, slug="open", name="Open", open_link=True, company="Acme")
    rt.close()


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    _prepare(folder)
    return folder


def _start(server: WebServer, forwarded_for: str | None = None) -> int:
    headers = {"Content-Type": "application/json"}
    if forwarded_for is not None:
        headers["X-Forwarded-For"] = forwarded_for
    request = urllib.request.Request(
        server.base_url + "/api/v1/interviews",
        data=json.dumps({"campaign": "open"}).encode(),
        headers=headers,
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _trickled(sock: socket.socket, data: bytes) -> bool:
    """Send ``data`` a byte every 0.1 s; False once the server hangs up (a broken pipe
    or a reset), True if it took it all."""
    for byte in data:
        try:
            sock.sendall(bytes([byte]))
        except OSError:
            return False
        time.sleep(0.1)
    return True


def _connect(server: WebServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    return socket.create_connection((host, int(port)), timeout=10)


@pytest.fixture
def server(data_dir: Path) -> Iterator[WebServer]:
    env = {
        "JOURNEYLINE_OPEN_STARTS_PER_CLIENT_PER_HOUR": "2",
        "JOURNEYLINE_HEADER_TIMEOUT_SECONDS": "1",
        "JOURNEYLINE_BODY_TIMEOUT_SECONDS": "1",
        "JOURNEYLINE_MAX_CONCURRENCY": "20",
    }
    with run_server(data_dir, extra_env=env) as running:
        yield running


def test_a_spoofed_forwarded_for_is_not_trusted(server: WebServer) -> None:
    # Three "different" customers, all really 127.0.0.1: the budget of 2 holds.
    codes = [_start(server, f"198.51.100.{n}") for n in range(3)]
    assert codes == [201, 201, 429]


def test_slow_headers_and_bodies_are_dropped_and_others_still_served(server: WebServer) -> None:
    half_headers = _connect(server)
    half_headers.sendall(b"POST /api/v1/interviews HTTP/1.1\r\nHost: x\r\n")
    half_body = _connect(server)
    half_body.sendall(
        b"POST /api/v1/interviews HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b'Content-Length: 100\r\n\r\n{"campaign"'
    )
    assert _start(server) == 201  # served while they hang on
    trickle = _connect(server)
    started = time.monotonic()
    # A byte every 0.1 s: each arrives in time, but the request as a whole does not.
    assert not _trickled(trickle, b"GET /healthz HTTP/1.1\r\nHost: x\r\n" * 10)
    assert time.monotonic() - started < 5
    assert half_headers.recv(1024) == b""  # closed, nothing said
    answer = half_body.recv(1024)
    assert answer.startswith(b"HTTP/1.1 408")
    for sock in (half_headers, half_body, trickle):
        sock.close()


def test_connections_over_the_limit_get_503(server: WebServer) -> None:
    idle = [_connect(server) for _ in range(20)]
    try:
        time.sleep(0.2)
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(server.base_url + "/healthz", timeout=10)
        assert refused.value.code == 503
    finally:
        for sock in idle:
            sock.close()
    # The idle connections were dropped by the header deadline anyway; the server serves.
    time.sleep(0.5)
    with urllib.request.urlopen(server.base_url + "/healthz", timeout=10) as response:
        assert response.status == 200


def test_a_configured_proxy_is_trusted(data_dir: Path) -> None:
    env = {
        "JOURNEYLINE_OPEN_STARTS_PER_CLIENT_PER_HOUR": "2",
        "JOURNEYLINE_FORWARDED_ALLOW_IPS": "127.0.0.1",
    }
    with run_server(data_dir, extra_env=env) as proxied:
        # Customers behind the proxy each have their own budget ...
        assert [_start(proxied, f"203.0.113.{n}") for n in range(3)] == [201, 201, 201]
        # ... and one of them is held to it.
        assert [_start(proxied, "203.0.113.99") for _ in range(3)] == [201, 201, 429]
