"""Text clean-up shared by every parser: one canonical, lower-case form of a chat answer.

Customers type on phones: curly apostrophes, dashes, missing apostrophes ("didnt"),
doubled spaces, the odd typo. Every rule downstream is written against the output of
:func:`normalize`, so the rules stay simple and only this module knows about the mess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import TyposLexicon

# Long pastes are cut rather than rejected: a chat answer longer than this is a transcript
# dump, and the first part is where the customer answers the question that was asked.
MAX_CHARS = 20_000

_PUNCT_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "½": ".5",
        "¼": ".25",
        "¾": ".75",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)


@dataclass(frozen=True)
class _Typos:
    """lexicons/typos.yaml: misspelling -> word, and the pattern that finds them."""

    fixes: Mapping[str, str]
    pattern: re.Pattern[str]


@cache
def _typos() -> _Typos:
    """Read typos.yaml (once per process)."""
    fixes = load_lexicon("typos", TyposLexicon).typos
    pattern = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, fixes)) + r")(?![\w'])")
    return _Typos(fixes=fixes, pattern=pattern)


_SPACES_RE = re.compile(r"[ \t\r\f\v]+")


def _clean_char(ch: str) -> str:
    # Control and format characters (zero-width joiners, BOMs, NULs) carry no meaning
    # for us and break word boundaries; line breaks are kept as clause ends.
    if ch == "\n":
        return ch
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Zl", "Zp"):
        return " "
    return ch


def normalize(text: str) -> str:
    """Return ``text`` in the canonical form every rule matches against.

    Lower-cased, typographic quotes and dashes made ASCII, control characters turned
    into spaces, common texting contractions and typos repaired, runs of spaces
    collapsed. Never raises; non-``str`` input is not expected but is stringified.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = text.translate(_PUNCT_MAP)
        text = "".join(_clean_char(ch) for ch in text)
    elif any(ord(ch) < 32 for ch in text):
        text = "".join(_clean_char(ch) for ch in text)
    text = text.lower()
    typos = _typos()
    text = typos.pattern.sub(lambda m: typos.fixes[m.group(1)], text)
    return _SPACES_RE.sub(" ", text).strip()
