"""Pain points named in an answer, as ``Pain`` keys (plus guide-defined extra keys).

The cues of the built-in pains are data: lexicons/pains.yaml. Two rules are code:
``long_wait`` only where a wait hurt (:mod:`bot.understanding.waits`), a pain the
customer only expects or fears ("I'll probably be passed around again") is not one, and
an answer that opens with a plain no and says it was fine ("No, the transfer was fine")
names none, whatever words it uses. All pains of an answer are returned, in order of
first mention.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache

from bot.understanding.cue_matching import clause_before, is_negated
from bot.understanding.first_chars import bucketed_alternation
from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import PainsLexicon
from bot.understanding.waits import hurt_wait, wait_named_as_pain

# (pain key, pattern, honour negation), in the order of pains.yaml.
_Rule = tuple[str, re.Pattern[str], bool]


@dataclass(frozen=True)
class _Rules:
    """lexicons/pains.yaml compiled: one pattern per pain, and one that finds any."""

    rules: tuple[_Rule, ...]
    any_pain: re.Pattern[str]


@cache
def _rules() -> _Rules:
    """Read pains.yaml (once per process) and compile each pain's cues."""
    pains = load_lexicon("pains", PainsLexicon).pains
    rules = tuple(
        (str(pain), re.compile(r"\b(?:" + "|".join(entry.cues) + r")\b"), entry.negatable)
        for pain, entry in pains.items()
    )
    # Every cue in one alternation, grouped by its first letter, used to find *where*
    # some pain starts; each rule is then tried at that position only.
    every_cue = (cue for entry in pains.values() for cue in entry.cues)
    any_pain = re.compile(r"(?<!\w)(?=\w)" + bucketed_alternation(every_cue))

    return _Rules(rules=rules, any_pain=any_pain)


