"""Chat, social and imported text cleaned for matching and embedding, never for quoting.

Short public posts and chat answers carry words that say nothing about the journey but
are repeated enough to steer a clusterer: the brand's @handle, links, order and ticket
numbers, e-mail addresses, signatures ("Sent from my iPhone", "- Sam"), emoji. They
are removed here before any cue matching or embedder; quotes are always taken from the
stored message, verbatim, so nothing shown to a reader is ever this cleaned text.
"""

from __future__ import annotations

import re
import unicodedata

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_HANDLE = re.compile(r"(?<!\w)[@#][A-Za-z0-9_]{2,}")
# Order, ticket, account and reference numbers: digits mixed with letters or long runs.
_REFERENCE = re.compile(r"\b(?=[A-Za-z0-9-]*\d)[A-Za-z0-9]*\d[A-Za-z0-9-]{4,}\b")
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
    for pattern in (_URL, _EMAIL, _HANDLE, _REFERENCE):
        cleaned = pattern.sub(" ", cleaned)
    cleaned = "".join(
        char if not unicodedata.category(char).startswith("S") else " " for char in cleaned
    )
    return _SPACES.sub(" ", cleaned).strip()
