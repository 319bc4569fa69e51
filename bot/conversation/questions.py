"""Turning a position into the bot's question: wording, quick replies, the playback."""

from __future__ import annotations

from bot.conversation.fact_words import describe_minutes, describe_understood, shown
from bot.conversation.guide import Guide
from bot.conversation.messages import Choice, Reply, Understood
from bot.conversation.state import (
    RESOLVED_VALUES,
    InterviewState,
    Position,
    StepDraft,
    asks_moment_in_playback,
)
from bot.conversation.vocabulary import (
    CHANNEL_LABELS,
    EFFORT_LABELS,
    FEELING_LABELS,
    PAIN_LABELS,
    Channel,
    Pain,
    Slot,
)

YES_NO = (Choice(value="yes", label="Yes"), Choice(value="no", label="No"))
# The second "yes" also asks to hear what the company changes because of the answers
# (closing the loop): one more button, never one more question.
HEAR_BACK = "yes-hear-back"
CONSENT_CHOICES = (
    Choice(value="yes", label="Yes, that's fine"),
    Choice(value=HEAR_BACK, label="Yes, and tell me what you change"),
    Choice(value="no", label="No thanks"),
)
CHANNEL_CHOICES = tuple(Choice(value=c.value, label=CHANNEL_LABELS[c]) for c in Channel)
FEELING_CHOICES = tuple(Choice(value=str(v), label=label) for v, label in FEELING_LABELS.items())
EFFORT_CHOICES = tuple(Choice(value=str(v), label=label) for v, label in EFFORT_LABELS.items())
# Minutes as values, so a click stores the same number a typed answer would.
DURATION_CHOICES = (
    Choice(value="5", label="A few minutes"),
    Choice(value="30", label="About half an hour"),
    Choice(value="60", label="About an hour"),
    Choice(value="240", label="A few hours"),
    Choice(value="1440", label="About a day"),
    Choice(value="10080", label="A week or more"),
)
NOBODY_CHOICE = Choice(value="none", label="Just me")
PAIN_CHOICES = (
    Choice(value="none", label="Nothing really"),
    *(
        Choice(value=p.value, label=PAIN_LABELS[p])
        for p in (
            Pain.LONG_WAIT,
            Pain.TRANSFERRED,
            Pain.REPEAT_EXPLANATION,
            Pain.UNCLEAR_INFO,
            Pain.NO_FOLLOW_UP,
            Pain.BOT_LOOP,
        )
    ),
)
# Asked which step to change, the way back when none needs it.
NOTHING_TO_FIX = "nothing-to-fix"
# The steps end with how it ended: one tap closes the story and answers "was it resolved?"
# (asked only when the customer types the ending instead).
LAST_STEP = "last"
LAST_STEP_CHOICES = (
    Choice(value="last:yes", label="✅ Ended: sorted"),
    Choice(value="last:partly", label="➖ Ended: partly sorted"),
    Choice(value="last:no", label="❌ Ended: not sorted"),
)
RESOLVED_CHOICES = (
    Choice(value="yes", label="Yes"),
    Choice(value="partly", label="Partly"),
    Choice(value="no", label="No"),
)
NOTHING_ELSE_CHOICE = Choice(value="no", label="No, that's all")
CLARIFY_NOTHING_CHOICES = (
    Choice(value="wait", label="Nothing happened for a while"),
    Choice(value="end", label="That was the end of it"),
)
SHORT_DOING = 40
CONFIRM_CHOICES = (
    Choice(value="yes", label="Yes, that's right"),
    Choice(value="fix", label="Fix it"),
)


def question_replies(
    position: Position, state: InterviewState, guide: Guide, *, reask: bool = False
) -> list[Reply]:
    """The message(s) that ask the question at `position`.

    `reask` picks the clarifying wording used after an answer the bot could not place.
    """
    slot = position.slot
    choices = question_choices(position, state, guide)
    if slot == Slot.PLAYBACK:
        return _playback_replies(state, guide, choices, reask=reask)
    extra = guide.extra_question(slot)
    if extra is not None:
        return [Reply(text=guide.fill(extra.text), slot=slot, choices=choices)]
    if slot == Slot.CONFIRM:
        return _confirm_replies(position, state, guide, choices, reask=reask)
    if slot == Slot.CONFIRM_MOMENT:
        guessed = state.step(state.moment_guess) if state.moment_guess is not None else None
        doing = short_doing(guessed) if guessed is not None else ""
        text = guide.say("confirm_moment", n=state.moment_guess, facts=doing)
        return [Reply(text=text, slot=slot, choices=choices)]
    text = guide.say(_text_key(slot, position, reask=reask))
    # A re-ask is about the main question only (its text names no second one).
    also = None if reask else position.also
    return [Reply(text=text, slot=slot, choices=choices, also=also)]


