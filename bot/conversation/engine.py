"""The conversation engine: (state, inbound message) -> (replies, facts, new state).

Pure by design (GUIDE §2): no database, no network, no clock, no randomness. The
service around it loads the state, calls `handle` and stores the whole turn at once, so
the same code serves the terminal, the web chat and Slack, and every behaviour can be
tested by feeding messages in.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from bot.conversation.answering import Answer, apply_answer, apply_probe_answer, skip_question
from bot.conversation.commands import Command, is_resume_greeting, parse_command
from bot.conversation.guide import Guide
from bot.conversation.messages import Choice, Hints, Inbound, Reply
from bot.conversation.questions import offered, question_choices, question_replies
from bot.conversation.state import (
    STEP_SLOTS,
    InterviewState,
    LoggedAnswer,
    PendingProbe,
    Position,
    new_state,
    next_position,
    probe_key,
)
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus, Slot

# Bookkeeping that is not something the customer told us.
_NOT_FACTS = frozenset(
    {
        "answers",
        "reasks",
        "turns",
        "settled",
        "answer_message_ids",
        "choosing_fix",
        "fixing_step",
        "language",
        "probe",
        "probed",
    }
)
# Questions about a step whose answers are open text a follow-up question can deepen.
PROBE_SLOTS = frozenset({Slot.STEP, Slot.NEXT_STEP, Slot.THINKING, Slot.PAIN})
_NOT_STEP_FACTS = frozenset({"settled", "source_message_ids", "ordinal"})


@dataclass(frozen=True)
class Fact:
    """One thing learnt or changed in a turn, e.g. `steps.2.channel = "phone"`."""

    field: str
    value: Any
    step: int | None = None


@dataclass(frozen=True)
class EngineResult:
    replies: tuple[Reply, ...]
    state: InterviewState
    # The state the turn started from (None for a new interview), for `facts`.
    before: InterviewState | None = None

    @property
    def status(self) -> InterviewStatus:
        return self.state.status

    @property
    def facts(self) -> tuple[Fact, ...]:
        """What the turn changed, field by field. Worked out when asked: the service
        never needs it, and comparing two full states costs a tenth of a turn."""
        if self.before is None:
            return ()
        return tuple(diff_facts(self.before, self.state))


def start(guide: Guide) -> EngineResult:
    """A new interview: the introduction and the consent question."""
    state = new_state(guide)
    replies = (Reply(text=guide.say("intro")), *current_question(state, guide))
    return EngineResult(replies=replies, state=state)


def current_question(state: InterviewState, guide: Guide) -> list[Reply]:
    """The pending question again (for resuming). Empty for a finished interview."""
    if state.status in FINISHED_STATUSES:
        return []
    if state.probe is not None:
        return [Reply(text=state.probe.text, slot=state.probe.slot)]
    return question_replies(next_position(state, guide), state, guide)


def handle(state: InterviewState, inbound: Inbound, guide: Guide) -> EngineResult:
    """Apply one customer message. `state` is not modified; the result has the new state."""
    before = state
    state = state.clone()
    state.turns += 1
    state.language = next_language(state.language, inbound.text, inbound.hints)
    replies = _turn(state, inbound, guide)
    return EngineResult(replies=tuple(replies), state=state, before=before)


# Fewer words than this ("ok", "2", "une heure") say too little to switch languages on.
LANGUAGE_SWITCH_WORDS = 3


def next_language(current: str | None, text: str, hints: Hints | None) -> str | None:
    """The interview's language after this answer: the customer's (as the model read it)
    once an answer says enough to tell, else unchanged."""
    language = hints.language if hints is not None else None
    if not language or language == current:
        return current
    if current is None or len(text.split()) >= LANGUAGE_SWITCH_WORDS:
        return language
    return current


def _turn(state: InterviewState, inbound: Inbound, guide: Guide) -> list[Reply]:
    if state.status in FINISHED_STATUSES:
        return [Reply(text=guide.say("already_finished"), slot=Slot.DONE)]
    text = inbound.text.strip()
    choice = inbound.choice
    preface: list[Reply] = []
    command = parse_command(text) if choice is None else None
    if state.status == InterviewStatus.PAUSED:
        state.status = InterviewStatus.ACTIVE if state.consent else InterviewStatus.AWAITING_CONSENT
        preface.append(Reply(text=guide.say("resumed")))
        # While paused, "back" and greetings mean "I'm here again", not "undo".
        if choice is None and (
            is_resume_greeting(text) or command in (Command.PAUSE, Command.BACK)
        ):
            return [*preface, *current_question(state, guide)]
    if command is not None:
        return [*preface, *_run_command(state, command, guide)]
    if not text and choice is None:
        return [*preface, Reply(text=guide.say("empty_message")), *current_question(state, guide)]
    hints = inbound.hints
    if hints is not None and hints.off_topic and choice is None:
        # Customer text is data: an answer that tries to instruct the bot is kept in the
        # transcript but not taken as an answer.
        return [*preface, Reply(text=guide.say("off_topic")), *current_question(state, guide)]
    if state.probe is not None:
        if choice is not None:  # the follow-up question offers no buttons
            return [
                *preface,
                Reply(text=guide.say("stale_choice")),
                *current_question(state, guide),
            ]
        answer = Answer(text, None, inbound.message_id, hints)
        return [*preface, *_answer_probe(state, answer, guide)]
    position = next_position(state, guide)
    choices = question_choices(position, state, guide)
    if choice is None:
        choice = match_choice(text, choices)
    elif not offered(choice, choices):
        # An old button (Slack message, a second browser tab): never apply it to this question.
        return [*preface, Reply(text=guide.say("stale_choice")), *current_question(state, guide)]
    answer = Answer(text, choice, inbound.message_id, hints)
    return [*preface, *_answer(state, position, answer, guide)]


def _answer(state: InterviewState, position: Position, answer: Answer, guide: Guide) -> list[Reply]:
    outcome = apply_answer(
        state, guide, position, answer, may_reask=state.reasks < guide.max_reasks
    )
    if not outcome.accepted:  # handlers write nothing then: only the re-ask is counted
        state.reasks += 1
        return question_replies(position, state, guide, reask=True)
    state.reasks = 0
    state.answers.append(
        LoggedAnswer(
            text=answer.text, choice=answer.choice, message_id=answer.message_id, hints=answer.hints
        )
    )
    replies = [Reply(text=note) for note in outcome.notes]
    if next_position(state, guide).slot != Slot.CONFIRM:
        # A confirmation shows everything understood next: no acknowledgement before it.
        replies.extend(_acknowledgement(outcome.acknowledged, answer.hints, guide))
    if _start_probe(state, position, answer.hints):
        return [*replies, *current_question(state, guide)]
    return [*replies, *_advance(state, position, guide)]


def _acknowledgement(learnt: list[str], hints: Hints | None, guide: Guide) -> list[Reply]:
    """The model's own acknowledgement when it gave an allowed one, else the facts learnt."""
    if hints is not None and hints.acknowledgement:
        return [Reply(text=hints.acknowledgement)]
    if learnt:
        return [Reply(text=guide.say("acknowledge", facts=", ".join(learnt)))]
    return []


