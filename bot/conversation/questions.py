"""Turning a position into the bot's question: wording, quick replies, the playback."""

from __future__ import annotations

from bot.conversation.guide import Guide
from bot.conversation.messages import Choice, Reply
from bot.conversation.state import InterviewState, Position, StepDraft
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
CONSENT_CHOICES = (
    Choice(value="yes", label="Yes, that's fine"),
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
LAST_STEP_CHOICE = Choice(value="last", label="That was the last step")
RESOLVED_CHOICES = (
    Choice(value="yes", label="Yes"),
    Choice(value="partly", label="Partly"),
    Choice(value="no", label="No"),
)
NOTHING_ELSE_CHOICE = Choice(value="no", label="No, that's all")
SHORT_DOING = 40


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
    text = guide.say(_text_key(slot, position, reask=reask))
    return [Reply(text=text, slot=slot, choices=choices)]


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
        Slot.NEXT_STEP: (LAST_STEP_CHOICE,),
        Slot.RESOLVED: RESOLVED_CHOICES,
        Slot.EFFORT: EFFORT_CHOICES,
        Slot.ANYTHING_ELSE: (NOTHING_ELSE_CHOICE,),
    }
    if slot in fixed:
        return fixed[slot]
    if slot == Slot.PLAYBACK:
        if state.fixing_step is not None:
            return ()
        fixes = tuple(
            Choice(value=f"fix:{s.ordinal}", label=f"Fix step {s.ordinal}") for s in state.steps
        )
        if state.choosing_fix:
            return fixes
        return (Choice(value="yes", label="Yes, that's right"), *fixes)
    if slot == Slot.MOMENT_OF_TRUTH:
        return tuple(
            Choice(value=f"step:{s.ordinal}", label=f"Step {s.ordinal}: {short_doing(s)}")
            for s in state.steps
        )
    extra = guide.extra_question(slot)
    if extra is not None:
        return extra.choices
    return ()


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


def describe_minutes(minutes: int) -> str:
    """Readable duration: 40 -> 'about 40 minutes', 2880 -> 'about 2 days'."""
    if minutes < 1:
        return "under a minute"
    if minutes < 90:
        return f"about {minutes} minute{'s' if minutes != 1 else ''}"
    if minutes < 48 * 60:
        hours = round(minutes / 60, 1)
        shown = f"{hours:g}"
        return f"about {shown} hour{'s' if hours != 1 else ''}"
    days = round(minutes / 1440, 1)
    return f"about {days:g} days"


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
    if reask and slot in {
        Slot.CONSENT,
        Slot.CHANNEL,
        Slot.FEELING,
        Slot.DURATION,
        Slot.RESOLVED,
        Slot.EFFORT,
    }:
        return f"{slot}_reask"
    if slot == Slot.DONE:
        return "done"
    return slot
