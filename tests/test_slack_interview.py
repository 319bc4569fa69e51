"""A whole Slack interview through the real Bolt app on `POST /slack/events`: signed
requests in, Web API calls to a fake Slack on 127.0.0.1 out, the transcript in storage
(SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest
import time_machine
from slack_bolt import BoltRequest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import InterviewStatus, Slot
from bot.service.interviews import InterviewService
from bot.slack.bolt_app import create_slack_bot
from bot.slack.web_client import make_client
from fakes.slack import (
    BOT_ID,
    BOT_TOKEN,
    BOT_USER,
    SIGNING_SECRET,
    TEAM,
    FakeSlack,
    SlackWorld,
    buttons,
    dm_event,
    event_callback,
    make_world,
    new_event_id,
    signed_headers,
    with_users,
)
from storage.models import SlackEvent


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with FakeSlack() as fake:
        yield with_users(fake)


@pytest.fixture
def world(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> Iterator[SlackWorld]:
    yield from make_world(fake, db_engine, session_factory)


# What the customer does at each question: ("click", value) or ("type", text).
SCRIPT: dict[str, tuple[str, str]] = {
    Slot.CONSENT: ("click", "yes"),
    Slot.PROBLEM: ("type", "I was charged twice for my broadband"),
    Slot.STEP: ("type", "I got in touch with them"),
    Slot.CHANNEL: ("click", "phone"),
    Slot.FEELING: ("click", "2"),
    Slot.THINKING: ("type", "Why is this so hard?"),
    Slot.DURATION: ("click", "60"),
    Slot.PEOPLE_TOOLS: ("type", "an agent called Sam"),
    Slot.PAIN: ("click", "long_wait"),
    Slot.NEXT_STEP: ("click", "last:partly"),  # the end, and how it ended, in one tap
    Slot.PLAYBACK: ("click", "yes"),
    Slot.MOMENT_OF_TRUTH: ("click", "step:1"),
    Slot.RESOLVED: ("click", "partly"),  # not asked: the end button said so
    Slot.EFFORT: ("click", "5"),
    Slot.IMPROVEMENT: ("type", "Call me back instead of the hold music"),
    Slot.ANYTHING_ELSE: ("click", "no"),
}


def test_a_whole_interview_with_typed_answers_and_clicks(world: SlackWorld) -> None:
    driver, fake = world.driver, world.fake
    assert driver.say("hi") == 200
    opening = fake.posted()
    assert [p["channel"] for p in opening] == ["DU1", "DU1"]
    assert "last time you needed help" in opening[0]["text"]
    assert buttons(opening[1]) == [
        ("yes", "Yes, that's fine"),
        ("yes-hear-back", "Yes, and tell me what you change"),
        ("no", "No thanks"),
    ]

    clicks = typed_over_buttons = 0
    for _ in range(40):
        slot = world.pending_slot()
        if slot is None:
            break
        how, what = SCRIPT[slot]
        question = driver.last_post()
        if how == "click":
            assert what in dict(buttons(question)), (slot, buttons(question))
            assert driver.click(question, what) == 200
            clicks += 1
        else:
            typed_over_buttons += bool(buttons(question))
            assert driver.say(what) == 200
    else:
        pytest.fail("the interview did not finish")

    interview = world.interview()
    assert interview.status == InterviewStatus.COMPLETED
    assert interview.problem == "I was charged twice for my broadband"
    assert interview.resolved == "partly" and interview.effort == 5
    [step] = interview.steps
    assert (step.channel, step.feeling, step.duration_minutes) == ("phone", 2, 60)
    assert "long_wait" in step.pains

    # Every stored bot message was posted once, in order, and nothing else was.
    outbound = [m for m in interview.messages if m.direction == "out"]
    assert [p["text"] for p in fake.posted()] == [m.text for m in outbound]
    started_by, *inbound = [m for m in interview.messages if m.direction == "in"]
    # The DM that started the interview is kept, and answers nothing (no slot).
    assert (started_by.text, started_by.slot) == ("hi", None)
    assert inbound[0].choice == "yes" and inbound[0].text == "Yes, that's fine"
    assert "Call me back instead of the hold music" in [m.text for m in inbound]

    # Each click turned its question into the chosen label, without buttons; typing over
    # buttons took the buttons away too.
    updates = fake.calls_to("chat.update")
    assert len(updates) == clicks + typed_over_buttons
    assert all(not any(b["type"] == "actions" for b in u["blocks"]) for u in updates)
    notes = [u["blocks"][-1]["elements"][0]["text"] for u in updates if u["text"].startswith("✅")]
    assert "✅ 🙁 Bad" in notes and "✅ Phone" in notes
    # The playback showed the journey as a numbered list.
    playback = next(p for p in fake.posted() if any(b["type"] == "rich_text" for b in p["blocks"]))
    listed = next(b for b in playback["blocks"] if b["type"] == "rich_text")
    assert listed["elements"][0]["style"] == "ordered"
    # Every delivery was claimed once: the "hi" that started it, then every answer.
    with world.sessions() as session:
        assert len(session.scalars(select(SlackEvent)).all()) == 1 + len(inbound)


def consented(world: SlackWorld, user: str = "U1") -> None:
    """Start the user's interview and agree to the consent question."""
    world.driver.say("hi", user=user)
    world.driver.click(world.driver.last_post(f"D{user}"), "yes", user=user)
    assert world.pending_slot(user) == Slot.PROBLEM


