"""Property tests: whatever a customer sends, the engine answers and the state stays valid."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.conversation import engine
from bot.conversation.guide import load_guide
from bot.conversation.messages import Inbound
from bot.conversation.questions import question_choices
from bot.conversation.state import InterviewState, invariant_problems, next_position

GUIDE = load_guide()
COMMANDS = ["back", "skip", "pause", "help", "stop", "yes", "no", "last", "hi"]

messages = st.one_of(
    st.text(max_size=300),
    st.sampled_from(COMMANDS),
    st.text(alphabet="0123456789 :/-", max_size=8),
    st.sampled_from(["called them", "😡", "2 days", "that was it", "fix:1", "step 2: emailed"]),
)
# None means "click one of the buttons currently offered" (index chosen by the integer).
turns = st.lists(st.tuples(messages, st.one_of(st.none(), st.integers(0, 20))), max_size=60)


def _click(state: InterviewState, pick: int) -> str | None:
    choices = question_choices(next_position(state, GUIDE), state, GUIDE)
    return choices[pick % len(choices)].value if choices else None


@pytest.mark.slow
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(turns)
def test_random_conversations_never_raise_or_corrupt_state(
    conversation: list[tuple[str, int | None]],
) -> None:
    result = engine.start(GUIDE)
    for index, (text, pick) in enumerate(conversation):
        choice = _click(result.state, pick) if pick is not None else None
        inbound = Inbound(text=text, choice=choice, message_id=index + 1)
        before = result.state
        result = engine.handle(before, inbound, GUIDE)
        if result.state.reasks > before.reasks:
            # An answer that was not accepted leaves nothing behind but the re-ask count.
            unchanged = {"reasks", "turns", "status"}  # (a pause ends with any message)
            assert result.state.model_dump(exclude=unchanged) == before.model_dump(
                exclude=unchanged
            )
        assert result.replies, "every message gets an answer"
        assert invariant_problems(result.state, GUIDE) == []
        # The state always survives the JSON round trip storage puts it through.
        stored = InterviewState.model_validate(result.state.model_dump(mode="json"))
        assert stored == result.state
        # "back" relies on replaying the answer log reproducing the state exactly.
        rebuilt = engine.replay(result.state.answers, GUIDE).snapshot()
        expected = result.state.snapshot()
        for volatile in ("turns", "reasks", "status"):
            rebuilt.pop(volatile)
            expected.pop(volatile)
        assert rebuilt == expected


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=200), st.text(max_size=40))
def test_arbitrary_choice_values_are_never_applied_blindly(text: str, choice: str) -> None:
    result = engine.start(GUIDE)
    result = engine.handle(result.state, Inbound(choice="yes", message_id=1), GUIDE)
    after = engine.handle(result.state, Inbound(text=text, choice=choice, message_id=2), GUIDE)
    assert invariant_problems(after.state, GUIDE) == []
