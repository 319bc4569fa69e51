"""Whether a wait in an answer hurt: the ``long_wait`` pain.

Waiting is part of most support journeys, and a mention of it is not a complaint:
"waited a minute on hold, no big deal", "waited for their reply, they'd said 5 days".
A wait is a pain when the sentence that names it says it hurt: a length of 15 minutes
or more ("40 min hold", "waited the ten working days"), a long vague one ("ages",
"all day", "for weeks"), a complaint ("too long", "kept me waiting", "5 hrs wasted"),
or a negative feeling ("sat on hold, furious"); and not when the same sentence shrugs
it off ("which was fine", "didn't mind", "only a minute", "still within their 10 days").
An answer that opens by naming the wait ("The hold. Obviously.") names the pain.
"""

from __future__ import annotations

import re

from bot.understanding.durations import duration_from_normalized
from bot.understanding.feelings import feeling_from_normalized

# A wait named: on hold, queued, waited, sat in all day.
_WAIT_RE = re.compile(
    r"\b(?:on hold|hold music|hold(?! (?:on|of|up|the|my|your|it|them))|held|wait(?:ed|ing|s)?|que"
    r"ue[ds]?"
    r"|queuing|queueing|sat (?:in|there|at home|on the phone)|stayed in|hanging on|"
    r"(?:stand|stood|standing|sit|sitting|sat|hang|hanging|hung) (?:around|about))\b"
)
# A complaint about time, on its own enough ("35 minutes is too long").
_HURT_RE = re.compile(
    r"\b(?:ages|forever|for ever|an eternity|eternity|so long|too long|way too long|far too long|"
    r"a long time|long wait\w*|longer than|how long it took|took (?:so|too) long|took ages|took "
    r"forever|dragg?(?:ed|ing)? on|kept (?:me |us )?waiting|waiting and waiting|waited and waited|"
    r"still waiting|long enough to|(?:hours?|hrs|days?|weeks?|months?|\d+ ?mins?|minutes?) "
    r"(?:wasted|lost|of my life)|wasted (?:the|my|a|an|the whole|all) (?:day|evening|morning|"
    r"afternoon|hour|week)|(?:so|very|really|painfully|too) slow|slow (?:to|response|reply)|"
    r"hours and hours|days and days|weeks and weeks|for weeks|for months)\b|^\W*slow\W*$"
)
# A stock long stretch: a pain only where a wait is named with it ("waited in all day").
_LONG_STRETCH_RE = re.compile(
    r"\b(?:all day|all (?:morning|afternoon|evening|night)|the whole (?:day|morning|afternoon|"
    r"evening)|for days|ages|hours|days|weeks)\b"
)
# The sentence shrugs the wait off.
_FINE_RE = re.compile(
    r"\b(?:fine|no big deal|(?:didn't|did not|don't|doesn't|didnt) (?:really |honestly )?(?:mind|"
    r"bother|matter)|no problem|not (?:too |that |so )?bad|wasn't (?:too |that )?bad|only (?:a|an|"
    r"one|two|three|\d+|about|like|the|just)|normal|not long|short|quick(?:ly)?|(?:is|was|that's)"
    r" nothing|expected|ok|okay|alright|all right|can't (?:really )?complain|couldn't complain|"
    r"not a big|could live with|no complaints|still within|within what|not urgent|wasn't urgent|"
    r"fair enough|reasonable|as promised|on time|on schedule|when they said)\b"
)
_OPENS_WITH_WAIT_RE = re.compile(
    r"^\W*(?:the|that) (?:wait(?:ing)?|hold|queue|month|week|weeks|days|delay|time it took)\b"
)

_CLAUSE_BREAK_RE = re.compile(r",|;|\b(?:and|but|then|while|including)\b")
_SENTENCE_RE = re.compile(r"[^.!?\n]+")
_LONG_MINUTES = 15


def names_wait(norm: str) -> bool:
    """Whether normalised ``norm`` names a wait at all (on hold, queued, waited)."""
    return _WAIT_RE.search(norm) is not None


