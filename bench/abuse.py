"""``python -m bench.abuse``: what `journeyline serve` refuses and what it keeps serving
when clients misbehave (issue 19). Loopback only, bounded (about a minute).

Each scenario runs against a real server process on 127.0.0.1 with the default limits
(except the deadlines, shortened so the run stays short):

1. spoofed starts: one address claims 100 different X-Forwarded-For addresses;
2. real-proxy starts: with ``JOURNEYLINE_FORWARDED_ALLOW_IPS=127.0.0.1``, 50 customers
   behind the proxy start once each, and one of them 40 times;
3. junk growth: one link posts 4,000-character messages as fast as it can;
4. slow clients: 100 half-sent requests (headers or body), while a well-behaved client
   keeps asking `/healthz`;
5. Slack junk: 100 unsigned or malformed bodies at ``/slack/events``.

It prints, per scenario, what was refused, what was stored and whether the server kept
answering the well-behaved requests.
"""

from __future__ import annotations

import argparse
import json
import socket
import sqlite3
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from bench.web_load.servers import Server, base_env, free_port, run_cli, start_server

CAMPAIGN = "abuse"
SLOW_CLIENTS = 100
# Shortened from the defaults (10 s / 30 s) so the run is short; the mechanism is the same.
DEADLINE_SECONDS = 2


@contextmanager
def serving(workdir: Path, name: str, **settings: str) -> Iterator[Server]:
    data_dir = workdir / name
    env = base_env()
    env["JOURNEYLINE_DATA_DIR"] = str(data_dir)
    env["JOURNEYLINE_HEADER_TIMEOUT_SECONDS"] = str(DEADLINE_SECONDS)
    env["JOURNEYLINE_BODY_TIMEOUT_SECONDS"] = str(DEADLINE_SECONDS)
    env.update({f"JOURNEYLINE_{key.upper()}": value for key, value in settings.items()})
    run_cli(
        [
            "campaigns",
            "create",
            "--slug",
            CAMPAIGN,
            "--name",
            "Abuse",
            "--open-link",
            "--company",
            "Acme",
        ],
        env,
        workdir,
    )
    command = [sys.executable, "-m", "journeyline", "serve", "--host", "127.0.0.1"]
    server = start_server(name, [*command, "--port", str(free_port())], env, workdir)
    try:
        yield server
    finally:
        server.stop()


def start(client: httpx.Client, forwarded_for: str | None = None) -> httpx.Response:
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post("/api/v1/interviews", json={"campaign": CAMPAIGN}, headers=headers)


def spoofed_starts(workdir: Path) -> None:
    with serving(workdir, "spoofed") as server, httpx.Client(base_url=server.base_url) as client:
        codes = Counter(start(client, f"198.51.100.{n}").status_code for n in range(100))
    print(
        f"1. spoofed starts: 100 starts from 127.0.0.1, each claiming another X-Forwarded-For:"
        f" {codes[201]} started, {codes[429]} refused (429); budget 30 per address and hour"
    )


def proxied_starts(workdir: Path) -> None:
    with (
        serving(workdir, "proxied", forwarded_allow_ips="127.0.0.1") as server,
        httpx.Client(base_url=server.base_url) as client,
    ):
        many = Counter(start(client, f"203.0.113.{n}").status_code for n in range(50))
        one = Counter(start(client, "192.0.2.7").status_code for _ in range(40))
    print(
        f"2. behind a trusted proxy: 50 customers once each: {many[201]} started, "
        f"{many[429]} refused; one customer 40 times: {one[201]} started, {one[429]} refused"
    )


