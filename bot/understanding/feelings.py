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

from bot.understanding.cue_matching import Hit, clause_before, is_negated, select_hits
from bot.understanding.numbers import NUMBER_WORD_PATTERN, to_number

# Phrase -> score. None marks phrases that only shadow a shorter, misleading hit
# ("a good 20 minutes" is not a feeling; "kind of" is not "kind").
_LEXICON: dict[str, int | None] = {}


def _add(score: int | None, *phrases: str) -> None:
    for phrase in phrases:
        _LEXICON[phrase] = score


_add(
    1,
    "furious",
    "livid",
    "fuming",
    "irate",
    "seething",
    "enraged",
    "outraged",
    "raging",
    "incandescent",
    "apoplectic",
    "disgusted",
    "disgusting",
    "appalled",
    "appalling",
    "horrified",
    "devastated",
    "distraught",
    "heartbroken",
    "awful",
    "terrible",
    "horrible",
    "horrendous",
    "dreadful",
    "atrocious",
    "abysmal",
    "disgraceful",
    "shocking",
    "worst",
    "nightmare",
    "hellish",
    "hate",
    "hated",
    "hating",
    "wanted to scream",
    "want to scream",
    "lost my temper",
    "pulling my hair out",
    "at my wits end",
    "at my wits' end",
    "in tears",
    "crying",
    "cried",
    "despair",
    "miserable",
    "infuriating",
    "infuriated",
    "maddening",
    "outrageous",
    "scandalous",
    "shambles",
    "disaster",
    "disastrous",
    "humiliated",
    "sick to death",
    "pathetic",
    "hell on earth",
    "traumatic",
    "traumatised",
    "traumatized",
    "losing my mind",
    "lost my mind",
    "going insane",
    "going out of my mind",
    "beside myself",
)
_add(
    2,
    "angry",
    "mad",
    "cross",
    "annoyed",
    "annoying",
    "annoyance",
    "irritated",
    "irritating",
    "frustrated",
    "frustrating",
    "frustration",
    "upset",
    "disappointed",
    "disappointing",
    "disappointment",
    "let down",
    "gutted",
    "unhappy",
    "sad",
    "stressed",
    "stressful",
    "stress",
    "anxious",
    "anxiety",
    "worried",
    "worrying",
    "nervous",
    "scared",
    "confused",
    "confusing",
    "fed up",
    "exhausted",
    "drained",
    "knackered",
    "tired of",
    "sick of",
    "hassle",
    "a pain",
    "pain in the",
    "faff",
    "ignored",
    "fobbed off",
    "helpless",
    "powerless",
    "embarrassed",
    "insulted",
    "patronised",
    "patronized",
    "patronising",
    "patronizing",
    "condescending",
    "rude",
    "unhelpful",
    "excessive",
    "useless",
    "pointless",
    "hopeless",
    "rubbish",
    "crap",
    "crappy",
    "shit",
    "shite",
    "shitty",
    "sucked",
    "sucks",
    "bad",
    "poor",
    "ridiculous",
    "a joke",
    "joke of a",
    "unacceptable",
    "farce",
    "mediocre",
    "waste of time",
    "wasted",
    "unbelievable",
    "wtf",
    "ugh",
    "argh",
    "grr",
    "sigh",
    "tedious",
    "painful",
    "awkward",
    "a mess",
    "worse",
    "dreading",
    "panicked",
    "panicking",
    "panic",
    "talking to a wall",
    "brick wall",
    "no joy",
    "no luck",
    "never again",
    "didn't help",
    "did not help",
    "doesn't help",
    "thanks for nothing",
    "yeah right",
    "not ideal",
    "dismissive",
    "robotic",
    "bitter",
    "resentful",
    "not a happy bunny",
    "could have been better",
    "could've been better",
    "could be better",
    "done with them",
    "given up hope",
    "given up hoping",
    "lost hope",
    "losing hope",
    "impatient",
    "losing patience",
    "lost patience",
    "lost my patience",
    "running out of patience",
    "not amused",
    "unamused",
    "unimpressed",
    "panicky",
    "in a panic",
    "freaked out",
    "freaking out",
    "shocked",
    "deflated",
    "defeated",
    "exasperated",
    "dissatisfied",
    "unsatisfied",
    "unsatisfying",
    "not impressed",
)
_add(
    3,
    "meh",
    "so-so",
    "so so",
    "average",
    "neutral",
    "indifferent",
    "mixed",
    "nothing special",
    "not too bad",
    "could be worse",
    "could have been worse",
    "calm",
    "fair enough",
    "it is what it is",
    "nothing to write home about",
    "middling",
    "acceptable",
    "bearable",
    "tolerable",
    "unremarkable",
    "reasonable",
    "not the worst",
    "neither here nor there",
    "neither good nor bad",
    "neither good or bad",
    "petty",
    "ambivalent",
    "resigned",
)
_add(
    4,
    "good",
    "happy",
    "pleased",
    "glad",
    "relieved",
    "relief",
    "helpful",
    "satisfied",
    "nice",
    "decent",
    "polite",
    "friendly",
    "kind",
    "easy",
    "easier",
    "smooth",
    "painless",
    "straightforward",
    "efficient",
    "professional",
    "grateful",
    "thankful",
    "thankfully",
    "thank god",
    "phew",
    "chuffed",
    "reassured",
    "impressed",
    "pleasantly surprised",
    "no complaints",
    "can't complain",
    "cannot complain",
    "happy enough",
    "all good",
    "grand",
    "cool",
    "not bad",
    "better",
    "worth it",
    "easy enough",
    "nice enough",
    "content",
    "ideal",
    "not too shabby",
    "respectful",
    "patient",
    "understanding",
    "sweet",
    "can't fault",
    "cannot fault",
    "couldn't fault",
    "reassuring",
    "reassurance",
    "reassured",
    "satisfying",
    "empowered",
    "empowering",
    "vindicated",
    "productive",
    "hopeful",
    "optimistic",
    "appreciated",
)
_add(
    5,
    "great",
    "brilliant",
    "excellent",
    "amazing",
    "fantastic",
    "wonderful",
    "perfect",
    "delighted",
    "thrilled",
    "ecstatic",
    "love",
    "loved",
    "loving",
    "superb",
    "outstanding",
    "awesome",
    "over the moon",
    "couldn't be happier",
    "couldn't have been happier",
    "could not have been happier",
    "spot on",
    "top notch",
    "top-notch",
    "blown away",
    "above and beyond",
    "faultless",
    "flawless",
    "incredible",
    "phenomenal",
    "stellar",
    "exceptional",
    "happy days",
    "made my day",
    "legends",
    "legend",
    "saved the day",
    "first class",
    "lovely",
    "marvellous",
    "marvelous",
    "five stars",
    "5 stars",
    "elated",
    "stoked",
)
# Everyday chat idioms for feelings (British, American and Australian usage).
_add(
    1,
    "losing the will to live",
    "lost the will to live",
    "can't be arsed",
    "cant be arsed",
    "so done with",
    "im so done",
    "i'm so done",
    "so over it",
    "wanted to throw my phone",
    "want to throw my phone",
    "wanted to scream",
    "want to scream",
    "insulting",
    "cheated",
)
_add(
    2,
    "frustrate",
    "why is it so hard",
    "clunky",
    "fiddly",
    "couldn't help",
    "couldnt help",
    "could not help",
    "not great",
)
_add(
    3,
    "no biggie",
    "not a big deal",
    "bit clunky",
    "a bit clunky",
    "bit fiddly",
    "a bit fiddly",
    "fine whatever",
)
_add(
    4,
    "looked after",
    "felt looked after",
    "very thorough",
    "crystal clear",
    "proud",
    "proud of myself",
    "handy",
    "really clear",
    "very clear",
    "yay",
    "calmer",
    "felt calmer",
    "quicker than expected",
    "faster than expected",
    "cheers to",
    "felt safe",
    "convenient",
)
# Plain emotion words people answer "how did you feel?" with.
_add(1, "disrespected", "betrayed", "trapped", "felt trapped")
_add(
    2,
    "alarmed",
    "felt lost",
    "tired",
    "puzzled",
    "uneasy",
    "sceptical",
    "skeptical",
    "suspicious",
    "felt stuck",
    "rushed",
    "pressured",
    "uncomfortable",
    "doubtful",
    "baffled",
    "stunned",
)
_add(3, "surprised", "curious", "unsure", "bemused")
_add(4, "relaxed", "comfortable", "confident", "amused")
# Shadows: idioms that contain a feeling word but express none.
_add(
    None,
    "a good",
    "for good",
    "good morning",
    "good afternoon",
    "good evening",
    "good luck",
    "kind of",
    "kind a",
    "kinda",
    "sort of",
    "no problem",
    "not sure",
    "good news",
    "too good to be true",
    "love to know",
    "would love",
    "i'd love",
    "understanding of",
    "my understanding",
    "great deal",
    "the best part",
    "in good time",
    "patient with",
    "sweet time",
    "customer content",
    "the content",
    "cross-check",
    "cross check",
    "better half",
    "nice one",
    "bad weather",
    "content of",
    "ignored it",
    "ignore it",
    "ignoring it",
)
# Evaluation words that only read as a feeling where the sentence makes them one:
# "ok so I called them" is not a feeling, "it was ok" is.
_CONTEXT_NEUTRAL = frozenset({"ok", "okay", "fine", "alright", "all right", "whatever", "k"})
_add(3, *_CONTEXT_NEUTRAL)
# "a good 20 minutes", "a good while": quantities, not feelings.
_GOOD_QUANTITY_RE = re.compile(r"\d|hour|half|while|few|couple|day|week|minute|number|bit|chunk")