def inbound_texts(world: SlackWorld, user: str = "U1") -> list[str]:
    return [m.text for m in world.interview(user).messages if m.direction == "in"]


# --- signatures --------------------------------------------------------------------------


def test_a_bad_or_missing_signature_is_401_and_does_nothing(world: SlackWorld) -> None:
    body = event_callback(dm_event("hi", user="U1"), event_id=new_event_id())
    assert world.driver.deliver(body, secret="not-the-secret") == 401
    unsigned = world.driver.send(body, {"content-type": "application/json"})
    assert unsigned == 401
    world.driver.settle()
    assert world.fake.posted() == []


def test_a_request_older_than_five_minutes_is_rejected(world: SlackWorld) -> None:
    body = event_callback(dm_event("hi", user="U1"), event_id=new_event_id())
    stale = int(time.time()) - 6 * 60
    assert world.driver.deliver(body, timestamp=stale) == 401
    assert world.fake.posted() == []
    assert world.driver.deliver(body, timestamp=int(time.time()) - 60) == 200  # within 5 min
    assert len(world.fake.posted()) == 2


# --- duplicates ----------------------------------------------------------------------------


def test_three_retries_of_an_event_store_one_message_and_reply_once(
    world: SlackWorld, fake: FakeSlack
) -> None:
    consented(world)
    posts_before = len(fake.posted())
    body = event_callback(dm_event("My bill was wrong", user="U1"), event_id="EvRETRY")
    for retry in (None, 1, 2, 3):
        assert world.driver.deliver(body, retry_num=retry, settle=False) == 200
    world.driver.settle()
    assert inbound_texts(world).count("My bill was wrong") == 1
    assert len(fake.posted()) == posts_before + 1  # "And what was the first thing ...?"


def test_a_retry_reaching_another_process_is_still_handled_once(
    world: SlackWorld, fake: FakeSlack, session_factory: sessionmaker[Session]
) -> None:
    consented(world)
    body = event_callback(dm_event("My bill was wrong", user="U1"), event_id="EvOTHER")
    assert world.driver.deliver(body) == 200
    posts = len(fake.posted())
    # A second server process: its own Bolt app, client and executor; the same database.
    other = create_slack_bot(
        client=make_client(token=BOT_TOKEN, base_url=fake.url),
        signing_secret=SIGNING_SECRET,
        service=InterviewService(session_factory),
    )
    try:
        request = BoltRequest(body=body, headers={**signed_headers(body), "x-slack-retry-num": "1"})
        assert other.app.dispatch(request).status == 200
        assert other.executor.join(30)
    finally:
        other.close()
    assert inbound_texts(world).count("My bill was wrong") == 1
    assert len(fake.posted()) == posts


def test_a_double_click_stores_one_answer(world: SlackWorld, fake: FakeSlack) -> None:
    world.driver.say("hi")
    consent = world.driver.last_post()
    for _ in range(2):  # two payloads, two action_ts, one message
        world.driver.click(consent, "yes", settle=False)
    world.driver.click(consent, "no", settle=False)  # a third, on the other button: too late
    world.driver.settle()
    interview = world.interview()
    assert interview.consent is True
    # The opening "hi" (no choice), then one answer.
    assert [m.choice for m in interview.messages if m.direction == "in"] == [None, "yes"]
    assert len(fake.calls_to("chat.update")) == 1
    assert len(fake.posted()) == 3  # intro, consent, the first question


def test_an_old_button_cannot_answer_a_later_question(world: SlackWorld, fake: FakeSlack) -> None:
    consented(world)
    world.driver.say("My bill was wrong")
    world.driver.say("I got in touch with them")
    channel_question = world.driver.last_post()
    assert ("email", "Email") in buttons(channel_question)
    world.driver.say("by email")  # answered by typing: the buttons go away
    assert fake.calls_to("chat.update")[-1]["ts"] == channel_question["ts"]
    assert buttons(fake.calls_to("chat.update")[-1]) == []
    stored = len(world.interview().messages)
    world.driver.click(channel_question, "phone")  # a stale client still shows them
    assert len(world.interview().messages) == stored
    assert fake.calls_to("chat.update")[-1]["text"] == "This question was answered already."
    assert world.interview().steps[0].channel == "email"


# --- what Slack sends that is not an answer ------------------------------------------------


