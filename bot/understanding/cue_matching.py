"""Small matching helpers shared by the parsers: overlapping hits and negation scope."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Hit(Generic[T]):
    """One rule match: where it is in the normalised text and what it means."""

    start: int
    end: int
    value: T


def select_hits(hits: Iterable[Hit[T]]) -> list[Hit[T]]:
    """Keep non-overlapping hits, earliest first and, at the same start, longest first.

    Rules are written as independent regexes; this is what lets a longer, more specific
    phrase ("video call", "email address", "someone called Dave") shadow the short,
    generic cue inside it ("call", "email", "called") without lookbehinds everywhere.
    """
    chosen: list[Hit[T]] = []
    last_end = -1
    for hit in sorted(hits, key=lambda h: (h.start, -(h.end - h.start))):
        if hit.start >= last_end:
            chosen.append(hit)
            last_end = hit.end
    return chosen


# A negation only reaches forward inside its clause; these words and marks end a clause.
_CLAUSE_BREAK_RE = re.compile(
    r"[.,;:!?()\n\"]|\s-\s|\b(?:but|so|then|and|because|though|although|while|which|when|"
    r"how|what|who|until|till|after|before|just)\b"
)
# "never-ending" is a kind of call, not a negation.
_NEGATOR_RE = re.compile(
    r"\b(?:not|no|never(?!-)|without|hardly|barely|nor|neither|instead of|rather than)\b|n't\b"
)
_WORD_RE = re.compile(r"[\w'/]+(?:-[\w'/]+)*")


def clause_before(text: str, start: int, *, max_chars: int = 60) -> str:
    """The part of the clause that precedes ``start`` (at most ``max_chars`` characters)."""
    window = text[max(0, start - max_chars) : start]
    breaks = list(_CLAUSE_BREAK_RE.finditer(window))
    if breaks:
        window = window[breaks[-1].end() :]
    return window


def is_negated(text: str, start: int, *, max_words: int = 3) -> bool:
    """Whether a negator sits within ``max_words`` words before ``start``, same clause.

    "didn't call" and "not very happy" are negated; "no one answered the phone" is not
    (the negator is too far away), nor is "didn't help, so I called" (clause break).
    """
    window = clause_before(text, start)
    words = _WORD_RE.findall(window)[-max_words:]
    return bool(words) and _NEGATOR_RE.search(" ".join(words)) is not None
