"""Issue 15: facts are stored only when said, confirmed, or stated outright; probable
readings of a story are shown back for one tap, offered first, or asked."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import engine
from bot.conversation.guide import Guide, load_guide
from bot.conversation.messages import Inbound
from bot.conversation.questions import question_choices
from bot.conversation.state import InterviewState, next_position
from bot.conversation.vocabulary import Channel, Provenance, Slot
from tests.test_engine import Chat, consented

GUIDE = load_guide()
# The question whose answer may make each fact `said`.
OWN_QUESTION = {
    "channel": Slot.CHANNEL,
    "feeling": Slot.FEELING,
    "duration": Slot.DURATION,
    "people": Slot.PEOPLE_TOOLS,
    "tools": Slot.PEOPLE_TOOLS,
    "pains": Slot.PAIN,
}


@pytest.fixture(scope="module")
def guide() -> Guide:
    return GUIDE


def _to_confirmation(guide: Guide, story: str) -> Chat:
    chat = consented(guide)
    chat.say(story)
    assert chat.slot == Slot.CONFIRM, chat.result.replies[-1].text
    return chat


# --- what is stored unasked, what is shown, what is asked --------------------------------


@pytest.mark.parametrize(
    "story",
    [
        "I rang their helpline and sat on hold for 40 minutes",
        "Called them, waited 25 min on hold",
        "I phoned the bank, it took about two hours",
    ],
)
def test_a_story_that_states_channel_and_time_outright_is_stored_as_inferred(
    guide: Guide, story: str
) -> None:
    chat = consented(guide)
    chat.say(story)
    step = chat.state.steps[0]
    assert step.channel == Channel.PHONE and step.duration_minutes is not None
    assert step.provenance["channel"] == Provenance.INFERRED
    assert step.provenance["duration"] == Provenance.INFERRED


@pytest.mark.parametrize(
    "story",
    [
        # passing mentions: the channel is probable, never stored unseen
        "My sister phoned me to say the bill looked wrong, and I got a text about it",
        "The app showed an error so I went to their website and they emailed me a form",
        "They said they would call me back, and I waited for a message",
    ],
)
def test_a_passing_mention_is_never_stored_unseen(guide: Guide, story: str) -> None:
    chat = consented(guide)
    chat.say(story)
    step = chat.state.steps[0]
    assert "channel" not in step.provenance or step.provenance["channel"] != Provenance.INFERRED
    assert step.channel is None  # shown back, offered first, or asked: not stored


def test_yes_confirms_everything_shown(guide: Guide) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice, furious")
    shown = chat.result.replies[-1].understood
    assert shown is not None and shown.channel == Channel.PHONE and "transferred" in shown.pains
    chat.click("yes")
    step = chat.state.steps[0]
    assert step.channel == Channel.PHONE and "transferred" in step.pains
    assert step.provenance["channel"] == step.provenance["pains"] == Provenance.CONFIRMED
    assert Slot.CHANNEL in step.settled and Slot.PAIN in step.settled


@pytest.mark.parametrize("no", ["no", "nope", "not quite"])
def test_fix_it_forgets_the_reading_and_asks_each_question(guide: Guide, no: str) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    chat.say(no)
    step = chat.state.steps[0]
    assert step.channel is None and step.pains == [] and step.provenance == {}
    assert chat.slot == Slot.CHANNEL  # now asked, its own question
    chat.click("email")
    assert chat.state.steps[0].provenance["channel"] == Provenance.SAID


@pytest.mark.parametrize(
    ("correction", "channel"),
    [
        ("it was email actually", Channel.EMAIL),
        ("No, I used their live chat", Channel.LIVE_CHAT),
        ("through the app", Channel.MOBILE_APP),
    ],
)
def test_typed_words_correct_what_they_state_and_confirm_the_rest(
    guide: Guide, correction: str, channel: Channel
) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    result = chat.say(correction)
    step = chat.state.steps[0]
    assert step.channel == channel
    assert step.provenance["channel"] == Provenance.CORRECTED
    assert step.provenance["pains"] == Provenance.CONFIRMED
    assert any("changed" in reply.text for reply in result.replies)
    assert chat.slot not in (Slot.CONFIRM, Slot.CHANNEL)


@pytest.mark.parametrize(
    "correction", ["No, they were lovely about it.", "No, that was normal, the right team."]
)
def test_a_plain_no_that_it_was_fine_drops_the_shown_pain_and_confirms_the_rest(
    guide: Guide, correction: str
) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    chat.say(correction)
    step = chat.state.steps[0]
    assert step.pains == [] and Slot.PAIN in step.settled
    assert step.channel == Channel.PHONE
    assert step.provenance["channel"] == Provenance.CONFIRMED
    assert chat.slot not in (Slot.CONFIRM, Slot.CHANNEL, Slot.PAIN)


def test_unclear_words_are_asked_again_once_then_taken_as_fix_it(guide: Guide) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    chat.say("hmm")
    assert chat.slot == Slot.CONFIRM and "tell me what to change" in chat.result.replies[-1].text
    chat.say("hmm")
    assert chat.slot == Slot.CHANNEL and chat.state.steps[0].channel is None


def test_skipping_the_confirmation_stores_nothing_probable(guide: Guide) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    chat.say("skip")
    step = chat.state.steps[0]
    assert step.pains == []  # probable: not stored
    assert step.provenance == {"channel": Provenance.INFERRED}  # stated outright: kept
    assert Slot.PAIN in step.settled  # not asked again either: the customer passed


def test_back_undoes_a_confirmation(guide: Guide) -> None:
    chat = _to_confirmation(guide, "I rang them and they transferred me twice")
    chat.click("yes")
    chat.say("back")
    step = chat.state.steps[0]
    assert chat.slot == Slot.CONFIRM and step.pains == []
    assert step.provenance == {"channel": Provenance.INFERRED}


def test_a_single_probable_reading_is_offered_first_in_its_own_question(guide: Guide) -> None:
    chat = consented(guide)
    chat.say("My neighbour said the website had a notice about it")
    assert chat.slot == Slot.CHANNEL
    first = chat.result.replies[-1].choices[0]
    assert first.value == "website"
    chat.click("website")
    assert chat.state.steps[0].provenance["channel"] == Provenance.SAID


def test_a_continuation_is_offered_the_last_steps_channel(guide: Guide) -> None:
    chat = consented(guide)
    chat.say("I rang their helpline")
    while chat.slot != Slot.NEXT_STEP:
        chat.say("skip")
    chat.say("Same call, she put me through to billing and I explained it all again")
    step = chat.state.steps[1]
    assert step.channel is None  # probable, so not stored unseen
    card = chat.result.replies[-1]
    offered = card.understood.channel if card.understood else card.choices[0].value
    assert offered == Channel.PHONE


# --- "nothing" after a wait --------------------------------------------------------------


def _after_a_wait(guide: Guide) -> Chat:
    chat = consented(guide)
    chat.say("I emailed them and waited for a reply")
    while chat.slot != Slot.NEXT_STEP:
        chat.say("skip")
    chat.say("Nothing.")
    assert chat.slot == Slot.CLARIFY_NOTHING
    return chat


def test_nothing_after_a_wait_asks_whether_it_was_a_pause(guide: Guide) -> None:
    chat = _after_a_wait(guide)
    chat.click("wait")
    assert len(chat.state.steps) == 2 and chat.state.steps[1].channel == Channel.NONE
    assert chat.slot == Slot.FEELING  # the pause is a step: how did it feel?
    while chat.slot != Slot.NEXT_STEP:
        chat.say("skip")
    chat.say("Then I rang them")
    assert len(chat.state.steps) == 3


def test_nothing_after_a_wait_can_be_the_end(guide: Guide) -> None:
    chat = _after_a_wait(guide)
    chat.click("end")
    assert len(chat.state.steps) == 1 and chat.slot == Slot.PLAYBACK


def test_nothing_after_a_step_that_was_no_wait_ends_the_steps(guide: Guide) -> None:
    chat = consented(guide)
    chat.say("I rang them and they fixed it")
    while chat.slot != Slot.NEXT_STEP:
        chat.say("skip")
    chat.say("Nothing.")
    assert chat.slot == Slot.PLAYBACK


# --- the property: `said` only from a fact's own question --------------------------------

STORIES = [
    "called them, sat on hold 40 min, furious",
    "I emailed them twice and nobody replied for a week",
    "used the chat in the app, the bot kept looping, 2/5",
    "my husband rang them while I was at work",
    "went to the shop, the staff were lovely",
    "they sent me a text with a code during the call",
    "Same call, then she transferred me",
    "phone, about 20 minutes",
    "email. took them 3 days",
    "that was it",
    "Nothing.",
]
texts = st.one_of(st.sampled_from(STORIES), st.text(max_size=80))
turns = st.lists(st.tuples(texts, st.one_of(st.none(), st.integers(0, 20))), max_size=50)


def _click(state: InterviewState, pick: int) -> str | None:
    choices = question_choices(next_position(state, GUIDE), state, GUIDE)
    return choices[pick % len(choices)].value if choices else None


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns)
def test_no_fact_is_stored_as_said_unless_answered_to_its_own_question(
    conversation: list[tuple[str, int | None]],
) -> None:
    result = engine.start(GUIDE)
    for index, (text, pick) in enumerate(conversation):
        state = result.state
        asked = next_position(state, GUIDE)
        choice = _click(state, pick) if pick is not None else None
        result = engine.handle(
            state, Inbound(text=text, choice=choice, message_id=index + 1), GUIDE
        )
        before = {s.ordinal: s for s in state.steps}
        for step in result.state.steps:
            earlier = before.get(step.ordinal)
            for fact, how in step.provenance.items():
                was = earlier.provenance.get(fact) if earlier is not None else None
                if how == Provenance.SAID and was != Provenance.SAID:
                    # A message may ask two questions ("how were you in touch, and how
                    # long did it take?"): either is the fact's own question.
                    own = OWN_QUESTION[fact] in (asked.slot, asked.also)
                    assert own and asked.step == step.ordinal, (
                        f"{fact} stored as said from an answer to {asked.slot} (step {asked.step})"
                    )
            # Every stored fact says how it was learnt.
            stored = {
                "channel": step.channel is not None,
                "feeling": step.feeling is not None,
                "duration": step.duration_minutes is not None,
                "pains": bool(step.pains),
            }
            for fact, present in stored.items():
                if present:
                    assert fact in step.provenance, f"{fact} stored without provenance"


# --- non-answers --------------------------------------------------------------------------


@pytest.mark.parametrize("refusal", ["prefer not to say", "I'd rather not", "no comment"])
def test_a_refusal_to_rate_is_recorded_once_and_never_asked_again(
    guide: Guide, refusal: str
) -> None:
    chat = consented(guide)
    chat.say("I logged a ticket on their site")
    if chat.slot == Slot.CHANNEL:
        chat.say("skip")
    assert chat.slot == Slot.FEELING
    chat.say(refusal)
    step = chat.state.steps[0]
    assert chat.slot != Slot.FEELING and step.feeling is None
    assert step.feeling_text == refusal and "feeling" not in step.provenance


@pytest.mark.parametrize("unknown", ["idk", "n/a", "couldn't say, didn't time it"])
def test_i_dont_know_is_a_valid_duration_answer(guide: Guide, unknown: str) -> None:
    chat = consented(guide)
    chat.say("I logged a ticket on their site")
    chat.skip_to(Slot.DURATION)
    chat.say(unknown)
    assert chat.slot != Slot.DURATION and chat.state.reasks == 0
    assert chat.state.steps[0].duration_minutes is None


# --- the moment of truth -------------------------------------------------------------------


def _at_the_moment(guide: Guide) -> Chat:
    chat = consented(guide)
    for story in (
        "I rang their helpline about the charge",
        "I emailed the complaints team with my statement",
        "A manager called me back and refunded it",
    ):
        chat.say(story)
        while chat.slot not in (Slot.NEXT_STEP, Slot.PLAYBACK):
            chat.say("skip")
    chat.click("last")
    chat.click("yes")
    assert chat.slot == Slot.MOMENT_OF_TRUTH
    return chat


@pytest.mark.parametrize(("answer", "step"), [("step 2", 2), ("the third one", 3), ("#1", 1)])
def test_an_explicit_step_is_stored_at_once(guide: Guide, answer: str, step: int) -> None:
    chat = _at_the_moment(guide)
    chat.say(answer)
    assert chat.state.moment_of_truth_step == step and chat.slot == Slot.RESOLVED


@pytest.mark.parametrize("answer", ["none really", "I don't know", "hard to pick one"])
def test_none_is_a_valid_moment_of_truth(guide: Guide, answer: str) -> None:
    chat = _at_the_moment(guide)
    chat.say(answer)
    assert chat.state.moment_of_truth_step is None and chat.slot == Slot.RESOLVED


def test_a_clearly_described_moment_is_stored_at_once(guide: Guide) -> None:
    chat = _at_the_moment(guide)
    chat.say("when the manager sorted the refund")
    assert chat.state.moment_of_truth_step == 3 and chat.slot == Slot.RESOLVED


def test_an_unsure_match_is_confirmed_in_one_tap(guide: Guide) -> None:
    chat = _at_the_moment(guide)
    chat.say("the email, I think")
    assert chat.slot == Slot.CONFIRM_MOMENT and chat.state.moment_guess == 2
    reply = chat.result.replies[-1]
    assert "step 2" in reply.text and "emailed the complaints team" in reply.text
    assert [c.value for c in reply.choices] == ["yes", "step:1", "step:3"]
    chat.click("yes")
    assert chat.state.moment_of_truth_step == 2 and chat.slot == Slot.RESOLVED
    assert chat.state.moment_of_truth == "the email, I think"


def test_a_wrong_guess_is_fixed_with_the_right_steps_button(guide: Guide) -> None:
    chat = _at_the_moment(guide)
    chat.say("when they got back to me")
    assert chat.slot == Slot.CONFIRM_MOMENT and chat.state.moment_guess == 3
    chat.click("step:1")
    assert chat.state.moment_of_truth_step == 1 and chat.state.moment_guess is None
    assert chat.slot == Slot.RESOLVED


def test_an_unmatched_description_is_kept_in_words_without_a_step(guide: Guide) -> None:
    chat = _at_the_moment(guide)
    chat.say("the money part")
    assert chat.state.moment_of_truth == "the money part"
    assert chat.state.moment_of_truth_step is None and chat.slot == Slot.RESOLVED