def may_probe(state: InterviewState, position: Position) -> bool:
    """Whether the answer to the question at ``position`` may get a follow-up question:
    open-text step questions only, and each at most once."""
    if state.probe is not None or position.slot not in PROBE_SLOTS or position.step is None:
        return False
    return probe_key(position.step, position.slot) not in state.probed


def _start_probe(state: InterviewState, position: Position, hints: Hints | None) -> bool:
    """Ask the model's follow-up question, at most once per question of a step."""
    if hints is None or not hints.probe or not may_probe(state, position):
        return False
    assert position.step is not None  # may_probe checked it
    if state.status != InterviewStatus.ACTIVE or state.step(position.step) is None:
        return False  # the answer ended the interview or the journey: nothing to deepen
    state.probe = PendingProbe(slot=Slot(position.slot), step=position.step, text=hints.probe)
    state.probed.append(state.probe.key)
    return True


def _close_probe(state: InterviewState) -> Position:
    """End the follow-up question; the position the interview goes on from."""
    probe = state.probe
    assert probe is not None
    state.probe = None
    return Position(slot=probe.slot, step=probe.step)


def _answer_probe(state: InterviewState, answer: Answer, guide: Guide) -> list[Reply]:
    """The answer to a follow-up question deepens the step it was about, then we go on."""
    assert state.probe is not None
    learnt = apply_probe_answer(state, guide, state.probe, answer)
    previous = _close_probe(state)
    state.reasks = 0
    state.answers.append(
        LoggedAnswer(
            text=answer.text, message_id=answer.message_id, hints=answer.hints, probe_answer=True
        )
    )
    replies = _acknowledgement(learnt, answer.hints, guide)
    return [*replies, *_advance(state, previous, guide)]


def _advance(state: InterviewState, previous: Position, guide: Guide) -> list[Reply]:
    """Replies that follow an accepted answer: the next question, or the goodbye."""
    if state.status == InterviewStatus.DECLINED:
        return [Reply(text=guide.say("consent_declined"), slot=Slot.DONE)]
    position = next_position(state, guide)
    replies: list[Reply] = []
    stepping = previous.slot in {Slot.NEXT_STEP, *STEP_SLOTS}
    if stepping and position.slot == Slot.PLAYBACK and not state.steps_closed:
        replies.append(Reply(text=guide.say("step_cap_reached")))
    if position.slot == Slot.DONE:
        state.status = InterviewStatus.COMPLETED
        return [*replies, Reply(text=guide.say("done"), slot=Slot.DONE)]
    return [*replies, *question_replies(position, state, guide)]


