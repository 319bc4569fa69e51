"""The time phrases of an answer, each read as minutes: "about 40 mins", "1h20", "a
couple of days", "twenty-five minutes", "from 7 till 5", "8am-1pm".

Conventions (the engine and the synthesis layer rely on them):

- a couple = 2, a few = 3, several = 4 of the unit; "a few / several minutes" = 5,
  because that is what people mean by it;
- ranges take the midpoint ("2-3 hours" -> 150, "a day or two" -> 2160);
- a day = 1440, a week = 10080, a fortnight = 20160, a month = 30 days, a year =
  365 days; working/business days are weekdays, 7/5 of a day each ("ten working days"
  is two weeks);
- "overnight" / "all night" = 720, "all day" = 480 (a working day), "all morning /
  afternoon" = 180, "half a day" = 720;
- "instantly", "straight away", "immediately", "seconds", "a moment", anything under a
  minute = 1.

This module only finds the phrases; which of them is the step's length is
:mod:`bot.understanding.duration_roles` and :mod:`bot.understanding.durations`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.understanding.cue_matching import Hit, select_hits
from bot.understanding.numbers import number_word_pattern, to_number

_UNIT_MINUTES: dict[str, float] = {
    "s": 1 / 60,
    "m": 1,
    "h": 60,
    "d": 1440,
    "w": 10080,
    "f": 20160,
    "wd": 1440 * 7 / 5,
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
# "ninety glorious minutes", "45 agonising minutes", "two whole hours".
_ADJECTIVE = (
    r"(?: (?:long|whole|full|solid|straight|entire|good|painful|glorious|agonising|agonizing|"
    r"precious|wasted|miserable|frustrating|endless|boring|tedious|lovely|blissful|extra))?"
)
# Spelled-out quantities other than number words (those come from numbers.yaml).
_QTY_PHRASES = (
    r"a couple of|couple of|a couple|couple|a few|few|several|a dozen|half an?|half|a half|"
    r"a quarter of an?|quarter of an?|three[- ]quarters of an?|an?"
)


def _unit_key(unit: str) -> str:
    unit = unit.strip()
    if unit.startswith(("working", "business")):
        return "wd"
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
class Dur:
    """One time phrase: its minutes and how it combines with the others."""

    minutes: float
    additive: bool = False
    inherit_unit: bool = False  # "10 more": the unit is the previous duration's
    special: bool = False  # "overnight", "all day": a stock length, not a measured one
    marked: bool = False  # "done in 5", "15 in total": said to be the length
    unit: float = 0.0  # minutes per unit of the phrase ("5 business days": 2016), 0 if mixed


_SIMPLE_DIGIT_RE = re.compile(
    r"(?<![\w.:/-])(?P<a>"
    + _QTY_DIGIT
    + r")(?:[- ]?(?:odd|ish|plus|\+))?"
    + _ADJECTIVE
    + r" ?(?P<u>"
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
            r"\b(?P<a>"
            + qty_word
            + r")(?:[- ](?:odd|ish))?"
            + _ADJECTIVE
            + r"[- ](?P<u>"
            + _UNIT_WORD
            + r")\b"
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
            r"|\b(?P<a3>" + qty + r") (?P<u3>" + _UNIT_WORD + r") and half\b"
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
# (pattern, minutes, stock): a stock length ("all day", "instantly") is not measured, so
# it counts only where the answer ties it to the step (see duration_roles.py).
_SPECIAL: tuple[tuple[re.Pattern[str], float, bool], ...] = (
    (re.compile(r"\b(?:overnight|all night)\b"), 720, True),
    (re.compile(r"\b(?:all day(?: long)?|the (?:whole|entire) day|whole day)\b"), 480, True),
    (
        re.compile(
            r"\b(?:all (?:morning|afternoon|evening)|the (?:whole|entire) (?:morning|"
            r"afternoon|evening))\b"
        ),
        180,
        True,
    ),
    (re.compile(r"(?<=within )the hour\b"), 60, False),
    (
        re.compile(
            r"\b(?:instant(?:ly)?|immediate(?:ly)?|straight ?away|right away|in no time|"
            r"no time at all|in a flash|(?:a few |within |in )?seconds|within a minute|"
            r"less than a minute|under a minute|a moment|a sec|a split second)\b"
        ),
        1,
        True,
    ),
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
_MENU_RE = re.compile(r"\b(?:press(?:ed|ing)?|option|button|menu|dial(?:l?ed)?|key(?:ed)?)\b")
# "from 7 till 5", "8am-1pm", "9 to 5:30": a span of clock times.
_CLOCK_SPAN_RE = re.compile(
    r"\b(?:from (?:about |around )?(?P<h1>\d{1,2})(?::(?P<m1>[0-5]\d))? ?(?P<p1>am|pm|in the "
    r"(?:morning|afternoon|evening))? (?:till|until|til|to|-) (?:about |around )?(?:i \w+ \w+ at )?"
    r"(?P<h2>\d{1,2})(?::(?P<m2>[0-5]\d))? ?(?P<p2>am|pm)?"
    r"|(?P<h3>\d{1,2})(?::(?P<m3>[0-5]\d))? ?(?P<p3>am|pm) ?(?:-|to|till|until) ?(?P<h4>\d{1,2})"
    r"(?::(?P<m4>[0-5]\d))? ?(?P<p4>am|pm))\b"
)
# "the 20 minutes on hold", a leading bare number: whole answers such as "15" or "0, it
# just popped up" to "how long did that take?" (see durations.py).
BARE_ANSWER_RE = re.compile(
    r"^(?:about |around |maybe |roughly |approx\.? |~ ?|like |only |just )?(?P<a>\d{1,3})"
    r"(?: ?ish)?(?:\s*[.!,;)]|\s*$)"
)


def _unit(unit: str) -> float:
    return _UNIT_MINUTES[_unit_key(unit)]


def _minutes(qty: float | None, unit: str) -> float | None:
    if qty is None:
        return None
    return qty * _UNIT_MINUTES[_unit_key(unit)]


def _few_minutes(qty_text: str, unit: str, value: float) -> float:
    # "a few minutes" is ~5 in everyday speech, not 3.
    if _unit_key(unit) == "m" and qty_text.strip() in ("a few", "few", "several"):
        return 5.0
    return value


def collect(norm: str) -> list[Hit[Dur]]:
    """Every time phrase of normalised ``norm`` in minutes, overlapping ones resolved
    (the longest at one start wins)."""
    hits: list[Hit[Dur]] = []
    spelled = _spelled()

    def add(start: int, end: int, minutes: float | None, unit: float = 0.0, **flags: bool) -> None:
        if minutes is not None:
            hits.append(Hit(start, end, Dur(minutes, unit=unit, **flags)))

    for m in _SIMPLE_DIGIT_RE.finditer(norm):
        add(m.start(), m.end(), _minutes(_qty(m["a"]), m["u"]), _unit(m["u"]))
    for m in spelled.simple_word.finditer(norm):
        value = _minutes(_qty(m["a"]), m["u"])
        if value is not None:
            value = _few_minutes(m["a"], m["u"], value)
        add(m.start(), m.end(), value, _unit(m["u"]))
    for m in spelled.compound.finditer(norm):
        # "1 hr 5 min", "2 hours, 15 minutes": a whole number of a bigger unit, then a
        # smaller one; not "half an hour, 25 minutes of it on hold".
        qty = _qty(m["a"])
        first = _minutes(qty, m["u"])
        second = _minutes(_qty(m["b"]), m["v"])
        whole = qty is not None and qty.is_integer()
        if first is not None and second is not None and whole and second < _unit(m["u"]):
            add(m.start(), m.end(), first + second)
    for m in _HOURS_BARE_MINUTES_RE.finditer(norm):
        hours = _qty(m["a"])
        if hours is not None:
            add(m.start(), m.end(), hours * 60 + float(m["b"]))
    for m in spelled.and_half.finditer(norm):
        qty = _qty(m["a"] or m["a2"] or m["a3"])
        unit = m["u"] or m["u2"] or m["u3"]
        add(m.start(), m.end(), _minutes(None if qty is None else qty + 0.5, unit))
    for m in spelled.range.finditer(norm):
        low, high = _qty(m["a"] or m["a2"]), _qty(m["b"] or m["b2"])
        unit = m["u"] or m["u2"]
        if low is not None and high is not None and low < high:
            add(m.start(), m.end(), _minutes((low + high) / 2, unit), _unit(unit))
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
        add(m.start("a"), m.end(), float(m["a"]), inherit_unit=True, marked=True)
    for m in _CLOCK_RE.finditer(norm):
        after = norm[m.end() : m.end() + 15]
        before = norm[max(0, m.start() - 20) : m.start()]
        if _CLOCK_AFTER_RE.match(after) or _CLOCK_BEFORE_RE.search(before):
            add(m.start(), m.end(), int(m["h"]) * 60 + int(m["m"]))
    for m in _DONE_IN_RE.finditer(norm):
        add(m.start("a"), m.end(), float(m["a"]), marked=True)
    for m in spelled.then_bare.finditer(norm):
        value = _qty(m["a"])
        # "pressed 2 then 4 on the menu": menu options, not minutes.
        if value is not None and not _MENU_RE.search(norm, max(0, m.start() - 25), m.start()):
            add(m.start("a"), m.end("a"), value, additive=True)
    for m in _CLOCK_SPAN_RE.finditer(norm):
        add(m.start(), m.end(), _clock_span(m))
    for pattern, minutes, stock in _SPECIAL:
        for m in pattern.finditer(norm):
            if minutes == 1 and _OUTCOME_BEFORE_RE.search(norm[max(0, m.start() - 40) : m.start()]):
                continue
            add(m.start(), m.end(), minutes, special=stock)
    return select_hits(hits)


def _clock_span(m: re.Match[str]) -> float | None:
    """Minutes between two clock times; a later hour that reads earlier is in the
    afternoon ("7 till 5" is ten hours)."""
    h1, h2 = m["h1"] or m["h3"], m["h2"] or m["h4"]
    start = _clock(int(h1), m["m1"] or m["m3"], m["p1"] or m["p3"])
    end = _clock(int(h2), m["m2"] or m["m4"], m["p2"] or m["p4"])
    if start is None or end is None:
        return None
    if end <= start:
        end += 12 * 60
    span = end - start
    return span if 0 < span <= 16 * 60 else None


def _clock(hour: int, minutes: str | None, period: str | None) -> float | None:
    if hour > 24:
        return None
    if period in ("pm", "in the afternoon", "in the evening") and hour < 12:
        hour += 12
    return hour * 60 + (int(minutes) if minutes else 0)


def ends_with_quantity(text: str) -> bool:
    """Whether ``text`` ends with a number or a quantity word ("a", "few", "20-odd"): what
    makes a following "hours" a measured length, not a vague one."""
    return _spelled().numberish_before.search(text) is not None
