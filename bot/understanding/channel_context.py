"""Where a channel cue stands in the answer, and so how much it says about the step.

The channel of a step is how the *customer* dealt with the company in it. Many channel
words in a story are something else, and each rule here names one such place:

- negated: "didn't call", "nobody rang", "instead of emailing";
- someone else's contact with the customer: "my dad phoned me", "sister rang";
- backstory: "gave up on the bot and ...", "because their phone line is closed", "I'd
  emailed the photo the same day" (past perfect: an earlier step);
- an instruction given to the customer: "the shop told me to ring customer services";
- a side medium of another contact: "she texted me a security code", "the confirmation
  came by SMS" (the call or the visit is the step);
- time order: a contact in an "after ..." clause, or after "before that", came first.

Each rule is a plain function of the normalised answer and a cue's position, so the
resolution in :mod:`bot.understanding.channels` reads as a list of decisions.
"""

from __future__ import annotations

import re

from bot.understanding.channel_cues import RELATIVE
from bot.understanding.cue_matching import clause_before, is_negated

_SENTENCE_END_RE = re.compile(r"[.!?\n]")

# "nobody rang", "no one from the team called": a contact that did not happen.
_NOBODY_RE = re.compile(
    r"\b(?:nobody|no one|no-one|none of them|not one of them|neither of them)(?: (?:from|at|in) "
    r"(?:the |their |that )?[\w' -]{1,30}?)?(?: (?:ever|even|actually|has|had|have|did|would|"
    r"could))*\s*$"
)
_NOBODY_START_RE = re.compile(r"(?:nobody|no one|no-one)\b")
# A relative, friend, colleague or one's own staff calling or texting the customer.
_RELATIVE_RE = re.compile(
    r"(?:\b(?:my|our|his|her|one of (?:my|our))\s+(?:[\w'-]+\s+){0,2}?|^\s*)"
    + RELATIVE
    + r"\b|\ban? (?:client|customer|friend|neighbou?r|colleague|relative)\b"
)
# What follows a relative's call that makes the customer its object: "rang me",
# "rang. street dark", "phoned to say", "rang asking".
_TO_CUSTOMER_RE = re.compile(
    r"\s*(?:back\s+|up\s+)?(?:me|us)\b|\s*(?:[.!?,;]|$)|\s+(?:to (?:say|tell|ask|let)|asking|"
    r"saying|telling)\b"
)
_FIRST_PERSON_RE = re.compile(r"\b(?:i|we)\b")
_CONTACT_VERB_RE = re.compile(r"\b(?:phon|rang|ring|call|text|e-?mail|messag|whats|dm|wrote|writ)")

_GAVE_UP_ON_RE = re.compile(
    r"\b(?:gave up on|giving up on|give up on|sick of|fed up with|done with|ditched|abandoned)"
    r" (?:the |their |that |this |its )?(?:[\w'-]+ )?$"
)
_WAITED_FOR_RE = re.compile(
    r"\bwait(?:ed|ing)?(?: \w+){0,2} (?:for|on) (?:[\w'-]+ ){0,8}$|\bwaiting for$"
)
# Reasons and conditions: "because their phone line is only open 9 to 5".
_REASON_RE = re.compile(
    r"\b(?:because|cos|cause|since|as|if|unless|otherwise|so that|in case)\b(?![^.!?;,]*\b(?:i|we)"
    r" (?:called|rang|phoned|emailed|texted|messaged|went|used|wrote)\b)[^.!?;]*$"
)
_PAST_PERFECT_RE = re.compile(
    r"\b(?:i|we)(?:'d| had) (?:already |previously |also |even |just )?(?:\w+ ){0,1}$"
)
# "the form I'd sent": a thing from an earlier step.
_DONE_BEFORE_RE = re.compile(r"\s*(?:that |which )?(?:i|we)(?:'d| had) (?:already |just )?\w+")
_BEFORE_RE = re.compile(r"\b(?:before|prior to|first)\b")
# Instructions the customer was given are not the contact they made: "the shop told me
# to ring customer services" happened in the shop.
_REPORTED_RE = re.compile(r"\b(?:said|says|say|told (?:me|us)|informed (?:me|us))\b[^.!?;]*$")
_INSTRUCTION_RE = re.compile(
    r"\b(?:(?:told|asked|wanted|advised|instructed|made|forced) (?:me|us) to|said (?:i|we)(?:'d| "
    r"would| had to| have to| should| needed to| need to| must)(?: have to)?|(?:have|had|need|nee"
    r"ded) "
    r"to) (?:\w+ )?$"
)
# A code, a confirmation or a link sent by text or email during another contact.
_SIDE_THING_RE = re.compile(
    r"\b(?:codes?|pin|passcode|otp|one[- ]time|confirmations?|confirm(?:ing|ed)?|links?|"
    r"verif\w*|references?|receipts?|reminders?|notifications?|alerts?|password|reset|labels?|"
    r"tickets?|invoices?|summary)\b"
)

