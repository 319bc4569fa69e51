"""Issue 15 through the web JSON API, on SQLite and PostgreSQL: what a customer did not
say or confirm is not stored, a confirmation is one tap, typed endings end the steps."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from journeyline.runtime import Runtime
from storage.models import Interview, StepRecord
from tests.test_web_api import _invite, _say, _start, anyio_backend, client, runtime

pytestmark = pytest.mark.anyio
__all__ = ["anyio_backend", "client", "runtime"]  # fixtures used by name


class Customer:
    """One interview over the API, each message with its own client message id."""

    def __init__(self, client: httpx.AsyncClient, interview: dict[str, Any]) -> None:
        self.client = client
        self.interview = interview
        self.sent = 0
        self.last: dict[str, Any] = {}

    async def say(self, text: str | None = None, choice: str | None = None) -> dict[str, Any]:
        self.sent += 1
        response = await _say(
            self.client, self.interview, text=text, choice=choice, client_message_id=f"m{self.sent}"
        )
        assert response.status_code == 200, response.text
        self.last = response.json()
        return self.last

    @property
    def question(self) -> dict[str, Any]:
        replies: list[dict[str, Any]] = self.last["replies"]
        return replies[-1]

    async def skip_to(self, slot: str) -> None:
        while self.question["slot"] != slot:
            await self.say("skip")


async def _customer(client: httpx.AsyncClient, runtime: Runtime) -> Customer:
    customer = Customer(client, await _start(client, _invite(runtime)))
    await customer.say(choice="yes")
    await customer.say("My bill doubled")
    return customer


def _steps(runtime: Runtime, customer: Customer) -> list[StepRecord]:
    with runtime.sessions() as session:
        interview = session.scalars(
            select(Interview).where(Interview.public_id == customer.interview["interview_id"])
        ).one()
        return sorted(interview.steps, key=lambda s: s.ordinal)


@pytest.mark.parametrize(
    "story",
    [
        "My husband rang me at work to say the bill had doubled",
        "I noticed it on my bank statement, no email from them about it",
        "They sent me a code by text while I was looking at the bill",
    ],
)
async def test_a_passing_mention_stores_no_channel(
    client: httpx.AsyncClient, runtime: Runtime, story: str
) -> None:
    customer = await _customer(client, runtime)
    await customer.say(story)
    [step] = _steps(runtime, customer)
    assert step.channel is None and step.provenance.get("channel") is None
    assert customer.question["slot"] in ("confirm", "channel")


async def test_a_confirmation_is_stored_as_confirmed_and_a_retry_gets_the_same_replies(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    customer = await _customer(client, runtime)
    first = await customer.say("I rang them and they transferred me twice")
    card = first["replies"][-1]
    assert card["slot"] == "confirm"
    assert card["understood"]["channel"] == "phone"
    assert "transferred" in card["understood"]["pains"]
    # The same delivery again (a lost response): the same replies, nothing stored twice.
    again = await _say(
        client,
        customer.interview,
        text="I rang them and they transferred me twice",
        client_message_id=f"m{customer.sent}",
    )
    assert again.json()["replies"] == first["replies"] and again.json()["duplicate"] is True
    await customer.say(choice="yes")
    [step] = _steps(runtime, customer)
    assert step.channel == "phone" and "transferred" in step.pains
    assert step.provenance["channel"] == "confirmed" and step.provenance["pains"] == "confirmed"


async def test_a_typed_correction_is_stored_as_corrected(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    customer = await _customer(client, runtime)
    await customer.say("I rang them and they transferred me twice")
    await customer.say("no, it was their live chat")
    [step] = _steps(runtime, customer)
    assert step.channel == "live_chat" and step.provenance["channel"] == "corrected"
    assert step.provenance["pains"] == "confirmed"


@pytest.mark.parametrize(
    "ending",
    [
        "That was it, it ended there.",
        "nothing more, that's all",
        "That's all, it got fixed.",
        "that was the last thing that happened",
    ],
)
async def test_a_typed_ending_ends_the_steps(
    client: httpx.AsyncClient, runtime: Runtime, ending: str
) -> None:
    customer = await _customer(client, runtime)
    await customer.say("I emailed their billing team about it")
    await customer.skip_to("next_step")
    await customer.say(ending)
    assert customer.question["slot"] == "playback"
    assert len(_steps(runtime, customer)) == 1


async def test_nothing_after_a_wait_is_asked_about_not_taken_as_the_end(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    customer = await _customer(client, runtime)
    await customer.say("I emailed them and waited for a reply")
    await customer.skip_to("next_step")
    await customer.say("Nothing.")
    assert customer.question["slot"] == "clarify_nothing"
    await customer.say(choice="wait")
    steps = _steps(runtime, customer)
    assert len(steps) == 2 and steps[1].channel == "none"
    # "Nothing happened for a while" answers what happened, not how they were in touch:
    # no contact is read from it (inferred), never stored as said.
    assert steps[1].provenance == {"channel": "inferred"}


async def test_one_message_asks_how_and_how_long_and_a_retry_gets_it_again(
    client: httpx.AsyncClient, runtime: Runtime
) -> None:
    customer = await _customer(client, runtime)
    story = "I tried to get the double charge sorted"
    first = await customer.say(story)
    question = first["replies"][-1]
    assert (question["slot"], question["also"]) == ("channel", "duration")
    # A lost response: the same delivery again gets the very same replies (from storage).
    again = await _say(client, customer.interview, text=story, client_message_id="m3")
    assert again.json()["duplicate"] is True and again.json()["replies"] == first["replies"]
    answered = await customer.say("Email. They took 3 days to answer.")
    assert answered["replies"][-1]["slot"] == "feeling"
    assert answered["replies"][-1]["also"] is None
    [step] = _steps(runtime, customer)
    assert (step.channel, step.duration_minutes) == ("email", 4320)
    assert step.provenance["channel"] == "said" and step.provenance["duration"] == "said"
