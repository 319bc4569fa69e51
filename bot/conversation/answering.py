"""Applying one answer to the interview state, slot by slot.

Each handler reads the customer's choice or words for the question asked, writes what it
understood into the state (also filling *other* step questions the words already
answer), and says whether the answer was usable. An unusable answer is re-asked a
limited number of times; after that the words are kept as they are and the interview
moves on, because a customer must never get stuck.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.conversation import confirmation
from bot.conversation.certainty import sure_readings
from bot.conversation.fact_words import describe_minutes
from bot.conversation.guide import Guide
from bot.conversation.messages import Hints, Understood
from bot.conversation.questions import HEAR_BACK, NOTHING_TO_FIX, ending_outcome, is_end_choice
from bot.conversation.state import (
    InterviewState,
    PendingProbe,
    Position,
    StepDraft,
    asks_moment_in_playback,
)
from bot.conversation.step_endings import ends_the_steps, every_clause
from bot.conversation.vocabulary import (
    CHANNEL_LABELS,
    EFFORT_MAX,
    EFFORT_MIN,
    FEELING_LABELS,
    Channel,
    InterviewStatus,
    Provenance,
    Slot,
)
from bot.understanding import (
    Understanding,
    continues_contact,
    declines_to_answer,
    normalize,
    parse_channel,
    parse_duration_minutes,
    parse_feeling,
    parse_people_tools,
    parse_resolved,
    parse_scale,
    parse_yes_no,
    resolve_step_reference,
    says_unknown,
    understand,
)
from bot.understanding.continuations import names_previous_contact
from bot.understanding.pains import named_when_asked, says_no_pain

_HEAR_BACK_WORDS = re.compile(
    r"\b(?:tell me what (?:you|they) chang|let me know what (?:you|they) chang"
    r"|keep me (?:posted|updated|in the loop))",
    re.IGNORECASE,
)
_STEP_REFERENCE = re.compile(r"(?:\bstep|#|\bno\.?)\s*(\d{1,2})\b")
_LEADING_NUMBER = re.compile(r"^(\d{1,2})\b")
_ORDINAL_WORDS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "last": -1,
}
# Whole answers (every clause) that mean "nothing" / "nobody" / "no more to add".
_NOTHING_CLAUSE = re.compile(
    r"^(?:(?:no|nope|nah|honestly|well)\s)?"
    r"(?:no|nope|nah|none|nothing|nothing (?:really|else|at all|in particular|much)|"
    r"not really|n/?a|no one|"
    r"nobody|nobody else|no one else|just me|only me|myself|me|all good|that'?s all|"
    r"that is all|no thanks?|nothing to add|not that i remember|i don'?t think so|all fine|"
    # "that part was actually fine", "this bit went ok": the step itself was no trouble
    r"(?:that|this|it)(?: part| bit| step| one)?(?:'s| was| is| went)"
    r"(?: actually| really| all| pretty| totally| quite)? (?:fine|ok|okay|good|alright|smooth)|"
    r"fine|thanks?|thank you)(?: really| thanks?| thank you| tbh| at all)*$"
)
_VAGUE_DURATION = re.compile(
    r"\b(?:ages|forever|while|long|eternity|hours|days|weeks|months|ongoing|still going|"
    r"so far|not over|not sure|unsure|no idea|don'?t know|dunno|can'?t remember|"
    r"don'?t remember|hard to say|not long|quick|quickly|"
    # Short or lengthless: "some minutes", "a glance", "for a bit", "no length to it".
    r"some (?:minutes|mins|time)|a (?:bit|moment|second|sec|glance|minute or two)|"
    r"a few (?:minutes|mins|moments|seconds|secs)|length|instant(?:ly)?|no time|"
    r"not at all|didn'?t (?:take|have to do) (?:any|anything|long))\b"
)
# The facts each step question settles (a probable reading of them is dropped then).
_SLOT_FACTS: dict[str, tuple[str, ...]] = {
    slot: (fact,) for fact, slot in confirmation.FACT_SLOTS.items()
}
_WAITING = re.compile(
    r"\b(?:wait(?:ed|ing)?|on hold|heard nothing|no (?:reply|answer|response|word)|"
    r"chas(?:e|ed|ing)|for (?:a |their )?(?:reply|call ?back|response|answer))\b"
)
_EFFORT_LOW_WORDS = ("very easy", "super easy", "effortless", "easy peasy", "no effort")
_EFFORT_HIGH_WORDS = ("very hard", "very difficult", "nightmare", "impossible", "exhausting")


@dataclass(frozen=True)
class Answer:
    text: str
    choice: str | None
    message_id: int | None
    # A language model's validated reading of `text`; it only fills what ours leaves open.
    hints: Hints | None = None


@dataclass
class Outcome:
    """What applying an answer did: usable or not, and facts worth acknowledging."""

    accepted: bool = True
    acknowledged: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


Handler = Callable[[InterviewState, Guide, Position, Answer], Outcome]


def apply_answer(
    state: InterviewState,
    guide: Guide,
    position: Position,
    answer: Answer,
    *,
    may_reask: bool,
) -> Outcome:
    """Write `answer` to the question at `position` into `state` (mutated in place).

    With `may_reask` False an unclear answer is stored as free text instead of rejected.
    An answer that is not accepted leaves `state` untouched: handlers decide before they
    write (the engine relies on this instead of copying the state for every answer).
    """
    if position.also is not None:
        together = _answer_together(state, guide, position, answer)
        if together is not None:
            return together
    handler = _HANDLERS.get(position.slot, _answer_extra_question)
    outcome = handler(state, guide, position, answer)
    if not outcome.accepted and not may_reask:
        _accept_anyway(state, guide, position, answer)
        return Outcome(accepted=True)
    return outcome


def _answer_together(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome | None:
    """One typed answer to a message that asked two step questions ("Phone, about 20
    minutes"), or None when it does not answer the second one (then it is read as an
    answer to the main question alone, and the second is asked on its own next).

    The second (the length) is answered by a length in the words or as a model read them,
    a vague one ("ages") or an "I don't know", each an answer its own question would take;
    a vague word counts only in a part of its own ("phone, ages": "I rang while at work"
    is no length). The main one is answered when the words give it, else it stays open.
    People answer in the order asked, so when a later part of the answer gives the length
    ("They emailed me. Nine days from the call."), the channel is read from the parts
    before it and the length from the rest: "the call" there is not how they were in touch.
    """
    assert position.also is not None
    if answer.choice is not None or position.also != Slot.DURATION:
        return None
    split = _split_pair(answer.text)
    if split is None:
        text = answer.text
        stated = parse_duration_minutes(text) is not None or _passes(text)
        modelled = answer.hints is not None and answer.hints.duration_minutes is not None
        if not (stated or modelled):
            return None
        first = rest = answer
    else:
        first, rest = replace(answer, text=split[0]), replace(answer, text=split[1])
    second = Position(slot=position.also, step=position.step)
    outcome = _HANDLERS[second.slot](state, guide, second, rest)
    main_position = position.model_copy(update={"also": None})
    main = _HANDLERS[position.slot](state, guide, main_position, first)
    if not main.accepted and first is not answer:
        main = _HANDLERS[position.slot](state, guide, main_position, answer)
    if main.accepted:
        outcome.acknowledged.extend(main.acknowledged)
        outcome.notes.extend(main.notes)
    return outcome


# The parts of an answer, each with the punctuation that ends it: "Phone, ", "20 min."
_ANSWER_PART = re.compile(r"[^.!?;,\n]+[.!?;,\n]*|[.!?;,\n]+")


def _split_pair(text: str) -> tuple[str, str] | None:
    """An answer to "how were you in touch, and how long did it take?" cut where the
    length starts: (the parts before, the rest), when a part after the first gives a
    length, a vague one or an "I don't know"; None when no later part does."""
    parts = _ANSWER_PART.findall(text)
    for index in range(1, len(parts)):
        part = parts[index]
        if parse_duration_minutes(part) is not None or _vague_but_answered(part) or _passes(part):
            head = "".join(parts[:index]).strip().rstrip(",;").strip()
            rest = "".join(parts[index:]).strip()
            return (head, rest) if head and rest else None
    return None


def skip_question(state: InterviewState, guide: Guide, position: Position) -> bool:
    """Mark the question at `position` as skipped. False when it cannot be skipped."""
    slot = position.slot
    if slot == Slot.CONSENT:
        return False
    if slot == Slot.STEP:
        state.steps.append(StepDraft(ordinal=1))
        return True
    if slot == Slot.NEXT_STEP:
        state.steps_closed = True
        return True
    if slot == Slot.PLAYBACK:
        state.playback_confirmed = True
        state.choosing_fix = False
        state.fixing_step = None
        return True
    if slot == Slot.CLARIFY_NOTHING:
        state.clarifying_nothing = False
        state.steps_closed = True
        return True
    if slot == Slot.CONFIRM_MOMENT:
        state.moment_guess = None
        state.settle(Slot.MOMENT_OF_TRUTH, state.answer_message_ids.get(Slot.MOMENT_OF_TRUTH))
        return True
    step = state.step(position.step) if position.step is not None else None
    if step is not None and slot == Slot.CONFIRM:
        confirmation.skip(step)
        return True
    if step is not None and position.is_step_slot:
        # "skip" passes on everything the message asked (both parts of a paired question).
        for skipped in (slot, position.also) if position.also else (slot,):
            step.settle(Slot(skipped))
            step.drop_guess(*_SLOT_FACTS.get(skipped, ()))
        return True
    state.settle(slot, None)
    return True


# --- interview-level questions -------------------------------------------------------


def _answer_consent(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    if answer.choice == HEAR_BACK:
        agreed: bool | None = True
        hear_back = True
    else:
        agreed = _yes_no(answer)
        # Typed: "yes, and keep me posted" (a typed "no ... keep me posted" stays a no).
        hear_back = answer.choice is None and bool(_HEAR_BACK_WORDS.search(answer.text))
    if agreed is None:
        return Outcome(accepted=False)
    state.consent = agreed
    state.hear_back = bool(agreed and hear_back)
    state.status = InterviewStatus.ACTIVE if agreed else InterviewStatus.DECLINED
    return Outcome()


def _keep_text(attribute: str) -> Handler:
    """A handler for open questions whose answer is kept word for word."""

    def handler(state: InterviewState, guide: Guide, position: Position, answer: Answer) -> Outcome:
        setattr(state, attribute, answer.text)
        state.settle(position.slot, answer.message_id)
        return Outcome()

    return handler


def _answer_first_step(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = StepDraft(ordinal=1, doing=answer.text)
    state.steps.append(step)
    return Outcome(acknowledged=_describe_step(step, guide, answer))


def _answer_next_step(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    ending = is_end_choice(answer.choice)
    if not ending and _is_nothing(answer.text) and _was_waiting(state):
        # "Nothing." after a step spent waiting may mean nothing happened for a while
        # (more to tell) or that it ended there: ask, rather than close the journey.
        state.clarifying_nothing = True
        return Outcome()
    if ending or _is_nothing(answer.text) or ends_the_steps(answer.text):
        state.steps_closed = True
        outcome = ending_outcome(answer.choice)
        if outcome is not None:
            # The button said how it ended: that answers "was it resolved?" in the same tap.
            state.resolved = outcome
            state.settle(Slot.RESOLVED, answer.message_id)
        return Outcome()
    hints = answer.hints
    if hints is not None and hints.ended and not hints.has_step_facts:
        # "C'était tout": an ending in words our offline rules do not know.
        state.steps_closed = True
        return Outcome()
    # Anything with content is the next step, even when it sounds final ("swapped it there"):
    # closing the journey on a guess would lose the steps the customer had yet to tell, and
    # asking "what happened next?" once more costs one click on an end button.
    step = StepDraft(ordinal=len(state.steps) + 1, doing=answer.text)
    state.steps.append(step)
    return Outcome(acknowledged=_describe_step(step, guide, answer, previous=state.steps[-2]))


def _answer_clarify_nothing(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    """After an ambiguous "nothing": a pause in the story becomes a waiting step; the end
    closes the steps; anything else typed is the next step itself."""
    if answer.choice == "end" or (
        answer.choice is None and (ends_the_steps(answer.text) or _is_nothing(answer.text))
    ):
        state.clarifying_nothing = False
        state.steps_closed = True
        return Outcome()
    state.clarifying_nothing = False
    if answer.choice == "wait":
        step = StepDraft(ordinal=len(state.steps) + 1, doing=guide.say("nothing_for_a_while"))
        step.channel = Channel.NONE
        step.known("channel", Provenance.INFERRED)
        step.settle(Slot.CHANNEL)
        step.cite(answer.message_id)
        state.steps.append(step)
        return Outcome()
    step = StepDraft(ordinal=len(state.steps) + 1, doing=answer.text)
    state.steps.append(step)
    return Outcome(acknowledged=_describe_step(step, guide, answer, previous=state.steps[-2]))


def _answer_confirm(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    """The one-tap confirmation of a step's readings (`confirmation`)."""
    step = _current_step(state, position)
    agreed: bool | None = None
    if answer.choice in ("yes", "fix"):
        agreed = answer.choice == "yes"
    else:
        agreed = confirmation.plain_yes_or_no(answer.text)
    if agreed is None:
        changed = confirmation.correct(step, answer.text, guide.extra_pain_keywords())
        if changed is None:
            return Outcome(accepted=False)
        step.cite(answer.message_id)
        return Outcome(notes=[guide.say("confirm_fixed", facts=changed)] if changed else [])
    if agreed:
        confirmation.confirm(step)
    else:
        confirmation.reject(step)
    step.cite(answer.message_id)
    return Outcome()