def junk_growth(workdir: Path) -> None:
    with serving(workdir, "junk") as server, httpx.Client(base_url=server.base_url) as client:
        started = start(client).json()
        url = f"/api/v1/interviews/{started['interview_id']}/messages"
        auth = {"Authorization": f"Bearer {started['token']}"}
        codes: Counter[int] = Counter()
        began = time.monotonic()
        for n in range(200):
            text = f"{n} " + "x" * 3990
            body = {"text": text, "client_message_id": f"junk-{n}"}
            codes[client.post(url, json=body, headers=auth).status_code] += 1
        seconds = time.monotonic() - began
        health = client.get("/healthz").status_code
    database = workdir / "junk" / "journeyline.db"
    with sqlite3.connect(database) as connection:
        stored, chars = connection.execute(
            "SELECT count(*), coalesce(sum(length(text)), 0) FROM messages WHERE direction = 'in'"
        ).fetchone()
    print(
        f"3. junk growth: one link posted 200 x 4,000 characters in {seconds:.1f} s: "
        f"{codes[200]} stored, {codes[429]} rate limited (429), {codes[409]} refused as "
        f"interview_full (409); {stored} messages, {chars:,} characters in the database; "
        f"/healthz {health}"
    )


def slow_clients(workdir: Path) -> None:
    with serving(workdir, "slow", max_concurrency="1000") as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        sockets = []
        for n in range(SLOW_CLIENTS):
            sock = socket.create_connection((host, int(port)), timeout=10)
            if n % 2:
                sock.sendall(b"POST /api/v1/interviews HTTP/1.1\r\nHost: x\r\n")
            else:
                sock.sendall(
                    b"POST /api/v1/interviews HTTP/1.1\r\nHost: x\r\n"
                    b"Content-Type: application/json\r\nContent-Length: 500\r\n\r\n{"
                )
            sockets.append(sock)
        latencies = []
        began = time.monotonic()
        with httpx.Client(base_url=server.base_url) as client:
            while time.monotonic() - began < DEADLINE_SECONDS + 2:
                t0 = time.perf_counter()
                ok = client.get("/healthz").status_code == 200
                latencies.append((time.perf_counter() - t0) * 1000 if ok else float("inf"))
                time.sleep(0.05)
        held, answered_408 = 0, 0
        for sock in sockets:
            sock.settimeout(0.5)
            try:
                data = sock.recv(1024)
            except TimeoutError:
                held += 1
                continue
            except OSError:
                data = b""
            answered_408 += data.startswith(b"HTTP/1.1 408")
            sock.close()
        for sock in sockets:
            sock.close()
    served = [x for x in latencies if x != float("inf")]
    print(
        f"4. slow clients: {SLOW_CLIENTS} half-sent requests: {held} still held after "
        f"{DEADLINE_SECONDS + 2} s (deadline {DEADLINE_SECONDS} s), "
        f"{SLOW_CLIENTS - held} dropped ({answered_408} told 408); meanwhile /healthz "
        f"answered {len(served)}/{len(latencies)}, median "
        f"{statistics.median(served):.1f} ms, max {max(served):.1f} ms"
    )


def slack_junk(workdir: Path) -> None:
    slack = {
        "slack_bot_token": "xoxb-bench",
        "slack_signing_secret": "bench-secret",
        # Nothing listens there: Slack is "unavailable", the endpoint still answers.
        "slack_api_url": f"http://127.0.0.1:{free_port()}/api/",
    }
    with serving(workdir, "slack", **slack) as server, httpx.Client(base_url=server.base_url) as c:
        codes: Counter[int] = Counter()
        for n in range(100):
            body = "{not json" if n % 2 else json.dumps({"type": "event_callback"})
            headers = {"content-type": "application/json"}
            codes[c.post("/slack/events", content=body, headers=headers).status_code] += 1
        health = c.get("/healthz").json()
        chat = start(c).status_code
    print(
        f"5. Slack junk: 100 unsigned bodies (half malformed): "
        f"{', '.join(f'{n} x {code}' for code, n in sorted(codes.items()))}; "
        f"/healthz {health}; web chat start {chat}"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--only", type=int, choices=range(1, 6), help="Run one scenario (1-5) only."
    )
    args = parser.parse_args(argv)
    scenarios = [spoofed_starts, proxied_starts, junk_growth, slow_clients, slack_junk]
    with tempfile.TemporaryDirectory(prefix="journeyline-abuse-") as folder:
        for number, scenario in enumerate(scenarios, start=1):
            if args.only in (None, number):
                scenario(Path(folder))
    return 0


if __name__ == "__main__":
    sys.exit(main())
