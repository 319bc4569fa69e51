"""Chat, social and imported text cleaned for matching and embedding, never for quoting.

Short public posts and chat answers carry words that say nothing about the journey but
are repeated enough to steer a clusterer: the brand's @handle, links, order and ticket
numbers, e-mail addresses, signatures ("Sent from my iPhone", "- Sam"), emoji. They
are removed here before any cue matching or embedder; quotes are always taken from the
stored message, verbatim, so nothing shown to a reader is ever this cleaned text.
"""

from __future__ import annotations

import re

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<!\w)[@#][A-Za-z0-9_]{2,}")
# Order, ticket and case numbers after their word ("order A12345", "ref: 88123-X"; the
# word stays), and long runs of digits (phone and account numbers). A token with digits
# elsewhere ("1099-C", "W2") may be the complaint itself, so it stays.
_REFERENCE = re.compile(
    r"(\b(?:order|ticket|ref|reference|case|booking|confirmation)\b\W{0,3})[A-Za-z]*\d[\w-]{3,}",
    re.IGNORECASE,
)
_DIGIT_RUN = re.compile(r"\b\d[\d ]{6,}\d\b")
# Sign-offs at the end of a message: "Sent from my iPhone", "-- Sam", "- Sam",
# "Thanks,\nSam" (a closing word on one line and a short name on the last).
_SIGNATURES = (
    re.compile(r"\bsent from my [\w ]{1,30}$", re.IGNORECASE),
    re.compile(r"(?:^|\n)\s*--?\s*[A-Za-z][\w .]{0,30}$"),
    re.compile(
        r"(?:^|\n)\s*(?:thanks|thank you|regards|cheers|best)[!,.]?\s*\n\s*[A-Za-z][\w .]{0,30}$",
        re.IGNORECASE,
    ),
)
# Emoji, pictographs, arrows, dingbats, their joiners and selectors, and the currency and
# trademark signs: symbols that carry no words (one character class: a per-character
# Unicode category test was the slowest part of cleaning 50k steps).
_SYMBOLS = re.compile(
    "[\u00a2-\u00a9\u00ae\u00b0\u20a0-\u20cf\u2100-\u2bff\u2e00-\u2e7f"
    "\u3000-\u303f\ufe00-\ufe0f\u200b-\u200f\U0001f000-\U0001faff]+"
)
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"', "–": "-", "—": "-"})
_SPACES = re.compile(r"\s+")


def clean_for_matching(text: str) -> str:
    """Lower-case ``text`` without links, addresses, handles, reference numbers,
    signatures, emoji and other symbols; straight quotes; single spaces."""
    return strip_noise(text).lower()


def strip_noise(text: str) -> str:
    """``text`` without links, addresses, handles, reference numbers, signatures, emoji
    and other symbols, case kept (for names made of customers' words)."""
    cleaned = text.translate(_QUOTES).strip()
    for signature in _SIGNATURES:
        cleaned = signature.sub(" ", cleaned)
    for pattern in (_URL, _EMAIL, _HANDLE, _DIGIT_RUN):
        cleaned = pattern.sub(" ", cleaned)
    cleaned = _REFERENCE.sub(r"\1 ", cleaned)
    cleaned = _SYMBOLS.sub(" ", cleaned)
    return _SPACES.sub(" ", cleaned).strip()
