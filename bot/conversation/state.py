"""The interview state the engine reads and returns, and where the interview stands.

The state only records *answers*; which question comes next is derived from it
(`next_position`). That keeps "skip what was already answered", "back" and resuming
after a crash trivially consistent: there is no separate cursor to get out of step.
"""

from __future__ import annotations

from collections.abc import Callable
from enum import Enum
from types import UnionType
from typing import Any, TypeVar, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field

from bot.conversation.guide import Guide
from bot.conversation.messages import PENDING_MESSAGE_ID, Hints, Understood
from bot.conversation.vocabulary import (
    EFFORT_MAX,
    EFFORT_MIN,
    FEELING_MAX,
    FEELING_MIN,
    Channel,
    InterviewStatus,
    Provenance,
    Slot,
)
from bot.understanding.continuations import continues_contact
from bot.understanding.normalize import normalize
from bot.understanding.waits import names_wait

# The questions asked for every step, in order; the step's own description comes from the
# `step` (first step) or `next_step` (later steps) answer.
STEP_SLOTS: tuple[Slot, ...] = (
    Slot.CHANNEL,
    Slot.FEELING,
    Slot.THINKING,
    Slot.DURATION,
    Slot.PEOPLE_TOOLS,
    Slot.PAIN,
)
# Questions after the steps, before any extra guide questions.
WRAP_UP_SLOTS: tuple[Slot, ...] = (
    Slot.MOMENT_OF_TRUTH,
    Slot.RESOLVED,
    Slot.EFFORT,
    Slot.IMPROVEMENT,
)
RESOLVED_VALUES = ("yes", "partly", "no")
# Questions about the current step: the step questions and the one-tap confirmation.
_STEP_SLOT_VALUES = frozenset({*(s.value for s in STEP_SLOTS), Slot.CONFIRM.value})
# A confirmation is worth a message when it settles at least this many facts at once;
# a single probable reading is offered first among its own question's quick replies.
CONFIRM_AT_LEAST = 2
# The probable readings a confirmation shows. Read from a story, a feeling was right 47 %
# of the time and a duration 31 % (sets A-C, `bench.interview_accuracy`): shown back,
# they would mostly cost a "Fix it" and the questions anyway, so they are only offered
# first among their own question's quick replies.
CARD_GUESSES = frozenset({"channel", "pains"})
# "What was going through your mind?" at most this often per interview (key moments):
# a map's thinking lane fills from many interviews, not from every step of each.
THINKING_PER_INTERVIEW = 2
# A step the customer rated this well (4 or 5) is not asked what got in the way.
GOOD_FEELING = 4
# A feeling this far from the step before marks a moment worth asking "what was going
# through your mind?" about.
FEELING_SWING = 2
_Model = TypeVar("_Model", bound=BaseModel)


class LoggedAnswer(BaseModel):
    """One accepted answer as the engine received it (or a skip), for replaying."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: str = ""
    choice: str | None = None
    message_id: int | None = None
    skipped: bool = False
    # A language model's reading, kept so replaying the log reproduces the same state.
    hints: Hints | None = None
    # The answer (or skip) to a model's follow-up question rather than to a guide question.
    probe_answer: bool = False


class PendingProbe(BaseModel):
    """A model's follow-up question about one step's answer, waiting for its answer."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    slot: Slot
    step: int
    text: str

    @property
    def key(self) -> str:
        return probe_key(self.step, self.slot)


def probe_key(step: int, slot: str) -> str:
    """How ``InterviewState.probed`` names the question ``slot`` of step ``step``."""
    return f"{step}:{slot}"


class StepDraft(BaseModel):
    """One step of the customer's journey as understood so far."""

    model_config = ConfigDict(extra="forbid")

    ordinal: int = Field(ge=1)
    doing: str = ""
    channel: Channel | None = None
    channel_text: str | None = None
    feeling: int | None = Field(default=None, ge=FEELING_MIN, le=FEELING_MAX)
    feeling_text: str | None = None
    thinking: str | None = None
    duration_minutes: int | None = Field(default=None, ge=0)
    duration_text: str | None = None
    people: list[str] = Field(default_factory=list)
    tools: list[str] = Field(default_factory=list)
    people_tools_text: str | None = None
    pains: list[str] = Field(default_factory=list)
    pain_text: str | None = None
    # Step questions that need no asking any more: answered, understood from an earlier
    # answer, or skipped by the customer.
    settled: list[Slot] = Field(default_factory=list)
    source_message_ids: list[int] = Field(default_factory=list)
    # How each stored fact came to be known (`PROVENANCE_FACTS` -> kind).
    provenance: dict[str, Provenance] = Field(default_factory=dict)
    # Probable facts read from the story, not stored until the customer confirms them
    # (the `confirm` question) or answers their own question (where they are offered first).
    guess: Understood | None = None

    def cite(self, message_id: int | None) -> None:
        if message_id is not None and message_id not in self.source_message_ids:
            self.source_message_ids.append(message_id)

    def settle(self, slot: Slot) -> None:
        if slot not in self.settled:
            self.settled.append(slot)

    def known(self, fact: str, how: Provenance) -> None:
        """Record how `fact` came to be known (the latest way wins)."""
        self.provenance[fact] = how

    def drop_guess(self, *facts: str) -> None:
        """Forget the probable readings of `facts` (answered, skipped or rejected)."""
        if self.guess is not None:
            self.guess = self.guess.without(*facts)


