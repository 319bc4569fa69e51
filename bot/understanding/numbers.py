"""Numbers written as digits or words ("twenty-five", "a couple", "half an")."""

from __future__ import annotations

_UNITS: dict[str, int] = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS: dict[str, int] = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fourty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}

# Conventions for vague quantities (documented in the package docstring): a couple = 2,
# a few = 3, several = 4; "a few/several minutes" is special-cased to 5 by the caller.
VAGUE_QUANTITIES: dict[str, float] = {
    "a couple of": 2,
    "a couple": 2,
    "couple of": 2,
    "couple": 2,
    "a few": 3,
    "few": 3,
    "several": 4,
    "a dozen": 12,
    "dozen": 12,
}

# A regex alternative matching every number word form understood by word_to_number.
NUMBER_WORD_PATTERN = (
    r"(?:(?:"
    + "|".join(_TENS)
    + r")(?:[- ](?:"
    + "|".join(k for k in _UNITS if _UNITS[k] < 10)
    + r"))?|"
    + "|".join(sorted(_UNITS, key=len, reverse=True))
    + r"|a hundred|hundred)"
)


def word_to_number(word: str) -> int | None:
    """Convert "seven", "twenty-five", "forty two", "a hundred" to an int; else None."""
    word = word.strip().replace("-", " ")
    if word in _UNITS:
        return _UNITS[word]
    if word in ("hundred", "a hundred"):
        return 100
    parts = word.split()
    if parts and parts[0] in _TENS:
        total = _TENS[parts[0]]
        if len(parts) == 2 and parts[1] in _UNITS and _UNITS[parts[1]] < 10:
            return total + _UNITS[parts[1]]
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
    if token in VAGUE_QUANTITIES:
        return VAGUE_QUANTITIES[token]
    if token in ("a", "an"):
        return 1.0
    value = word_to_number(token)
    return None if value is None else float(value)


def round_half_up(value: float) -> int:
    """Round .5 up (Python's round() rounds half to even: 2.5 -> 2)."""
    return int(value + 0.5) if value >= 0 else -int(-value + 0.5)
