"""The client that drives one phase: every customer's interviews, message by message,
with retries after failures and the re-post fault step."""

from __future__ import annotations

import asyncio
import random
import time
from dataclasses import dataclass
from typing import Any

from bench.lean_http import HttpError, LeanClient
from bench.web_load.customers import Conversation, Target
from bench.web_load.stats import Ledger, PhaseSettings, PhaseStats

REQUEST_TIMEOUT_SECONDS = 30.0
ATTEMPTS_PER_MESSAGE = 3
RETRY_PAUSE_SECONDS = 0.2


@dataclass
class PhaseRun:
    target: Target
    settings: PhaseSettings
    stats: PhaseStats
    ledger: Ledger
    client: LeanClient
    started: float

    def now(self) -> float:
        return time.perf_counter() - self.started

    def over(self) -> bool:
        return self.now() >= self.settings.seconds


async def run_phase(target: Target, settings: PhaseSettings, ledger: Ledger) -> PhaseStats:
    """Run `settings.customers` customers against `target` until they finish or time is up."""
    stats = PhaseStats(settings)
    # One pool for everyone; each customer holds a kept-alive connection while it asks,
    # so no customer queues for one (bench/lean_http.py: why not httpx here).
    async with LeanClient(target.base_url, timeout=REQUEST_TIMEOUT_SECONDS) as client:
        run = PhaseRun(target, settings, stats, ledger, client, time.perf_counter())
        stats.started_at = run.started
        cpu = time.process_time()
        await asyncio.gather(*(run_customer(run, index) for index in range(settings.customers)))
        stats.wall_seconds = run.now()
        stats.client_cpu_seconds = time.process_time() - cpu
    return stats


async def run_customer(run: PhaseRun, index: int) -> None:
    rng = random.Random(f"{run.settings.seed}:{run.settings.name}:{index}")
    # Real customers do not all arrive in the same millisecond.
    await asyncio.sleep(rng.uniform(0, run.settings.think_max))
    for _ in range(run.settings.interviews_per_customer):
        if run.over():
            return
        conversation = await run.target.open(run.client, rng, run.stats, run.ledger)
        if conversation is None:
            await asyncio.sleep(0.5)  # a failing server must not turn into a busy loop
            continue
        await run_interview(run, conversation, rng)


async def run_interview(run: PhaseRun, conversation: Conversation, rng: random.Random) -> None:
    settings, stats = run.settings, run.stats
    sent = 0
    while True:
        message = conversation.next_message()
        if message is None:
            stats.completed += 1
            stats.completed_lengths.append(sent)
            return
        if settings.think_max > 0:
            await asyncio.sleep(rng.uniform(settings.think_min, settings.think_max))
        if run.over():
            stats.cut_off += 1
            return
        client_message_id = f"{conversation.interview_id[:12]}-{sent}"
        body = {"text": message.text, "choice": message.choice}
        body["client_message_id"] = client_message_id
        sent += 1
        answer = await post_turn(run, conversation, body)
        if answer is None:
            stats.abandoned += 1
            return
        run.ledger.acknowledge(conversation.interview_id, client_message_id, message.text)
        if rng.random() < settings.retry_fraction:
            await repost(run, conversation, body, answer)
        conversation.receive(answer["replies"])


async def post_turn(
    run: PhaseRun, conversation: Conversation, body: dict[str, Any]
) -> dict[str, Any] | None:
    """POST one message, retrying with the same id after a failure; the 200's JSON or None."""
    url = f"/api/v1/interviews/{conversation.interview_id}/messages"
    for _ in range(ATTEMPTS_PER_MESSAGE):
        started = run.now()
        try:
            response = await run.client.post(url, json=body, headers=conversation.headers)
        except HttpError as error:
            run.stats.errors[type(error).__name__] += 1
        else:
            if response.status_code == 200:
                run.stats.turns.append((started, run.now() - started))
                answer: dict[str, Any] = response.json()
                return answer
            run.stats.errors[f"HTTP {response.status_code}"] += 1
            if 400 <= response.status_code < 500:
                return None  # the same request will fail the same way
        await asyncio.sleep(RETRY_PAUSE_SECONDS)
    return None


async def repost(
    run: PhaseRun, conversation: Conversation, body: dict[str, Any], first: dict[str, Any]
) -> None:
    """The fault step: send the acknowledged message again, as a client whose response got
    lost would; the server must answer with the first replies and store nothing new."""
    url = f"/api/v1/interviews/{conversation.interview_id}/messages"
    started = time.perf_counter()
    run.stats.retries += 1
    try:
        response = await run.client.post(url, json=body, headers=conversation.headers)
    except HttpError as error:
        # A transport failure is an error, not evidence of a different reply.
        run.stats.errors[f"re-post: {type(error).__name__}"] += 1
        return
    run.stats.retry_latencies.append(time.perf_counter() - started)
    if response.status_code != 200:
        run.stats.retry_mismatches += 1
        return
    again = response.json()
    same = again["replies"] == first["replies"]
    if conversation.expects_duplicate_flag:
        same = same and again.get("duplicate") is True
    if not same:
        run.stats.retry_mismatches += 1