class InterviewState(BaseModel):
    """Everything the engine knows about one interview. Serialised as JSON in storage."""

    model_config = ConfigDict(extra="forbid")

    guide_id: str
    guide_version: str
    status: InterviewStatus = InterviewStatus.AWAITING_CONSENT
    consent: bool | None = None
    # With the consent: "and tell me what you change" (a "here is what we changed"
    # message may reach them later; nobody else gets one).
    hear_back: bool = False
    problem: str | None = None
    steps: list[StepDraft] = Field(default_factory=list)
    # The customer said the journey ended (or the step cap was reached).
    steps_closed: bool = False
    # "Nothing." after a waiting step, waiting for "a pause, or the end?".
    clarifying_nothing: bool = False
    playback_confirmed: bool = False
    # Playback correction in progress: choosing which step, then the step being rewritten.
    choosing_fix: bool = False
    fixing_step: int | None = None
    moment_of_truth: str | None = None
    moment_of_truth_step: int | None = None
    # The step a described moment of truth probably was, waiting for a one-tap yes.
    moment_guess: int | None = None
    resolved: str | None = None
    effort: int | None = Field(default=None, ge=EFFORT_MIN, le=EFFORT_MAX)
    improvement: str | None = None
    anything_else: str | None = None
    extra_answers: dict[str, str] = Field(default_factory=dict)
    # Interview-level questions (problem, wrap-up, extra ids) answered or skipped.
    settled: list[str] = Field(default_factory=list)
    # Which stored message answered each interview-level question (quotes link back).
    answer_message_ids: dict[str, int] = Field(default_factory=dict)
    # How often the current question was re-asked because the answer was unclear.
    reasks: int = 0
    turns: int = 0
    # Every accepted answer (or skip) in order. "back" rebuilds the state by replaying all
    # but the last one through the same pure code, so no copies of earlier states are kept.
    answers: list[LoggedAnswer] = Field(default_factory=list)
    # The language the customer writes in (ISO 639-1), when a language model told us.
    language: str | None = None
    # A follow-up question in progress, and the questions already followed up (one each).
    probe: PendingProbe | None = None
    probed: list[str] = Field(default_factory=list)

    def settle(self, key: str, message_id: int | None) -> None:
        if key not in self.settled:
            self.settled.append(key)
        if message_id is not None:
            self.answer_message_ids[key] = message_id

    def step(self, ordinal: int) -> StepDraft | None:
        return next((s for s in self.steps if s.ordinal == ordinal), None)

    def clone(self) -> InterviewState:
        """A copy the engine may change without touching this state (every turn makes
        one): the lists, dicts and step drafts are new, the frozen models are shared."""
        return _copied(self)

    def snapshot(self) -> dict[str, Any]:
        """A JSON-able copy of what the customer told us so far (no answer log)."""
        return self.model_dump(mode="json", exclude={"answers"})


def _copied(model: _Model) -> _Model:
    # Not copy.deepcopy (model_copy(deep=True)), slower than a round trip through
    # pydantic-core, which is itself slower than this: a valid state needs no
    # validating again, and scalars and frozen models never change, so only containers
    # and unfrozen models are copied, as each field's type says (`_copiers`).
    copy = model.model_copy()
    fields = copy.__dict__
    for name, copier in _copiers(type(model)):
        value = fields[name]
        if value is not None:
            fields[name] = copier(value)
    return copy


def _copiers(cls: type[BaseModel]) -> list[tuple[str, Callable[[Any], Any]]]:
    """The fields of `cls` that a copy must not share, each with how to copy it."""
    known = _COPIERS.get(cls)
    if known is None:
        known = _COPIERS[cls] = [
            (name, copier)
            for name, field in cls.model_fields.items()
            if (copier := _copier_for(field.annotation)) is not None
        ]
    return known