def offered(choice: str, choices: tuple[Choice, ...]) -> bool:
    """Whether the button value `choice` answers a question offering `choices`. A plain
    "last" (a button sent before the end buttons named how it ended) still ends the steps.
    """
    values = {c.value for c in choices}
    return choice in values or (choice == LAST_STEP and LAST_STEP_CHOICES[0].value in values)


def is_end_choice(choice: str | None) -> bool:
    """Whether the button value `choice` is an end button ("last", "last:partly")."""
    return choice is not None and choice.partition(":")[0] == LAST_STEP


def ending_outcome(choice: str | None) -> str | None:
    """How it ended, from an end button ("last:partly" -> "partly"); None for any other."""
    if not is_end_choice(choice):
        return None
    outcome = str(choice).partition(":")[2]
    return outcome if outcome in RESOLVED_VALUES else None


def question_choices(position: Position, state: InterviewState, guide: Guide) -> tuple[Choice, ...]:
    """The quick replies offered at `position` (also the set of valid `Inbound.choice`s)."""
    slot = position.slot
    fixed: dict[str, tuple[Choice, ...]] = {
        Slot.CONSENT: CONSENT_CHOICES,
        Slot.CHANNEL: CHANNEL_CHOICES,
        Slot.FEELING: FEELING_CHOICES,
        Slot.DURATION: DURATION_CHOICES,
        Slot.PEOPLE_TOOLS: (NOBODY_CHOICE,),
        Slot.PAIN: PAIN_CHOICES,
        Slot.NEXT_STEP: LAST_STEP_CHOICES,
        Slot.RESOLVED: RESOLVED_CHOICES,
        Slot.EFFORT: EFFORT_CHOICES,
        Slot.ANYTHING_ELSE: (NOTHING_ELSE_CHOICE,),
    }
    if slot in fixed:
        return _guessed_first(fixed[slot], slot, _guess_at(position, state))
    if slot == Slot.CONFIRM:
        return CONFIRM_CHOICES
    if slot == Slot.CONFIRM_MOMENT:
        others = tuple(
            Choice(value=f"step:{s.ordinal}", label=f"Step {s.ordinal}: {short_doing(s)}")
            for s in state.steps
            if s.ordinal != state.moment_guess
        )
        return (Choice(value="yes", label="Yes, that one"), *others)
    if slot == Slot.CLARIFY_NOTHING:
        return CLARIFY_NOTHING_CHOICES
    if slot == Slot.PLAYBACK:
        if state.fixing_step is not None:
            return ()
        fixes = tuple(
            Choice(value=f"fix:{s.ordinal}", label=f"Fix step {s.ordinal}") for s in state.steps
        )
        if state.choosing_fix:
            return (*fixes, Choice(value=NOTHING_TO_FIX, label="Nothing, it's right"))
        if asks_moment_in_playback(state):
            # The web chat shows the fixes as an "Edit" button beside each step.
            return (Choice(value="yes", label="Yes, that's right"), *_moment_choices(state), *fixes)
        return (Choice(value="yes", label="Yes, that's right"), *fixes)
    if slot == Slot.MOMENT_OF_TRUTH:
        return _moment_choices(state)
    extra = guide.extra_question(slot)
    if extra is not None:
        return extra.choices
    return ()


def _guess_at(position: Position, state: InterviewState) -> Understood | None:
    step = state.step(position.step) if position.step is not None else None
    return step.guess if step is not None else None