def _run_command(state: InterviewState, command: Command, guide: Guide) -> list[Reply]:
    if command == Command.PAUSE:
        state.status = InterviewStatus.PAUSED
        return [Reply(text=guide.say("paused"))]
    if command == Command.HELP:
        return [Reply(text=guide.say("help")), *current_question(state, guide)]
    if command == Command.BACK:
        if not state.answers:
            return [Reply(text=guide.say("nothing_to_undo")), *current_question(state, guide)]
        turns = state.turns
        _adopt(state, replay(state.answers[:-1], guide))
        state.turns = turns
        return [Reply(text=guide.say("undone")), *current_question(state, guide)]
    if state.probe is not None:  # skipping a follow-up question skips only that
        previous = _close_probe(state)
        state.answers.append(LoggedAnswer(skipped=True, probe_answer=True))
        return _advance(state, previous, guide)
    position = next_position(state, guide)
    if not skip_question(state, guide, position):
        return [Reply(text=guide.say("cannot_skip_consent")), *current_question(state, guide)]
    state.reasks = 0
    state.answers.append(LoggedAnswer(skipped=True))
    return _advance(state, position, guide)


def replay(answers: list[LoggedAnswer], guide: Guide) -> InterviewState:
    """The state after `answers`, rebuilt from the start: how "back" undoes one.

    Deterministic because the engine is pure: the same answers to the same guide give the
    same state. Logged answers were accepted once, so they are applied without re-asking.
    """
    state = new_state(guide)
    for logged in answers:
        state.language = next_language(state.language, logged.text, logged.hints)
        answer = Answer(logged.text, logged.choice, logged.message_id, logged.hints)
        if logged.probe_answer and state.probe is not None:
            if not logged.skipped:
                apply_probe_answer(state, guide, state.probe, answer)
            previous = _close_probe(state)
            state.answers.append(logged)
            _advance(state, previous, guide)
            continue
        position = next_position(state, guide)
        if logged.skipped:
            skip_question(state, guide, position)
        else:
            apply_answer(state, guide, position, answer, may_reask=False)
        state.answers.append(logged)
        if logged.skipped or not _start_probe(state, position, logged.hints):
            _advance(state, position, guide)  # applies what follows an answer, e.g. completion
    return state


def _adopt(state: InterviewState, source: InterviewState) -> None:
    """Make `state` (the object the caller holds) equal to `source`."""
    for name in InterviewState.model_fields:
        setattr(state, name, getattr(source, name))


def match_choice(text: str, choices: tuple[Choice, ...]) -> str | None:
    """The choice a typed answer names exactly ("Live chat", "live_chat", "3"), if any."""
    wanted = _comparable(text)
    if not wanted:
        return None
    for value, names in _choice_names(choices):
        if wanted in names:
            return value
    return None


@functools.lru_cache(maxsize=512)
def _choice_names(choices: tuple[Choice, ...]) -> tuple[tuple[str, tuple[str, str]], ...]:
    # The buttons come from the guide, a few sets of them asked again and again: each
    # set's comparable names are worked out once, not on every typed answer.
    return tuple(
        (choice.value, (_comparable(choice.value), _comparable(choice.label))) for choice in choices
    )


def _comparable(text: str) -> str:
    kept = "".join(ch for ch in text if unicodedata.category(ch)[0] in "LNZ")
    return re.sub(r"\s+", " ", kept.replace("_", " ")).strip().lower()


def diff_facts(before: InterviewState, after: InterviewState) -> list[Fact]:
    """What the customer's answer changed, field by field (for audit logs and tests)."""
    old, new = before.snapshot(), after.snapshot()
    facts = [
        Fact(field=name, value=new[name])
        for name in new
        if name not in _NOT_FACTS and name != "steps" and old.get(name) != new[name]
    ]
    old_steps = {s["ordinal"]: s for s in old["steps"]}
    for step in new["steps"]:
        previous = old_steps.get(step["ordinal"], {})
        for name, value in step.items():
            if name not in _NOT_STEP_FACTS and previous.get(name) != value:
                facts.append(
                    Fact(field=f"steps.{step['ordinal']}.{name}", value=value, step=step["ordinal"])
                )
    removed = set(old_steps) - {s["ordinal"] for s in new["steps"]}
    facts.extend(Fact(field=f"steps.{n}", value=None, step=n) for n in sorted(removed))
    return facts
