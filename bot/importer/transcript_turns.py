"""Question/answer turns -> interview state, through the bot's own answer handling.

Each turn's question is placed on a bot slot (``channel``, ``feeling``, ``next_step``,
...) by its wording, unless the turn names the slot; the answer is then applied with
``bot.conversation.answering.apply_answer``, the code a chat answer goes through, so an imported
"rang them, 40 min on hold, furious" fills channel, duration and feeling exactly as it
would in the chat (as ``inferred`` facts: a past transcript cannot be asked to confirm
them). Step questions apply to the latest step; a question that cannot be
placed counts as the customer telling the next step.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.conversation.answering import Answer, apply_answer
from bot.conversation.confirmation import adopt_guess
from bot.conversation.guide import Guide
from bot.conversation.state import STEP_SLOTS, InterviewState, Position, new_state
from bot.conversation.vocabulary import InterviewStatus, Slot
from bot.importer.records import TurnRecord
from storage.imports import NewMessage

# First match wins, so the specific questions come before the general ones ("how long
# did it take to resolve?" asks for a duration, "how did you feel about the effort?"
# for the effort score).
QUESTION_SLOTS: tuple[tuple[Slot, re.Pattern[str]], ...] = tuple(
    (slot, re.compile(pattern))
    for slot, pattern in (
        (Slot.CONSENT, r"\b(?:consent|ok with you|okay with you|agree to)\b"),
        (Slot.ANYTHING_ELSE, r"\banything else\b"),
        (Slot.IMPROVEMENT, r"\b(?:better|improve|improved|do differently|change one thing)\b"),
        (Slot.MOMENT_OF_TRUTH, r"\b(?:make[- ]or[- ]break|moment of truth|turning point|decisive)"),
        (Slot.EFFORT, r"\b(?:effort|how easy|how hard|how difficult)\b"),
        (Slot.DURATION, r"\b(?:how long|how much time|how many (?:minutes|hours|days))\b"),
        (Slot.FEELING, r"\b(?:feel|felt|feeling|rate|mood|1-5|1 to 5)\b"),
        (Slot.THINKING, r"\b(?:think|thinking|thought|going through your (?:mind|head))\b"),
        (
            Slot.CHANNEL,
            r"\b(?:which channel|what channel|how did you (?:contact|reach|get in touch)|"
            r"by phone|via)\b",
        ),
        (Slot.PEOPLE_TOOLS, r"\b(?:who|whom|what tools?|which tools?|involved|systems?)\b"),
        (
            Slot.PAIN,
            r"\b(?:got in the way|get in the way|frustrat\w*|annoy\w*|difficult|went wrong|"
            r"pain|obstacle|hardest|worst)\b",
        ),
        (Slot.RESOLVED, r"\b(?:resolved|sorted|fixed|solved|settled)\b"),
        (
            Slot.PROBLEM,
            r"\b(?:need help with|what was the (?:problem|issue)|why did you (?:contact|call)|"
            r"what went wrong|reason for)\b",
        ),
    )
)
KNOWN_SLOTS = frozenset(s.value for s in Slot) - {Slot.DONE.value}


class TurnError(ValueError):
    """A turn that cannot be applied (an unknown slot)."""


def slot_for(question: str | None) -> Slot:
    """The bot slot a question asks for; unplaced questions count as "what happened next"."""
    lowered = (question or "").lower()
    for slot, pattern in QUESTION_SLOTS:
        if pattern.search(lowered):
            return slot
    return Slot.NEXT_STEP


def state_from_turns(
    turns: Sequence[TurnRecord], guide: Guide
) -> tuple[InterviewState, list[NewMessage]]:
    """The finished interview state the turns tell, and the messages to store for them
    (each question outbound, each answer inbound). Message ids in the state are indexes
    into the returned messages."""
    state = new_state(guide)
    state.consent = True
    state.status = InterviewStatus.ACTIVE
    messages: list[NewMessage] = []
    extra_ids = {q.id for q in guide.extra_questions}
    for number, turn in enumerate(turns, start=1):
        slot = turn.slot or slot_for(turn.question).value
        if slot not in KNOWN_SLOTS and slot not in extra_ids:
            raise TurnError(f"turns.{number}.slot: unknown slot {slot!r}")
        if turn.question:
            messages.append(NewMessage("out", turn.question, slot))
        messages.append(NewMessage("in", turn.answer, slot))
        if slot in (Slot.CONSENT, Slot.PLAYBACK):
            continue
        position = _position(slot, state)
        answer = Answer(text=turn.answer, choice=None, message_id=len(messages) - 1)
        apply_answer(state, guide, position, answer, may_reask=False)
        state.clarifying_nothing = False  # a transcript cannot be asked what it meant
        if state.steps:
            # Nobody can confirm a past transcript's readings: they are kept at once, as
            # inferred, so synthesis can tell them from what the customer said.
            adopt_guess(state.steps[-1])
    state.steps_closed = True
    state.playback_confirmed = True
    state.status = InterviewStatus.COMPLETED
    return state, messages


def _position(slot: str, state: InterviewState) -> Position:
    if not state.steps and slot in {Slot.NEXT_STEP, *STEP_SLOTS}:
        # A detail before any step was told ("how did you contact them?" first): the
        # answer is the first step's description.
        return Position(slot=Slot.STEP, step=1)
    if slot == Slot.STEP and state.steps:
        slot = Slot.NEXT_STEP
    if slot == Slot.NEXT_STEP:
        return Position(slot=slot, step=len(state.steps) + 1)
    if slot in {s.value for s in STEP_SLOTS}:
        return Position(slot=slot, step=state.steps[-1].ordinal)
    return Position(slot=slot)
