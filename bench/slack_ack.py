"""Slack ack latency while the interview service is slow.

Slack wants every request answered within 3 seconds, or it retries and eventually
disables the app. This sends a few hundred signed Slack events over real HTTP (uvicorn
on 127.0.0.1) to journeyline's `/slack/events` while every interview turn takes 5 s
(the engine is wrapped in a 5-second sleep, as a slow language model would be), and the
same events to a baseline in the same run: a bare Bolt app on the same stack whose
listener only acks. It prints the ack latency p50/p99 of both; the work the slow turns
queued is shown too, so you can see the acks did not wait for it.

    .venv/bin/python -m bench.slack_ack [--users 40] [--messages 8] [--concurrency 8]
        [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]

Each acked event is first claimed, with its work item, in `slack_events` (the outbox).
With the default embedded SQLite, a 5-second turn holds SQLite's single write lock for
its 5 seconds, so most claims cannot get the lock within the ack's 50 ms allowance:
those acks go first and their claims follow on the executor (counted as "deferred");
with --postgres every claim is stored before its ack and turns of different customers
run side by side. At the end it prints how many events are stored and still undone (the
next start of the bot re-drives them) and how many were acked but never stored.
"""

from __future__ import annotations

import argparse
import logging
import socket
import statistics
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from starlette.concurrency import run_in_threadpool

from bot.conversation import engine
from bot.conversation.guide import Guide
from bot.conversation.messages import Inbound
from bot.conversation.state import InterviewState
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.slack.bolt_app import SlackBot
from bot.slack.web_client import make_client
from fakes.slack import (
    BOT_TOKEN,
    SIGNING_SECRET,
    FakeSlack,
    dm_event,
    event_callback,
    new_event_id,
    signed_headers,
)
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade
from storage.models import SlackEvent

TURN_SECONDS = 5.0
CAMPAIGN = "bench"


def slow_turns(seconds: float) -> Callable[[InterviewState, Inbound, Guide], engine.EngineResult]:
    def handle(state: InterviewState, inbound: Inbound, guide: Guide) -> engine.EngineResult:
        time.sleep(seconds)
        return engine.handle(state, inbound, guide)

    return handle


def journeyline_app(fake: FakeSlack, data_dir: Path, url: str) -> tuple[FastAPI, Runtime]:
    upgrade(url)
    db = make_engine(url)
    sessions = make_session_factory(db)
    with sessions.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Bench", open_link=True)
    settings = Settings(
        data_dir=data_dir,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=fake.url,
        slack_campaign=CAMPAIGN,
    )
    service = InterviewService(sessions, handler=slow_turns(TURN_SECONDS))
    runtime = Runtime(settings=settings, engine=db, sessions=sessions, service=service)
    return create_app(runtime), runtime


