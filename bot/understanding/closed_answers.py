"""Closed questions: yes/no, resolved or not, and numeric scales (effort 1..7 etc.)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Literal

from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import ScaleSynonymsLexicon
from bot.understanding.numbers import number_word_pattern, to_number

# "no problem", "no worries" and "not sure" contain a "no" that is not a refusal; they are
# taken out before the refusal words are looked for.
_YES_PHRASES_RE = re.compile(
    r"(?<![\w'])(?:yes|yeah|yea|yep|yup|ya|yah|ye|yess+|yas|sure|surely|ok|okay|okey|k|kk|"
    r"alright|all right|of course|ofc|go ahead|go for it|absolutely|definitely|certainly|"
    r"fine|why not|happy to|sounds good|sounds great|i do|i agree|agreed|i consent|consent|"
    r"please|correct|that's right|right|yes please|y|no problem|no worries|no bother|"
    r"not a problem|i'm in|count me in|let's go|lets go|go on then|go on|aye|affirmative|"
    r"do it|i guess so|i suppose so|i think so|don't mind|do not mind|i don't mind)(?![\w'])"
    r"|👍|✅|👌|✔|🙆"
)
_NO_PHRASES_RE = re.compile(
    r"(?<![\w'])(?:no|nope|nah|na|nay|no thanks|no thank you|not really|rather not|i'd rather "
    r"not|don't|do not|never|not now|no way|not at all|i don't|pass|i do not|not interested|"
    r"not ok|not okay|not happy|not comfortable|i'm not|decline|refuse|stop|n|hell no|"
    r"absolutely not|definitely not|certainly not|not today|nope nope)(?![\w'])|👎|❌|🙅|🚫"
)
_NEUTRALISE_RE = re.compile(
    r"\b(?:no problem|no worries|no bother|not a problem|not sure|no idea|dunno|maybe|perhaps|"
    r"not certain|yes and no|kind of|sort of|(?:i )?don't mind|do not mind)\b"
)
_UNSURE_RE = re.compile(
    r"\b(?:not sure|no idea|dunno|don't know|maybe|perhaps|yes and no|"
    r"not certain|unsure|depends)\b"
)


def yes_no_from_normalized(norm: str) -> bool | None:
    """True / False / None (unclear) for already-normalised text."""
    if not norm or _UNSURE_RE.search(norm):
        return None
    yes = _YES_PHRASES_RE.search(norm)
    no = _NO_PHRASES_RE.search(_NEUTRALISE_RE.sub(" ", norm))
    if yes and no:
        # "no, that's fine" / "yes, no problem": the first word carries the answer.
        first_yes = yes.start()
        first_no = no.start()
        if no.group() in ("not ok", "not okay", "not happy", "not comfortable", "i'm not"):
            return False
        return first_yes < first_no if abs(first_yes - first_no) > 0 else None
    if yes:
        return True
    if no:
        return False
    return None


_PARTLY_RE = re.compile(
    r"\b(?:sort of|sorta|partly|partially|part of it|mostly|kind of|kinda|half|halfway|"
    r"somewhat|more or less|in a way|to some extent|not (?:completely|entirely|fully|totally|"
    r"100%|quite)|yes and no|a bit|a little|some of it|sort-of|in part|ish|not really but|"
    r"almost|nearly|but not really|but not (?:fully|completely|entirely))\b"
)
# The question's own word echoed first ("Resolved? Ha. No."): not the answer.
_ECHOED_QUESTION_RE = re.compile(r"^\W*(?:was it |is it )?(?:resolved|sorted|fixed)\s*\?+\s*")
_NOT_RESOLVED_RE = re.compile(
    r"(?:^|[.!?]\s*)(?:no|nope|nah|not really|not yet|never)\b"
    # "No more problems" is no complaint; "no thanks to them" credits nobody, it says no
    # "no".
    r"(?! (?:more )?(?:problems?|issues?|complaints?|worries|trouble|hassle)|"
    r" thanks? to| thank you to)"
    r"|\b(?:not|never|wasn't|isn't|hasn't been|"
    r"haven't been|didn't get|didn't) (?:\w+ )?(?:fixed|sorted|resolved|solved|fix|sort|resolve)"
    r"|\bstill (?:waiting|not|broken|nothing|no|having|unresolved|an issue|a problem|going on|"
    r"open|ongoing|doesn't|isn't|won't)|\bunresolved\b|\bgave up\b|\bnothing (?:happened|changed"
    r"|was done)\b|\bno (?:fix|resolution|solution|joy)\b|\bnever (?:heard|got)\b"
)
_RESOLVED_RE = re.compile(
    r"^(?:yes|yeah|yep|yup|ya|y|sure|definitely|absolutely|eventually|finally|in the end)\b|"
    # "so technically yes", "in the end, yes": a yes after a word that frames it.
    r"\b(?:so|technically|basically|in the end|eventually|finally|ultimately),? (?:yes|yeah)\b|"
    r"\b(?:fixed|sorted|resolved|solved|all good|working (?:again|now|fine)|works now|refunded|"
    r"got (?:my|the|a) (?:refund|replacement|money back)|replaced|done|success(?:fully)?)\b|👍|✅"
)


# "data yes, the phone bill no": one part was, one was not.
_YES_AND_NO_RE = re.compile(r"\byes\b.*\bno\s*(?:[,.;!]|$)|\bno\s*(?:[,.;!]|$).*\byes\b")


def resolved_from_normalized(norm: str) -> Literal["yes", "no", "partly"] | None:
    """ "yes" / "no" / "partly" / None for already-normalised text."""
    norm = _ECHOED_QUESTION_RE.sub("", norm)
    if not norm:
        return None
    if _PARTLY_RE.search(norm) or _YES_AND_NO_RE.search(norm):
        return "partly"
    if _NOT_RESOLVED_RE.search(norm):
        return "no"
    if _RESOLVED_RE.search(norm):
        return "yes"
    return None


@cache
def _scale_number_re() -> re.Pattern[str]:
    """A number on a scale, "5", "5/7" or "five out of seven"; built on first use because
    the number words come from numbers.yaml."""
    number = number_word_pattern()
    return re.compile(
        r"(?<![\d./:])\b(?P<n>\d{1,2}(?:\.\d)?|" + number + r")\b"
        r"(?:\s*(?:/|out of|outta|of)\s*(?P<d>\d{1,2}|" + number + r")\b)?"
        r"(?!\s*(?:mins?|minutes?|hours?|hrs?|days?|weeks?|times?|%|am|pm)\b)"
    )


_INTENSIFIER_PREFIX_RE = re.compile(
    r"^(?:very|really|extremely|super|incredibly|so|totally|completely|absolutely|dead) "
)


@cache
def _synonyms() -> Mapping[str, tuple[str, ...]]:
    """Everyday synonyms of the usual anchor words (lexicons/scale_synonyms.yaml, read once
    per process); used only when the caller's anchors include the key, so a scale about
    something else is not affected."""
    return load_lexicon("scale_synonyms", ScaleSynonymsLexicon).synonyms


_MIDDLE_RE = re.compile(
    r"\b(?:neither|neutral|ok|okay|average|middle|in between|in the middle|so-so|so so|meh|"
    r"medium|moderate|moderately|fine|alright|mid|not bad not good|halfway)\b"
)


def _word_in(norm: str, phrase: str) -> int | None:
    m = re.search(r"(?<![\w'])" + re.escape(phrase.lower().strip()) + r"(?![\w'])", norm)
    return None if m is None else m.start()


def scale_from_normalized(
    norm: str, *, low: int, high: int, low_words: Sequence[str], high_words: Sequence[str]
) -> int | None:
    """Scale value of already-normalised text; see :func:`parse_scale`."""
    if not norm or high <= low:
        return None
    m = _scale_number_re().search(norm)
    if m is not None:
        value = to_number(m.group("n"))
        denominator = to_number(m.group("d")) if m.group("d") else None
        if value is not None:
            if denominator and denominator != high and denominator > 1 and value <= denominator:
                # "3 out of 5" on a 1..7 scale: rescale rather than reject.
                value = low + (value - 1) * (high - low) / (denominator - 1)
            rounded = int(value + 0.5)
            if low <= rounded <= high:
                return rounded
    # Explicit anchors first ("very easy" -> low), then their unintensified forms
    # ("easy" -> low + 1), longest phrase first so "very easy" is not read as "easy".
    anchors: list[tuple[str, int]] = []
    synonyms = _synonyms()
    for words, extreme, step in ((low_words, low, 1), (high_words, high, -1)):
        for word in words:
            phrase = " ".join(word.lower().split())
            if not phrase:
                continue
            anchors.append((phrase, extreme))
            anchors += [(synonym, extreme) for synonym in synonyms.get(phrase, ())]
            stripped = _INTENSIFIER_PREFIX_RE.sub("", phrase)
            if stripped != phrase:
                anchors.append((stripped, extreme + step))
                anchors += [(synonym, extreme + step) for synonym in synonyms.get(stripped, ())]
    found: list[tuple[int, int, int]] = []
    for phrase, value in anchors:
        position = _word_in(norm, phrase)
        if position is not None:
            negated = (
                re.search(r"(?:\bnot|n't|\bnever)\s+(?:\w+\s+)?$", norm[:position]) is not None
            )
            if negated:
                # "not easy" leans hard, "not hard" leans easy, by one step past the middle.
                middle = (low + high) // 2
                value = middle + 1 if value < middle else middle - 1 if value > middle else middle
            found.append((-len(phrase), position, value))
    if found:
        found.sort()
        return found[0][2]
    if _MIDDLE_RE.search(norm):
        return (low + high) // 2
    return None
