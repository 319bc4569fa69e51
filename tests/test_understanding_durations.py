"""Durations from the time phrase that says how long the step took (issue 15), and the
valid answers that carry no value ("n/a", "prefer not to say")."""

from __future__ import annotations

import pytest

from bot.understanding import (
    declines_to_answer,
    parse_duration_minutes,
    says_unknown,
    understand,
)
from bot.understanding.numbers import to_number


@pytest.mark.parametrize(
    "text",
    [
        "they apologised and refunded the charges for the three months",
        "he gave us a month's fees back as a credit",
        "she set up a payment plan of £40 a month for a year",
        "the goodwill credit covers six weeks of rent",
        "they froze my membership for two months while I was ill, all above board",
        "refunded three months of premiums after I complained about the renewal",
    ],
)
def test_what_a_refund_or_plan_covers_is_not_the_steps_length(text: str) -> None:
    assert understand(text).duration_minutes is None


def test_an_answer_naming_its_length_first_and_a_refund_period_after() -> None:
    assert parse_duration_minutes("Ten minutes, and that got me a refund for three months") == 10
    assert parse_duration_minutes("About 20 mins. They credited a month's fees.") == 20


@pytest.mark.parametrize(
    "text",
    [
        "A week later they emailed to say the claim was declined",
        "Three weeks after the repair, a letter came about the excess",
        "I called back a couple of days later with the adverts",
        "After two weeks they rang me with an offer",
        "they told me it would be ready in 5 days",
        "a reply arrived with a new appointment. In four months.",
        "picked the parcel up from the depot 3 days later",
        "Two days after, I pick up the car and it is repaired",
        "I noticed my card expires in ten weeks while booking a trip",
    ],
)
def test_when_a_step_happened_is_not_its_length(text: str) -> None:
    assert understand(text).duration_minutes is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("emailed them with photos, they replied 2 days later", 2880),
        ("posted on the forum and someone answered 45 minutes later", 45),
        ("waited. the letter came 5 weeks later", 50400),
        ("messaged them on facebook, they replied within the hour", 60),
        ("i dialled the number and got a rep after maybe 10 minutes", 10),
    ],
)
def test_a_reply_after_the_customers_own_contact_measures_the_step(
    text: str, expected: int
) -> None:
    assert understand(text).duration_minutes == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("listened to the same 30 seconds of violin music over and over", None),
        ("a 20-second loop of Vivaldi, for what felt like forever", None),
        ("40 minutes of hold music before anyone picked up", 40),
        ("rang them, sat on hold 35 minutes listening to the same jingle", 35),
    ],
)
def test_the_length_of_a_looping_hold_tune_is_not_the_wait(text: str, expected: int | None) -> None:
    assert understand(text).duration_minutes == expected


@pytest.mark.parametrize(
    "text",
    [
        "I rang them. I've been with them 10 years and never once had to call before.",
        "I've been a customer for six years, so I expected better",
        "I have an account with them since 5 years",
        "I popped into the studio, I'd been going there for two years so I know the staff",
        "I've asked for maybe two refunds in four years",
    ],
)
def test_how_long_someone_has_been_a_customer_is_not_the_steps_length(text: str) -> None:
    assert understand(text).duration_minutes is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Only a couple of minutes. The delay itself was two hours, of course.", 2),
        ("A moment to read it. The delay itself was twelve hours.", 1),
        ("The appointment itself took 20 minutes, though I travelled an hour each way.", 20),
        ("Half an hour, 25 minutes of it on hold.", 30),
        ("Writing them took maybe 30 minutes altogether, spread over a week.", 30),
        ("Over about a week, but maybe an hour of my time altogether writing emails.", 60),
        ("Two minutes to read. Six weeks to write, apparently.", 2),
        ("I was travelling three hours to the port, but seeing the screen was one minute.", 1),
        ("Ten minutes at the desk. Plus the forty-minute drive, but who's counting.", 10),
        ("I notice after one day, but to check it was 30 minutes.", 30),
    ],
)
def test_an_answer_naming_two_times_takes_the_steps_own(text: str, expected: int) -> None:
    assert parse_duration_minutes(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15", 15),
        ("about 40", 40),
        ("0, it just popped up", 0),
        ("About one hour and half.", 90),
        ("Ninety glorious minutes.", 90),
        ("8am-1pm slot", 300),
        ("The whole working day, from about 7 in the morning till I gave up at 5.", 600),
        ("The whole five-hour slot.", 300),
        ("Few minutes.", 5),
        ("Waited the 5-7 business days. Then another 5.", 22176),
        ("It turned up eight days later.", 11520),
    ],
)
def test_answers_to_how_long(text: str, expected: int) -> None:
    assert parse_duration_minutes(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Three days with no internet, working from home, and nobody told me a thing about why",
        "I was thinking, five weeks, and it had been sitting in the wrong file all along",
        "Got a slot at the regional office in 2 days, which seemed fine at the time",
    ],
)
def test_a_time_phrase_in_a_long_story_needs_to_say_it_is_the_length(text: str) -> None:
    assert understand(text).duration_minutes is None


@pytest.mark.parametrize(
    "text",
    [
        "n/a",
        "N/A really, it was just there when I got home.",
        "idk",
        "idk 🤷",
        "🤷‍♀️ no clue",
        "no idea honestly",
        "I couldn't say, it just came back at some point overnight.",
        "Difficult to say, I noticed it little by little.",
        "didn't time it",
        "dunno",
        "not sure",
        "?",
        "Not really a length of time, it just lit up.",
        "I don't really know",
        "couldn't tell you",
    ],
)
def test_says_unknown(text: str) -> None:
    assert says_unknown(text)
    assert parse_duration_minutes(text) is None


def test_a_guess_after_dont_know_is_still_a_length() -> None:
    assert says_unknown("no idea, maybe 20 minutes")
    assert parse_duration_minutes("no idea, maybe 20 minutes") == 20


@pytest.mark.parametrize(
    "text",
    ["about 20 minutes", "20", "knowing them, ages", "a naive question", "nap time", ""],
)
def test_says_unknown_only_for_unknowns(text: str) -> None:
    assert not says_unknown(text)


@pytest.mark.parametrize(
    "text",
    [
        "prefer not to say",
        "I'd rather not",
        "Rather not say, honestly. It was a miserable few weeks.",
        "pass",
        "I'll pass on that one",
        "no comment",
        "I don't want to give a number, I'm just tired of this.",
        "I'd rather not put a number on it",
        "skip this one",
        "Don't ask.",
        "I don't really want to score that one.",
    ],
)
def test_declines_to_answer(text: str) -> None:
    assert declines_to_answer(text)


@pytest.mark.parametrize(
    "text",
    [
        "passable",
        "I'd rather have called them",
        "no comments from them at all, annoying",
        "a 2, I'd say",
        "pretty bad",
        "",
    ],
)
def test_declines_to_answer_only_for_refusals(text: str) -> None:
    assert not declines_to_answer(text)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        # A vague quantity ("a couple", "a few") before a unit, then a rate or a second
        # unit: the "N hours M minutes" reader asked an int whether it was whole, which
        # Python 3.11 cannot answer, and the turn failed.
        ("A couple of minutes a week.", 2),
        ("a couple of hours a day", 120),
        ("a couple of hours 10 minutes", 130),
        ("a few minutes a month", 5),
    ],
)
def test_a_vague_quantity_before_two_units_is_read(text: str, minutes: int) -> None:
    assert parse_duration_minutes(text) == minutes


def test_vague_quantities_are_floats() -> None:
    assert isinstance(to_number("a couple"), float)