def _copier_for(annotation: Any) -> Callable[[Any], Any] | None:
    """How to copy a value of type `annotation`; None when it can be shared."""
    origin, arguments = get_origin(annotation), get_args(annotation)
    if origin in (Union, UnionType):
        copiers = {_copier_for(argument) for argument in arguments} - {None}
        if len(copiers) > 1:
            raise TypeError(f"no copy rule for {annotation!r}")
        return copiers.pop() if copiers else None
    if origin is list:
        item = _copier_for(arguments[0])
        if item is None:
            return list
        copy_item = item
        return lambda values: [copy_item(value) for value in values]
    if origin is tuple:
        if any(_copier_for(item) for item in arguments if item is not Ellipsis):
            raise TypeError(f"no copy rule for {annotation!r}")
        return None
    if origin is dict:
        item = _copier_for(arguments[1])
        if item is not None:
            raise TypeError(f"no copy rule for {annotation!r}")
        return dict
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return None if annotation.model_config.get("frozen") else _copied
    if annotation in _IMMUTABLE or (isinstance(annotation, type) and issubclass(annotation, Enum)):
        return None
    raise TypeError(f"no copy rule for {annotation!r}")


_COPIERS: dict[type[BaseModel], list[tuple[str, Callable[[Any], Any]]]] = {}
_IMMUTABLE = (str, int, float, bool, type(None), tuple)


class Position(BaseModel):
    """Where the interview stands: the question to ask now."""

    model_config = ConfigDict(frozen=True)

    slot: str  # a Slot value, or an extra question id
    step: int | None = None
    # A second step question asked in the same message ("How were you in touch, and how
    # long did it take?"): its fact is taken from the answer when stated, else asked alone.
    also: str | None = None

    @property
    def is_step_slot(self) -> bool:
        return self.slot in _STEP_SLOT_VALUES


def cite_stored_message(state: InterviewState, message_id: int) -> None:
    """Put ``message_id`` wherever ``state`` cites `PENDING_MESSAGE_ID` (the message of a
    turn computed before it was stored), in place: a state a turn just made, not yet
    shared."""
    pending = PENDING_MESSAGE_ID
    for key, cited_id in state.answer_message_ids.items():
        if cited_id == pending:
            state.answer_message_ids[key] = message_id
    for step in state.steps:
        ids = step.source_message_ids
        if pending in ids:
            step.source_message_ids = [message_id if i == pending else i for i in ids]
    # The turn's own answers are the last ones logged: stop at an earlier turn's.
    answers = state.answers
    for index in range(len(answers) - 1, -1, -1):
        cited = answers[index].message_id
        if cited == pending:
            answers[index] = answers[index].model_copy(update={"message_id": message_id})
        elif cited is not None:
            break


def new_state(guide: Guide) -> InterviewState:
    return InterviewState(guide_id=guide.id, guide_version=guide.version)


def next_position(state: InterviewState, guide: Guide) -> Position:
    """The question to ask next, derived from what has been answered so far."""
    if state.status in (InterviewStatus.COMPLETED, InterviewStatus.DECLINED):
        return Position(slot=Slot.DONE)
    if state.consent is not True:
        return Position(slot=Slot.CONSENT)
    if Slot.PROBLEM not in state.settled:
        return Position(slot=Slot.PROBLEM)
    if not state.steps:
        return Position(slot=Slot.STEP, step=1)
    current = state.steps[-1]
    if needs_confirmation(current):
        return Position(slot=Slot.CONFIRM, step=current.ordinal)
    for slot in STEP_SLOTS:
        if slot not in current.settled and worth_asking(slot, current, state, guide):
            also = asked_with(slot, current, state, guide)
            return Position(slot=slot, step=current.ordinal, also=also)
    if state.clarifying_nothing:
        return Position(slot=Slot.CLARIFY_NOTHING, step=current.ordinal + 1)
    if not state.steps_closed and len(state.steps) < guide.step_cap:
        return Position(slot=Slot.NEXT_STEP, step=current.ordinal + 1)
    if not state.playback_confirmed:
        return Position(slot=Slot.PLAYBACK, step=state.fixing_step)
    for key in (*WRAP_UP_SLOTS, *(q.id for q in guide.extra_questions), Slot.ANYTHING_ELSE):
        if key not in state.settled:
            if key == Slot.MOMENT_OF_TRUTH and state.moment_guess is not None:
                return Position(slot=Slot.CONFIRM_MOMENT, step=state.moment_guess)
            return Position(slot=key)
    return Position(slot=Slot.DONE)


