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
    # Set D's kinds (blind first run): "all done", "your lot", "as far as it's got", a
    # non-native "this is last thing", a bare "finish", an emoji between the ending and a
    # comment, "there's nothing more".
    "all done 🙂",
    "ok all done now, thanks",
    "Yep, that's your lot. Very happy with the new one.",
    "That's as far as it's got. Still chasing the manager.",
    "This is last step, now I wait for the parcel.",
    "No more, finish.",
    "thats it 🎯 the part arrived and the thing works",
    "thats where it finished 🤷 never followed up",
    "That's the saga. The end.",
    "There's nothing more after that.",
    "There is nothing else, I chose not to complain.",
    "That's all of it, and the dog says thanks!",
    # Non-native, no subject: "is all", "was finish".
    "Was all, thank you.",
    "this was finish, after that they send the card",
    # An adjective inside "the whole saga"; "where it's at" without apostrophes.
    "And that's the whole sorry tale.",
    "thats where things are at now. waiting",
    # A hedge before the ending and thanks after it; "nothing ... yet"; the end dressed
    # up as a conclusion or a film's credits; a non-native "after that nothing, I stop".
    "I guess that was everything, thanks for your time.",
    "I suppose that's it, honestly.",
    "nope, nothing more yet",
    "Nothing else so far.",
    "So that was the grand finale.",
    "and that's the happy ending of it",
    "Cue the credits 🎬",
    "Curtain down.",
    "After that nothing, I stop there.",
    "I stopped there.",
    # Set H's kinds, as new sentences: where the story ends, a qualifier after the end,
    # "yep", "all that happened", "there wasn't anything after that".
    "So that's where the whole sorry saga ended.",
    "That's the end of it as far as I'm concerned. They kept the fee.",
    "yep, that's everything 👍",
    "That's all that happened really.",
    "There wasn't anything else after that.",
    "there hasn't been anything since",
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
    "There was nothing more I could do online, so I rang them.",
    "This is the last time I trust their chat: it told me to email instead.",
    "All done online, I thought, until the confirmation email never came.",
    "I finished the form 🙄 and then waited for a reply.",
    "I stopped paying the direct debit and rang my bank.",
    "After that nothing happened for a week, so I wrote to them again.",
    "The conclusion of the call was that they'd send an engineer.",
    "I think that's when I called them a second time.",
    "There wasn't anything after that, so I called them again.",
    "There isn't anything on their site about it, so I emailed.",
]


@pytest.mark.parametrize("text", ENDINGS)
def test_a_typed_ending_ends_the_steps(text: str) -> None:
    assert ends_the_steps(text)


@pytest.mark.parametrize("text", STEPS)
def test_a_story_that_mentions_an_end_is_a_step(text: str) -> None:
    assert not ends_the_steps(text)
