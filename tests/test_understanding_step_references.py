"""Moment of truth (issue 15): which step an answer points at."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.conversation.vocabulary import Channel
from bot.understanding import StepReference, resolve_step_reference

STEPS = [
    "I noticed the bill was three times the usual amount.",
    "Rang their customer line and sat on hold for half an hour.",
    "The agent said she couldn't change a bill herself and transferred me to billing.",
    "I emailed the complaints team with photos of the meter.",
    "Called again a week later; a supervisor finally refunded the overcharge.",
    "Checked my bank app and the refund was there.",
]
CHANNELS = [
    Channel.NONE,
    Channel.PHONE,
    Channel.PHONE,
    Channel.EMAIL,
    Channel.PHONE,
    Channel.NONE,
]


@pytest.mark.parametrize(
    ("answer", "step"),
    [
        ("step 3", 3),
        ("Step three, the transfer", 3),
        ("#4", 4),
        ("number 5", 5),
        ("5", 5),
        ("4.", 4),
        ("The 2, when I was on hold", 2),
        ("2️⃣ definitely", 2),
        ("the third one", 3),
        ("the 4th bit", 4),
        ("The fifth, when the supervisor sorted it", 5),
        ("that 2nd thing I did", 2),
        ("the last one", 6),
        ("the final step", 6),
        ("When the assessor came round, step four.", 4),
        ("the reply, 4th", 4),
    ],
)
def test_explicit_references_are_sure(answer: str, step: int) -> None:
    reading = resolve_step_reference(answer, STEPS, channels=CHANNELS)
    assert (reading.step, reading.sure, reading.none_given) == (step, True, False)


@pytest.mark.parametrize(
    ("answer", "step"),
    [
        # the second call is the second call the customer made, not step 2
        ("my second call, when the supervisor sorted it", 5),
        ("The second phone call", 5),
        ("That first call", 2),
        ("the first email", 4),
    ],
)
def test_an_ordinal_before_another_noun_counts_that_kind(answer: str, step: int) -> None:
    reading = resolve_step_reference(answer, STEPS, channels=CHANNELS)
    assert reading.step == step
    assert not reading.sure


def test_an_ordinal_counts_contacts_not_steps_of_one_call() -> None:
    # Steps 2 and 3 are one call; "my second call" is step 5, and the words after it
    # pick the step within a contact ("that first call, when she transferred me").
    reading = resolve_step_reference(
        "that first call, when she transferred me", STEPS, channels=CHANNELS
    )
    assert reading.step == 3


@pytest.mark.parametrize(
    ("answer", "step"),
    [
        ("When they transferred me to billing", 3),
        ("the email to complaints with the photos", 4),
        ("when the supervisor refunded it", 5),
        ("sitting on hold for half an hour", 2),
        ("seeing the bill, that's when I knew it'd be a saga", 1),
    ],
)
def test_words_quoted_from_a_step_match_it(answer: str, step: int) -> None:
    assert resolve_step_reference(answer, STEPS, channels=CHANNELS).step == step


@pytest.mark.parametrize(
    "answer",
    [
        "none",
        "None really.",
        "no single moment",
        "I don't know",
        "idk tbh",
        "not sure",
        "Hard to say, nothing really stood out.",
        "I can't pick one",
        "None of it, frankly.",
        "there wasn't one",
    ],
)
def test_none_and_dont_know_are_valid_answers(answer: str) -> None:
    reading = resolve_step_reference(answer, STEPS, channels=CHANNELS)
    assert reading == StepReference(None, True, True, "none")


def test_out_of_range_and_unmatched_answers_give_no_step() -> None:
    assert resolve_step_reference("step 12", STEPS).step is None
    assert resolve_step_reference("the weather was nice", STEPS).step is None
    assert resolve_step_reference("step 2", []).step is None
    assert resolve_step_reference("", STEPS) == StepReference(None, False, False, "no match")


def test_channels_are_detected_when_not_given() -> None:
    assert resolve_step_reference("my second call", STEPS).step == 5


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200), st.lists(st.text(max_size=120), max_size=8))
def test_never_raises(answer: str, steps: list[str]) -> None:
    reading = resolve_step_reference(answer, steps)
    assert reading.step is None or 1 <= reading.step <= len(steps)
