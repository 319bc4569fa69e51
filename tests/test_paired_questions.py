"""How they were in touch and how long it took, asked in one message (issue 15: shorter,
not longer). Either part left unsaid is asked on its own; what the answer states is
`said`, because the message asked it."""

from __future__ import annotations

import pytest

from bot.conversation import engine
from bot.conversation.guide import Guide, load_guide
from bot.conversation.messages import Hints, Inbound
from bot.conversation.vocabulary import Channel, Provenance, Slot
from tests.test_engine import Chat, consented

# A first step whose story names neither the channel nor the length.
PLAIN_STORY = "I tried to get the double charge sorted"


@pytest.fixture(scope="module")
def guide() -> Guide:
    return load_guide()


def _at_the_pair(guide: Guide) -> Chat:
    chat = consented(guide)
    chat.say(PLAIN_STORY)
    assert chat.slot == Slot.CHANNEL and chat.also == Slot.DURATION
    return chat


def test_the_pair_is_one_message_with_the_channel_buttons(guide: Guide) -> None:
    chat = _at_the_pair(guide)
    question = chat.result.replies[-1]
    assert "how long" in question.text.lower() and "in touch" in question.text.lower()
    assert {c.value for c in question.choices} == {c.value for c in Channel}


@pytest.mark.parametrize(
    ("answer", "channel", "minutes"),
    [
        ("phone, about 20 minutes", Channel.PHONE, 20),
        ("Email. They took 3 days to answer.", Channel.EMAIL, 4320),
        ("live chat - 45 mins or so", Channel.LIVE_CHAT, 45),
        # The length part names another channel: the channel comes from the part before.
        ("They emailed me. Five days after the call.", Channel.EMAIL, 7200),
        ("went into the branch, half an hour maybe", Channel.IN_PERSON, 30),
        ("📞, 15 min", Channel.PHONE, 15),
    ],
)
def test_one_answer_gives_both_facts_each_as_said(
    guide: Guide, answer: str, channel: Channel, minutes: int
) -> None:
    chat = _at_the_pair(guide)
    chat.say(answer)
    step = chat.state.steps[0]
    assert step.channel == channel and step.duration_minutes == minutes
    assert step.provenance["channel"] == Provenance.SAID
    assert step.provenance["duration"] == Provenance.SAID
    assert chat.slot not in (Slot.CHANNEL, Slot.DURATION)
    assert chat.state.reasks == 0


@pytest.mark.parametrize("unknown", ["phone, no idea how long", "by email, dunno", "chat, ages"])
def test_a_length_they_cannot_give_is_an_answer_not_asked_again(guide: Guide, unknown: str) -> None:
    chat = _at_the_pair(guide)
    chat.say(unknown)
    step = chat.state.steps[0]
    assert step.channel is not None and step.duration_minutes is None
    assert Slot.DURATION in step.settled and chat.slot != Slot.DURATION


@pytest.mark.parametrize("answer", ["phone", "I rang them", "on the phone to them"])
def test_a_channel_alone_leaves_the_length_to_its_own_question(guide: Guide, answer: str) -> None:
    chat = _at_the_pair(guide)
    chat.say(answer)
    step = chat.state.steps[0]
    assert step.channel == Channel.PHONE and Slot.DURATION not in step.settled
    chat.skip_to(Slot.DURATION)  # asked later, on its own, after the feeling
    assert chat.state.steps[0].duration_minutes is None


def test_a_click_answers_the_channel_alone(guide: Guide) -> None:
    chat = _at_the_pair(guide)
    chat.click("email")
    step = chat.state.steps[0]
    assert step.channel == Channel.EMAIL and Slot.DURATION not in step.settled
    chat.skip_to(Slot.DURATION)


@pytest.mark.parametrize("answer", ["about 20 minutes", "2 hours", "a couple of days"])
def test_a_length_alone_is_kept_and_the_channel_asked_on_its_own(guide: Guide, answer: str) -> None:
    chat = _at_the_pair(guide)
    chat.say(answer)
    step = chat.state.steps[0]
    assert step.duration_minutes is not None and step.provenance["duration"] == Provenance.SAID
    # Asked on its own next: not a re-ask of an answer the bot could not use.
    assert chat.slot == Slot.CHANNEL and chat.also is None and chat.state.reasks == 0


def test_skip_passes_on_both_questions(guide: Guide) -> None:
    chat = _at_the_pair(guide)
    chat.say("skip")
    step = chat.state.steps[0]
    assert {Slot.CHANNEL, Slot.DURATION} <= set(step.settled)
    assert step.channel is None and step.duration_minutes is None


def test_back_after_a_paired_answer_undoes_both(guide: Guide) -> None:
    chat = _at_the_pair(guide)
    chat.say("phone, about 20 minutes")
    chat.say("back")
    step = chat.state.steps[0]
    assert step.channel is None and step.duration_minutes is None
    assert chat.slot == Slot.CHANNEL and chat.also == Slot.DURATION


@pytest.mark.parametrize(
    "story", ["I spent 40 minutes trying to sort it out", "I spent an hour trying to fix it myself"]
)
def test_a_length_the_story_stated_leaves_the_channel_alone(guide: Guide, story: str) -> None:
    chat = consented(guide)
    chat.say(story)
    # The story stated the length outright: only the channel is left to ask.
    assert Slot.DURATION in chat.state.steps[0].settled
    assert chat.slot == Slot.CHANNEL and chat.also is None


def test_a_probable_length_is_offered_first_in_the_pair(guide: Guide) -> None:
    chat = consented(guide)
    chat.say("it took me 2 hours to find out what was wrong")
    # "took me 2 hours to find out" may be how long until something, not the step's
    # length: a probable reading is never stored unseen, so the pair asks it.
    assert chat.slot == Slot.CHANNEL and chat.also == Slot.DURATION
    assert chat.state.steps[0].duration_minutes is None


def test_a_guide_can_ask_them_apart(guide: Guide) -> None:
    apart = guide.model_copy(update={"ask_channel_with_duration": False})
    chat = consented(apart)
    chat.say(PLAIN_STORY)
    assert chat.slot == Slot.CHANNEL and chat.also is None
    chat.say("phone, about 20 minutes")
    step = chat.state.steps[0]
    assert step.channel == Channel.PHONE
    # Asked alone, the length in the channel's answer is not the answer to its own question.
    assert step.provenance.get("duration") != Provenance.SAID


def test_a_length_only_a_model_read_is_inferred_not_said(guide: Guide) -> None:
    chat = _at_the_pair(guide)
    # "trois quarts d'heure": our reader finds no length, the model's hint does.
    chat.result = engine.handle(
        chat.state,
        Inbound(
            text="téléphone, trois quarts d'heure",
            message_id=99,
            hints=Hints(channel=Channel.PHONE, duration_minutes=45),
        ),
        guide,
    )
    step = chat.state.steps[0]
    assert step.duration_minutes == 45 and step.provenance["duration"] == Provenance.INFERRED
    assert chat.slot not in (Slot.CHANNEL, Slot.DURATION)
