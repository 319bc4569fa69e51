"""How the customer felt: a 1 (very negative) .. 5 (very positive) score, or None.

Sources, strongest first: an explicit rating ("4 out of 5", "7/10", "I'd say a 3"),
then feeling words, evaluation words ("useless", "rude", "easy"), emoji and emoticons.
Each word hit is adjusted for its clause: negation ("not happy" -> 2, "not terrible"
-> 3), intensifiers ("really annoyed" -> 1) and softeners ("a bit annoyed" stays 2,
"a bit furious" -> 2). Several hits combine by majority polarity: the side with more
hits wins and its mean is the score; a tie between sides, or only neutral words, is 3.
Scores out of 10 map to 1..5 as ceil(n / 2) ("7/10" -> 4, "10/10" -> 5).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.understanding import feeling_context as context
from bot.understanding.cue_matching import Hit, clause_before, is_negated, select_hits
from bot.understanding.first_chars import trie_pattern
from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import FeelingsLexicon
from bot.understanding.non_answers import declines_to_answer, says_unknown
from bot.understanding.numbers import number_word_pattern, to_number

# "a good 20 minutes", "a good while": quantities, not feelings.
_GOOD_QUANTITY_RE = re.compile(r"\d|hour|half|while|few|couple|day|week|minute|number|bit|chunk")

_SARCASM_RE = re.compile(
    r"\b(?:oh|just|yeah|yay|how) (?:great|brilliant|fantastic|wonderful|perfect|lovely|"
    r"marvellous|marvelous|super|amazing)\b|\b(?:great|brilliant|fantastic|perfect|lovely),? "
    r"another\b|\blove(?:d)? (?:being|waiting|spending|sitting|repeating|getting cut|it when)\b"
    r"|\bwhat a (?:joke|farce|shambles|nightmare|mess)\b"
    r"|\b(?P<w>great|brilliant|fantastic|perfect|lovely|wonderful|super|amazing|marvellous),?"
    r" (?:just|really|absolutely|simply) (?P=w)\b"
)
# An eye-roll or an explicit marker after praise turns it into sarcasm ("brilliant 🙄").
_IRONY_RE = re.compile(r"🙄|🙃|😒|(?<!\w)/s\b|\bnot!|\blol (?:not|no|nope)\b|\b(?:kidding|jk)\b")
_SENTENCE_BREAK_RE = re.compile(r"[.!?\n]\s")
# "not great, not terrible", "neither good nor bad": a balanced verdict, one neutral hit.
_BALANCED_RE = re.compile(
    r"\bnot (?:great|good|amazing|brilliant|perfect|fantastic|the best),? (?:but |and |yet )?"
    r"(?:not|nor|never) (?:terrible|awful|bad|horrible|the worst|dreadful|a disaster)\b"
    r"|\bnot (?:terrible|awful|bad|horrible|the worst|dreadful),? (?:but |and |yet )?(?:not|nor|"
    r"never) (?:great|good|amazing|brilliant|perfect|fantastic|the best)\b"
)
_MIXED_RE = re.compile(
    r"\b(?:mixed (?:feelings|bag|emotions)|bittersweet|love[- ]hate|up and down)\b"
)

_POST_INTENSIFIER_RE = re.compile(
    r"^\s*(?:as hell|as f\w*|af\b|beyond belief|out of my mind|to death|!{2,})"
)
_WORD_RE = re.compile(r"[\w']+")
_CLAUSE_START_RE = re.compile(r"(?:^|[.,;:!?()\n-])\s*$")
_CLAUSE_END_RE = re.compile(r"^\s*(?:$|[.,;:!?()\n-])")


@dataclass(frozen=True)
class _Words:
    """lexicons/feelings.yaml, ready to match (the file says what each part means)."""

    scores: Mapping[str, int | None]  # phrase -> score; None for a shadow
    phrases: re.Pattern[str]
    context_neutral: frozenset[str]
    intensifiers: frozenset[str]
    softeners: frozenset[str]
    neutral_before: frozenset[str]
    neutral_after: re.Pattern[str]
    emoji: Mapping[str, int]
    emoji_re: re.Pattern[str]
    emoticons: Mapping[str, int]
    emoticon_re: re.Pattern[str]


@cache
def _words() -> _Words:
    """Read feelings.yaml (once per process) and compile its phrases and symbols."""
    lexicon = load_lexicon("feelings", FeelingsLexicon)
    scores: dict[str, int | None] = {}
    for score, phrases in lexicon.scores.items():
        scores.update(dict.fromkeys(phrases, score))
    scores.update(dict.fromkeys(lexicon.shadows, None))
    scores.update(dict.fromkeys(lexicon.context_neutral, 3))
    # Longest first, so that at one position the longer phrase is the hit ("not too bad",
    # not "bad"); emoticons likewise (":((" before ":(").
    longest_first = sorted(scores, key=len, reverse=True)
    emoticons = sorted(lexicon.emoticons, key=len, reverse=True)
    return _Words(
        scores=scores,
        phrases=re.compile(r"(?<![\w'])(?:" + trie_pattern(longest_first) + r")(?![\w'])"),
        context_neutral=frozenset(lexicon.context_neutral),
        intensifiers=frozenset(lexicon.intensifiers),
        softeners=frozenset(lexicon.softeners),
        neutral_before=frozenset(lexicon.neutral_before),
        neutral_after=re.compile(
            r"^\s*(?:" + "|".join(map(re.escape, lexicon.neutral_after)) + r")\b"
        ),
        emoji=lexicon.emoji,
        emoji_re=re.compile("|".join(map(re.escape, lexicon.emoji))),
        emoticons=lexicon.emoticons,
        emoticon_re=re.compile(
            r"(?<![\w:/<>=;^])(?:" + "|".join(map(re.escape, emoticons)) + r")(?![\w)(/\\|\]\[])"
        ),
    )


# Numbers that measure something else: "say 2 business days" is not a rating.
_NOT_RATING_UNITS = (
    r"mins?|minutes?|hours?|hrs?|days?|weeks?|months?|years?|times?|%|pounds?|quid|dollars?|"
    r"euros?|business|working|calendar|calls?|emails?"
)


@cache
def _rating_re() -> re.Pattern[str]:
    """Explicit ratings ("4 out of 5", "7/10", "I'd say a 3"), built on first use: they
    may be spelled out, and the number words come from numbers.yaml."""
    num = r"\d{1,2}(?:\.\d)?|" + number_word_pattern()
    return re.compile(
        r"(?<![\d./:])\b(?P<n1>"
        + num
        + r")\s*(?:/|out of|outta|of)\s*(?P<d>5|10|five|ten)\b(?!\s*/|\d)"
        r"|(?<![\d./])\b(?P<n2>" + num + r") ?stars?\b"
        r"|(?:(?<=i'd )|(?<=i would )|(?<=id )|(?<=let's )|(?<=lets )|(?<=, )|(?<=^))say (?:an? )?"
        r"(?P<n4>" + num + r")(?![\d:.]|\s*(?:" + _NOT_RATING_UNITS + r"))"
        r"|\b(?:give (?:it|them|him|her)|rate (?:it|them)|rated (?:it|them)|call it|solid|"
        r"strong|maybe|probably) (?:an? )?(?P<n3>"
        + num
        + r")(?![\d:.]|\s*(?:"
        + _NOT_RATING_UNITS
        + r"))"
    )


_RETRACTION_RE = re.compile(r"\b(?:kidding|joking|jk|j/k|only joking|just kidding|not really)\b")


def _round_rating(value: float) -> int:
    # Halves round away from the middle: 3.5 -> 4, 2.5 -> 2.
    return math.floor(value + 0.5) if value > 3 else math.ceil(value - 0.5)


_BARE_RE = re.compile(
    r"(?<![\d.:/£$€])\b(?P<n>\d{1,2}(?:\.\d)?)\b(?!\s*(?:[:%]|mins?\b|minutes?\b|hours?\b|hrs?\b|"
    r"h\b|m\b|days?\b|weeks?\b|months?\b|years?\b|times?\b|pm\b|am\b|pounds?\b|quid\b|"
    r"dollars?\b|euros?\b|people\b|calls?\b|emails?\b|st\b|nd\b|rd\b|th\b|business\b|working\b))"
)
# A whole answer that is only a rating: "2", "1.", "4/5", "5 out of 5" ("a 4" is not:
# it is as often the start of "a 4 hour wait").
_ONLY_RATING_RE = re.compile(
    r"^(?:[1-5](?:\.5)?|(?:\d{1,2}(?:\.\d)?) ?(?:/"
    r"|out of|outta) ?(?:5|10|five|ten))(?: stars?)?\s*[.!]*\s*$"
)
_BARE_WORD_RE = re.compile(
    r"^(?:an? |maybe |probably |about |like |i'd say |say )?(?P<n>one|two|"
    r"three|four|five)\b"
)


def _scale_to_five(value: float, denominator: float) -> int:
    if denominator == 10:
        value = math.ceil(value / 2)
    return int(min(5, max(1, math.floor(value + 0.5))))


def _rating(norm: str) -> int | None:
    m = _rating_re().search(norm)
    if m is None:
        return None
    if _RETRACTION_RE.search(norm):
        # "Oh, a solid 5. Kidding. 1.": after a retraction, the last rating is the answer.
        *_, m = _rating_re().finditer(norm)

    raw = m.group("n1") or m.group("n2") or m.group("n3") or m.group("n4")
    value = to_number(raw) if raw else None
    if value is None:
        return None
    denominator = to_number(m.group("d")) if m.group("d") else 5.0
    if denominator is None or value > denominator:
        return None
    return _scale_to_five(value, denominator)


def _intensity(words: _Words, norm: str, start: int, end: int, score: int) -> int:
    before = _WORD_RE.findall(clause_before(norm, start, max_chars=30))[-2:]
    after = norm[end : end + 20]
    if score == 3:
        return score
    stronger = any(w in words.intensifiers for w in before) or bool(
        _POST_INTENSIFIER_RE.match(after)
    )
    softer = any(w in words.softeners for w in before)
    if stronger and not softer:
        return 1 if score < 3 else 5
    if softer:
        return 2 if score < 3 else 4
    return score


def _context_neutral_ok(words: _Words, norm: str, start: int, end: int) -> bool:
    before_text = norm[max(0, start - 40) : start]
    before = _WORD_RE.findall(before_text)[-2:]
    after = norm[end : end + 30]
    if any(w in words.neutral_before for w in before):
        return True
    if words.neutral_after.match(after):
        return True
    # On its own in a clause: "fine." / "..., fine" / "ok" as the whole answer.
    return bool(_CLAUSE_START_RE.search(before_text)) and bool(_CLAUSE_END_RE.match(after))


def _word_scores(norm: str) -> list[int]:
    """Scores of the feeling words the customer said of themselves. Praise of someone
    else's manner ("a lovely man answered") counts only when nothing else does and the
    answer tells of a good outcome; their feelings and reported words never count."""
    words = _words()
    hits: list[Hit[int | None]] = [Hit(m.start(), m.end(), 2) for m in _SARCASM_RE.finditer(norm)]
    hits += [Hit(start, end, 2) for start, end in context.stock_irony(norm)]
    hits += [Hit(m.start(), m.end(), 3) for m in _BALANCED_RE.finditer(norm)]
    hits += [Hit(m.start(), m.end(), words.scores[m.group()]) for m in words.phrases.finditer(norm)]
    irony = [m.start() for m in _IRONY_RE.finditer(norm)]
    scores: list[int] = []
    manners: list[int] = []
    for hit in select_hits(hits):
        score = hit.value
        if score is None:
            continue
        phrase = norm[hit.start : hit.end]
        if phrase == "a good" and not _GOOD_QUANTITY_RE.match(norm[hit.end : hit.end + 8].strip()):
            score = 4  # "a good experience": the shadow only meant quantities
        elif phrase == "a good":
            continue
        if phrase in words.context_neutral and not _context_neutral_ok(
            words, norm, hit.start, hit.end
        ):
            continue
        if context.reported(norm, hit.start):
            continue  # "she said everything was fine on their side"
        someone = context.about_someone_else(norm, hit.start, hit.end)
        if someone == "feeling":
            continue
        if someone in ("manner", "message") and score > 3 and not is_negated(norm, hit.start):
            strict = someone == "manner"
            if not context.sarcastic(norm, hit.start, hit.end, strict=strict):
                manners.append(_intensity(words, norm, hit.start, hit.end, score))
                continue
        if is_negated(norm, hit.start) and not phrase.startswith(("not ", "no ", "never ")):
            if "n't" in phrase or phrase.startswith(("could", "can")):
                pass  # the negation is part of the phrase ("couldn't be happier")
            else:
                scores.append(2 if score >= 3 else 3)
                continue
        if score > 3 and (
            (irony and _ironic(norm, hit.end, irony)) or context.sarcastic(norm, hit.start, hit.end)
        ):
            scores.append(2)
            continue
        scores.append(_intensity(words, norm, hit.start, hit.end, score))
    if manners and not scores and context.good_outcome(norm):
        return manners
    return scores


def _ironic(norm: str, end: int, irony: list[int]) -> bool:
    # An irony marker later in the same sentence, close by, flips the praise before it.
    for start in irony:
        if end <= start <= end + 40 and _SENTENCE_BREAK_RE.search(norm[end:start]) is None:
            return True
    return False


def _symbol_scores(norm: str) -> list[int]:
    """Emoji and emoticons, except in someone's reported words ("it said delivered ✅")
    and praise an irony marker turns round ("everything is fine ✅ lol no")."""
    words = _words()
    irony = [m.start() for m in _IRONY_RE.finditer(norm)]
    scores = []
    for m in (*words.emoji_re.finditer(norm), *words.emoticon_re.finditer(norm)):
        score = words.emoji.get(m.group()) or words.emoticons[m.group()]
        if score > 3 and context.reported(norm, m.start()):
            continue  # a tick in their words ("it said delivered ✅"); a scowl is mine

        if score > 3 and irony and _ironic(norm, m.end(), irony):
            score = 2
        scores.append(score)
    return scores


def combine_scores(scores: list[int]) -> int | None:
    """Majority polarity, then the mean of that side (halves round away from 3)."""
    if not scores:
        return None
    negative = [s for s in scores if s < 3]
    positive = [s for s in scores if s > 3]
    if len(negative) > len(positive):
        return math.ceil(sum(negative) / len(negative) - 0.5)
    if len(positive) > len(negative):
        return math.floor(sum(positive) / len(positive) + 0.5)
    return 3


def feeling_from_normalized(norm: str, *, bare_number: bool) -> int | None:
    """Feeling score of already-normalised text (see :func:`parse_feeling`). A refusal to
    rate gives None even with feeling words in it ("Rather not say. It was awful.")."""
    if not norm or declines_to_answer(norm):
        return None
    unknown = says_unknown(norm)

    if bare_number:
        bare = _bare_number(norm)
        if bare is not None:
            return bare
    rating = _rating(norm)
    if rating is not None:
        return rating
    if unknown:
        return None  # "I don't really know, I didn't feel much either way": no rating
    if _MIXED_RE.search(norm):
        return 3
    return combine_scores(_word_scores(norm) + _symbol_scores(norm))


def is_only_rating(norm: str) -> bool:
    """Whether a normalised answer is nothing but a 1-5 (or out-of-10) rating."""
    return len(norm) <= 24 and _ONLY_RATING_RE.match(norm) is not None


def _bare_number(norm: str) -> int | None:
    retracted = _RETRACTION_RE.search(norm)
    if retracted is not None:
        # "a solid 5. kidding. 1.": what follows the retraction is the answer.
        later = _BARE_RE.search(norm, retracted.end())
        if later is not None and 1 <= float(later.group("n")) <= 5:
            return _round_rating(float(later.group("n")))
    rating = _rating(norm)
    if rating is not None:
        return rating
    m = _BARE_RE.search(norm)
    if m is not None:
        value = float(m.group("n"))
        return _round_rating(value) if 1 <= value <= 5 else None

    m = _BARE_WORD_RE.match(norm)
    if m is not None:
        word_value = to_number(m.group("n"))
        return None if word_value is None else int(word_value)
    return None
