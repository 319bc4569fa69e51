"""Which answers are worth a model call.

A call costs tokens and a few hundred milliseconds, so it is made where the model adds
something the offline reading cannot: the customer's own description of a step (and the
answer to a follow-up about it), what got in the way (free text -> pain keys), the first
answer (the language), and any answer to a closed question that our parsers could not
place ("trois quarts d'heure" for "how long?"), which would otherwise be re-asked.
"""

from __future__ import annotations

from bot.conversation.vocabulary import Slot
from bot.understanding import (
    is_vague_long_duration,
    parse_channel,
    parse_duration_minutes,
    parse_feeling,
    parse_people_tools,
    parse_resolved,
)

ALWAYS = frozenset({Slot.PROBLEM, Slot.STEP, Slot.NEXT_STEP, Slot.PAIN})
# Kept word for word by the engine: facts from the model would not be used.
NEVER = frozenset(
    {Slot.CONSENT, Slot.MOMENT_OF_TRUTH, Slot.IMPROVEMENT, Slot.ANYTHING_ELSE, Slot.PLAYBACK}
)


def worth_a_call(slot: str, text: str, *, probing: bool) -> bool:
    """Whether the answer ``text`` to the question ``slot`` should go to the model."""
    if probing or slot in ALWAYS:
        return True
    if slot in NEVER or not text.strip():
        return False
    if slot == Slot.CHANNEL:
        return parse_channel(text) is None
    if slot == Slot.FEELING:
        return parse_feeling(text, bare_number=True) is None
    if slot == Slot.DURATION:
        return parse_duration_minutes(text) is None and not is_vague_long_duration(text)
    if slot == Slot.PEOPLE_TOOLS:
        people, tools = parse_people_tools(text)
        return not people and not tools and len(text.split()) > 1
    if slot == Slot.RESOLVED:
        return parse_resolved(text) is None
    return False  # thinking: kept word for word; its feelings are read offline
