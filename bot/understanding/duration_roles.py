"""Which time phrases of an answer say how long the step took.

Most time phrases in a story are something else: when the step happened or the gap
before it ("a month later", "after two weeks they called"), a promise or an estimate
("they said 5-7 days", "ready in 5 days", "an appointment in four months"), how long
someone has been a customer ("been with them 10 years"), what a refund or a plan
covers ("a refund for three months of fees", "£130 a month for a year"), the length of
something else ("the delay itself was two hours", "40 minutes each way", a 30-second
loop of hold music), or a part of a total given first ("half an hour, 25 minutes of it
on hold"). Each phrase gets a role:

- ``EXCLUDED`` for all of the above;
- ``ASIDE`` for a journey to get there ("drove 40 minutes", "20 minute drive each way"):
  the length only when nothing else is given;
- ``LEADING`` for the phrase an answer to "how long?" opens with ("Ten minutes, and that
  got me a refund for three months of premiums");
- ``MARKED`` for a phrase marked as the step's length: "took", "spent", "lasted", "waited
  20 minutes", "20 minutes on hold", "fixed in 10 minutes";
- ``TOTAL`` for an explicit total of the customer's own time ("an hour altogether", "in
  total", "of my time"), which beats even the opening phrase ("Over about a week, but
  maybe an hour of my time altogether");
- ``PLAIN`` for the rest.

A gap ("X later", "after X") is the step's length in one case: a reply or an arrival
after the customer's own action in the same answer, in another clause ("emailed them,
they replied 2 days later"; "waited, the letter came 5 weeks later"); "I called back a
week later" is when the call happened.
"""

from __future__ import annotations

import re

from bot.understanding.cue_matching import Hit
from bot.understanding.duration_phrases import Dur

EXCLUDED = 0
ASIDE = 1
PLAIN = 2
MARKED = 3
LEADING = 4
TOTAL = 5