# Time-order markers. "went on live chat after the bot was useless": the contact in the
# "after ..." clause came first; "..., before that I tried the app": so did the one after
# "before that". Only strong cues are reordered, inside a short clause.
_AFTER_RE = re.compile(
    r"\b(?:after|once)\b(?! (?:that|this|which|all|about|around|over|nearly|almost|only|just|"
    r"like|a\b|an\b|\d|few|couple|several|ages|hours?|days?|weeks?|minutes?|mins?|they|he|she|"
    r"someone|somebody|it)\b)"
)
_BEFORE_THAT_RE = re.compile(
    r"\b(?:before (?:that|this|then|all (?:that|this))|prior to (?:that|this)|but first|(?:i|we)"
    r"(?:'d| had) first)\b"
)
_SCOPE_END_RE = re.compile(r"[.!?;\n]|,|\b(?:then|so|but|and then|which)\b")


def sentence_bounds(norm: str, position: int) -> tuple[int, int]:
    """(start, end) of the sentence around ``position``."""
    start = max(norm.rfind(mark, 0, position) for mark in ".!?\n") + 1
    stop = _SENTENCE_END_RE.search(norm, position)
    return start, len(norm) if stop is None else stop.start()


def negation(norm: str, start: int) -> str | None:
    """ "nobody" when nobody is the cue's subject (before it, or opening it: "nobody rang
    me"): the contact did not happen; "not" for a negator just before it ("didn't
    call", "instead of calling"); else None."""
    if _NOBODY_START_RE.match(norm, start) or _NOBODY_RE.search(norm[max(0, start - 60) : start]):
        return "nobody"
    return "not" if is_negated(norm, start, max_words=4) else None


def negated(norm: str, start: int) -> bool:
    """Whether the cue at ``start`` is negated (see :func:`negation`)."""
    return negation(norm, start) is not None


def someone_elses(norm: str, start: int, end: int) -> bool:
    """A relative, friend or colleague contacting the customer ("my dad phoned me",
    "sister rang."): not the customer's contact with the company. "My husband phoned
    them for me" is (the object is the company)."""
    if _CONTACT_VERB_RE.search(norm, start, end) is None:
        return False
    lo, _ = sentence_bounds(norm, start)
    window = norm[lo:end]
    subjects = list(_RELATIVE_RE.finditer(window))
    # The relative nearest the cue is its subject, unless "I" or "we" comes between.
    if not subjects or _FIRST_PERSON_RE.search(window[subjects[-1].end() :]):
        return False
    return _TO_CUSTOMER_RE.match(norm[end : end + 30]) is not None or window.endswith(
        (" me", " us")
    )


def backstory(norm: str, start: int) -> bool:
    """A contact named as what came before this step ("gave up on the bot and ..."), or
    as what the customer waited for ("waited for the ombudsman")."""
    before = norm[max(0, start - 40) : start]
    if _GAVE_UP_ON_RE.search(before) is not None:
        return True
    return _WAITED_FOR_RE.search(clause_before(norm, start, max_chars=60)) is not None


def only_context(norm: str, start: int, end: int) -> bool:
    """A cue in a reason clause, in the past perfect, or in an instruction: it tells
    what was around the step, not how the customer made contact in it."""
    clause = clause_before(norm, start, max_chars=80)
    near = norm[max(0, start - 40) : start]
    head = _sentence_head(norm, start)
    # "before that I had tried ringing them": the past perfect of an earlier attempt
    # within the step, which rule 3 puts first.
    past_perfect = _PAST_PERFECT_RE.search(clause) and not _BEFORE_RE.search(head)
    reported = _REPORTED_RE.search(norm[max(0, start - 80) : start])
    return bool(
        _REASON_RE.search(head)
        or past_perfect
        or _INSTRUCTION_RE.search(near)
        or reported
        or _DONE_BEFORE_RE.match(norm, end)
    )


def side_medium(norm: str, start: int, end: int) -> bool:
    """A text or email carrying a code, confirmation or link during another contact."""
    lo, hi = sentence_bounds(norm, start)
    clause_start = max(lo, start - 60)
    return _SIDE_THING_RE.search(norm[clause_start : min(hi, end + 50)]) is not None


def _sentence_head(norm: str, start: int) -> str:
    lo, _ = sentence_bounds(norm, start)
    return norm[lo:start]


def reordered_spans(norm: str) -> list[tuple[int, int, int]]:
    """(start, end, rank) spans whose strong cues happened earlier than their position."""
    spans: list[tuple[int, int, int]] = []
    if "after" in norm or "once" in norm:
        for m in _AFTER_RE.finditer(norm):
            tail = norm[m.end() : m.end() + 60]
            stop = _SCOPE_END_RE.search(tail)
            end = m.end() + (stop.start() if stop else len(tail))
            # before the start of its sentence's cues, after everything in earlier sentences
            sentence = max(norm.rfind(mark, 0, m.start()) for mark in ".!?\n")
            spans.append((m.end(), end, sentence))
    if "before" in norm or "first" in norm:
        for m in _BEFORE_THAT_RE.finditer(norm):
            tail = norm[m.end() : m.end() + 80]
            stop = _SENTENCE_END_RE.search(tail)
            end = m.end() + (stop.start() if stop else len(tail))
            spans.append((m.end(), end, -2))
    return spans


def time_key(start: int, spans: list[tuple[int, int, int]]) -> tuple[float, int]:
    """Sort key putting a cue where it happened in time rather than where it was said."""
    for span_start, span_end, rank in spans:
        if span_start <= start < span_end:
            return (rank + 0.5, start)
    return (start, start)
