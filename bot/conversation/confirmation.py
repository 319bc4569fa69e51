"""The one-tap confirmation: what the bot understood of a step, shown back once.

After a step's story the bot may have probable readings of several facts (channel,
feeling, duration, pains). Asking each question again would make the interview long;
storing the readings unseen made one fact in three wrong. So the readings are shown in
one message ("By phone · about 35 minutes · you felt bad (2/5) · long wait. Did I get
that right?") with [Yes, that's right] [Fix it]:

- **Yes** stores every shown fact as ``confirmed``.
- **Fix it** (or a plain "no") forgets the readings; each question is then asked.
- **Typed words** correct the reading: what they state is stored (``corrected`` when it
  differs from what was shown), the rest of what was shown is confirmed, as a person
  reading "it was email actually" back would take it. A plain no that says it was fine
  ("No, they were kind") about a shown pain means no pain, and the rest as shown.
"""

from __future__ import annotations

import re

from bot.conversation.fact_words import describe_understood, shown
from bot.conversation.messages import Understood
from bot.conversation.state import StepDraft, card_facts
from bot.conversation.vocabulary import Channel, Provenance, Slot
from bot.understanding import (
    Understanding,
    normalize,
    parse_channel,
    parse_duration_minutes,
    parse_feeling,
    parse_yes_no,
    understand,
)
from bot.understanding.pains import says_no_pain

# The step question that settles each fact.
FACT_SLOTS: dict[str, Slot] = {
    "channel": Slot.CHANNEL,
    "feeling": Slot.FEELING,
    "duration": Slot.DURATION,
    "pains": Slot.PAIN,
}


def confirm(step: StepDraft) -> None:
    """Yes: every shown fact is stored as confirmed."""
    card = shown(step)
    _store(step, card, dict.fromkeys(card.facts(), Provenance.CONFIRMED))
    step.drop_guess(*card.facts())  # readings not shown stay offered in their questions
    step.settle(Slot.CONFIRM)


def adopt_guess(step: StepDraft) -> None:
    """Store the step's probable readings as inferred: for a transcript that was not a
    live chat (an import), where nobody can be asked to confirm them."""
    guess = step.guess
    if guess is None:
        return
    open_facts = [f for f in guess.facts() if FACT_SLOTS[f] not in step.settled]
    kept = guess.without(*(f for f in guess.facts() if f not in open_facts))
    if kept is not None:
        _store(step, kept, dict.fromkeys(kept.facts(), Provenance.INFERRED))
    step.guess = None


def reject(step: StepDraft) -> None:
    """Fix it: forget what was shown, inferred facts included; each question is asked."""
    facts = card_facts(step)
    for fact in facts:
        if step.provenance.get(fact) == Provenance.INFERRED:
            _forget(step, fact)
    step.drop_guess(*facts)
    step.settle(Slot.CONFIRM)


def skip(step: StepDraft) -> None:
    """Skipped: nothing probable is stored and its questions are not asked either."""
    facts = card_facts(step)
    for fact in facts:
        step.settle(FACT_SLOTS[fact])
    step.drop_guess(*facts)
    step.settle(Slot.CONFIRM)


def correct(step: StepDraft, text: str, extra_pains: dict[str, tuple[str, ...]]) -> str | None:
    """Typed words about the shown reading: store what they state and confirm the rest.
    Returns what changed, in words ("" when the words only repeated the reading), or None
    when they state no fact at all (the caller then reads them as yes or no)."""
    card = shown(step)
    if card.pains and says_no_pain(normalize(text)):
        return _no_pain(step, card)
    read = read_correction(text, card, extra_pains)
    stated = read.facts()
    if not stated:
        return None
    update: dict[str, object] = {}
    if read.channel is not None:
        update["channel"] = read.channel
    if read.feeling is not None:
        update["feeling"] = read.feeling
    if read.duration_minutes is not None:
        update["duration_minutes"] = read.duration_minutes
    if read.pains:
        update["pains"] = read.pains
    merged = card.model_copy(update=update)
    changed = [fact for fact in stated if _value(read, fact) != _value(card, fact)]
    how = {
        fact: Provenance.CORRECTED if fact in changed else Provenance.CONFIRMED
        for fact in merged.facts()
    }
    _store(step, merged, how)
    step.drop_guess(*merged.facts())
    step.settle(Slot.CONFIRM)
    return describe_understood(merged.model_copy(update=_only(merged, changed)))


