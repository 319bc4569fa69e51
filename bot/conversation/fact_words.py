"""Step facts in words: durations, channels and a whole reading shown back to the customer."""

from __future__ import annotations

from bot.conversation.messages import Understood
from bot.conversation.state import StepDraft, card_facts
from bot.conversation.vocabulary import CHANNEL_LABELS, FEELING_LABELS, PAIN_LABELS, Channel


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


def shown(step: StepDraft) -> Understood:
    """What a confirmation of `step` shows: its probable readings and what it inferred
    from the same story."""
    facts = card_facts(step)
    guess = step.guess or Understood()
    duration = guess.duration_minutes
    if duration is None:
        duration = step.duration_minutes
    return Understood(
        channel=(guess.channel or step.channel) if "channel" in facts else None,
        feeling=(guess.feeling or step.feeling) if "feeling" in facts else None,
        duration_minutes=duration if "duration" in facts else None,
        pains=(guess.pains or tuple(step.pains)) if "pains" in facts else (),
    )


def describe_understood(understood: Understood) -> str:
    """A reading in words: "by phone · about 35 minutes · you felt bad 🙁 (2/5)"."""
    parts: list[str] = []
    if understood.channel is not None:
        parts.append(channel_phrase(understood.channel))
    if understood.duration_minutes is not None:
        parts.append(describe_minutes(understood.duration_minutes))
    if understood.feeling is not None:
        emoji, _, words = FEELING_LABELS[understood.feeling].partition(" ")
        parts.append(f"you felt {words.lower()} {emoji} ({understood.feeling}/5)")
    parts.extend(PAIN_LABELS.get(p, p.replace("_", " ")).lower() for p in understood.pains)
    return " · ".join(parts)


def channel_phrase(channel: Channel) -> str:
    """How the customer was in touch, as a phrase: "by phone", "no contact with them"."""
    if channel == Channel.NONE:
        return "no contact with them"
    if channel == Channel.OTHER:
        return "another way of getting in touch"
    return f"by {CHANNEL_LABELS[channel].lower()}"