_QUALIFIER = (
    r"(?:about |around |roughly |approx\.? |approximately |nearly |almost |over |under |like |"
    r"just |only |maybe |probably |a good |a solid |at least |more than |less than |well over |"
    r"the )*"
)
_WHEN_AFTER_RE = re.compile(
    r"^\s*(?:-\s*)?(?:ago|old|before(?=\s*(?:[.,;!?]|$|and\b|that\b|then\b|hand\b|\w+ing\b))|"
    r"back\b(?! and forth)|early|earlier|out\b(?! of)|beforehand|prior|previously|in advance|"
    r"on from)"
)
_PART_OF_RE = re.compile(r"^\s*(?:of (?:it|that|which|them|those)|out of)\b")
_TENURE_RE = re.compile(
    r"(?:\b(?:been with \w+|been (?:a )?(?:customer|member|tenant|client|patient|subscriber)"
    r"(?: (?:with|of|at) \w+)?|customer|member|subscriber|had (?:it|this|that|them|the \w+|my "
    r"\w+)|been (?:going|using|with|banking|shopping|there|here)(?: \w+){0,4}|since|in the last|"
    r"for the (?:last|past)|over the (?:last|past))(?: for)?(?: (?:about|over|nearly|almost|"
    r"around|like|the))? $)"
)
_YEARS_RE = re.compile(r"\byears?\b|\byrs?\b")
_PER_RE = re.compile(r"\b(?:once|twice|times|per|every)\s*$")
_RATE_RE = re.compile(
    r"(?:[£$€]\s?[\d,.]+k?|\d+ ?(?:pounds|quid|dollars|euros?|p))\s*(?:a|per)?\s*$"
)
# What a refund, a charge or a plan covers: "for three months", "three months of fees",
# "a month's notice".
_MONEY_AFTER_RE = re.compile(
    r"^\s*(?:'s|s')?\s*(?:of |worth of )?(?:\w+ )?(?:fees?|premiums?|charges?|payments?|rent|"
    r"interest|subscriptions?|usage|notice|service|credit|bills?|instal?ments?|membership|cover|"
    r"warranty|contract|free|salary|wages|pay|arrears|debt|costs?)\b"
)
_MONEY_CLAUSE_RE = re.compile(
    r"\b(?:refund\w*|credit\w*|charg\w*|fees?|premiums?|discount\w*|compensat\w*|paid|pay|"
    r"payments?|plans?|subscription|membership|frozen|freeze|froze|warranty|guarantee|insurance|"
    r"cover\w*|exception|valid|extension|bill(?:ed|ing)?|interest|loan|instal\w*|debt)\b"
)
_FOR_RE = re.compile(r"\bfor (?:the |a |another |an extra |the (?:last|past|first|next) )?$")
# Promises, estimates and reported times: "would take 5-7 days", "they said 48 hours".
_PROMISE_RE = re.compile(
    r"\b(?:would|will|won't|should|could|might|may|promised?|supposed|meant to|expected|expect|"
    r"usually|normally|up to|estimated?|quoted|(?:they|it|he|she|there|we|that)'d|'ll|"
    r"said|says|(?:they|he|she|it|you|we|people|staff|agent|site|website|email|letter|app|"
    r"form|text) (?:\w+ )?say|told (?:me|us)|reckon\w*|apparently|supposedly|policy|"
    r"takes|can take|allow|allows|standard|typically|generally|guarantee\w*|telling|saying|"
    r"(?:told|asked|advised) (?:me|us) to (?:wait|allow)|(?:must|should|need to|have to|needs?) "
    r"(?:wait|allow|give it)?|(?<!had )\bto (?:wait|allow|give it))\b"
)
# The length of something other than the step: a delay, a journey, a hold tune.
_OTHER_THING_BEFORE_RE = re.compile(
    r"(?:\bthe (?:delay|flight|train|journey|trip|outage|drive|commute|walk|ride|cancellation|"
    r"strike|power cut|loop|song|tune|clip)(?: itself)? (?:was|is|of|lasted|had been|went on "
    r"for)|\bspread (?:out )?over|\b(?:tune|music|song|jingle|loop|clip|recording|message)"
    r"(?: \w+){0,3} (?:of|lasting|that lasted|every)|\bthe same|\bno (?!(?:repl(?:y|ies)|"
    r"responses?|answers?|word|news|contact|updates?|call|email)\b)(?:\w+ ){1,2}for)\s*"
    + _QUALIFIER
    + r"$"
)
_OTHER_THING_AFTER_RE = re.compile(
    r"^\s*(?:-|\s)?(?:long )?(?:loop|clip|tune|song|jingle|track|snippet)\b"
)
# Getting there: the customer's time, but not the step's unless nothing else is said.
_JOURNEY_BEFORE_RE = re.compile(
    r"\b(?:drove|drive|driving|travel+ed|travel+ing|travel|walked|walking|commuted|flew)"
    r"(?: \w+){0,3}\s*" + _QUALIFIER + r"$"
)
_JOURNEY_AFTER_RE = re.compile(
    r"^\s*(?:-|\s)?(?:long )?(?:each way|there and back|return trip|drive|walk|journey|flight|"
    r"trip|commute|away|by (?:car|train|bus|taxi|road))\b"
)
_GAP_AFTER_RE = re.compile(r"^\s*(?:later|after)\b(?!\s+(?:of|on hold|in the queue|waiting))")
_AFTER_BEFORE_RE = re.compile(r"\b(?:after|once)\s*" + _QUALIFIER + r"$")
_ACTIVITY_AFTER_RE = re.compile(
    r"^\s*(?:of (?:waiting|hold|being|queu\w*|searching|fiddling|trying|back and forth|"
    r"pointless|chatting|talking|arguing|explaining|typing|scrolling|clicking)|on hold|on the "
    r"(?:phone|line|call)|in (?:the|a) (?:queue|chat|line)|waiting|hold|queue)\b"
)
_IN_BEFORE_RE = re.compile(r"\b(?:in|within)\s*" + _QUALIFIER + r"$")
# A past verb earlier in the clause: the time phrase says how long *that* took ("got a
# rep after 10 minutes", "sorted my prescription in 5 mins", "heard back in 2 days").
_PAST_VERB_RE = re.compile(
    r"\b(?:\w+ed|got|found|sorted|went|did|came|made|took|gave|sent|heard|set|put|ran|read|had|"
    r"let|reset|fixed|done|over|through|back|answered|replied|picked up|it was)\b"
)
_MARK_BEFORE_RE = re.compile(
    r"(?:\b(?:it|that|this|which|call|chat|visit|wait|queue|hold|whole thing)(?:'s| was| is| were)"
    r"|^(?:was|is))\s*" + _QUALIFIER + r"$|"
    r"\b(?:took|take|takes|taking|taken|spent|spend|spending|lasted|lasts|last|waited|waiting|"
    r"wait|held|holding|queued|queuing|sat|for|all|whole|entire|another|total of|over|waste of"
    r"|wasted|kept (?:it|them|the \w+)|on hold|in (?:the|a) queue|queue|hold)\s*(?:me |us |them |"
    r"him |her |it |the )?" + _QUALIFIER + r"$"
)
_MARK_AFTER_RE = re.compile(
    r"^\s*(?:on hold|in (?:the|a) queue|of (?:waiting|hold|being|queuing|back and forth|"
    r"\w+ing|hold music|(?:the )?music|my life|pointless)|wait(?:ing)?|tops|max|long|queue|hold|"
    r"wasted|lost|gone|down the drain|now|so far|and counting|and (?:done|sorted|fixed|"
    r"that was it)|(?:phone |video )?(?:call|chat|"
    r"session|visit|meeting)\b|to (?!be\b|my\b|the\b|a\b)[a-z]+|back and forth|"
    r"start to finish|(?:to|before) (?:get|getting) (?:through|someone|an answer)|(?:staring|"
    r"looking|reading|trying|talking|chatting|typing|queuing|waiting|listening|sitting|"
    r"explaining|going|filling|writing|on the (?:phone|line|call)))\b"
)
_TOTAL_AFTER_RE = re.compile(
    r"^\s*(?:in total|total|altogether|all in|in all|of my (?:own )?time|of actual|hands[- ]on)\b"
)
# After the promise: "within 48 hours, as promised"; "'within 10 days', it said".
# When an appointment is, not how long the step took: "got a slot in 2 days".
_APPOINTMENT_RE = re.compile(
    r"\b(?:slots?|appointments?|booking|date|visit|delivery)(?: \w+){0,4} (?:in|for|within)\s*"
    + _QUALIFIER
    + r"$"
)
_REPORT_RE = re.compile(r"\b(?:say|says|said|told|promised|quoted|reckon\w*|apparently)\b")
_PROMISE_AFTER_RE = re.compile(
    r"^[\s,;:'\"]*(?:as|like) (?:promised|agreed|they said|she said|he said|stated|quoted|"
    r"advertised)|^[\s,;:'\"]*(?:it|they|he|she|the \w+) (?:said|says|promised|quoted|stated)\b"
)
# "rang them straight away": when the customer acted, not how long it took.
_OWN_VERB_BEFORE_RE = re.compile(
    r"\b(?:i|we)?\s*(?:call|called|rang|ring|phoned|phone|emailed|email|went|go|messaged|"
    r"texted|replied|reported|complained|contacted|booked)(?: \w+){0,3}\s*$"
)
# A reply or an arrival: what a later time phrase measures the wait for.
_REPLY_RE = re.compile(
    r"\b(?:repl(?:y|ied|ies)|answer(?:ed|s)?|respon(?:se|ded|d)|got back|heard back|came back|"
    r"arrived|came|landed|turned up|showed up|came through|got an? \w+|had an? \w+|"
    r"was|were|is)\b"
)
_LEAD_RE = re.compile(
    r"^(?:(?:it |that |the (?:whole )?(?:call|chat|visit|thing|appointment|wait|step) )?"
    r"(?:took|was|lasted|itself took)(?: me| us)? |" + _QUALIFIER.rstrip("*") + r"|i'd say |"
    r"i think |um+,? |er+,? |hmm+,? |well,? |oh,? |honestly,? |ugh,? |only |a |an )*$"
)
# The customer's own action, opening a clause: what a later reply or arrival answers.
_OWN_ACTION_RE = re.compile(
    r"(?:^|[.,;!?]\s*|\b(?:i|we|and|so|then) )(?:(?:i|we) )?(?:called|rang|phoned|emailed|"
    r"e-mailed|messaged|texted|whatsapped|tweeted|dm'd|posted|wrote|sent|submitted|filled|"
    r"reported|complained|asked|chatted|contacted|tagged|lodged|raised|opened|applied|"
    r"ordered|returned|waited|wait|went|mailed|requested|booked|emailing|calling|used)\b"
)
_CLAUSE_BREAK_RE = re.compile(r"[.,;!?]|\b(?:and|then|but|so)\b")
# Clause ends for reading a time phrase's clause. Not "after", "before" or "just", which
# the shared negation scope stops at: "a human replied after 5 minutes" is one clause.
_CLAUSE_END_RE = re.compile(
    r"[.,;:!?()\n\"]|\s-\s|\b(?:but|so|then|and|because|though|although|while|which|when)\b"
)


