"""Feelings (issue 15): sarcasm, other people's manner and feelings, everyday slang and
idioms, and refusals to rate."""

from __future__ import annotations

import pytest

from bot.understanding import declines_to_answer, parse_feeling, understand


@pytest.mark.parametrize(
    "text",
    [
        "The letter said there was no record of my claim. Lovely.",
        "They lost the paperwork again. Wonderful, just wonderful.",
        "Another estimated bill arrived. Brilliant, more waiting.",
        "They'd lost my file again. Great, thanks, very reassuring.",
        "no one had logged my call. great, thanks, very reassuring",
        "oh wonderful, another form to fill in",
        "just brilliant, the app crashed again",
        "Router died on a Monday morning. Perfect timing, as always.",
        "Checked the FAQ: helpful as ever.",
        "Saw the double charge on my statement. Love that for me.",
        "Got a lovely letter telling me my account was suspended.",
        "The agent read the policy back to me. Very helpful, as if I can't read.",
        "sent a complaint. I'm sure it's being read with great interest.",
        "filled in yet another web form, because clearly I love forms",
        "the tracker said delivered ✅ lol no",
        "fantastic 🙄",
        "yeah right, like that'll get fixed",
        "thanks for nothing",
        "Always a treat, opening the post.",
        "Over the moon, clearly.",
        "Lovely, thanks. No referral on file at all.",
        "amazing service /s",
    ],
)
def test_sarcasm_is_not_praise(text: str) -> None:
    feeling = understand(text).feeling
    assert feeling is not None and feeling <= 2, feeling


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("absolutely brilliant, couldn't have asked for more", 5),
        ("no wait at all, brilliant", 5),
        ("they refunded it on the spot. Great!", 5),
        ("He replaced the screen, no charge, and this time it's been perfect.", 5),
        ("the queue was short and the lady was lovely, sorted in 5 minutes", 5),
    ],
)
def test_sincere_praise_stays_praise(text: str, expected: int) -> None:
    assert understand(text).feeling == expected


@pytest.mark.parametrize(
    "text",
    [
        "A lovely man answered and took my details, then said he'd pass it on",
        "the agent was friendly and took my reference number",
        "a very kind woman took all the details and said an adjuster would call",
        "Called the salesman, who was oh so friendly when he was selling me the car",
        "a really nice chap picked up and logged it as a complaint",
        "He was nice enough, asked for the booking reference and put me on hold",
        "their chatbot, who was thrilled to send me the same help article three times",
        "she said everything was fine on their side",
        "my daughter was back on the free plan with adverts, so she was not impressed",
        "the bot said 'transfer complete' ✅",
    ],
)
def test_other_peoples_manner_and_feelings_are_not_the_customers(text: str) -> None:
    assert understand(text).feeling is None


def test_praise_of_staff_next_to_a_good_outcome_is_satisfaction() -> None:
    assert understand("chatted with an agent, she was lovely and refunded me on the spot") == (
        understand("chatted with an agent, she was lovely and refunded me on the spot")
    )
    feeling = understand("spoke to a lovely lady who fixed it in 10 minutes").feeling
    assert feeling is not None and feeling >= 4
    assert understand("the agent was lovely but I was still stressed").feeling == 2


@pytest.mark.parametrize(
    ("text", "low", "high"),
    [
        # angry
        ("absolutely fuming", 1, 1),
        ("livid, honestly", 1, 1),
        ("Properly cheesed off by then.", 1, 2),
        ("well hacked off", 1, 2),
        ("seeing red by that point", 1, 1),
        # anxious
        ("on edge the whole time", 2, 2),
        ("sick with worry", 1, 1),
        ("Sick to my stomach.", 1, 1),
        ("a bag of nerves", 2, 2),
        # ashamed
        ("mortified, to be honest", 1, 1),
        ("a bit ashamed I hadn't checked", 2, 2),
        # exhausted
        ("knackered", 1, 2),
        ("completely wiped out", 1, 2),
        ("running on empty by then", 2, 2),
        # hopeless and done
        ("at my wits' end", 1, 1),
        ("I was at the end of my tether, honestly.", 1, 1),
        ("losing my mind", 1, 1),
        ("gave up hope of ever hearing back", 1, 1),
        ("so done with them", 1, 1),
        ("done with them", 2, 2),
        ("gutted", 1, 2),
        # good
        ("chuffed to bits", 5, 5),
        ("stoked", 5, 5),
        ("relieved", 4, 4),
        ("a weight off my shoulders", 4, 4),
        ("on cloud nine", 5, 5),
        ("not worried yet", 4, 4),
        ("it's worked fine since", 4, 4),
    ],
)
def test_everyday_slang_and_idioms(text: str, low: int, high: int) -> None:
    feeling = parse_feeling(text, bare_number=True)
    assert feeling is not None and low <= feeling <= high, feeling


@pytest.mark.parametrize(
    "text",
    [
        "prefer not to say",
        "Rather not say, honestly. It was a miserable few weeks.",
        "I don't want to give a number, I'm just tired of this.",
        "pass",
        "no comment",
        "I'd rather not put a number on it",
    ],
)
def test_a_refusal_to_rate_is_no_rating(text: str) -> None:
    assert declines_to_answer(text)
    assert parse_feeling(text, bare_number=True) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I don't really know, I didn't feel much either way.", None),
        ("no idea honestly", None),
        ("not sure, maybe a 3", 3),
        ("honestly? gutted", 2),
    ],
)
def test_dont_know_is_no_rating_unless_a_number_follows(text: str, expected: int | None) -> None:
    feeling = parse_feeling(text, bare_number=True)
    assert feeling == expected or (expected == 2 and feeling in (1, 2))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Oh, a solid 5. Kidding. 1.", 1),
        ("For the standard tier they say 2 business days.", None),
        ("2. Thrilled to bits. Four months!", 2),
        ("3, I'd say", 3),
    ],
)
def test_an_explicit_number_wins(text: str, expected: int | None) -> None:
    assert parse_feeling(text, bare_number=True) == expected
