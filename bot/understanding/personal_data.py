"""Personal data in free text: found and replaced by readable placeholders.

Used wherever customer words leave the stored transcript: the copy sent to a language
model, every journey-map output and every interview export. The transcript itself keeps
what the customer wrote. Each kind is replaced by a placeholder (``[email]``, ``[phone]``,
``[card]``, ``[iban]``, ``[name]``) so a reader still sees that the customer gave one,
which is often part of the story ("I sent them my card number twice").

Card numbers are redacted only when they pass the Luhn check and IBANs only when they
pass the ISO 13616 mod-97 check, so order numbers stay readable. Phone numbers are found
with libphonenumber (the ``phonenumbers`` package) for the configured regions, which
knows national formats and leaves dates, prices and durations alone.

Names are the ones customers give for themselves: "my name is Ana", "I'm Ana Lima",
"this is Ana" opening a message, a sign-off ("Thanks, Ana", "- Ana" ending a line).
:func:`given_names` collects them from all of a person's texts, so that :func:`redact`
can also mask the name where it appears alone ("Ana here again"). Names of other people
(the agent "Sam") are part of the journey and stay.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import cache

from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import NotNamesLexicon

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,30}\b")
# 13-19 digits, optionally grouped by spaces or dashes, as people type card numbers.
_CARD = re.compile(r"(?<![\d+])\d(?:[ \-]?\d){12,18}(?!\d)")
# Written with a country code, a number is a phone number even where libphonenumber
# does not know the range (fiction and test ranges, new allocations).
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d(?:[ \-.()]?\d){6,14}(?!\d)")
# No phone number, card or IBAN has fewer digits: texts without them skip the matchers.
_MIN_DIGITS = 6
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IN")

# A name word: letters, with inner apostrophes or hyphens (O'Brien, Anne-Marie).
_WORD = r"[^\W\d_]+(?:['’\-][^\W\d_]+)*"
_NAME = rf"(?P<name>{_WORD}(?:[ \t]+{_WORD})?)"
# "my name is ana" counts in any case; the softer introductions only with a capital.
_EXPLICIT = re.compile(
    rf"\b(?:my\s+(?:first\s+|full\s+|last\s+)?name(?:'s|’s|\s+is)|name\s*:|"
    rf"i(?:'m|’m|\s+am)\s+called|call\s+me)\s+{_NAME}",
    re.IGNORECASE,
)
_INTRODUCTION = re.compile(
    rf"(?:\bi(?:'m|’m|\s+am)|"
    rf"(?:^|(?<=[.!?\n])|\b(?:hi|hello|hey|dear|morning)\b[,!.]?)\s*"
    rf"(?:this\s+is|it(?:'s|’s|\s+is))|\bim)\s+{_NAME}",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"\b(?:thanks|thank\s+you|thx|ta|cheers|regards|best|best\s+wishes|kind\s+regards|"
    r"many\s+thanks|sincerely|yours|bye)\s*[,.!:\-–—]*\s+" + _NAME + r"[ \t]*[.!]*[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)
_DASH_SIGNATURE = re.compile(rf"(?:^|\s)[-–—~]+[ \t]*{_NAME}[ \t]*$", re.MULTILINE)
_NAME_PATTERNS = (_EXPLICIT, _INTRODUCTION, _SIGN_OFF, _DASH_SIGNATURE)
_MIN_NAME = 2

Substitute = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Redacted:
    """The redacted text and how many of each kind were replaced."""

    text: str
    counts: dict[str, int]


def given_names(texts: Iterable[str]) -> frozenset[str]:
    """The names the writer of ``texts`` gave for themselves, one word each ("Ana",
    "Lima"), with the capitalised form of a name typed in lower case."""
    found: set[str] = set()
    for text in texts:
        for pattern in _NAME_PATTERNS:
            for match in pattern.finditer(text):
                words = _name_words(match, pattern)
                found.update(words)
                found.update(w[:1].upper() + w[1:] for w in words)
    return frozenset(found)


def redact(
    text: str,
    *,
    names: Collection[str] = (),
    phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS,
) -> Redacted:
    """``text`` with emails, IBANs, card numbers, phone numbers and self-given names
    replaced by placeholders.

    ``names`` (from :func:`given_names` over the same person's texts) are masked wherever
    they appear as whole words, besides the names this text itself introduces.
    ``phone_regions`` are the ISO country codes whose national number formats count as
    phone numbers (numbers written with ``+`` are found whatever the region).
    """
    counts: dict[str, int] = {}
    out = _EMAIL.sub(_placeholder("email", counts), text) if "@" in text else text
    if sum(ch.isdigit() for ch in out) >= _MIN_DIGITS:
        out = _IBAN.sub(_iban_placeholder(counts), out)
        out = _CARD.sub(_placeholder("card", counts, _luhn_ok), out)
        out = _redact_phones(out, phone_regions, counts)
    out = _redact_names(out, names, counts)
    return Redacted(text=out, counts=counts)


def _name_words(match: re.Match[str], pattern: re.Pattern[str]) -> list[str]:
    """The name's words in a match, or none when it is no name: a common word first, a
    name not capitalised (except after "my name is"), or a signature with a word in
    lower case ("- Two hours" ends a line but signs nothing)."""
    not_names = _not_names()
    words = match.group("name").split()
    first = words[0]
    if first.lower() in not_names or len(first) < _MIN_NAME:
        return []
    capitalised = [w[:1].isupper() and w.lower() not in not_names for w in words]
    if pattern in (_SIGN_OFF, _DASH_SIGNATURE) and not all(capitalised):
        return []
    if pattern is not _EXPLICIT and not capitalised[0]:
        return []
    rest = [w for w, ok in zip(words[1:], capitalised[1:], strict=True) if ok]
    return [first, *(w for w in rest if len(w) >= _MIN_NAME)]


@cache
def _not_names() -> frozenset[str]:
    return frozenset(load_lexicon("not_names", NotNamesLexicon).words)


def _redact_names(text: str, names: Collection[str], counts: dict[str, int]) -> str:
    spans: list[tuple[int, int]] = []
    for pattern in _NAME_PATTERNS:
        for match in pattern.finditer(text):
            words = _name_words(match, pattern)
            if words:
                start = match.start("name")
                end = start + match.group("name").index(words[-1]) + len(words[-1])
                spans.append((start, end))
    wanted = set(names) | set(given_names([text]))
    if wanted:
        alternatives = "|".join(re.escape(n) for n in sorted(wanted, key=len, reverse=True))
        whole = re.compile(rf"(?<![\w\[])(?:{alternatives})(?![\w\]])")
        spans.extend((m.start(), m.end()) for m in whole.finditer(text))
    return _replace_spans(text, spans, "name", counts)


def _replace_spans(
    text: str, spans: Iterable[tuple[int, int]], kind: str, counts: dict[str, int]
) -> str:
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(set(spans)):
        if start < cursor:  # overlapping finds: keep the first
            continue
        pieces.append(text[cursor:start])
        pieces.append(f"[{kind}]")
        counts[kind] = counts.get(kind, 0) + 1
        cursor = end
    if not pieces:
        return text
    pieces.append(text[cursor:])
    return "".join(pieces)


def _placeholder(
    kind: str, counts: dict[str, int], check: Callable[[str], bool] | None = None
) -> Substitute:
    def substitute(match: re.Match[str]) -> str:
        found = match.group(0)
        if check is not None and not check(found):
            return found
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    return substitute


def _iban_placeholder(counts: dict[str, int]) -> Substitute:
    """An IBAN is found with whatever follows it in the same case ("DE89 3704 ... 00 for"
    in "... 00 for the refund" typed in lower case): the longest valid IBAN among the
    find's space-separated starts is replaced, the rest kept."""

    def substitute(match: re.Match[str]) -> str:
        found = match.group(0)
        ends = [i for i, ch in enumerate(found) if ch == " "] + [len(found)]
        for end in reversed(ends):
            if _iban_ok(found[:end]):
                counts["iban"] = counts.get("iban", 0) + 1
                return "[iban]" + found[end:]
        return found

    return substitute


def _luhn_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "").upper()
    if not 15 <= len(compact) <= 34 or not compact[2:4].isdigit():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _redact_phones(text: str, regions: Sequence[str], counts: dict[str, int]) -> str:
    import phonenumbers  # when a text has digits: not for `journeyline --help`

    spans = {(m.start(), m.end()) for m in _INTERNATIONAL.finditer(text)}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            spans.add((match.start, match.end))
    return _replace_spans(text, spans, "phone", counts)