def _no_pain(step: StepDraft, card: Understood) -> str:
    """A plain no that says it was fine, about a shown pain: nothing got in the way (the
    pain question is answered), and the rest of the reading is confirmed."""
    kept = card.without("pains")
    if kept is not None:
        _store(step, kept, dict.fromkeys(kept.facts(), Provenance.CONFIRMED))
    step.settle(Slot.PAIN)
    step.drop_guess(*card.facts())
    step.settle(Slot.CONFIRM)
    return ""


def read_correction(
    text: str, card: Understood, extra_pains: dict[str, tuple[str, ...]]
) -> Understood:
    """The facts typed words state about a shown reading. A bare number is a feeling
    only when a feeling was shown; a channel is read as an answer to "how were you in
    touch" (so "email" alone is one)."""
    found: Understanding = understand(text, extra_pains=extra_pains)
    channel = found.channel or parse_channel(text)
    if channel == Channel.OTHER and found.channel is None:
        channel = None  # unrecognised words are not "something else" here
    feeling = parse_feeling(text, bare_number=card.feeling is not None)
    duration = found.duration_minutes
    if duration is None and card.duration_minutes is not None:
        duration = parse_duration_minutes(text)
    return Understood(
        channel=channel, feeling=feeling, duration_minutes=duration, pains=found.pains
    )


# A yes or no said in more words than this is read for corrections first.
_SHORT_ANSWER_WORDS = 3


_NOT_RIGHT = re.compile(
    r"^(?:no|nope|nah|not (?:quite|really|exactly|right|correct)|wrong|incorrect|"
    r"that'?s (?:wrong|not right))\b"
)


def plain_yes_or_no(text: str) -> bool | None:
    """A short yes or no ("yep", "no, not quite"); None for anything else."""
    if len(text.split()) > _SHORT_ANSWER_WORDS:
        return None
    said = parse_yes_no(text)
    if said is None and _NOT_RIGHT.match(normalize(text)):
        return False
    return said


def _store(step: StepDraft, facts: Understood, how: dict[str, Provenance]) -> None:
    if facts.channel is not None:
        step.channel = facts.channel
    if facts.feeling is not None:
        step.feeling = facts.feeling
    if facts.duration_minutes is not None:
        step.duration_minutes = facts.duration_minutes
    if facts.pains:
        step.pains = list(dict.fromkeys(facts.pains))
    for fact in facts.facts():
        step.known(fact, how[fact])
        step.settle(FACT_SLOTS[fact])


def _forget(step: StepDraft, fact: str) -> None:
    if fact == "channel":
        step.channel = None
    elif fact == "feeling":
        step.feeling = None
    elif fact == "duration":
        step.duration_minutes = None
    elif fact == "pains":
        step.pains = []
    step.provenance.pop(fact, None)
    slot = FACT_SLOTS[fact]
    if slot in step.settled:
        step.settled.remove(slot)


def _value(reading: Understood, fact: str) -> object:
    if fact == "duration":
        return reading.duration_minutes
    return getattr(reading, fact)


def _only(reading: Understood, facts: list[str]) -> dict[str, object]:
    """The update that blanks every fact of `reading` but `facts`."""
    return {
        name: (() if name == "pains" else None)
        for fact, name in (
            ("channel", "channel"),
            ("feeling", "feeling"),
            ("duration", "duration_minutes"),
            ("pains", "pains"),
        )
        if fact not in facts
    }