@lru_cache(maxsize=64)
def _extra_rules(
    items: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    rules = []
    for key, phrases in items:
        cleaned = [" ".join(p.lower().split()) for p in phrases if p and p.strip()]
        if not cleaned:
            continue
        body = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in cleaned)
        rules.append((key, re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")))
    return tuple(rules)


def freeze_extra(
    extra: Mapping[str, Sequence[str]] | None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hashable, order-stable form of guide-defined extra pains (for caching)."""
    if not extra:
        return ()
    frozen = []
    for key, phrases in extra.items():
        if isinstance(phrases, str):
            phrases = (phrases,)  # a lone phrase instead of a list: accept it
        frozen.append((str(key), tuple(str(p) for p in phrases)))
    return tuple(frozen)


_LONG_WAIT = "long_wait"
# Fears and expectations: "I'll be passed around again", "probably another wait".
_HYPOTHETICAL_RE = re.compile(
    r"\b(?:will|'ll|going to|gonna|probably|bet|if|in case|afraid|worried|dreading|end up|expect(?"
    r":ed|"
    r"ing)?|would|might|hope|hoping)\b(?: [\w']+){0,4}\s*$"
)


def _hypothetical(norm: str, start: int) -> bool:
    return _HYPOTHETICAL_RE.search(clause_before(norm, start, max_chars=50)) is not None


# "No, ...", "Nope.", "Not really -": a plain no, or "no problem(s)" that says it all.
_PLAIN_NO_RE = re.compile(
    r"^\W*(?:(?:no|nope|nah|not really|not at all)\s*[,.!;:-]|"
    r"(?P<fine>no (?:problems?|issues?|complaints?))\b)"
)
# What the rest says: it was fine ("they were kind", "it was normal", "the right people").
_FINE_RE = re.compile(
    r"\b(?:fine|normal|ok|okay|alright|all right|good|great|kind|nice|lovely|friendly|polite|"
    r"helpful|patient|quick|smooth|easy|no (?:problems?|issues?|complaints?)|right (?:people|"
    r"person|team|thing|move|call)|as (?:expected|promised|they said)|when they said|on time|"
    r"expected)\b"
)
# Unless it goes on to a "but": "No, the wait was fine, but the agent was rude."
_CONTRAST_RE = re.compile(
    r"\b(?:but|except|apart from|aside from|other than|though|although|however|only (?:that|thing)|"
    r"just that|still|yet|until|even if|even so|whereas)\b"
)


def says_no_pain(norm: str) -> bool:
    """Whether normalised ``norm`` opens with a plain no and says it was fine, with no
    "but" after ("No, they were kind", "No problem with the form", "No, it was normal"):
    it names no pain, even where it names what could have been one ("No, the transfer
    was fine")."""
    opened = _PLAIN_NO_RE.match(norm)
    if opened is None or _CONTRAST_RE.search(norm):
        return False
    if opened.group("fine"):
        return True
    # "No, it wasn't ok" is no denial.
    return any(
        not is_negated(norm, fine.start(), max_words=2)
        for fine in _FINE_RE.finditer(norm, opened.end())
    )


def pains_from_normalized(
    norm: str, *, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> tuple[str, ...]:
    """Pain keys in order of first mention, deduplicated."""
    if not norm or says_no_pain(norm):
        return ()
    built_in = _rules()
    first: dict[str, int] = {}
    position = 0
    while len(first) < len(built_in.rules) + len(extra):
        found = built_in.any_pain.search(norm, position)
        if found is None:
            break
        start = found.start()
        # Overlapping pains are all kept ("promised a callback that never came" is both a
        # broken promise and no follow-up).
        for key, pattern, negatable in built_in.rules:
            if key in first or pattern.match(norm, start) is None:
                continue
            if (negatable and is_negated(norm, start)) or _hypothetical(norm, start):
                continue
            first[key] = start
        position = start + 1
    if _LONG_WAIT not in first:
        waited = hurt_wait(norm)
        if waited is not None:
            first[_LONG_WAIT] = waited
    for key, pattern in _extra_rules(extra):
        for m in pattern.finditer(norm):
            if is_negated(norm, m.start()):
                continue
            if key not in first or m.start() < first[key]:
                first[key] = m.start()
            break
    return tuple(sorted(first, key=lambda k: first[k]))


_NO_FOLLOW_UP = "no_follow_up"
# A promise to reply by a time: "site promises a reply in 24h", "auto reply promised 48h",
# "the form said reply in 5 working days",
# "their 'we reply within 24 hours' promise", "she promised to answer in two days".
_TIME = (
    r"(?:within|in|by) (?:\d+|a|an|one|two|three|four|five|seven|ten|24|48|72)\b|"
    r"\d+ ?(?:h|hrs?|hours?|days?|working days)\b"
)
_REPLY = r"(?:reply|replies|answer|answers|respond|response|call ?back|get back|be in touch|hear)"
_PROMISE = r"(?:promise[sd]?|promising|guarantee[sd]?|said|says)"
_PROMISED_REPLY_RE = re.compile(
    rf"\b{_PROMISE}\b[^.!?]{{0,50}}?\b{_REPLY}\b[^.!?]{{0,30}}?(?:{_TIME})|"
    rf"\b{_REPLY}\b[^.!?]{{0,30}}?(?:{_TIME})[^.!?]{{0,20}}?\b{_PROMISE}\b|"
    rf"\b{_REPLY}\b[^.!?]{{0,20}}?\b{_PROMISE}\b[^.!?]{{0,20}}?(?:{_TIME})"
)
# ... unless the same sentence says it was kept: "as promised", "and it came on time".
_PROMISE_KEPT_RE = re.compile(
    r"\b(?:as (?:promised|they said)|on time|kept (?:their|the|to (?:their|the)|her|his) |"
    r"(?:and|which) (?:it|they|she|he) did\b|came (?:on time|when)|(?:came|arrived) the next day)"
)


def named_when_asked(norm: str) -> tuple[str, ...]:
    """Pains an answer to "did anything get in the way?" names by naming what they are
    about, beyond :func:`pains_from_normalized`: the wait ("The four days.", "the
    silence", ``long_wait``), or a promise to reply ("site promises a reply in 24h",
    ``no_follow_up``): asked what got in the way, naming it is saying it was broken. A
    plain no that says it was fine names none."""
    if says_no_pain(norm):
        return ()
    named: list[str] = []
    if wait_named_as_pain(norm) is not None:
        named.append(_LONG_WAIT)
    for sentence in re.finditer(r"[^.!?]+", norm):
        text = sentence.group()
        if _PROMISED_REPLY_RE.search(text) and not _PROMISE_KEPT_RE.search(text):
            named.append(_NO_FOLLOW_UP)
            break
    return tuple(named)