def hurt_wait(norm: str) -> int | None:
    """Where normalised ``norm`` first names a wait that hurt, or None."""
    if _WAIT_RE.search(norm) is None and _HURT_RE.search(norm) is None:
        return None  # most answers name no wait: one scan each and done
    if _OPENS_WITH_WAIT_RE.match(norm):
        first = _SENTENCE_RE.match(norm)
        if first is None or not _FINE_RE.search(first.group()):
            return 0
    for sentence in _SENTENCE_RE.finditer(norm):
        text = sentence.group()
        if _FINE_RE.search(text):
            continue
        hurt = _HURT_RE.search(text)
        if hurt is not None:
            return sentence.start() + hurt.start()
        wait = _WAIT_RE.search(text)
        if wait is None:
            continue
        # The length next to the wait, not the whole step's: "40 minutes in total,
        # including ten in the queue" is a ten-minute queue.
        clause = _clause_around(text, wait.start())
        minutes = duration_from_normalized(clause, answer=True)
        if (minutes is not None and minutes >= _LONG_MINUTES) or _LONG_STRETCH_RE.search(clause):
            return sentence.start() + wait.start()

        feeling = feeling_from_normalized(text.strip(), bare_number=False)
        if feeling is not None and feeling <= 2:
            return sentence.start() + wait.start()
    return None


def _clause_around(text: str, position: int) -> str:
    """The comma-or-conjunction clause of ``text`` that holds ``position``."""
    start = 0
    for brk in _CLAUSE_BREAK_RE.finditer(text):
        if brk.end() <= position:
            start = brk.end()
        elif brk.start() > position:
            return text[start : brk.start()].strip()
    return text[start:].strip()


# A clause: up to a sentence's end, a comma or a semicolon.
_CLAUSE_SPLIT_RE = re.compile(r"[^.!?\n,;]+")
# "slowwww", "a week for a reply", "one week is long time", "three days is long", "a week
# to be told no", "the silence": in an answer about what got in the way, the time it took
# named as the problem.
_SLOW_RE = re.compile(
    r"\bslo+w+\w*\b|\blong time\b|\b(?:\d+|a|one|two|three|four|five|six|seven|eight|nine|ten|"
    r"twelve|fourteen|few|several) "
    r"(?:days?|weeks?|months?|hours?) (?:(?:for|to get|before) (?:a|an|the|any|my) "
    r"(?:[\w-]+ )?(?:reply|answer|response|call ?back|call|refund|decision|update|promise|fix|job|"
    r"repair|replacement)|for (?:just |only )?(?:[£$€]\d[\d.,]*|[\w-]+ (?:quid|pounds|euros|"
    r"dollars|bucks))|to (?:be told|hear|find out)|(?:[\w'-]+ ){0,5}(?:is|was|are|were) "
    r"(?:(?:too|very|so|really|quite) )?long)\b|"
    r"\bsilence\b"
)
# "The four days", "the week of silence", "those two hours it took": a clause that is the
# span itself.
_SPAN_RE = re.compile(
    r"^\s*(?:the|that|those|all (?:the|those)) (?:[\w-]+ )?(?:minutes|hours|days|weeks|months|"
    r"week|day|month|hour|fortnight)(?:\s*$| (?:and |with )?(?:of )?(?:silence|waiting|nothing|"
    r"no \w+|limbo|chasing)\b| (?:it|that it|they) took\b| (?:of )?wait(?:ing)?\b)"
)
# "10 days", "2 wks silence", "one week and nothing": a clause that is a bare count of
# hours or more (not minutes), named only where nothing in the answer calls it fine ("2
# days, ok").
_COUNT_RE = re.compile(
    r"^\s*(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|"
    r"a few|several) (?:hours?|hrs|days?|weeks?|wks|months?)(?:\s*$| (?:and |with )?(?:of )?"
    r"(?:silence|waiting|nothing|no \w+|limbo|chasing)\b)"
)


def wait_named_as_pain(norm: str) -> int | None:
    """Where an answer to "did anything get in the way?" names waiting, or None.

    Asked what got in the way, a customer who names the wait ("More waiting.", "Apart
    from the queue, no.", "slowwww") says it hurt: the length need not be given again.
    A clause that is the span itself ("The four days.", "The week of silence") names it
    too. A clause that shrugs it off ("the wait was fine") does not count."""
    found = hurt_wait(norm)
    if found is not None:
        return found
    called_fine = _FINE_RE.search(norm) is not None
    for clause in _CLAUSE_SPLIT_RE.finditer(norm):
        text = clause.group()
        if _FINE_RE.search(text):
            continue
        named = (
            _WAIT_RE.search(text)
            or _SLOW_RE.search(text)
            or _SPAN_RE.search(text)
            or (None if called_fine else _COUNT_RE.search(text))
        )
        if named is not None:
            return clause.start() + named.start()
    return None