# "no", "nope, ...", "not quite: ...": the customer answers "did I get that right?".
_PLAIN_NO = re.compile(
    r"^(?:no|nope|nah|not quite|not really|not exactly|not right|not correct|incorrect|wrong|"
    r"that'?s (?:not right|wrong|not it))(?:\W*$|\s*[,.!:;\u2014-])",
    re.IGNORECASE,
)
# "No single moment", "no particular point really": the moment question answered.
_NO_MOMENT = re.compile(
    r"^(?:no|none|not) (?:(?:a|one|single|particular|real|specific|really a) )?(?:moment|point)\b",
    re.IGNORECASE,
)
# "None of them", "nothing, it's fine", "all good": no step needs changing.
_NOTHING_TO_FIX = re.compile(
    r"^(?:none|nothing|no ?one|neither|all (?:good|fine|correct|right)|it'?s (?:all )?(?:fine|"
    r"right|correct|ok)|never ?mind|no changes?)\b",
    re.IGNORECASE,
)
# "2: ...", "step 2: ...": the playback's way to rewrite a step in one message.
_STEP_REWRITE = re.compile(r"^(?:step\s*)?\d+\s*:", re.IGNORECASE)
# Up to this many words, "yes"/"ok"/"looks right" is a reply to the playback question.
_PLAIN_REPLY_WORDS = 4


