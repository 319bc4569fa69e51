"""Names a researcher would write for a group of customer texts: a short phrase taken
from the group's most typical text, never a keyword triple."""

from __future__ import annotations

import re
from collections.abc import Sequence

import numpy as np
from numpy.typing import NDArray

from synthesis.text_cleaning import strip_noise

MAX_WORDS = 8
# Where a phrase ends: at a clause's punctuation; in a clause still too long, before a
# conjunction (when at least ``MIN_WORDS`` words come first).
_CLAUSE = re.compile(r"[,;:.!?]+(?:\s+|$)")
_CONJUNCTION = re.compile(r"\s+(?:and|but|because|which|while|although)\s+", re.I)
MIN_WORDS = 3
# A first clause opening with one of these only sets the scene ("When you send a
# reading, the bill must use it"): the point is in the clause after it.
_SCENE_SETTERS = frozenset({"when", "if", "because", "as", "since", "although", "while", "after"})
# A point that refers back to its scene ("the bill must use it") keeps the scene, up to
# this many words in all.
_POINTS_BACK = re.compile(r"\b(?:it|they|them|this|that|there|then)\b", re.I)
MAX_WITH_SCENE = 12


def representative_phrase(texts: Sequence[str], vectors: NDArray[np.float64]) -> str:
    """The text nearest the group's centre (ties: the shorter, then the first), cut to
    its first clause of at most ``MAX_WORDS`` words, capitalised, without noise."""
    if not texts:
        return ""
    centre = vectors.mean(axis=0)
    closeness = vectors @ centre
    best = min(
        range(len(texts)),
        key=lambda i: (-round(float(closeness[i]), 6), len(texts[i]), i),
    )
    return short_phrase(texts[best])


def short_phrase(text: str) -> str:
    """``text``'s first clause, at most ``MAX_WORDS`` words (an ellipsis when cut)."""
    cleaned = strip_noise(text).strip(" .!?,;:-")
    clauses = [c.strip(" .!?,;:-") for c in _CLAUSE.split(cleaned) if c.strip(" .!?,;:-")]
    clause = clauses[0] if clauses else ""
    first_word = clause.split()[0].casefold() if clause.split() else ""
    if first_word in _SCENE_SETTERS and len(clauses) > 1:
        # The point, unless it only makes sense with its scene ("..., the bill must use
        # it"): then both, when they are short together.
        both = f"{clause}, {clauses[1]}"
        if _POINTS_BACK.search(clauses[1]) and len(both.split()) <= MAX_WITH_SCENE:
            return both[:1].upper() + both[1:]
        clause = clauses[1]
    if len(clause.split()) < MIN_WORDS - 1:  # "e.g." or "OK." is not a phrase
        clause = cleaned
    if len(clause.split()) > MAX_WORDS:
        head = _CONJUNCTION.split(clause, maxsplit=1)[0]
        if len(head.split()) >= MIN_WORDS:
            clause = head
    words = clause.split()
    phrase = " ".join(words[:MAX_WORDS]) + ("…" if len(words) > MAX_WORDS else "")
    return phrase[:1].upper() + phrase[1:]