_LEXICON_RE = re.compile(
    r"(?<![\w'])(?:"
    + "|".join(re.escape(p) for p in sorted(_LEXICON, key=len, reverse=True))
    + r")(?![\w'])"
)

_SARCASM_RE = re.compile(
    r"\b(?:oh|just|yeah|yay|so|how) (?:great|brilliant|fantastic|wonderful|perfect|lovely|"
    r"marvellous|marvelous|super|amazing)\b|\b(?:great|brilliant|fantastic|perfect|lovely),? "
    r"another\b|\blove(?:d)? (?:being|waiting|spending|sitting|repeating|getting cut|it when)\b"
    r"|\bwhat a (?:joke|farce|shambles|nightmare|mess)\b"
    r"|\b(?P<w>great|brilliant|fantastic|perfect|lovely|wonderful|super|amazing|marvellous),?"
    r" (?:just|really|absolutely|simply) (?P=w)\b"
)
# An eye-roll or an explicit marker after praise turns it into sarcasm ("brilliant 🙄").
_IRONY_RE = re.compile(r"🙄|🙃|😒|(?<!\w)/s\b|\bnot!|\blol not\b")
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

_INTENSIFIERS = frozenset(
    {
        "really",
        "very",
        "so",
        "soo",
        "sooo",
        "soooo",
        "absolutely",
        "extremely",
        "super",
        "incredibly",
        "totally",
        "completely",
        "utterly",
        "properly",
        "beyond",
        "seriously",
        "bloody",
        "fucking",
        "f'ing",
        "freaking",
        "frickin",
        "massively",
        "hugely",
        "deeply",
        "genuinely",
        "truly",
        "dead",
        "proper",
        "thoroughly",
        "insanely",
        "ridiculously",
        "majorly",
        "royally",
        "well",
        "mega",
        "much",
        "hella",
        "immensely",
        "terribly",
        "awfully",
        "damn",
        "darn",
        "too",
    }
)
_SOFTENERS = frozenset(
    {
        "bit",
        "little",
        "slightly",
        "kinda",
        "somewhat",
        "mildly",
        "tad",
        "fairly",
        "touch",
        "rather",
        "wee",
        "moderately",
        "semi",
        "partly",
        "sort",
        "kind",
        "abit",
    }
)
_POST_INTENSIFIER_RE = re.compile(
    r"^\s*(?:as hell|as f\w*|af\b|beyond belief|out of my mind|to death|!{2,})"
)
_WORD_RE = re.compile(r"[\w']+")
_CLAUSE_START_RE = re.compile(r"(?:^|[.,;:!?()\n-])\s*$")
_CLAUSE_END_RE = re.compile(r"^\s*(?:$|[.,;:!?()\n-])")
_NEUTRAL_BEFORE = frozenset(
    {
        "was",
        "were",
        "is",
        "it's",
        "its",
        "felt",
        "feel",
        "feeling",
        "pretty",
        "fairly",
        "quite",
        "just",
        "all",
        "seemed",
        "seems",
        "been",
        "be",
        "went",
        "that's",
        "am",
        "i'm",
        "are",
        "they're",
        "looked",
        "sounded",
        "mostly",
        "basically",
    }
)
_NEUTRAL_AFTER_RE = re.compile(
    r"^\s*(?:i guess|i suppose|i think|really|overall|in the end|tbh|though|i s'pose|ish|"
    r"enough|at best|actually)\b"
)

