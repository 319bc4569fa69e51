"""How long a step took, in minutes, from "about 40 mins", "1h20", "a couple of days"...

The phrases and their conventions (a couple = 2, "a few minutes" = 5, ranges take the
midpoint, a month = 30 days, "overnight" = 720, ...) are
:mod:`bot.understanding.duration_phrases`; which phrases say how long the *step* took,
and which say when it happened, what was promised or how long something else lasted, is
:mod:`bot.understanding.duration_roles`. From the phrases that count:

- several durations: ones joined by "then", "another", "more", "plus" are added ("20
  minutes on hold, then 10 more" -> 30);
- otherwise the strongest wins: an explicit total of the customer's time ("an hour
  altogether"), the phrase an answer to "how long?" opens with, one marked as the
  length ("took", "on hold"), any other, a journey to get there; among equals the
  longest ("on hold 20 minutes, 10 with the agent after" -> 20);
- in a story (not an answer to "how long?") longer than a few words, only a phrase
  marked as the length counts: "Three days with no internet" or "I've been waiting six
  weeks for this" in a long answer say how the customer felt, not how long this step
  took, and the engine asks instead of guessing;
- vague lengths ("ages", "forever", "a while", bare "hours") give None, and
  :func:`vague_from_normalized` tells the engine the customer *did* answer; so does
  :func:`bot.understanding.non_answers.says_unknown` for "n/a", "idk", "couldn't say".
"""

from __future__ import annotations

import re

from bot.understanding.duration_phrases import BARE_ANSWER_RE, collect, ends_with_quantity
from bot.understanding.duration_roles import ASIDE, EXCLUDED, MARKED, role
from bot.understanding.non_answers import says_unknown
from bot.understanding.numbers import round_half_up

_ADDITIVE_BETWEEN_RE = re.compile(
    r"\b(?:then|after that|afterwards|followed by|plus|on top of that|another)\b"
)
# "Five minutes to read, and then I stewed on it all evening": a new subject starts a
# new activity, not more of the same one.
_NEW_SUBJECT_RE = re.compile(r"\b(?:i|we|he|she|they)\b")
# "no idea, maybe 20 minutes": a guess after an "I don't know" is still a length.
_HEDGE_RE = re.compile(
    r"\b(?:maybe|about|around|roughly|like|probably|perhaps|say|guess|think|possibly|approx\w*|"
    r"reckon|ish)\b"
)
# A story this short is an answer in all but name ("about 40 mins", "25 min, phone").
_SHORT_WORDS = 8
_VAGUE_RE = re.compile(
    r"\b(?:ages(?: and ages)?|forever|for ever|(?:an )?eternity|a (?:very |really |pretty )?long "
    r"(?:time|while)|(?:quite |a good |a fair )?a? ?while|an age|yonks|donkey'?s years|"
    r"the longest time|way too long|far too long|too long|so long|hours(?: and hours)?|"
    r"days(?: and days)?|weeks(?: and weeks)?|months(?: and months)?|years)\b"
)
# Every duration needs a digit or one of these words; most answers have neither, and
# this one search lets them skip the dozen duration patterns.
_HINT_RE = re.compile(
    r"\d|\b(?:sec|min|hour|hr|day|week|wk|fortnight|month|year|yr|overnight|night|instant|"
    r"immediate|straight ?away|right away|no time|flash|morning|afternoon|evening|moment)"
)


def duration_from_normalized(norm: str, *, answer: bool = False) -> int | None:
    """Duration in minutes of already-normalised text (see :func:`parse_duration_minutes`).

    ``answer``: the text answers "how long did that take?", so the phrase it opens with
    is the answer and a bare number ("15") is minutes; else it is a story, where a time
    phrase counts only where it says how long the step took.
    """
    if not norm or _HINT_RE.search(norm) is None:
        return None
    if answer:
        bare = BARE_ANSWER_RE.match(norm)
        if bare is not None and not _HINT_RE.search(norm, bare.end("a")):
            return int(bare["a"])
    unknown = answer and says_unknown(norm)
    groups: list[tuple[int, float]] = []  # (strongest role, minutes)
    last_unit_minutes = 1.0
    previous_end = 0
    for index, hit in enumerate(collect(norm)):
        strength = role(norm, hit, answer=answer, first=index == 0)
        if strength == EXCLUDED or (
            unknown and not _HEDGE_RE.search(norm, max(0, hit.start - 15), hit.start)
        ):
            continue  # "couldn't say, the money came a few days later" is no length
        dur = hit.value
        minutes = dur.minutes * last_unit_minutes if dur.inherit_unit else dur.minutes
        if not dur.inherit_unit:
            last_unit_minutes = dur.unit or _unit_of(dur.minutes)
        between = norm[previous_end : hit.start]
        additive = dur.additive or (
            bool(_ADDITIVE_BETWEEN_RE.search(between)) and not _NEW_SUBJECT_RE.search(between)
        )
        # A journey there ("plus the forty-minute drive") is never added to the step.
        if additive and groups and strength != ASIDE and groups[-1][0] != ASIDE:
            top, total = groups[-1]
            groups[-1] = (max(top, strength), total + minutes)
        else:
            groups.append((strength, minutes))
        previous_end = hit.end
    if not answer and len(norm.split()) > _SHORT_WORDS:
        groups = [group for group in groups if group[0] >= MARKED]
    if not groups:
        return None
    _, best = max(groups)
    return max(1, round_half_up(best)) if best > 0 else 0


def _unit_of(minutes: float) -> float:
    # The unit a later "10 more" / "15 total" inherits: the largest unit that fits.
    for size in (525600.0, 43200.0, 10080.0, 1440.0, 60.0):
        if minutes >= size:
            return size
    return 1.0


def vague_from_normalized(norm: str) -> bool:
    """Whether normalised text gives a vague *long* duration ("ages", bare "hours")."""
    for m in _VAGUE_RE.finditer(norm):
        if ends_with_quantity(norm[max(0, m.start() - 25) : m.start()]):
            continue
        return True
    return False
