"""The customer simulation: what a customer says next (a demo persona answering whatever
the bot asks) and how a target opens an interview for one."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from typing import Any, Protocol

from bench.lean_http import HttpError, LeanClient
from bench.web_load.servers import CAMPAIGN
from bench.web_load.stats import Ledger, PhaseStats
from bot.conversation.messages import Choice, Inbound, Reply
from journeyline.demo.personas import PERSONAS
from journeyline.demo.simulator import SimulatedCustomer


class Conversation(Protocol):
    interview_id: str
    headers: dict[str, str]
    expects_duplicate_flag: bool

    def next_message(self) -> Inbound | None: ...

    def receive(self, replies: list[Any]) -> None: ...


class PersonaConversation:
    """A journeyline interview answered by a demo persona (see demo/runner.py's loop)."""

    expects_duplicate_flag = True

    def __init__(
        self, interview_id: str, token: str, customer: SimulatedCustomer, pending: list[Any]
    ) -> None:
        self.interview_id = interview_id
        self.headers = {"Authorization": f"Bearer {token}"}
        self._customer = customer
        self._replies = to_replies(pending)

    def next_message(self) -> Inbound | None:
        message = self._customer.next_message(self._replies)
        if message is None:
            # After a pause (or a reply that asks nothing) the customer speaks first;
            # None here means the interview is over.
            message = self._customer.resume()
        return message

    def receive(self, replies: list[Any]) -> None:
        self._replies = to_replies(replies)


def to_replies(raw: list[Any]) -> list[Reply]:
    return [
        Reply(
            text=r["text"],
            slot=r.get("slot"),
            choices=tuple(Choice(value=c["value"], label=c["label"]) for c in r["choices"]),
            items=tuple(r.get("items") or ()),
        )
        for r in raw
    ]


class Target(Protocol):
    name: str
    base_url: str

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None: ...


@dataclass
class JourneylineTarget:
    base_url: str
    name: str = "journeyline"
    _next_persona: int = 0

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None:
        started = time.perf_counter()
        try:
            response = await client.post("/api/v1/interviews", json={"campaign": CAMPAIGN})
        except HttpError as error:
            stats.errors[f"start: {type(error).__name__}"] += 1
            return None
        if response.status_code != 201:
            stats.errors[f"start: HTTP {response.status_code}"] += 1
            return None
        stats.start_latencies.append(time.perf_counter() - started)
        body = response.json()
        ledger.opened.add(body["interview_id"])
        # Round-robin over the personas across all customers and interviews.
        persona = PERSONAS[self._next_persona % len(PERSONAS)]
        self._next_persona += 1
        customer = SimulatedCustomer(persona, rng=random.Random(rng.random()))
        return PersonaConversation(body["interview_id"], body["token"], customer, body["pending"])
