"""Slack's side of the benchmark: signed events sent over HTTP, and what was acked.

Like Slack, the sender counts a delivery as acknowledged only on an HTTP 200; anything
else (an error status, a refused or dropped connection, a timeout) is kept to be sent
again later with the same event id, as Slack's retries are.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from fakes.slack import dm_event, event_callback, new_event_id, signed_headers

# What each simulated customer writes: "hi" starts the interview, the rest answer it.
SCRIPT = ("hi", "yes", "My bill was wrong", "I called them", "angry", "about an hour")
# Slack waits this long for an ack.
SLACK_TIMEOUT = 3.0


@dataclass(frozen=True)
class Event:
    user: str
    event_id: str
    message_id: str  # how the delivery's message is stored (slack:<channel>:<ts>)
    body: str
    starts: bool  # the "hi" that starts the interview (no answer is stored for it)


def events(users: int, messages: int) -> list[Event]:
    """Each user says hi, then answers; users interleaved."""
    out = []
    for n in range(messages):
        for u in range(users):
            user = f"U{u:04d}"
            text = SCRIPT[n] if n < len(SCRIPT) else f"more detail {n}"
            event = dm_event(text, user=user)
            body = event_callback(event, event_id=new_event_id())
            message_id = f"slack:{event['channel']}:{event['ts']}"
            out.append(Event(user, _event_id(body), message_id, body, starts=n == 0))
    return out


def warm_up(url: str, user: str) -> None:
    """One event from ``user`` (not measured): the server's first request pays for its
    first connections and lazy set-up, as a server that has been running does not."""
    event = dm_event("hi", user=user)
    body = event_callback(event, event_id=new_event_id())
    headers = {"content-type": "application/json", **signed_headers(body)}
    for _ in range(3):  # a server just started may still be finishing its start-up
        if httpx.post(url, content=body, headers=headers, timeout=10).status_code == 200:
            return
        time.sleep(0.5)
    raise RuntimeError(f"{url} did not ack the warm-up event")


def _event_id(body: str) -> str:
    marker = '"event_id": "'
    start = body.index(marker) + len(marker)
    return body[start : body.index('"', start)]


@dataclass
class Ledger:
    """Every send and its outcome: acks with their latency, and what Slack would retry."""

    acked: dict[str, float] = field(default_factory=dict)  # event id -> seconds
    sent_at: dict[str, float] = field(default_factory=dict)  # event id -> perf_counter
    refused: list[Event] = field(default_factory=list)
    failures: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def latencies(self) -> list[float]:
        with self.lock:
            return list(self.acked.values())


def send_all(
    url: str,
    batch: list[Event],
    ledger: Ledger,
    *,
    concurrency: int,
    stop: Callable[[], bool] = lambda: False,
) -> None:
    """Send ``batch`` (``concurrency`` in flight); acks and refusals go to ``ledger``.
    Each user's events go in order, one after the other (a customer types the next
    answer after the last was sent, and Slack delivers a conversation's events in
    order); different users' overlap. Once ``stop()`` is true the rest are not sent
    now: they are refused (Slack keeps them for later)."""
    local = threading.local()

    def send(event: Event) -> None:
        if stop():
            with ledger.lock:
                ledger.refused.append(event)
            return
        client = getattr(local, "client", None)
        if client is None:
            client = local.client = httpx.Client(timeout=SLACK_TIMEOUT)
        headers = {"content-type": "application/json", **signed_headers(event.body)}
        started = time.perf_counter()
        try:
            response = client.post(url, content=event.body, headers=headers)
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        elapsed = time.perf_counter() - started
        with ledger.lock:
            ledger.sent_at[event.event_id] = started
            if ok:
                ledger.acked[event.event_id] = elapsed
            else:
                ledger.failures += 1
                ledger.refused.append(event)

    # ``concurrency`` senders take turns among the users: a user whose last event is
    # answered goes to the back of the line with their next one. Few threads, so the
    # times measured are the server's, not this process's threads waiting for each other.
    ready: queue.SimpleQueue[deque[Event]] = queue.SimpleQueue()
    users: dict[str, deque[Event]] = {}
    for event in batch:
        users.setdefault(event.user, deque()).append(event)
    for pending in users.values():
        ready.put(pending)
    remaining = [len(users)]
    lock = threading.Lock()

    def sender() -> None:
        while True:
            with lock:
                if remaining[0] == 0:
                    return
            try:
                pending = ready.get(timeout=0.05)
            except queue.Empty:
                continue
            send(pending.popleft())
            if pending:
                ready.put(pending)
            else:
                with lock:
                    remaining[0] -= 1

    with ThreadPoolExecutor(concurrency) as pool:
        for future in [pool.submit(sender) for _ in range(concurrency)]:
            future.result()


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]