def _guessed_first(
    choices: tuple[Choice, ...], slot: str, guess: Understood | None
) -> tuple[Choice, ...]:
    """The quick replies with the bot's probable reading first: the question the reading
    would once have skipped is asked, and the likely answer is one tap."""
    if guess is None:
        return choices
    wanted: list[str] = []
    if slot == Slot.CHANNEL and guess.channel is not None:
        wanted = [guess.channel.value]
    elif slot == Slot.FEELING and guess.feeling is not None:
        wanted = [str(guess.feeling)]
    elif slot == Slot.PAIN:
        known = {choice.value for choice in choices}
        extra = tuple(
            Choice(value=pain, label=PAIN_LABELS.get(pain, pain.replace("_", " ").capitalize()))
            for pain in guess.pains
            if pain not in known
        )
        wanted = list(guess.pains)
        choices = (*extra, *choices)
    elif slot == Slot.DURATION and guess.duration_minutes is not None:
        minutes = guess.duration_minutes
        if all(choice.value != str(minutes) for choice in choices):
            label = describe_minutes(minutes)
            return (Choice(value=str(minutes), label=label[0].upper() + label[1:]), *choices)
        wanted = [str(minutes)]
    first = [c for value in wanted for c in choices if c.value == value]
    return (*first, *(c for c in choices if c not in first)) if first else choices


def _confirm_replies(
    position: Position,
    state: InterviewState,
    guide: Guide,
    choices: tuple[Choice, ...],
    *,
    reask: bool,
) -> list[Reply]:
    step = state.step(position.step) if position.step is not None else None
    if step is None:
        return []
    understood = shown(step)
    if reask:
        text = guide.say("confirm_reask")
    else:
        text = guide.say("confirm", facts=describe_understood(understood))
    return [Reply(text=text, slot=Slot.CONFIRM, choices=choices, understood=understood)]


def _moment_choices(state: InterviewState) -> tuple[Choice, ...]:
    return tuple(
        Choice(value=f"step:{s.ordinal}", label=f"Step {s.ordinal}: {short_doing(s)}")
        for s in state.steps
    )


def playback_lines(state: InterviewState) -> list[str]:
    """One numbered line per step: what they did, then channel, feeling, time and pains."""
    return [f"{s.ordinal}. {step_summary(s)}" for s in state.steps]


def step_summary(step: StepDraft) -> str:
    details: list[str] = []
    if step.channel is not None and step.channel != Channel.NONE:
        details.append(CHANNEL_LABELS[step.channel].lower())
    if step.feeling is not None:
        details.append(f"{FEELING_LABELS[step.feeling].split(' ')[0]} {step.feeling}/5")
    if step.duration_minutes is not None:
        details.append(describe_minutes(step.duration_minutes))
    elif step.duration_text:
        details.append(step.duration_text)
    details.extend(PAIN_LABELS.get(p, p.replace("_", " ")).lower() for p in step.pains)
    doing = step.doing.strip() or "(no description)"
    return f"{doing} ({' · '.join(details)})" if details else doing


def short_doing(step: StepDraft) -> str:
    text = " ".join(step.doing.split()) or "(no description)"
    return text if len(text) <= SHORT_DOING else text[: SHORT_DOING - 1].rstrip() + "…"


def _playback_replies(
    state: InterviewState, guide: Guide, choices: tuple[Choice, ...], *, reask: bool
) -> list[Reply]:
    if state.fixing_step is not None:
        return [
            Reply(
                text=guide.say("playback_fix", n=state.fixing_step),
                slot=Slot.PLAYBACK,
                choices=choices,
            )
        ]
    if state.choosing_fix:
        return [Reply(text=guide.say("playback_which"), slot=Slot.PLAYBACK, choices=choices)]
    body = "\n".join([guide.say("playback_intro"), *playback_lines(state)])
    question = guide.say("playback")
    if asks_moment_in_playback(state):
        question = guide.say("playback_moment")
    return [
        Reply(
            text=f"{body}\n\n{question}",
            slot=Slot.PLAYBACK,
            choices=choices,
            items=tuple(step_summary(s) for s in state.steps),
        )
    ]


def _text_key(slot: str, position: Position, *, reask: bool) -> str:
    if slot == Slot.STEP:
        return "step_first"
    if position.also is not None and not reask:
        return f"{slot}_and_{position.also}"
    if reask and slot in {
        Slot.CONSENT,
        Slot.CHANNEL,
        Slot.FEELING,
        Slot.DURATION,
        Slot.RESOLVED,
        Slot.EFFORT,
        Slot.CONFIRM,
    }:
        return f"{slot}_reask"
    if slot == Slot.DONE:
        return "done"
    return slot