def test_unhandled_requests_are_acked_not_404(world: SlackWorld) -> None:
    reaction = {"type": "reaction_added", "user": "U1", "reaction": "tada", "item": {}}
    assert world.driver.deliver(event_callback(reaction, event_id=new_event_id())) == 200
    home = {"type": "app_home_opened", "user": "U1", "channel": "DU1", "tab": "home"}
    assert world.driver.deliver(event_callback(home, event_id=new_event_id())) == 200
    channel_message = dm_event("hello all", user="U1", channel="C1", channel_type="channel")
    assert world.driver.deliver(event_callback(channel_message, event_id=new_event_id())) == 200
    command = urlencode({"command": "/journeyline", "text": "", "user_id": "U1", "team_id": TEAM})
    assert world.driver.deliver(command, content_type="application/x-www-form-urlencoded") == 200
    assert world.fake.posted() == []


def test_the_bots_own_messages_are_ignored(world: SlackWorld) -> None:
    own = dm_event("Hi! Thanks for making time.", user=BOT_USER, bot_id=BOT_ID)
    assert world.driver.deliver(event_callback(own, event_id=new_event_id())) == 200
    bot_message = dm_event("beep", user="U9", subtype="bot_message", bot_id="B9")
    assert world.driver.deliver(event_callback(bot_message, event_id=new_event_id())) == 200
    assert world.fake.posted() == []


def test_edits_and_deletions_are_not_answers(world: SlackWorld, fake: FakeSlack) -> None:
    consented(world)
    world.driver.say("My bill was wrng", ts="1800009999.000100")
    stored = len(world.interview().messages)
    posts = len(fake.posted())
    edit = {
        "type": "message",
        "subtype": "message_changed",
        "channel_type": "im",
        "channel": "DU1",
        "message": {"type": "message", "user": "U1", "text": "My bill was wrong"},
        "previous_message": {"type": "message", "user": "U1", "text": "My bill was wrng"},
        "ts": "1800009999.000300",
    }
    body = event_callback(edit, event_id="EvEDIT")
    for retry in (None, 1):
        assert world.driver.deliver(body, retry_num=retry) == 200
    assert len(fake.posted()) == posts + 1  # one note on how to change an answer
    assert "back" in fake.posted()[-1]["text"]
    deletion = {
        "type": "message",
        "subtype": "message_deleted",
        "channel_type": "im",
        "channel": "DU1",
        "previous_message": {"type": "message", "user": "U1", "text": "My bill was wrng"},
        "ts": "1800009999.000400",
    }
    assert world.driver.deliver(event_callback(deletion, event_id=new_event_id())) == 200
    # Our own chat.update comes back as a message_changed of a bot message.
    ours = {**edit, "message": {"type": "message", "user": BOT_USER, "bot_id": BOT_ID, "text": "x"}}
    assert world.driver.deliver(event_callback(ours, event_id=new_event_id())) == 200
    assert len(fake.posted()) == posts + 1
    assert len(world.interview().messages) == stored


def test_markup_files_threads_and_long_text_are_stored_readably(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    for world in make_world(fake, db_engine, session_factory, max_message_chars=100):
        consented(world)
        world.driver.say("<@U2> &amp; I were billed twice, see <https://acme.example/bill|my bill>")
        world.driver.say(
            "I emailed them this screenshot",
            subtype="file_share",
            files=[{"id": "F1", "name": "invoice.png", "title": "invoice"}],
            thread_ts="1800000000.000001",
        )
        long_text = "so " * 60
        world.driver.say(long_text)
        texts = inbound_texts(world)[1:]  # after the opening "hi"
        assert texts[1] == "@Ben & I were billed twice, see my bill (https://acme.example/bill)"
        assert texts[2] == "I emailed them this screenshot\n[file: invoice.png]"
        assert texts[3] == long_text.strip()
        assert "short version" in fake.posted()[-2]["text"]
        assert world.interview().problem == texts[1]


def test_a_dm_without_an_interview_to_start_gets_a_note(
    fake: FakeSlack, db_engine: Engine, session_factory: sessionmaker[Session]
) -> None:
    for world in make_world(fake, db_engine, session_factory, slack_campaign=None):
        assert world.driver.say("hello?") == 200
        [note] = fake.posted()
        assert "no interview waiting" in note["text"]


# --- time ------------------------------------------------------------------------------


def test_a_customer_who_comes_back_days_later_continues(world: SlackWorld) -> None:
    consented(world)
    world.driver.say("My bill was wrong")
    first_id = world.interview().public_id
    with time_machine.travel(datetime.now(UTC) + timedelta(days=6), tick=True):
        world.driver.say("sorry, I was away. I rang them")
        interview = world.interview()
        assert interview.public_id == first_id
        assert inbound_texts(world)[-1] == "sorry, I was away. I rang them"
        assert interview.steps[0].channel == "phone"
        assert interview.updated_at > datetime.now(UTC) - timedelta(minutes=5)


def test_the_second_yes_in_slack_keeps_the_wish_to_hear_back(world: SlackWorld) -> None:
    """Closing the loop (issue 18): the consent's second button, clicked in a DM, is stored
    with the consent, and the next question is the same as after a plain yes."""
    driver = world.driver
    assert driver.say("hi") == 200
    question = driver.last_post()
    assert driver.click(question, "yes-hear-back") == 200
    interview = world.interview()
    assert (interview.consent, interview.hear_back) == (True, True)
    assert world.pending_slot() == Slot.PROBLEM