def clause_before(norm: str, start: int, *, max_chars: int = 60) -> str:
    """The part of the clause that precedes ``start`` (at most ``max_chars`` characters)."""
    window = norm[max(0, start - max_chars) : start]
    ends = list(_CLAUSE_END_RE.finditer(window))
    return window[ends[-1].end() :] if ends else window


_ALONE_BEFORE_RE = re.compile(r"(?:^|[.,;:!?(\n-]\s*)" + _QUALIFIER + r"$")
# "I was thinking, five weeks, and ...": a thought, not a length.
_MUSING_RE = re.compile(r"\b(?:thinking|thought|wondering|wondered|imagine|surely)\W*$")
_ALONE_AFTER_RE = re.compile(
    r"^\s*(?:roughly|or so|ish|tops|max|total|about|i think|maybe|probably)?\s*(?:[.,;:!?)\n]|$|"
    r"-\s)"
)
# A response or a fix that came quickly: "got a confirmation straight away", "fixed it
# in 5 minutes", "solved it in a couple of minutes".
_COMPLETED_RE = re.compile(
    r"\b(?:got|answered|replied|responded|picked up|came back|froze|fixed|sorted|solved|done|"
    r"resolved|approved|credited|cancelled|processed|reset|swapped|replaced|repaired|"
    r"confirmed|found|heard back|passed|put me through|transferred|connected|let me|raised|"
    r"logged|set up|did it|did|walked me through|came|arrived|landed|turned up|lucky|finally)\b"
)


