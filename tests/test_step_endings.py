"""Typed endings end the steps, in any reasonable phrasing; stories that merely mention an
end, a last thing or "that was it" are steps (issue 15)."""

from __future__ import annotations

import pytest

from bot.conversation.step_endings import ends_the_steps

ENDINGS = [
    "That was it.",
    "that's all, it got fixed",
    "Nothing more, that's everything.",
    "No, that really was the last step. Haven't heard a thing since.",
    "And that was the end of the whole business, thankfully.",
    "That's where things stand right now: still waiting on the refund.",
    "this is where we are today",
    "Right, that's the lot. Sorted in the end.",
    "And that's a wrap!",
    "the end 🎉",
    "After that, nothing. It is finished.",
    "Last one. Still no reply.",
    "That's everything that happened, we're up to date.",
    "and they lived happily ever after",
    "So that was that, I gave up and moved on.",
    "that was the last thing that happened, so far anyway",
    "Nope, that's it. Happy customer again.",
    "I think that's everything really",
    "It ended there, I didn't bother chasing.",
    "After this nothing more. The fix arrived later by itself.",
]

STEPS = [
    "Then I called them again and got a different agent.",
    "The last thing I did was email the complaints team.",
    "In the end I went to the shop in person.",
    "I waited two weeks and at the end of it there was still nothing.",
    "Eventually the engineer came, looked at the box for a minute, and that was it: fixed.",
    "After that I rang the bank to stop the payment.",
    "Nothing happened for a week, so I wrote to the ombudsman.",
    "She said that was all she could do and transferred me to billing.",
    "I ended up filling in the online form instead.",
    "Next I tried the chat, which asked me everything again.",
]


@pytest.mark.parametrize("text", ENDINGS)
def test_a_typed_ending_ends_the_steps(text: str) -> None:
    assert ends_the_steps(text)


@pytest.mark.parametrize("text", STEPS)
def test_a_story_that_mentions_an_end_is_a_step(text: str) -> None:
    assert not ends_the_steps(text)
