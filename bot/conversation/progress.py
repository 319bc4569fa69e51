"""How far along an interview is, for progress hints ("Step 2 · about 60% done")."""

from __future__ import annotations

from dataclasses import dataclass

from bot.conversation.guide import Guide
from bot.conversation.state import STEP_SLOTS, WRAP_UP_SLOTS, InterviewState, next_position
from bot.conversation.vocabulary import FINISHED_STATUSES, Slot

# Most journeys have three to five steps; until the customer says it ended, progress is
# estimated against this many so the bar neither races ahead nor stalls.
TYPICAL_STEPS = 4
_STORY_SHARE = (5, 15)  # consent and the problem
_STEPS_SHARE = (15, 75)
_WRAP_UP_SHARE = (80, 98)


@dataclass(frozen=True)
class Progress:
    phase: str  # consent | story | steps | playback | wrap_up | done
    step: int | None
    percent: int
    label: str


def progress(state: InterviewState, guide: Guide) -> Progress:
    """Where the interview stands, as a phase, the current step and a rough percentage."""
    if state.status in FINISHED_STATUSES:
        return Progress(phase="done", step=None, percent=100, label="Done, thank you")
    position = next_position(state, guide)
    slot = position.slot
    if slot == Slot.CONSENT:
        return Progress(
            phase="consent", step=None, percent=_STORY_SHARE[0], label="Getting started"
        )
    if slot == Slot.PROBLEM:
        return _labelled("story", None, _STORY_SHARE[1])
    if slot in {Slot.STEP, Slot.NEXT_STEP, Slot.CONFIRM, Slot.CLARIFY_NOTHING, *STEP_SLOTS}:
        return _steps_progress(state, guide, position.step or 1, slot)
    if slot == Slot.PLAYBACK:
        return _labelled("playback", None, _STEPS_SHARE[1] + 2)
    wrap_up = [*_wrap_up_keys(guide)]
    done = sum(1 for key in wrap_up if key in state.settled)
    low, high = _WRAP_UP_SHARE
    return _labelled("wrap_up", None, low + (high - low) * done // max(1, len(wrap_up)))


def _steps_progress(state: InterviewState, guide: Guide, step: int, slot: str) -> Progress:
    expected = min(guide.step_cap, max(TYPICAL_STEPS, len(state.steps) + 1))
    within = 0.0
    if slot in STEP_SLOTS:
        within = (STEP_SLOTS.index(Slot(slot)) + 1) / (len(STEP_SLOTS) + 1)
    done_steps = (step - 1) + within
    low, high = _STEPS_SHARE
    percent = low + int((high - low) * min(1.0, done_steps / expected))
    return _labelled("steps", step, percent)


def _labelled(phase: str, step: int | None, percent: int) -> Progress:
    prefix = f"Step {step} · " if step is not None else ""
    suffix = "almost done" if percent >= 90 else f"about {percent}% done"
    return Progress(phase=phase, step=step, percent=percent, label=f"{prefix}{suffix}")


def _wrap_up_keys(guide: Guide) -> list[str]:
    return [*WRAP_UP_SLOTS, *(q.id for q in guide.extra_questions), Slot.ANYTHING_ELSE]