def _answer_playback(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    if state.fixing_step is not None:
        step = state.step(state.fixing_step)
        if step is None or not answer.text:
            return Outcome(accepted=False)
        _rewrite_step(step, guide, answer)
        state.fixing_step = None
        return Outcome(notes=[guide.say("playback_fixed", n=step.ordinal)])
    if answer.choice is not None and answer.choice.startswith("fix:"):
        return _choose_fix(state, int(answer.choice.removeprefix("fix:")))
    agreed = _yes_no(answer)
    if _names_the_moment(state, answer, agreed):
        # The playback asked for the make-or-break moment too: naming it confirms the
        # journey (a fix goes through "Something's not right" or a "no, ...").
        state.playback_confirmed = True
        return _answer_moment_of_truth(state, guide, position, answer)
    if agreed is True or (state.choosing_fix and _nothing_to_fix(answer)):
        # "Yes"; or, asked which step to change, "none of them, it's all right".
        state.choosing_fix = False
        state.playback_confirmed = True
        return Outcome()
    number, rest = _split_step_reference(answer.text, state)
    if number is not None:
        # "2: I emailed them, not called": pick the step and rewrite it in one go.
        outcome = _choose_fix(state, number)
        if rest and len(rest.split()) >= 2 and state.fixing_step is not None:
            return _answer_playback(state, guide, position, Answer(rest, None, answer.message_id))
        return outcome
    if agreed is False or state.choosing_fix:
        if len(state.steps) == 1:
            return _choose_fix(state, 1)
        state.choosing_fix = True
        return Outcome()
    return Outcome(accepted=False)


def _names_the_moment(state: InterviewState, answer: Answer, agreed: bool | None) -> bool:
    """An answer to the playback that names the make-or-break moment: a step's button, or
    words that are not a plain yes or no while the playback asks for the moment. A plain
    yes only confirms (the moment is asked next); "no" or "no, step 2 was email" fixes."""
    if state.choosing_fix or not asks_moment_in_playback(state):
        return False
    if answer.choice is not None:
        return answer.choice.startswith("step:")
    text = answer.text.strip()
    if not text:
        return False
    if _STEP_REWRITE.match(text):  # "2: I emailed them" rewrites step 2
        return False
    if _NO_MOMENT.match(text) or _passes(text):  # "no single moment", "not sure"
        return True
    if _PLAIN_NO.match(text):  # "no", "nope, step 2 was email": a fix
        return False
    # Yes/no readings of a longer answer are its words ("never", "definitely"), not a
    # reply to "did I get that right?": a description of the moment; so is a short one
    # whose "no" is inside it ("the no refund email").
    return agreed is None or len(text.split()) > _PLAIN_REPLY_WORDS or agreed is False


def _nothing_to_fix(answer: Answer) -> bool:
    """Asked which step to change: the button or words that say none needs it."""
    if answer.choice is not None:
        return answer.choice == NOTHING_TO_FIX
    return _NOTHING_TO_FIX.match(answer.text.strip()) is not None


def _answer_moment_of_truth(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    if answer.choice is not None and answer.choice.startswith("step:"):
        number = int(answer.choice.removeprefix("step:"))
        step = state.step(number)
        state.moment_of_truth_step = number if step is not None else None
        state.moment_of_truth = answer.text or (step.doing if step is not None else "")
    else:
        state.moment_of_truth = answer.text
        reference = resolve_step_reference(
            answer.text,
            [step.doing for step in state.steps],
            channels=[step.channel for step in state.steps],
        )
        if reference.step is not None and not reference.sure:
            # Matched by meaning, unsure: one tap to confirm (`Slot.CONFIRM_MOMENT`).
            state.moment_guess = reference.step
            if answer.message_id is not None:  # the quote links to the description
                state.answer_message_ids[Slot.MOMENT_OF_TRUTH] = answer.message_id
            return Outcome()
        state.moment_of_truth_step = reference.step
    state.settle(Slot.MOMENT_OF_TRUTH, answer.message_id)
    return Outcome()


def _answer_confirm_moment(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    """Yes (that step), another step's button, or words: read again, then settled."""
    guess = state.moment_guess
    if answer.choice == "yes" or (answer.choice is None and parse_yes_no(answer.text)):
        chosen = guess
    elif answer.choice is not None and answer.choice.startswith("step:"):
        chosen = int(answer.choice.removeprefix("step:"))
    else:
        reference = resolve_step_reference(
            answer.text, [step.doing for step in state.steps], channels=None
        )
        chosen = reference.step if reference.sure or reference.none_given else None
        if chosen is None and not reference.none_given and parse_yes_no(answer.text) is None:
            return Outcome(accepted=False)
    state.moment_guess = None
    state.moment_of_truth_step = chosen if chosen is not None and state.step(chosen) else None
    said = state.answer_message_ids.get(Slot.MOMENT_OF_TRUTH)
    state.settle(Slot.MOMENT_OF_TRUTH, said if said else answer.message_id)
    return Outcome()


def _answer_resolved(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    value = answer.choice if answer.choice in ("yes", "partly", "no") else None
    if value is None:
        value = parse_resolved(answer.text)
    if value is None:
        return Outcome(accepted=False)
    state.resolved = value
    state.settle(Slot.RESOLVED, answer.message_id)
    return Outcome()


def _answer_effort(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    score = parse_scale(
        answer.choice or answer.text,
        low=EFFORT_MIN,
        high=EFFORT_MAX,
        low_words=_EFFORT_LOW_WORDS,
        high_words=_EFFORT_HIGH_WORDS,
    )
    if score is None:
        return Outcome(accepted=False)
    state.effort = score
    state.settle(Slot.EFFORT, answer.message_id)
    return Outcome()


def _answer_anything_else(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    nothing = answer.choice == "no" or _is_nothing(answer.text)
    state.anything_else = None if nothing else answer.text
    state.settle(Slot.ANYTHING_ELSE, answer.message_id)
    return Outcome()


def _answer_extra_question(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    question = guide.extra_question(position.slot)
    if question is None:  # a stale position from an edited guide: nothing to store it in
        return Outcome()
    state.extra_answers[question.id] = answer.choice or answer.text
    state.settle(question.id, answer.message_id)
    return Outcome()


# --- step questions ------------------------------------------------------------------


def _answer_channel(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    channel = _channel_choice(answer.choice) or parse_channel(answer.text)
    if channel is None and answer.choice is None and names_previous_contact(answer.text):
        # "Same", "still her": the contact of the step before, in the customer's words.
        previous = state.step(step.ordinal - 1)
        if previous is not None and previous.channel not in (None, Channel.NONE):
            channel = previous.channel
    how = Provenance.SAID
    if channel is None and answer.choice is None and answer.hints is not None:
        channel, how = answer.hints.channel, Provenance.INFERRED
    if channel is None and answer.choice is None and _passes(answer.text):
        step.channel_text = answer.text  # "can't remember": no channel stored, not re-asked
        return _settled(step, Slot.CHANNEL, guide, answer)
    if channel is None:
        return Outcome(accepted=False)
    step.channel = channel
    step.channel_text = answer.text or None
    step.known("channel", how)
    return _settled(step, Slot.CHANNEL, guide, answer)


def _answer_feeling(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    feeling = _int_choice(answer.choice, 1, 5)
    if feeling is None:
        feeling = parse_feeling(answer.text, bare_number=True)
    how = Provenance.SAID
    if feeling is None and answer.choice is None and answer.hints is not None:
        feeling, how = answer.hints.feeling, Provenance.INFERRED
    if feeling is None and answer.choice is None and _passes(answer.text):
        # "Prefer not to say", "idk": recorded once as no answer, never asked again.
        step.feeling_text = answer.text
        return _settled(step, Slot.FEELING, guide, answer)
    if feeling is None:
        return Outcome(accepted=False)
    step.feeling = feeling
    step.feeling_text = answer.text or None
    step.known("feeling", how)
    return _settled(step, Slot.FEELING, guide, answer)


def _answer_thinking(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    step.thinking = answer.text
    return _settled(step, Slot.THINKING, guide, answer)


def _answer_duration(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    minutes = _int_choice(answer.choice, 0, 10**7)
    if minutes is None:
        minutes = parse_duration_minutes(answer.text)
    how = Provenance.SAID
    if minutes is None and answer.choice is None and answer.hints is not None:
        minutes, how = answer.hints.duration_minutes, Provenance.INFERRED
    if minutes is None and not (_vague_but_answered(answer.text) or _passes(answer.text)):
        return Outcome(accepted=False)
    step.duration_minutes = minutes
    step.duration_text = answer.text or None
    if minutes is not None:
        step.known("duration", how)
    return _settled(step, Slot.DURATION, guide, answer)


def _answer_people_tools(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    if answer.choice != "none" and not _is_nothing(answer.text):
        people, tools = parse_people_tools(answer.text)
        hints = answer.hints
        _extend(step.people, people + (hints.people if hints else ()))
        _extend(step.tools, tools + (hints.tools if hints else ()))
        step.people_tools_text = answer.text
        # Names the customer typed are said; ones only a model found are inferred.
        if people or tools:
            step.known("people" if people else "tools", Provenance.SAID)
            if people and tools:
                step.known("tools", Provenance.SAID)
        for fact, ours, model in (
            ("people", people, hints.people if hints else ()),
            ("tools", tools, hints.tools if hints else ()),
        ):
            if model and not ours:
                step.known(fact, Provenance.INFERRED)
    return _settled(step, Slot.PEOPLE_TOOLS, guide, answer)


def _answer_pain(
    state: InterviewState, guide: Guide, position: Position, answer: Answer
) -> Outcome:
    step = _current_step(state, position)
    if answer.choice is not None and answer.choice != "none":
        # A pain's quick reply: the fixed ones, or a probable reading offered first.
        _extend(step.pains, [answer.choice])
        step.known("pains", Provenance.SAID)
    elif answer.choice is None and not _is_nothing(answer.text):
        step.pain_text = answer.text
        norm = normalize(answer.text)
        if says_no_pain(norm):
            # "No, the transfer was fine": nothing got in the way, whatever it names.
            return _settled(step, Slot.PAIN, guide, answer)
        ours = _understand(answer.text, guide)
        found = _with_hints(ours, answer.hints)
        pains = list(found.pains)
        # Asked what got in the way, naming the wait is saying it hurt, and naming a
        # promise to reply is saying it was broken.
        _extend(pains, named_when_asked(norm))
        if pains:
            _extend(step.pains, pains)
            said = ours.pains or pains != list(found.pains)
            step.known("pains", Provenance.SAID if said else Provenance.INFERRED)
    return _settled(step, Slot.PAIN, guide, answer)


# --- helpers -------------------------------------------------------------------------


def _settled(step: StepDraft, slot: Slot, guide: Guide, answer: Answer) -> Outcome:
    """Finish a step answer: the question is settled, the words are cited as its source,
    and whatever else they say fills the step's other open questions."""
    step.settle(slot)
    step.drop_guess(*_SLOT_FACTS.get(slot, ()))
    step.cite(answer.message_id)
    return Outcome(acknowledged=_fill_from_text(step, guide, answer, channel=False))


def _describe_step(
    step: StepDraft,
    guide: Guide,
    answer: Answer,
    *,
    previous: StepDraft | None = None,
    understood: Understanding | None = None,
) -> list[str]:
    """Fill a new step from its description, returning what to acknowledge."""
    step.cite(answer.message_id)
    learnt = _fill_from_text(step, guide, answer, channel=True, understood=understood)
    if previous is not None and Slot.CHANNEL not in step.settled and continues_contact(answer.text):
        # "Same call, she then ...": the step goes on where the last one was, probably.
        inherited = previous.channel
        if inherited is not None and inherited not in (Channel.NONE, Channel.OTHER):
            _add_guess(step, Understood(channel=inherited))
    return learnt


def _rewrite_step(step: StepDraft, guide: Guide, answer: Answer) -> None:
    """A playback correction: new words replace the description and what they state."""
    understood = _understand_answer(answer, guide)
    step.doing = answer.text
    step.cite(answer.message_id)
    # What the customer's correction states replaces the reading: it is theirs to say.
    if understood.channel is not None:
        step.channel, step.channel_text = understood.channel, None
        step.known("channel", Provenance.CORRECTED)
    if understood.feeling is not None:
        step.feeling = understood.feeling
        step.known("feeling", Provenance.CORRECTED)
    if understood.duration_minutes is not None:
        step.duration_minutes, step.duration_text = understood.duration_minutes, None
        step.known("duration", Provenance.CORRECTED)
    for fact, values, target in (
        ("people", understood.people, step.people),
        ("tools", understood.tools, step.tools),
        ("pains", understood.pains, step.pains),
    ):
        if values:
            _extend(target, values)
            step.known(fact, Provenance.CORRECTED)


def _fill_from_text(
    step: StepDraft,
    guide: Guide,
    answer: Answer,
    *,
    channel: bool,
    understood: Understanding | None = None,
) -> list[str]:
    """Fill the step's still-open questions from free text; return what was newly learnt.

    The channel is only taken from a step's description: in answers to other questions a
    channel is often hypothetical ("I thought I'd have to ring them again").
    """
    if not answer.text or answer.choice is not None:
        return []
    ours = understood or _understand(answer.text, guide)
    found = _with_hints(ours, answer.hints)
    # Only our own reading of words that state a fact outright is stored unasked; what a
    # model read, and every probable reading, waits for the customer (`confirmation`).
    sure = sure_readings(answer.text, ours)
    learnt: list[str] = []
    guess = Understood()
    if channel and found.channel is not None and Slot.CHANNEL not in step.settled:
        if "channel" in sure:
            step.channel = found.channel
            step.known("channel", Provenance.INFERRED)
            step.settle(Slot.CHANNEL)
            if found.channel != Channel.NONE:
                learnt.append(CHANNEL_LABELS[found.channel].lower())
        else:
            guess = guess.model_copy(update={"channel": found.channel})
    if found.duration_minutes is not None and Slot.DURATION not in step.settled:
        if "duration" in sure:
            step.duration_minutes = found.duration_minutes
            step.known("duration", Provenance.INFERRED)
            step.settle(Slot.DURATION)
            learnt.append(describe_minutes(found.duration_minutes))
        else:
            guess = guess.model_copy(update={"duration_minutes": found.duration_minutes})
    if found.feeling is not None and Slot.FEELING not in step.settled:
        if "feeling" in sure:
            step.feeling = found.feeling
            step.known("feeling", Provenance.INFERRED)
            step.settle(Slot.FEELING)
            learnt.append(f"you felt {FEELING_LABELS[found.feeling].lower()}")
        else:
            guess = guess.model_copy(update={"feeling": found.feeling})
    # A person named answers "who was involved"; a tool alone ("my statement") does not.
    if found.people and Slot.PEOPLE_TOOLS not in step.settled:
        step.settle(Slot.PEOPLE_TOOLS)
    for fact, values, target in (
        ("people", found.people, step.people),
        ("tools", found.tools, step.tools),
    ):
        if values and fact not in step.provenance:
            step.known(fact, Provenance.INFERRED)
        _extend(target, values)
    if found.pains and Slot.PAIN not in step.settled:
        guess = guess.model_copy(update={"pains": found.pains})
    if guess.facts():
        _add_guess(step, guess)
    return learnt


def _add_guess(step: StepDraft, guess: Understood) -> None:
    """Keep `guess`'s readings with the step's earlier ones (earlier readings stay)."""
    if step.guess is None:
        step.guess = guess
        return
    earlier = step.guess
    step.guess = earlier.model_copy(
        update={
            "channel": earlier.channel or guess.channel,
            "feeling": earlier.feeling or guess.feeling,
            "duration_minutes": earlier.duration_minutes
            if earlier.duration_minutes is not None
            else guess.duration_minutes,
            "pains": tuple(dict.fromkeys((*earlier.pains, *guess.pains))),
        }
    )


def _accept_anyway(state: InterviewState, guide: Guide, position: Position, answer: Answer) -> None:
    """After the re-ask budget is spent: keep the customer's words and move on."""
    slot = position.slot
    if slot == Slot.CONSENT:
        return  # consent is never assumed; the question simply stays open
    if slot == Slot.PLAYBACK:
        state.choosing_fix = False
        state.fixing_step = None
        state.playback_confirmed = True
        return
    if slot == Slot.CLARIFY_NOTHING:
        state.clarifying_nothing = False
        state.steps_closed = True
        return
    if slot == Slot.CONFIRM_MOMENT:
        state.moment_guess = None
        state.settle(Slot.MOMENT_OF_TRUTH, state.answer_message_ids.get(Slot.MOMENT_OF_TRUTH))
        return
    step = state.step(position.step) if position.step is not None else None
    if step is not None and slot == Slot.CONFIRM:
        confirmation.reject(step)
        step.cite(answer.message_id)
        return
    if step is not None and position.is_step_slot:
        if slot == Slot.CHANNEL:
            step.channel, step.channel_text = Channel.OTHER, answer.text
            step.known("channel", Provenance.SAID)
        elif slot == Slot.FEELING:
            step.feeling_text = answer.text
        elif slot == Slot.DURATION:
            step.duration_text = answer.text
        step.settle(Slot(slot))
        step.cite(answer.message_id)
        return
    if slot == Slot.RESOLVED:
        state.extra_answers.setdefault("resolved_text", answer.text)
    elif slot == Slot.EFFORT:
        state.extra_answers.setdefault("effort_text", answer.text)
    state.settle(slot, answer.message_id)


def _choose_fix(state: InterviewState, number: int) -> Outcome:
    if state.step(number) is None:
        return Outcome(accepted=False)
    state.choosing_fix = False
    state.fixing_step = number
    return Outcome()


def _current_step(state: InterviewState, position: Position) -> StepDraft:
    step = state.step(position.step) if position.step is not None else None
    if step is None:  # next_position only yields step slots for existing steps
        raise LookupError(f"no step {position.step} for slot {position.slot}")
    return step


def _split_step_reference(text: str, state: InterviewState) -> tuple[int | None, str]:
    """(step number, the rest of the text) for "2: I emailed them" style corrections."""
    lowered = text.lower().strip()
    match = _STEP_REFERENCE.search(lowered) or _LEADING_NUMBER.match(lowered)
    if match is not None:
        number = int(match.group(1))
        rest = (text.strip()[: match.start()] + text.strip()[match.end() :]).strip(" :,-–—.")
        return (number if state.step(number) is not None else None), rest
    for word, number in _ORDINAL_WORDS.items():
        if re.search(rf"\b{word}\b", lowered):
            resolved = len(state.steps) if number == -1 else number
            return (resolved if state.step(resolved) is not None else None), ""
    return None, ""


def _understand(text: str, guide: Guide) -> Understanding:
    return understand(text, extra_pains=guide.extra_pain_keywords())


def _understand_answer(answer: Answer, guide: Guide) -> Understanding:
    """Our offline reading of the answer, with what it left open filled from the hints."""
    return _with_hints(_understand(answer.text, guide), answer.hints)


def _with_hints(ours: Understanding, hints: Hints | None) -> Understanding:
    if hints is None:
        return ours
    return Understanding(
        channel=ours.channel if ours.channel is not None else hints.channel,
        feeling=ours.feeling if ours.feeling is not None else hints.feeling,
        duration_minutes=(
            ours.duration_minutes if ours.duration_minutes is not None else hints.duration_minutes
        ),
        people=tuple(dict.fromkeys(ours.people + hints.people)),
        tools=tuple(dict.fromkeys(ours.tools + hints.tools)),
        pains=tuple(dict.fromkeys(ours.pains + hints.pains)),
        ended=ours.ended or hints.ended,
    )


def apply_probe_answer(
    state: InterviewState, guide: Guide, probe: PendingProbe, answer: Answer
) -> list[str]:
    """Add the answer to a follow-up question to the step it was about.

    The words join the answer they follow up (the step's description, thoughts or pains)
    and fill what the step still leaves open; returns what was newly learnt.
    """
    step = state.step(probe.step)
    if step is None or not answer.text:
        return []
    if probe.slot in (Slot.STEP, Slot.NEXT_STEP):
        step.doing = f"{step.doing} {answer.text}".strip()
    elif probe.slot == Slot.THINKING:
        step.thinking = f"{step.thinking or ''} {answer.text}".strip()
    elif probe.slot == Slot.PAIN:
        step.pain_text = f"{step.pain_text or ''} {answer.text}".strip()
    step.cite(answer.message_id)
    channel = probe.slot in (Slot.STEP, Slot.NEXT_STEP)
    return _fill_from_text(step, guide, answer, channel=channel)


def _yes_no(answer: Answer) -> bool | None:
    if answer.choice in ("yes", "no"):
        return answer.choice == "yes"
    return parse_yes_no(answer.text)


def _is_nothing(text: str) -> bool:
    return every_clause(text, _NOTHING_CLAUSE)


def _passes(text: str) -> bool:
    """A valid non-answer: "I don't know", "n/a", "prefer not to say"."""
    return says_unknown(text) or declines_to_answer(text)


def _was_waiting(state: InterviewState) -> bool:
    """Whether the journey's latest step was a wait (for a reply, a call back, a parcel)."""
    if not state.steps:
        return False
    last = state.steps[-1]
    return bool(_WAITING.search(last.doing.lower())) or "long_wait" in last.pains


def _vague_but_answered(text: str) -> bool:
    # "ages", "still ongoing", "can't remember": a real answer without a number. Keep it.
    return bool(_VAGUE_DURATION.search(text.lower().replace("’", "'")))


def _channel_choice(choice: str | None) -> Channel | None:
    return Channel(choice) if choice in {c.value for c in Channel} else None


def _int_choice(choice: str | None, low: int, high: int) -> int | None:
    if choice is None or not choice.isdigit():
        return None
    value = int(choice)
    return value if low <= value <= high else None


def _extend(target: list[str], values: tuple[str, ...] | list[str]) -> None:
    for value in values:
        if value not in target:
            target.append(value)


_HANDLERS: dict[str, Handler] = {
    Slot.CONSENT: _answer_consent,
    Slot.PROBLEM: _keep_text("problem"),
    Slot.STEP: _answer_first_step,
    Slot.CHANNEL: _answer_channel,
    Slot.FEELING: _answer_feeling,
    Slot.THINKING: _answer_thinking,
    Slot.DURATION: _answer_duration,
    Slot.PEOPLE_TOOLS: _answer_people_tools,
    Slot.PAIN: _answer_pain,
    Slot.NEXT_STEP: _answer_next_step,
    Slot.CONFIRM: _answer_confirm,
    Slot.CLARIFY_NOTHING: _answer_clarify_nothing,
    Slot.PLAYBACK: _answer_playback,
    Slot.MOMENT_OF_TRUTH: _answer_moment_of_truth,
    Slot.CONFIRM_MOMENT: _answer_confirm_moment,
    Slot.RESOLVED: _answer_resolved,
    Slot.EFFORT: _answer_effort,
    Slot.IMPROVEMENT: _keep_text("improvement"),
    Slot.ANYTHING_ELSE: _answer_anything_else,
}
