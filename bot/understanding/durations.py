"""How long a step took, in minutes, from "about 40 mins", "1h20", "a couple of days"...

Conventions (the engine and the synthesis layer rely on them):

- a couple = 2, a few = 3, several = 4 of the unit; "a few / several minutes" = 5,
  because that is what people mean by it;
- ranges take the midpoint ("2-3 hours" -> 150, "a day or two" -> 2160);
- a day = 1440, a week = 10080, a fortnight = 20160, a month = 30 days, a year =
  365 days; working/business days count as calendar days;
- "overnight" / "all night" = 720, "all day" = 480 (a working day), "all morning /
  afternoon" = 180, "half a day" = 720;
- "instantly", "straight away", "immediately", "seconds", anything under a minute = 1;
- several durations: ones joined by "then", "another", "more", "plus" are added
  ("20 minutes on hold, then 10 more" -> 30); otherwise the longest one is the step's
  duration ("took 2 minutes, refund came 3 days later" -> 4320);
- ignored: "2 days ago", tenure ("been with them 10 years"), promises and estimates
  ("said it would take 5-7 days", "promised a call within 48 hours");
- vague lengths ("ages", "forever", "a while", bare "hours") give None, and
  :func:`is_vague_long_duration` tells the engine the customer *did* answer.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.understanding.cue_matching import Hit, clause_before, select_hits
from bot.understanding.numbers import number_word_pattern, round_half_up, to_number

_UNIT_MINUTES: dict[str, float] = {
    "s": 1 / 60,
    "m": 1,
    "h": 60,
    "d": 1440,
    "w": 10080,
    "f": 20160,
    "mo": 43200,
    "y": 525600,
}

_UNIT_WORD = (
    r"(?:secs?|seconds|second(?! (?!or\b|and\b|later\b|to\b|before\b|after\b|longer\b)[a-z])"
    r"|mins?|minutes?|hrs?|hours?|(?:working |business )?days?|weeks?|wks?|fortnights?"
    r"|months?|years?|yrs?)"
)
# One-letter units only straight after digits ("45m", "2 h"): "an d" must not be a day.
_UNIT_DIGIT = r"(?:" + _UNIT_WORD + r"|(?:(?<=\d)|(?<=\d ))(?:h|m|d))"
_QTY_DIGIT = r"(?:\d{1,6}(?:[.,]\d{1,3})?|\.\d{1,3})"
# Spelled-out quantities other than number words (those come from numbers.yaml).
_QTY_PHRASES = (
    r"a couple of|couple of|a couple|couple|a few|several|a dozen|half an?|half|a half|"
    r"a quarter of an?|quarter of an?|three[- ]quarters of an?|an?"
)


def _unit_key(unit: str) -> str:
    unit = unit.strip()
    if unit.startswith(("working", "business")):
        return "d"
    if unit.startswith("mo"):
        return "mo"
    if unit.startswith("mi") or unit == "m":
        return "m"
    if unit.startswith("f"):
        return "f"
    return unit[0]


def _qty(text: str) -> float | None:
    text = text.strip().replace("-", " ")
    if text.startswith("half"):
        return 0.5
    if text.startswith("three quarters"):
        return 0.75
    if "quarter" in text:
        return 0.25
    return to_number(text)


@dataclass(frozen=True)
class _Dur:
    minutes: float
    additive: bool = False
    inherit_unit: bool = False  # "10 more": the unit is the previous duration's


_SIMPLE_DIGIT_RE = re.compile(
    r"(?<![\w.:/-])(?P<a>"
    + _QTY_DIGIT
    + r")(?:[- ]?(?:odd|ish|plus|\+))? ?(?P<u>"
    + _UNIT_DIGIT
    + r")\b(?:-?ish)?"
)


@dataclass(frozen=True)
class _SpelledPatterns:
    """The duration patterns whose quantities may be spelled out ("twenty minutes")."""

    simple_word: re.Pattern[str]
    compound: re.Pattern[str]
    and_half: re.Pattern[str]
    range: re.Pattern[str]
    more: re.Pattern[str]
    then_bare: re.Pattern[str]
    numberish_before: re.Pattern[str]


@cache
def _spelled() -> _SpelledPatterns:
    """Build the patterns that embed the number words of numbers.yaml, on first use."""
    number = number_word_pattern()
    qty_word = r"(?:" + _QTY_PHRASES + r"|" + number + r")"
    qty = r"(?:" + _QTY_DIGIT + r"|" + qty_word + r")"
    return _SpelledPatterns(
        simple_word=re.compile(
            r"\b(?P<a>" + qty_word + r")(?:[- ](?:odd|ish))? (?P<u>" + _UNIT_WORD + r")\b"
        ),
        compound=re.compile(
            r"(?<![\w.])(?P<a>"
            + qty
            + r") ?(?P<u>"
            + _UNIT_DIGIT
            + r"),? (?:and )?(?P<b>"
            + qty
            + r") ?(?P<v>"
            + _UNIT_DIGIT
            + r")\b"
        ),
        and_half=re.compile(
            r"\b(?P<a>" + qty + r") (?:and a half|& a half|and a bit) (?P<u>" + _UNIT_WORD + r")\b"
            r"|\b(?P<a2>" + qty + r") ?(?P<u2>" + _UNIT_DIGIT + r") and a half\b"
        ),
        range=re.compile(
            r"(?<![\w.])(?P<a>"
            + qty
            + r") ?(?:-|to|or) ?(?P<b>"
            + qty
            + r") ?(?P<u>"
            + _UNIT_DIGIT
            + r")\b|\bbetween (?P<a2>"
            + qty
            + r") (?:and|&) (?P<b2>"
            + qty
            + r") ?(?P<u2>"
            + _UNIT_DIGIT
            + r")\b"
        ),
        more=re.compile(
            r"\b(?:another|an? extra|a further) (?P<a>"
            + qty
            + r")(?: ?(?P<u>"
            + _UNIT_DIGIT
            + r"))?\b"
            r"|(?<![\w.])(?P<a2>" + _QTY_DIGIT + r"|" + number + r") (?:more|extra|further)"
            r"(?: (?P<u2>" + _UNIT_WORD + r"))?\b"
            r"|\banother (?P<u3>" + _UNIT_WORD + r")\b"
        ),
        # "15 minute wait then 10 with the advisor": a bare number after "then"/"plus" is
        # more minutes ("an hour on hold then 10 with an agent" -> 70), added to what came
        # before.
        then_bare=re.compile(
            r"\b(?:then|plus|followed by|and then) (?:another )?(?P<a>\d{1,3}|"
            + number
            + r") (?=(?:with|on|talking|speaking|chatting|in|at|waiting|for|of) )"
        ),
        numberish_before=re.compile(
            r"(?:\d|\b(?:a|an|few|several|couple|of|" + number + r"|many|working|"
            r"business))\s*(?:-|odd|ish)?\s*$"
        ),
    )


_HOURS_BARE_MINUTES_RE = re.compile(
    r"(?<![\w.])(?P<a>\d{1,2}|an?|one|two|three) ?(?:h|hrs?|hours?) ?(?:and )?(?P<b>\d{1,2})\b"
    r"(?! ?(?:" + _UNIT_DIGIT + r")\b)"
)
_OR_TWO_RE = re.compile(r"\b(?:an?|one) (?P<u>" + _UNIT_WORD + r") or (?P<b>two|2|three|3|so)\b")
_TOTAL_RE = re.compile(
    r"\b(?:in|for|after|took|about|around) (?P<a>\d{1,4}) (?:total|in total|all in|altogether)\b"
)
_CLOCK_RE = re.compile(r"(?<![\w.:])(?P<h>\d{1,2}):(?P<m>[0-5]\d)(?![\d:])")
_CLOCK_AFTER_RE = re.compile(r"^\s*(?:in total|total|hours?|hrs?|h\b|long|on hold|of\b|all in)")
_CLOCK_BEFORE_RE = re.compile(
    r"\b(?:took|took me|for|spent|lasted|duration)\s*(?:about |around )?$"
)
_SPECIAL: tuple[tuple[re.Pattern[str], float], ...] = (
    (re.compile(r"\b(?:overnight|all night)\b"), 720),
    (re.compile(r"\b(?:all day(?: long)?|the (?:whole|entire) day|whole day)\b"), 480),
    (
        re.compile(
            r"\b(?:all (?:morning|afternoon|evening)|the (?:whole|entire) (?:morning|"
            r"afternoon|evening))\b"
        ),
        180,
    ),
    (re.compile(r"\bwithin the hour\b"), 60),
    (
        re.compile(
            r"\b(?:instant(?:ly)?|immediate(?:ly)?|straight ?away|right away|in no time|"
            r"no time at all|in a flash|(?:a few |within |in )?seconds|within a minute|"
            r"less than a minute|under a minute)\b"
        ),
        1,
    ),
)

_AGO_RE = re.compile(r"^\s*(?:-\s*)?(?:ago|old|before that|back)\b")
_TENURE_RE = re.compile(
    r"\b(?:been with \w+|been (?:a )?(?:customer|member)|customer|member|subscriber|had (?:it|this|"
    r"that|them|the \w+|my \w+))(?: for)?(?: (?:about|over|nearly|almost|around|like))? $"
)
_PROMISE_RE = re.compile(
    r"\b(?:would|will|won't|should|could|might|may|promised?|supposed|meant to|expected|expect|"
    r"usually|normally|up to|estimated?|quoted|(?:they|it|he|she|there|we|that)'d|'ll|"
    r"(?:it|they|he|she|the \w+|their \w+|which) (?:said|says|states?|stated)|says|policy|"
    r"takes|can take|allow|allows|standard|typically|generally)\b"
)
# "refunded straight away" is about the outcome, not how long the step took; an instant
# phrase right after such an outcome verb is not the step's duration.
_OUTCOME_BEFORE_RE = re.compile(
    r"\b(?:refund(?:ed)?|credited|reimburs\w*|paid (?:me|us|out|it|back)|repaid|compensated|"
    r"replaced|"
    r"refund (?:came|arrived|went through|landed)|money back)\b(?: \w+){0,2}\s*$"
)
# "done in 5", "sorted in 10": a bare number after "done/sorted in" is minutes.
_DONE_IN_RE = re.compile(
    r"\b(?:done|sorted|over|finished|fixed|resolved|through) in (?:about |around |under |like )?"
    r"(?P<a>\d{1,2})\b(?! ?(?:[:.,/%]\d|" + _UNIT_DIGIT + r"\b|[a-z]))"
)
_PER_RE = re.compile(r"\b(?:once|twice|times|per|every)\s*$")
_ADDITIVE_BETWEEN_RE = re.compile(
    r"\b(?:then|after that|afterwards|followed by|plus|on top of that|another)\b"
)

_VAGUE_RE = re.compile(
    r"\b(?:ages(?: and ages)?|forever|for ever|(?:an )?eternity|a (?:very |really |pretty )?long "
    r"(?:time|while)|(?:quite |a good |a fair )?a? ?while|an age|yonks|donkey'?s years|"
    r"the longest time|way too long|far too long|too long|so long|hours(?: and hours)?|"
    r"days(?: and days)?|weeks(?: and weeks)?|months(?: and months)?|years)\b"
)


def _minutes(qty: float | None, unit: str) -> float | None:
    if qty is None:
        return None
    return qty * _UNIT_MINUTES[_unit_key(unit)]


def _few_minutes(qty_text: str, unit: str, value: float) -> float:
    # "a few minutes" is ~5 in everyday speech, not 3.
    if _unit_key(unit) == "m" and qty_text.strip() in ("a few", "few", "several"):
        return 5.0
    return value


def _collect(norm: str) -> list[Hit[_Dur]]:
    hits: list[Hit[_Dur]] = []
    spelled = _spelled()

    def add(start: int, end: int, minutes: float | None, **flags: bool) -> None:
        if minutes is not None:
            hits.append(Hit(start, end, _Dur(minutes, **flags)))

    for m in _SIMPLE_DIGIT_RE.finditer(norm):
        add(m.start(), m.end(), _minutes(_qty(m["a"]), m["u"]))
    for m in spelled.simple_word.finditer(norm):
        value = _minutes(_qty(m["a"]), m["u"])
        if value is not None:
            value = _few_minutes(m["a"], m["u"], value)
        add(m.start(), m.end(), value)
    for m in spelled.compound.finditer(norm):
        first = _minutes(_qty(m["a"]), m["u"])
        second = _minutes(_qty(m["b"]), m["v"])
        if first is not None and second is not None:
            add(m.start(), m.end(), first + second)
    for m in _HOURS_BARE_MINUTES_RE.finditer(norm):
        hours = _qty(m["a"])
        if hours is not None:
            add(m.start(), m.end(), hours * 60 + float(m["b"]))
    for m in spelled.and_half.finditer(norm):
        qty = _qty(m["a"] or m["a2"])
        add(m.start(), m.end(), _minutes(None if qty is None else qty + 0.5, m["u"] or m["u2"]))
    for m in spelled.range.finditer(norm):
        low, high = _qty(m["a"] or m["a2"]), _qty(m["b"] or m["b2"])
        if low is not None and high is not None and low < high:
            add(m.start(), m.end(), _minutes((low + high) / 2, m["u"] or m["u2"]))
    for m in _OR_TWO_RE.finditer(norm):
        top = 1.0 if m["b"] == "so" else _qty(m["b"])
        add(m.start(), m.end(), _minutes(None if top is None else (1 + top) / 2, m["u"]))
    for m in spelled.more.finditer(norm):
        unit = m["u"] or m["u2"] or m["u3"]
        qty = _qty(m["a"] or m["a2"] or "1")
        if unit:
            add(m.start(), m.end(), _minutes(qty, unit), additive=True)
        elif qty is not None:
            add(m.start(), m.end(), qty, additive=True, inherit_unit=True)
    for m in _TOTAL_RE.finditer(norm):
        add(m.start("a"), m.end(), float(m["a"]), inherit_unit=True)
    for m in _CLOCK_RE.finditer(norm):
        after = norm[m.end() : m.end() + 15]
        before = norm[max(0, m.start() - 20) : m.start()]
        if _CLOCK_AFTER_RE.match(after) or _CLOCK_BEFORE_RE.search(before):
            add(m.start(), m.end(), int(m["h"]) * 60 + int(m["m"]))
    for m in _DONE_IN_RE.finditer(norm):
        add(m.start("a"), m.end(), float(m["a"]))
    for m in spelled.then_bare.finditer(norm):
        value = _qty(m["a"])
        if value is not None:
            add(m.start("a"), m.end("a"), value, additive=True)
    for pattern, minutes in _SPECIAL:
        for m in pattern.finditer(norm):
            if minutes == 1 and _OUTCOME_BEFORE_RE.search(norm[max(0, m.start() - 40) : m.start()]):
                continue
            add(m.start(), m.end(), minutes)
    return select_hits(hits)


def _excluded(norm: str, hit: Hit[_Dur]) -> bool:
    if _AGO_RE.match(norm[hit.end : hit.end + 15]):
        return True
    before = clause_before(norm, hit.start, max_chars=45)
    return bool(
        _TENURE_RE.search(norm[max(0, hit.start - 40) : hit.start])
        or _PROMISE_RE.search(before)
        or _PER_RE.search(norm[max(0, hit.start - 10) : hit.start])
    )


# Every duration needs a digit or one of these words; most answers have neither, and
# this one search lets them skip the dozen duration patterns.
_HINT_RE = re.compile(
    r"\d|\b(?:sec|min|hour|hr|day|week|wk|fortnight|month|year|yr|overnight|night|instant|"
    r"immediate|straight ?away|right away|no time|flash|morning|afternoon|evening)"
)


def duration_from_normalized(norm: str) -> int | None:
    """Duration in minutes of already-normalised text (see :func:`parse_duration_minutes`)."""
    if not norm or _HINT_RE.search(norm) is None:
        return None
    groups: list[float] = []
    last_unit_minutes = 1.0
    previous_end = 0
    for hit in _collect(norm):
        if _excluded(norm, hit):
            continue
        dur = hit.value
        minutes = dur.minutes * last_unit_minutes if dur.inherit_unit else dur.minutes
        if not dur.inherit_unit:
            last_unit_minutes = _unit_of(dur.minutes)
        between = norm[previous_end : hit.start]
        additive = dur.additive or bool(_ADDITIVE_BETWEEN_RE.search(between))
        if additive and groups:
            groups[-1] += minutes
        else:
            groups.append(minutes)
        previous_end = hit.end
    if not groups:
        return None
    best = max(groups)
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
        if _spelled().numberish_before.search(norm[max(0, m.start() - 25) : m.start()]):
            continue
        return True
    return False