# What can happen "straight away" as the length of a step: a reply or a quick outcome.
_REPLIED_RE = re.compile(
    r"\b(?:got|answered|replied|responded|picked up|came back|froze|approved|credited|"
    r"cancelled|confirmed|reset|worked)\b"
)


def role(norm: str, hit: Hit[Dur], *, answer: bool, first: bool) -> int:
    """The role of the time phrase ``hit`` (see the module docstring). ``answer``: the
    text answers "how long did that take?"; ``first``: the first phrase of the text."""
    before = norm[max(0, hit.start - 60) : hit.start]
    after = norm[hit.end : hit.end + 40]
    if _excluded(norm, hit, before, after, first=first, answer=answer):
        return EXCLUDED
    if _TOTAL_AFTER_RE.match(after):
        return TOTAL
    if answer and first and _LEAD_RE.match(norm[: hit.start]):
        return LEADING
    lead_in = _AFTER_BEFORE_RE.search(before) or _IN_BEFORE_RE.search(before)
    gap = _GAP_AFTER_RE.match(after) is not None
    if gap or (lead_in and not hit.value.special and not _ACTIVITY_AFTER_RE.match(after)):
        if _answers_own_action(norm, hit):
            return MARKED  # "emailed them, they replied 2 days later"
        if answer:
            return PLAIN  # asked how long, "it turned up eight days later" is the answer
        if gap:
            return EXCLUDED
        clause = clause_before(norm, hit.start, max_chars=80)
        if _COMPLETED_RE.search(clause):
            return MARKED  # "fixed it in 5 minutes", "a human replied after 5 minutes"
        return PLAIN if _PAST_VERB_RE.search(clause) else EXCLUDED
    if _JOURNEY_BEFORE_RE.search(before) or _JOURNEY_AFTER_RE.match(after):
        return ASIDE
    if _MARK_BEFORE_RE.search(before) or _MARK_AFTER_RE.match(after) or hit.value.marked:
        return MARKED
    if (
        _ALONE_BEFORE_RE.search(before)
        and _ALONE_AFTER_RE.match(after)
        and not _MUSING_RE.search(before)
    ):
        return MARKED  # "hotline. 50 minutes. nothing fixed.": said as the length
    if hit.value.special and _special_marked(norm, hit):
        return MARKED
    return PLAIN