def baseline_app(fake: FakeSlack) -> FastAPI:
    """The least a Bolt app can do on the same stack: verify, ack, nothing else."""
    bolt = App(
        client=make_client(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @bolt.event("message")
    def only_ack(ack: Ack) -> None:
        ack()

    app = FastAPI()

    @app.post("/slack/events")
    async def events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    return app


@contextmanager
def serving(app: FastAPI) -> Iterator[str]:
    """`app` under uvicorn on a free 127.0.0.1 port, for the duration of the block."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}/slack/events"
    finally:
        server.should_exit = True
        thread.join(30)


def events(users: int, messages: int) -> list[str]:
    """Bodies: each user says hi (starts an interview), then answers; users interleaved."""
    texts = ["hi", "yes", "My bill was wrong", "I called them", "angry", "about an hour"]
    bodies = []
    for n in range(messages):
        for u in range(users):
            text = texts[n] if n < len(texts) else f"more detail {n}"
            event = dm_event(text, user=f"U{u:04d}")
            bodies.append(event_callback(event, event_id=new_event_id()))
    return bodies


def measure(urls: dict[str, str], bodies: list[str], concurrency: int) -> dict[str, list[float]]:
    """Send every body to every url (interleaved, so noise hits both alike); seconds each."""
    latencies: dict[str, list[float]] = {name: [] for name in urls}
    lock = threading.Lock()
    local = threading.local()

    def send(name: str, body: str) -> None:
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=10)
        headers = {"content-type": "application/json", **signed_headers(body)}
        started = time.perf_counter()
        response = client.post(urls[name], content=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{name}: HTTP {response.status_code}")
        with lock:
            latencies[name].append(elapsed)

    with ThreadPoolExecutor(concurrency) as pool:
        futures = [pool.submit(send, name, body) for body in bodies for name in urls]
        for future in futures:
            future.result()
    return latencies


class FailureCounter(logging.Handler):
    """Counts what the Slack deliveries log: claims deferred behind SQLite's write lock,
    failed tries (retried), and deliveries lost (acked, never stored)."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.deferred = 0
        self.lost = 0
        self.count = 0
        self.reasons: Counter[str] = Counter()

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "acked before it was stored" in message:
            self.deferred += 1
        elif " lost: " in message:
            self.lost += 1
        elif record.exc_info and record.exc_info[1] is not None:
            self.count += 1
            self.reasons[str(record.exc_info[1]).splitlines()[0][:60]] += 1


@contextmanager
def database(tmp: Path, postgres: str | None) -> Iterator[str]:
    """A fresh database URL: SQLite in `tmp`, or a new schema on the `postgres` server."""
    if postgres is None:
        yield sqlite_url_for_dir(tmp)
        return
    schema = f"bench_{uuid.uuid4().hex}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=40)
    parser.add_argument("--messages", type=int, default=8, help="events per user")
    parser.add_argument("--concurrency", type=int, default=8, help="requests in flight")
    parser.add_argument("--postgres", metavar="URL", help="use a PostgreSQL server")
    args = parser.parse_args()
    bodies = events(args.users, args.messages)
    failures = FailureCounter()
    deliveries_log = logging.getLogger("bot.slack.deliveries")
    deliveries_log.addHandler(failures)
    deliveries_log.propagate = False
    with (
        FakeSlack() as fake,
        tempfile.TemporaryDirectory() as tmp,
        database(Path(tmp), args.postgres) as url,
    ):
        app, runtime = journeyline_app(fake, Path(tmp), url)
        with serving(app) as ours, serving(baseline_app(fake)) as baseline:
            bot: SlackBot = app.state.slack
            # Warm both (auth.test, imports, first connections) outside the measurement.
            measure({"j": ours, "b": baseline}, events(1, 1), 1)
            bot.executor.join(30)
            started = time.perf_counter()
            latencies = measure(
                {"journeyline": ours, "baseline": baseline}, bodies, args.concurrency
            )
            wall = time.perf_counter() - started
            queued = bot.executor.unfinished
            done_during_run = len(fake.posted())
            bot.executor.shutdown(wait=False)  # the backlog is not what is measured
        with runtime.sessions() as session:
            stored = session.scalar(select(func.count()).select_from(SlackEvent)) or 0
            undone = (
                session.scalar(
                    select(func.count()).select_from(SlackEvent).where(SlackEvent.done_at.is_(None))
                )
                or 0
            )
        runtime.close()
    print(
        f"slack ack latency: {len(bodies)} signed message events per app over HTTP, "
        f"{args.concurrency} in flight, {args.users} users, "
        f"{'PostgreSQL' if args.postgres else 'SQLite'}; interview turns slowed to "
        f"{TURN_SECONDS:g} s each"
    )
    print(f"{'app':<13}{'n':>5}{'p50 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name, values in latencies.items():
        ms = [v * 1000 for v in values]
        print(
            f"{name:<13}{len(ms):>5}{statistics.median(ms):>9.1f}{percentile(ms, 99):>9.1f}"
            f"{max(ms):>9.1f}"
        )
    ours_p99 = percentile(latencies["journeyline"], 99) * 1000
    base_p99 = percentile(latencies["baseline"], 99) * 1000
    print(
        f"p99 journeyline / baseline: {ours_p99 / base_p99:.2f}x; target p99 < 200 ms: "
        f"{'met' if ours_p99 < 200 else 'MISSED'}"
    )
    print(
        f"all {len(bodies) * 2} requests answered 200 in {wall:.1f} s; behind the acks, "
        f"{queued} Slack tasks were still queued or running when sending ended "
        f"({done_during_run} messages posted to Slack by then)"
    )
    print(
        f"claims stored before the ack: {len(bodies) + 1 - failures.deferred}, deferred "
        f"behind the write lock: {failures.deferred}; at shutdown {stored} stored, "
        f"{undone} of them undone (re-driven at the next start); "
        f"{len(bodies) + 1 - stored} acked and not stored (lost with the process)"
    )
    if failures.count:
        reasons = ", ".join(f"{n} x {reason}" for reason, n in failures.reasons.most_common(3))
        print(f"failed tries (retried, or left for re-drive): {failures.count} ({reasons})")


if __name__ == "__main__":
    main()