def worth_asking(slot: Slot, step: StepDraft, state: InterviewState, guide: Guide) -> bool:
    """Whether the step question `slot` earns its message for `step` (asked in order, so
    the channel and the feeling are known, or skipped, when this is decided). Fewer
    questions is the point: confirmations replace questions, never add to them."""
    if slot == Slot.THINKING:
        if guide.ask_thinking == "every_step":
            return True
        asked = sum(1 for s in state.steps if s is not step and Slot.THINKING in s.settled)
        return asked < THINKING_PER_INTERVIEW and is_key_moment(step, state)
    if slot == Slot.PEOPLE_TOOLS:
        # Nobody to name in a step without contact (noticing, waiting for a letter), nor
        # while waiting on hold; the same call or chat goes on with the same people.
        if step.channel == Channel.NONE:
            return False
        story = normalize(step.doing)
        return not names_wait(story) and not continues_contact(step.doing)
    if slot == Slot.PAIN:
        # "Did anything get in the way?" after "it felt good" reads as not listening;
        # a pain the customer named in the story is kept all the same.
        return step.feeling is None or step.feeling < GOOD_FEELING
    return True


def asked_with(slot: Slot, step: StepDraft, state: InterviewState, guide: Guide) -> Slot | None:
    """The step question asked in the same message as `slot`, if any. How they were in
    touch and how long it took are one natural question ("Phone, about 20 minutes"), which
    saves a message in most steps; either part left unsaid is then asked on its own."""
    if not guide.ask_channel_with_duration or slot != Slot.CHANNEL:
        return None
    companion = Slot.DURATION
    if companion in step.settled or not worth_asking(companion, step, state, guide):
        return None
    return companion


def is_key_moment(step: StepDraft, state: InterviewState) -> bool:
    """A moment a journey map's thinking lane needs: the first step, a feeling at either
    end of the scale, or a feeling that swung by two or more since the last one known."""
    if step.ordinal == 1 or step.feeling in (FEELING_MIN, FEELING_MAX):
        return True
    earlier = [s.feeling for s in state.steps if s.ordinal < step.ordinal and s.feeling]
    return bool(step.feeling and earlier and abs(step.feeling - earlier[-1]) >= FEELING_SWING)


def asks_moment_in_playback(state: InterviewState) -> bool:
    """Whether the playback also asks for the make-or-break moment (it does until that is
    answered): a step's button or a description confirms the journey and answers both."""
    return Slot.MOMENT_OF_TRUTH not in state.settled and state.moment_guess is None


def needs_confirmation(step: StepDraft) -> bool:
    """Whether the step's probable readings are shown back for a one-tap confirmation:
    once, right after the story they came from, when it settles enough at once."""
    if step.guess is None or Slot.CONFIRM in step.settled:
        return False
    return len(card_facts(step)) >= CONFIRM_AT_LEAST


def card_facts(step: StepDraft) -> tuple[str, ...]:
    """What a confirmation of `step` shows: its probable readings and the facts it
    already inferred from the same story (confirming those too costs nothing)."""
    guessed = tuple(f for f in step.guess.facts() if f in CARD_GUESSES) if step.guess else ()
    inferred = tuple(
        fact
        for fact in ("channel", "feeling", "duration", "pains")
        if fact not in guessed and step.provenance.get(fact) == Provenance.INFERRED
    )
    return (*guessed, *inferred)


def invariant_problems(state: InterviewState, guide: Guide) -> list[str]:
    """What is wrong with a state (empty when valid). Used by tests and on load."""
    problems: list[str] = []
    ordinals = [s.ordinal for s in state.steps]
    if ordinals != list(range(1, len(ordinals) + 1)):
        problems.append(f"step ordinals are not 1..n: {ordinals}")
    if len(state.steps) > guide.step_cap:
        problems.append(f"{len(state.steps)} steps exceed the cap of {guide.step_cap}")
    if state.status == InterviewStatus.DECLINED and state.consent is not False:
        problems.append("declined without a recorded refusal")
    if state.consent is not True and state.steps:
        problems.append("steps recorded without consent")
    if state.status == InterviewStatus.ACTIVE and state.consent is not True:
        problems.append("active without consent")
    if state.resolved is not None and state.resolved not in RESOLVED_VALUES:
        problems.append(f"resolved has unknown value {state.resolved!r}")
    if state.fixing_step is not None and state.step(state.fixing_step) is None:
        problems.append(f"fixing a step that does not exist: {state.fixing_step}")
    if state.moment_of_truth_step is not None and state.step(state.moment_of_truth_step) is None:
        problems.append("moment of truth points at a step that does not exist")
    if state.moment_guess is not None and state.step(state.moment_guess) is None:
        problems.append("the moment-of-truth guess points at a step that does not exist")
    known = {s.value for s in Slot} | {q.id for q in guide.extra_questions}
    unknown = [key for key in state.settled if key not in known]
    if unknown:
        problems.append(f"unknown settled keys: {unknown}")
    if state.reasks < 0 or state.reasks > guide.max_reasks:
        problems.append(f"reasks out of range: {state.reasks}")
    return problems