_EMOJI: dict[str, int] = {
    "😡": 1,
    "🤬": 1,
    "😠": 2,
    "😤": 2,
    "😭": 1,
    "😱": 1,
    "💩": 1,
    "🖕": 1,
    "😢": 2,
    "🙁": 2,
    "☹": 2,
    "😞": 2,
    "😟": 2,
    "😒": 2,
    "😩": 2,
    "😫": 2,
    "😖": 2,
    "😣": 2,
    "🙄": 2,
    "🤦": 2,
    "😔": 2,
    "😕": 2,
    "😓": 2,
    "😥": 2,
    "😧": 2,
    "😬": 2,
    "👎": 2,
    "💔": 2,
    "🤯": 2,
    "😐": 3,
    "😑": 3,
    "🤷": 3,
    "😶": 3,
    "🫤": 3,
    "🙂": 4,
    "😌": 4,
    "👌": 4,
    "👍": 4,
    "😊": 4,
    "😀": 4,
    "😃": 4,
    "☺": 4,
    "✅": 4,
    "🙏": 4,
    "👏": 4,
    "💪": 4,
    "😄": 5,
    "😁": 5,
    "😍": 5,
    "🥰": 5,
    "🤩": 5,
    "🎉": 5,
    "🥳": 5,
    "❤": 5,
    "💯": 5,
    "🙌": 5,
    "😻": 5,
    "💖": 5,
    "💕": 5,
    "⭐": 4,
    "🌟": 5,
}
_EMOJI_RE = re.compile("|".join(map(re.escape, _EMOJI)))
_EMOTICONS: dict[str, int] = {
    ">:(": 1,
    ":((": 1,
    ":'(": 1,
    "d:": 1,
    ":(": 2,
    ":-(": 2,
    ":/": 2,
    ":-/": 2,
    ":\\": 2,
    ":[": 2,
    "=(": 2,
    ":|": 3,
    ":-|": 3,
    ":)": 4,
    ":-)": 4,
    "=)": 4,
    ";)": 4,
    ";-)": 4,
    ":]": 4,
    ":))": 5,
    ":d": 5,
    ":-d": 5,
    "xd": 4,
    "<3": 5,
    "^^": 4,
    "^_^": 4,
}
_EMOTICON_RE = re.compile(
    r"(?<![\w:/<>=;^])(?:"
    + "|".join(re.escape(e) for e in sorted(_EMOTICONS, key=len, reverse=True))
    + r")(?![\w)(/\\|\]\[])"
)