def _special_marked(norm: str, hit: Hit[Dur]) -> bool:
    """ "waited in all day", "sorted straight away": a stock length with the waiting or the
    outcome it measures."""
    if hit.value.minutes <= 1:
        return _REPLIED_RE.search(clause_before(norm, hit.start, max_chars=50)) is not None
    sentence = _sentence_before(norm, hit.start) + norm[hit.end : hit.end + 40]
    return (
        re.search(r"\b(?:wait\w*|stayed in|sat in|sat at home|in all day)\b", sentence) is not None
    )


def _excluded(
    norm: str, hit: Hit[Dur], before: str, after: str, *, first: bool, answer: bool
) -> bool:
    clause = clause_before(norm, hit.start, max_chars=45)
    # A bare fragment ("They say they need to order a part, 3 days."): a report in its
    # sentence says what it is.
    fragment = not clause.strip(" ,~(") and not answer
    if fragment and _REPORT_RE.search(_sentence_before(norm, hit.start)):
        return True
    near = norm[max(0, hit.start - 40) : hit.start]
    if _WHEN_AFTER_RE.match(after) or (_PART_OF_RE.match(after) and not first):
        return True
    if _PROMISE_AFTER_RE.match(after) or _APPOINTMENT_RE.search(before):
        return True
    if hit.value.minutes <= 1 and not answer and _OWN_VERB_BEFORE_RE.search(before):
        return True
    if _TENURE_RE.search(near) or _PER_RE.search(norm[max(0, hit.start - 10) : hit.start]):
        return True
    if _RATE_RE.search(near) or _MONEY_AFTER_RE.match(after):
        return True
    if _FOR_RE.search(before) and _MONEY_CLAUSE_RE.search(clause):
        return True
    if _PROMISE_RE.search(clause) or _OTHER_THING_AFTER_RE.match(after):
        return True
    if _OTHER_THING_BEFORE_RE.search(before):
        return True
    # Years are how long someone has been a customer, or owned a thing, not a step's
    # length, unless the answer says so outright ("took two years").
    return bool(_YEARS_RE.search(norm, hit.start, hit.end)) and not re.search(
        r"\b(?:took|taken|lasted|waited|waiting)\b", before
    )


def _answers_own_action(norm: str, hit: Hit[Dur]) -> bool:
    """A reply or an arrival after the customer's own action, in another clause: "emailed
    them, they replied 2 days later", "waited. the letter came 5 weeks later"."""
    clause = clause_before(norm, hit.start, max_chars=80)
    if not _REPLY_RE.search(clause) and not _REPLY_RE.search(norm, hit.end, hit.end + 30):
        return False
    for action in _OWN_ACTION_RE.finditer(norm, 0, hit.start):
        if _CLAUSE_BREAK_RE.search(norm, action.end(), hit.start):
            return True
    return False


def _sentence_before(norm: str, start: int) -> str:
    sentence = max(norm.rfind(mark, 0, start) for mark in ".!?\n")
    return norm[sentence + 1 : start]
