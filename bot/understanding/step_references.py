"""Which step an answer points at: "which step was the make-or-break moment?".

Pure and offline. An answer resolves, in this order, to:

1. **none**: "none", "no single moment", "I don't know", "hard to pick one" are valid
   answers (``none_given``);
2. **an explicit step**: "step 3", "#3", "number 5", "3", "2️⃣", "the third one", "the
   4th bit", "the fourth, when ...", "the last step", "that 3rd thing I did"; sure;
3. **the nth step of a kind**: an ordinal before another noun counts steps of that kind,
   not steps ("my second call" is the second step that was a call, "the first visit"
   the first in-person step, "the second transfer" the second step with a transfer);
   probable;
4. **a match by meaning**: the answer's words against each step's description, weighted
   by how rare each word is among the steps (TF-IDF-like, with light stemming and a few
   synonyms: rang/called/phoned are one word, so are fixed/sorted/resolved), plus the
   step's channel when the answer names one ("the chat", "the phone call"). Sure when
   the best step clearly beats the next, probable otherwise;
5. nothing: ``step`` None, not none given.

The engine shows a probable step for one-tap confirmation and stores a sure one.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from bot.conversation.vocabulary import Channel
from bot.understanding.channels import detect_channel
from bot.understanding.normalize import normalize
from bot.understanding.numbers import word_to_number


@dataclass(frozen=True)
class StepReference:
    """What an answer says about the steps: ``step`` is 1-based (None: no step), ``sure``
    says whether to store it or confirm it, ``none_given`` that the customer said no
    step stood out (a valid answer, not a failure to understand), ``why`` how it was
    read ("number", "ordinal", "nth of a kind", "words", "none", "no match")."""

    step: int | None
    sure: bool
    none_given: bool
    why: str


_NO_MATCH = StepReference(None, False, False, "no match")

_NONE_RE = re.compile(
    r"^\W*(?:honestly,? |well,? |um,? |hmm,? )?(?:i |i'm )?(?:none|nothing|nope|no|n/?a|idk|dunno|"
    r"not sure|"
    r"no idea|unsure|neither|not really|no single|no one (?:moment|step|thing)|hard to (?:say|"
    r"pick|choose|tell)|can'?t (?:pick|say|choose|think)|couldn'?t (?:pick|say|choose)|i (?:don'?t|"
    r"do not|really don'?t) know|there (?:wasn'?t|was no|isn'?t) (?:one|any|a single)|all of it|"
    r"the whole thing|nothing (?:really )?stood out|it all (?:just )?(?:worked|went)|none of "
    r"(?:it|them))\b"
)
_ORDINALS = {
    "first": 1,
    "second": 2,
    "third": 3,
    "fourth": 4,
    "fifth": 5,
    "sixth": 6,
    "seventh": 7,
    "eighth": 8,
    "ninth": 9,
    "tenth": 10,
    "last": -1,
    "final": -1,
}
_NUMBER_WORDS = (
    r"one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}"  # step numbers stay small
)
# "step 3", "step three", "#3", "no. 3", "number 5", "the 5, when ...", "3" alone, "2️⃣".
_EXPLICIT_RE = re.compile(
    r"(?:\bstep(?: number)?|#|\bno\.?|\bnumber|\bnr\.?)\s*(?P<a>" + _NUMBER_WORDS + r")\b"
    r"|^\W*(?:the |it'?s |it was |probably |maybe )?(?P<b>\d{1,2})(?:\s*(?:[.,:;)!-]|$|when\b|"
    r"where\b|because\b))"
    r"|(?P<c>\d)\ufe0f?\u20e3"
)
_ORDINAL_RE = re.compile(
    r"\b(?P<o>first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|last|final|"
    r"(?P<d>\d{1,2})(?:st|nd|rd|th))\b(?P<rest>(?: [\w'-]+){0,3})"
)
# After an ordinal, what makes it a step's position: "the third one", "the 4th bit".
_STEP_NOUN_RE = re.compile(
    r"^\s*(?:(?:step|one|bit|part|stage|point|moment|thing(?: (?:i|we) did)?|thing|item)\b|"
    r"[^\w\s]|$|(?:when|where|because|with|that)\b)"
)
# Kinds of step an ordinal can count: "my second call", "the first visit".
_KINDS: dict[str, tuple[frozenset[Channel], str]] = {
    "call": (frozenset({Channel.PHONE}), r"\b(?:call|rang|ring|phon|dial)"),
    "phone": (frozenset({Channel.PHONE}), r"\b(?:call|rang|ring|phon|dial)"),
    "chat": (frozenset({Channel.LIVE_CHAT, Channel.CHATBOT}), r"\bchat"),
    "email": (frozenset({Channel.EMAIL}), r"\be-?mail|\bwrote\b"),
    "visit": (frozenset({Channel.IN_PERSON}), r"\b(?:visit|came (?:round|out)|went (?:in|to))"),
    "appointment": (frozenset({Channel.IN_PERSON}), r"\bappointment"),
    "letter": (frozenset({Channel.OTHER}), r"\bletter"),
    "text": (frozenset({Channel.SMS}), r"\btext"),
    "transfer": (frozenset(), r"\b(?:transferr|passed|handed|put (?:me )?through|bounced|escalat)"),
    "handoff": (frozenset(), r"\b(?:transferr|passed|handed|put (?:me )?through|bounced|escalat)"),
    "ticket": (frozenset(), r"\bticket"),
    "engineer": (frozenset(), r"\b(?:engineer|technician)"),
    "technician": (frozenset(), r"\b(?:engineer|technician)"),
    "time": (frozenset(), r""),  # "the second time I spoke to someone": any contact
}
_CONTACT = frozenset(Channel) - {Channel.NONE}
_PEOPLE = frozenset(
    {Channel.PHONE, Channel.EMAIL, Channel.LIVE_CHAT, Channel.IN_PERSON, Channel.SOCIAL_MEDIA,
     Channel.SMS, Channel.OTHER}
)  # fmt: skip
# "my second call" counts the calls the customer made, not the company's.
_OWN_ONLY = frozenset({"call", "phone"})
_OWN_CALL = (
    r"(?:^|\b(?:i|we|so|then|and)\s|[.,;]\s)(?:(?:\w+ ){0,2})?(?:called|rang|phoned|dial(?:l?ed)?|"
    r"rung|ring|calling|gave \w+ a (?:call|ring)|call(?:ed)? (?:again|back)|tried calling)\b"
)
# Words between an ordinal and the kind it counts: "the second phone call".
_MODIFIERS = frozenset(
    {"phone", "real", "proper", "actual", "human", "whole", "same", "new", "big", "long"}
)
# What starts a new contact of a kind, so that a continuation is not counted twice.
_STARTS = {
    "call": _OWN_CALL,
    "phone": _OWN_CALL,
    "chat": r"\b(?:open(?:ed)?|start(?:ed)?|tried|used|click(?:ed)?|went (?:on|into)|found|"
    r"typed|new) [^.]{0,30}\bchat",
    "visit": r"\b(?:went|go|going|came|come|visited|popped|walked|drove|turned up|took|back to)\b",
    "appointment": r"\b(?:went|go|going|came|visited|appointment|turned up|back to)\b",
    "ticket": r"\b(?:open|opened|opening|raised?|logged|submitted|new|filed|created|second|"
    r"another) (?:a |another |the |my |our )?(?:\w+ )?ticket",
    "email": r"\b(?:e-?mailed|sent|wrote|write|replied|emailing|(?:an?|the|another) e-?mail)\b",
    "time": r"\b(?:rang|called|phoned|emailed|wrote|went|visited|opened|tried|messaged|posted|"
    r"tweeted|again|back)\b",
}


# Words that carry no step: the question's own words and everyday fillers.
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "so",
        "to",
        "of",
        "in",
        "on",
        "at",
        "for",
        "with",
        "from",
        "by",
        "it",
        "its",
        "it's",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "we",
        "our",
        "us",
        "you",
        "your",
        "he",
        "him",
        "his",
        "she",
        "her",
        "they",
        "them",
        "their",
        "was",
        "were",
        "is",
        "are",
        "be",
        "been",
        "being",
        "am",
        "do",
        "did",
        "does",
        "done",
        "have",
        "had",
        "has",
        "having",
        "when",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "why",
        "how",
        "where",
        "just",
        "really",
        "honestly",
        "definitely",
        "probably",
        "maybe",
        "actually",
        "very",
        "so",
        "too",
        "also",
        "only",
        "that's",
        "thats",
        "moment",
        "step",
        "one",
        "bit",
        "part",
        "thing",
        "time",
        "after",
        "before",
        "because",
        "if",
        "as",
        "up",
        "out",
        "about",
        "into",
        "over",
        "again",
        "all",
        "any",
        "some",
        "would",
        "could",
        "should",
        "will",
        "can",
        "not",
        "no",
        "yes",
        "got",
        "get",
        "went",
        "go",
        "going",
        "come",
        "came",
        "said",
        "say",
        "told",
        "tell",
        "made",
        "make",
        "took",
        "take",
        "i'd",
        "he'd",
        "she'd",
        "they'd",
        "we'd",
        "you'd",
        "i've",
        "we've",
        "they've",
        "you've",
        "i'm",
        "it's",
        "that's",
        "there's",
        "he's",
        "she's",
        "they're",
        "you're",
        "we're",
        "i'll",
        "we'll",
        "they'll",
        "she'll",
        "he'll",
        "it'll",
        "what's",
        "who's",
        "let's",
    ]
)
# Everyday synonyms folded onto one word, so "rang" matches "called".
_SYNONYMS = {
    "rang": "call",
    "ring": "call",
    "rung": "call",
    "phon": "call",
    "phone": "call",
    "dial": "call",
    "callback": "call",
    "fix": "sort",
    "resolv": "sort",
    "solv": "sort",
    "sorted": "sort",
    "bot": "bot",
    "robot": "bot",
    "chatbot": "bot",
    "assistant": "bot",
    "technician": "engineer",
    "tech": "engineer",
    "advis": "agent",
    "advisor": "agent",
    "adviser": "agent",
    "reject": "refus",
    "rejection": "refus",
    "declin": "refus",
    "transferr": "transfer",
    "handed": "transfer",
    "pass": "transfer",
    "mail": "email",
    "emailed": "email",
    "wrote": "email",
    "dm": "social",
    "tweet": "social",
    "twitter": "social",
    "facebook": "social",
    "instagram": "social",
}
_TOKEN_RE = re.compile(r"[a-z0-9£€$][a-z0-9'£€$]*")
_WHEN_RE = re.compile(r"\b(?:when|where|the (?:bit|part|moment|day|time) (?:where|when|that))\b")
# "..., that's when I gave up": what follows is the consequence, not the moment.
_CONSEQUENCE_RE = re.compile(
    r"\b(?:that's|that is|that was|this was|which is|which was|it was) (?:when|where|the moment"
    r"|what|why)\b"
)
_SURE_MARGIN = 1.6
_SURE_SCORE = 2.0
_MIN_SCORE = 0.6
# Negations fold into one word: "didn't call" is like "nobody rang".
_NEGATIONS = frozenset(
    [
        "no",
        "not",
        "never",
        "nobody",
        "nothing",
        "none",
        "didn't",
        "don't",
        "wasn't",
        "won't",
        "couldn't",
        "can't",
        "isn't",
        "hadn't",
        "haven't",
        "hasn't",
        "doesn't",
        "wouldn't",
        "noone",
    ]
)
# A few irregular verbs, so that "driven" finds "drove".
_IRREGULAR = {
    "drove": "drive",
    "driven": "drive",
    "found": "find",
    "sent": "send",
    "paid": "pay",
    "gave": "give",
    "given": "give",
    "left": "leave",
    "lost": "lose",
    "bought": "buy",
    "brought": "bring",
    "wrote": "email",
    "written": "write",
    "spoke": "speak",
    "spoken": "speak",
    "met": "meet",
    "kept": "keep",
    "took": "take",
    "taken": "take",
}


def resolve_step_reference(
    text: str, steps: Sequence[str], *, channels: Sequence[Channel | None] | None = None
) -> StepReference:
    """Resolve an answer to "which step was the make-or-break moment?" against the steps
    told so far (their descriptions, in order; step 1 is ``steps[0]``).

    ``channels``, when given, are the steps' stored channels (same order): they tell
    which steps were calls or chats better than the descriptions alone. Never raises.
    """
    norm = normalize(text)
    count = len(steps)
    if not norm or count == 0:
        return _NO_MATCH
    if _NONE_RE.match(norm):
        return StepReference(None, True, True, "none")
    explicit = _explicit(norm, count)
    if explicit is not None:
        return StepReference(explicit, True, False, "number")
    kinds = _step_kinds(steps, channels)
    ordinal = _ordinal(norm, steps, kinds)
    if ordinal is not None:
        return ordinal
    return _by_meaning(norm, steps, kinds)


def _explicit(norm: str, count: int) -> int | None:
    for m in _EXPLICIT_RE.finditer(norm):
        raw = m["a"] or m["b"] or m["c"]
        number = int(raw) if raw.isdigit() else word_to_number(raw)
        if number is not None and 1 <= number <= count:
            return number
    return None


def _ordinal(norm: str, steps: Sequence[str], kinds: list[Channel | None]) -> StepReference | None:
    """The first ordinal of the answer, read as a step's position or as the nth contact
    of a kind; later ordinals are asides ("the second chat. well, the first one was a
    robot ...")."""
    count = len(steps)
    m = _ORDINAL_RE.search(norm)
    if m is None:
        return None
    nth = int(m["d"]) if m["d"] else _ORDINALS[m["o"]]
    rest = m["rest"] or ""
    if _STEP_NOUN_RE.match(rest):
        step = count if nth == -1 else nth
        return StepReference(step, True, False, "ordinal") if 1 <= step <= count else None
    kind = _kind_of(rest)
    if kind is None:
        return None
    starts = _steps_of_kind(kind, steps, kinds)
    index = len(starts) - 1 if nth == -1 else nth - 1
    if not 0 <= index < len(starts):
        return None
    # The contact runs from its start to the next one: the rest of the answer says which
    # of its steps ("that first call, when they told me to print it all").
    first = starts[index]
    last = starts[index + 1] - 1 if index + 1 < len(starts) else _contact_end(first, kinds)
    within = _by_meaning(norm[m.end() :], steps, kinds, among=range(first, last + 1))
    step = within.step if within.step is not None else first
    return StepReference(step, False, False, "nth of a kind")


def _contact_end(first: int, kinds: list[Channel | None]) -> int:
    """The last step of the contact that starts at step ``first`` (same channel)."""
    last = first
    while last < len(kinds) and kinds[last] == kinds[first - 1]:
        last += 1
    return last


def _kind_of(rest: str) -> str | None:
    """The kind an ordinal counts: the last kind word of the noun phrase after it ("the
    third engineer visit" counts visits)."""
    found = None
    for word in rest.split():
        stem = word.rstrip("s")
        if stem in _KINDS:
            found = stem
        elif found is not None or word not in _MODIFIERS:
            break
    return found


def _steps_of_kind(kind: str, steps: Sequence[str], kinds: list[Channel | None]) -> list[int]:
    """1-based numbers of the steps that *start* a contact of ``kind``, in order: a call
    that goes on over three steps is one call ("my second call" is the next one)."""
    wanted, words = _KINDS[kind]
    if kind == "time":
        wanted = _PEOPLE  # "the second time I spoke to someone": a person, not a web page
    pattern = re.compile(words) if words else None
    starts = re.compile(_STARTS.get(kind, words or r"$^"))
    found = []
    for i, (step, channel) in enumerate(zip(steps, kinds, strict=True)):
        text = normalize(step)
        if channel in wanted:
            previous = kinds[i - 1] if i > 0 else None
            if starts.search(text) or (previous != channel and kind not in _OWN_ONLY):
                found.append(i + 1)
        elif pattern is not None and starts.search(text):
            found.append(i + 1)
    return found


def _step_kinds(
    steps: Sequence[str], channels: Sequence[Channel | None] | None
) -> list[Channel | None]:
    if channels is not None and len(channels) == len(steps):
        return list(channels)
    return [detect_channel(normalize(step)) for step in steps]


def _by_meaning(
    norm: str,
    steps: Sequence[str],
    kinds: list[Channel | None],
    *,
    among: range | None = None,
) -> StepReference:
    """The step whose description shares the rarest words with the answer. Words in a
    "when ..." or "where ..." clause count double: that is where an answer describes the
    moment ("the call where she got us on the 2pm boat"). ``among``: 1-based step
    numbers to choose from (all by default)."""
    weights = _answer_weights(norm)
    if not weights:
        return _NO_MATCH
    documents = [
        set(_tokens(normalize(step))) | _channel_tokens(kind)
        for step, kind in zip(steps, kinds, strict=True)
    ]
    frequency = Counter(token for document in documents for token in document)
    total = len(documents)
    candidates = list(among) if among is not None else list(range(1, total + 1))
    scores = {
        number: sum(
            weight * math.log((total + 1) / (frequency[token] + 0.5))
            for token, weight in weights.items()
            if token in documents[number - 1]
        )
        for number in candidates
    }
    best = max(candidates, key=lambda number: (scores[number], -number))
    ranked = sorted(scores.values(), reverse=True)
    if ranked[0] < _MIN_SCORE:
        return _NO_MATCH
    runner_up = ranked[1] if len(ranked) > 1 else 0.0
    sure = ranked[0] >= _SURE_MARGIN * max(runner_up, 0.5) and ranked[0] >= _SURE_SCORE
    return StepReference(best, sure, False, "words")


def _answer_weights(norm: str) -> dict[str, float]:
    """Each answer word's weight: 2 in the clause that describes the moment ("when ..."),
    half in its consequence ("..., that's when I gave up"), 1 elsewhere; the channel the
    answer names counts half (a call or a chat is a weak pointer on its own)."""
    consequence = _CONSEQUENCE_RE.search(norm)
    head = norm[: consequence.start()] if consequence else norm
    weights = dict.fromkeys(_tokens(head), 1.0)
    clause = _WHEN_RE.search(head)
    if clause is not None:
        weights.update(dict.fromkeys(_tokens(head[clause.end() :]), 2.0))
    if consequence is not None:
        for token in _tokens(norm[consequence.end() :]):
            weights.setdefault(token, 0.5)
    for token in _channel_tokens(detect_channel(norm)):
        weights[token] = 0.5
    return weights


def _channel_tokens(channel: Channel | None) -> set[str]:
    if channel is None or channel is Channel.NONE:
        return set()
    return {"channel:" + channel.value}


@lru_cache(maxsize=4096)
def _stem(word: str) -> str:
    word = word.strip("'")
    if word in _NEGATIONS:
        return "not"
    word = _IRREGULAR.get(word, word)
    if word in _SYNONYMS:
        return _SYNONYMS[word]
    for suffix in ("ing", "ed", "es", "s", "ly"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            word = word[: -len(suffix)]
            break
    word = word[:-1] if len(word) > 4 and word.endswith("e") and not word.endswith("ee") else word

    return _SYNONYMS.get(word, word)


def _tokens(norm: str) -> list[str]:
    return [
        _stem(word)
        for word in _TOKEN_RE.findall(norm)
        if (word not in _STOP or word in _NEGATIONS) and len(word) > 1 and not word.isdigit()
    ]