_NUM = r"\d{1,2}(?:\.\d)?|" + NUMBER_WORD_PATTERN
_RATING_RE = re.compile(
    r"(?<![\d./:])\b(?P<n1>"
    + _NUM
    + r")\s*(?:/|out of|outta|of)\s*(?P<d>5|10|five|ten)\b(?!\s*/|\d)"
    r"|(?<![\d./])\b(?P<n2>" + _NUM + r") ?stars?\b"
    r"|\b(?:say|give (?:it|them|him|her)|rate (?:it|them)|rated (?:it|them)|call it|solid|"
    r"strong|maybe|probably) (?:an? )?(?P<n3>" + _NUM + r")(?![\d:.]|\s*(?:mins?|minutes?|hours?|"
    r"hrs?|days?|weeks?|times?|%|pounds?|quid|dollars?|euros?))"
)
_BARE_RE = re.compile(
    r"(?<![\d.:/£$€])\b(?P<n>\d{1,2}(?:\.\d)?)\b(?!\s*(?:[:%]|mins?\b|minutes?\b|hours?\b|hrs?\b|"
    r"h\b|m\b|days?\b|weeks?\b|months?\b|years?\b|times?\b|pm\b|am\b|pounds?\b|quid\b|"
    r"dollars?\b|euros?\b|people\b|calls?\b|emails?\b|st\b|nd\b|rd\b|th\b))"
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
    m = _RATING_RE.search(norm)
    if m is None:
        return None
    raw = m.group("n1") or m.group("n2") or m.group("n3")
    value = to_number(raw) if raw else None
    if value is None:
        return None
    denominator = to_number(m.group("d")) if m.group("d") else 5.0
    if denominator is None or value > denominator:
        return None
    return _scale_to_five(value, denominator)


def _intensity(norm: str, start: int, end: int, score: int) -> int:
    before = _WORD_RE.findall(clause_before(norm, start, max_chars=30))[-2:]
    after = norm[end : end + 20]
    if score == 3:
        return score
    stronger = any(w in _INTENSIFIERS for w in before) or bool(_POST_INTENSIFIER_RE.match(after))
    softer = any(w in _SOFTENERS for w in before)
    if stronger and not softer:
        return 1 if score < 3 else 5
    if softer:
        return 2 if score < 3 else 4
    return score


def _context_neutral_ok(norm: str, start: int, end: int) -> bool:
    before_text = norm[max(0, start - 40) : start]
    before = _WORD_RE.findall(before_text)[-2:]
    after = norm[end : end + 30]
    if any(w in _NEUTRAL_BEFORE for w in before):
        return True
    if _NEUTRAL_AFTER_RE.match(after):
        return True
    # On its own in a clause: "fine." / "..., fine" / "ok" as the whole answer.
    return bool(_CLAUSE_START_RE.search(before_text)) and bool(_CLAUSE_END_RE.match(after))


def _word_scores(norm: str) -> list[int]:
    hits: list[Hit[int | None]] = [Hit(m.start(), m.end(), 2) for m in _SARCASM_RE.finditer(norm)]
    hits += [Hit(m.start(), m.end(), 3) for m in _BALANCED_RE.finditer(norm)]
    hits += [Hit(m.start(), m.end(), _LEXICON[m.group()]) for m in _LEXICON_RE.finditer(norm)]
    irony = [m.start() for m in _IRONY_RE.finditer(norm)]
    scores: list[int] = []
    for hit in select_hits(hits):
        score = hit.value
        if score is None:
            continue
        phrase = norm[hit.start : hit.end]
        if phrase == "a good" and not _GOOD_QUANTITY_RE.match(norm[hit.end : hit.end + 8].strip()):
            score = 4  # "a good experience": the shadow only meant quantities
        elif phrase == "a good":
            continue
        if phrase in _CONTEXT_NEUTRAL and not _context_neutral_ok(norm, hit.start, hit.end):
            continue
        if is_negated(norm, hit.start) and not phrase.startswith(("not ", "no ", "never ")):
            if "n't" in phrase or phrase.startswith(("could", "can")):
                pass  # the negation is part of the phrase ("couldn't be happier")
            else:
                scores.append(2 if score >= 3 else 3)
                continue
        if score > 3 and irony and _ironic(norm, hit.end, irony):
            scores.append(2)
            continue
        scores.append(_intensity(norm, hit.start, hit.end, score))
    return scores


def _ironic(norm: str, end: int, irony: list[int]) -> bool:
    # An irony marker later in the same sentence, close by, flips the praise before it.
    for start in irony:
        if end <= start <= end + 40 and _SENTENCE_BREAK_RE.search(norm[end:start]) is None:
            return True
    return False


def _symbol_scores(norm: str) -> list[int]:
    scores = [_EMOJI[m.group()] for m in _EMOJI_RE.finditer(norm)]
    scores += [_EMOTICONS[m.group()] for m in _EMOTICON_RE.finditer(norm)]
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
    """Feeling score of already-normalised text (see :func:`parse_feeling`)."""
    if not norm:
        return None
    if bare_number:
        bare = _bare_number(norm)
        if bare is not None:
            return bare
    rating = _rating(norm)
    if rating is not None:
        return rating
    if _MIXED_RE.search(norm):
        return 3
    return combine_scores(_word_scores(norm) + _symbol_scores(norm))


def is_only_rating(norm: str) -> bool:
    """Whether a normalised answer is nothing but a 1-5 (or out-of-10) rating."""
    return len(norm) <= 24 and _ONLY_RATING_RE.match(norm) is not None


def _bare_number(norm: str) -> int | None:
    rating = _rating(norm)
    if rating is not None:
        return rating
    m = _BARE_RE.search(norm)
    if m is not None:
        value = float(m.group("n"))
        if 1 <= value <= 5:
            return math.floor(value + 0.5) if value > 3 else math.ceil(value - 0.5)
        return None
    m = _BARE_WORD_RE.match(norm)
    if m is not None:
        word_value = to_number(m.group("n"))
        return None if word_value is None else int(word_value)
    return None
