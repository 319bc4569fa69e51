"""Numbers written as digits or words ("twenty-five", "a couple", "half an").

The words and their values are data: lexicons/numbers.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import NumbersLexicon


@dataclass(frozen=True)
class _NumberWords:
    """lexicons/numbers.yaml, with the regex that finds its words."""

    units: Mapping[str, int]
    tens: Mapping[str, int]
    vague: Mapping[str, int]
    pattern: str


@cache
def _number_words() -> _NumberWords:
    """Read numbers.yaml (once per process)."""
    lexicon = load_lexicon("numbers", NumbersLexicon)
    units, tens = lexicon.units, lexicon.tens
    pattern = (
        r"(?:(?:"
        + "|".join(tens)
        + r")(?:[- ](?:"
        + "|".join(k for k in units if units[k] < 10)
        + r"))?|"
        + "|".join(sorted(units, key=len, reverse=True))
        + r"|a hundred|hundred)"
    )
    return _NumberWords(units=units, tens=tens, vague=lexicon.vague_quantities, pattern=pattern)


def number_word_pattern() -> str:
    """A regex alternative matching every number word form understood by word_to_number.

    Built from numbers.yaml on first use; patterns that embed it are built lazily too.
    """
    return _number_words().pattern


def word_to_number(word: str) -> int | None:
    """Convert "seven", "twenty-five", "forty two", "a hundred" to an int; else None."""
    words = _number_words()
    units = words.units
    word = word.strip().replace("-", " ")
    if word in units:
        return units[word]
    if word in ("hundred", "a hundred"):
        return 100
    parts = word.split()
    if parts and parts[0] in words.tens:
        total = words.tens[parts[0]]
        if len(parts) == 2 and parts[1] in units and units[parts[1]] < 10:
            return total + units[parts[1]]
        if len(parts) == 1:
            return total
    return None


def to_number(token: str) -> float | None:
    """Digits ("1.5", "1,5", ".5") or a number word, as a float; else None."""
    token = token.strip()
    if not token:
        return None
    cleaned = token
    if "," in cleaned:
        head, _, tail = cleaned.partition(",")
        # "1,5 hours" is a decimal comma; "1,000" a thousands separator.
        cleaned = head + tail if len(tail) == 3 else head + "." + tail
    try:
        return float(cleaned)
    except ValueError:
        pass
    vague = _number_words().vague
    if token in vague:
        # The lexicon holds "a couple: 2" as an int; callers rely on a float (is_integer).
        return float(vague[token])
    if token in ("a", "an"):
        return 1.0
    value = word_to_number(token)
    return None if value is None else float(value)


def round_half_up(value: float) -> int:
    """Round .5 up (Python's round() rounds half to even: 2.5 -> 2)."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)
