"""One scan for many cue patterns, fast: each alternative guarded by the characters it can
start with.

Python's ``re`` tries every alternative of an alternation at every position. Most cue
patterns start with one of a few letters ("rang", "rung", "ring ..." start with ``r``), so
a lookahead on those letters makes a failing alternative cost one character test instead
of a walk into its branches. The first characters are read from the pattern's own parse
tree; a pattern that can start with anything (``\\w+ app``) is left unguarded, which is
always correct, only slower.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable, Sequence
from typing import Any

# The regular-expression parser's own modules (private: typeshed describes them in some
# versions and not in others, so they are loaded by name and used untyped).
sre: Any = importlib.import_module("re._constants")
sre_parse: Any = importlib.import_module("re._parser")

# Parse-tree nodes that match no character: skipped when looking for the first one.
_ZERO_WIDTH = frozenset({sre.AT, sre.ASSERT, sre.ASSERT_NOT})


class _Anything(Exception):
    """The pattern can start with a character we do not enumerate (\\w, ., a negation)."""


def first_chars(pattern: str) -> frozenset[str] | None:
    """The characters a match of ``pattern`` can start with; None when any (or unknown)."""
    try:
        chars, can_be_empty = _first(sre_parse.parse(pattern).data)
    except (_Anything, re.error, RecursionError):
        return None
    return None if can_be_empty else frozenset(chars)


def guarded(pattern: str) -> str:
    """``pattern`` behind a lookahead on the characters it can start with."""
    chars = first_chars(pattern)
    if chars is None:
        return f"(?:{pattern})"
    return "(?=[" + "".join(map(_in_class, sorted(chars))) + f"])(?:{pattern})"


def guarded_alternation(patterns: Sequence[str], *, prefix: str = "") -> str:
    """``prefix(?:(?P<c0>...)|(?P<c1>...)|...)`` with each alternative guarded by a
    lookahead on its first characters. Group ``c{i}`` is ``patterns[i]``."""
    parts = [f"(?P<c{index}>{guarded(pattern)})" for index, pattern in enumerate(patterns)]
    return prefix + "(?:" + "|".join(parts) + ")"


def bucketed_alternation(patterns: Iterable[str]) -> str:
    """One alternation of ``patterns`` grouped by the character they start with:
    ``(?:(?=a)(?:p1|p2)|(?=b)(?:p3)|...|p_any)``. At a position only the group of its
    character is tried (a pattern with several first characters is in each of their
    groups; one that can start with anything is tried everywhere), which is much faster
    than a lookahead per pattern when there are hundreds. Groups only, no names: for
    finding *where* one of the patterns matches."""
    groups: dict[str, list[str]] = {}
    anywhere: list[str] = []
    for pattern in patterns:
        chars = first_chars(pattern)
        if chars is None:
            anywhere.append(f"(?:{pattern})")
            continue
        for ch in chars:
            groups.setdefault(ch, []).append(f"(?:{pattern})")
    parts = [f"(?={_in_class(ch)})(?:{'|'.join(group)})" for ch, group in sorted(groups.items())]
    return "(?:" + "|".join([*parts, *anywhere]) + ")"


def _in_class(ch: str) -> str:
    return "\\" + ch if ch in "\\]^-[" else ch


def _first(items: Iterable[tuple[Any, Any]]) -> tuple[set[str], bool]:
    """(first characters, whether the sequence can match the empty string)."""
    chars: set[str] = set()
    for op, arg in items:
        if op in _ZERO_WIDTH:
            continue
        found, empty = _first_of(op, arg)
        chars |= found
        if not empty:
            return chars, False
    return chars, True


def _first_of(op: Any, arg: Any) -> tuple[set[str], bool]:
    if op == sre.LITERAL:
        return {chr(arg)}, False
    if op == sre.IN:
        return _set_chars(arg), False
    if op == sre.BRANCH:
        chars: set[str] = set()
        empty = False
        for branch in arg[1]:
            found, branch_empty = _first(branch)
            chars |= found
            empty = empty or branch_empty
        return chars, empty
    if op == sre.SUBPATTERN:
        return _first(arg[3])
    if op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
        low, _, body = arg
        found, empty = _first(body)
        return found, empty or low == 0
    if op == sre.ATOMIC_GROUP:
        return _first(arg)
    raise _Anything


def _set_chars(members: Iterable[tuple[Any, Any]]) -> set[str]:
    chars: set[str] = set()
    for op, arg in members:
        if op == sre.LITERAL:
            chars.add(chr(arg))
        elif op == sre.RANGE and arg[1] - arg[0] < 64:
            chars.update(chr(code) for code in range(arg[0], arg[1] + 1))
        elif op == sre.CATEGORY and arg == sre.CATEGORY_DIGIT:
            chars.update("0123456789")

        else:
            raise _Anything
    return chars


def trie_pattern(phrases: Iterable[str]) -> str:
    """One regex alternative matching any of the literal ``phrases``, as a character trie
    ("cross|crossed|crying" -> "cr(?:oss(?:ed)?|ying)"): Python tries a flat alternation
    phrase by phrase at every position, a trie letter by letter. At one position the
    longest phrase wins (each optional tail is greedy), as a longest-first alternation
    would; a boundary check after it backtracks into shorter ones."""
    root: dict[str, Any] = {}
    for phrase in phrases:
        node = root
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}
    return _emit(root) or "(?!)"


def _emit(node: dict[str, Any]) -> str:
    branches = [re.escape(ch) + _emit(child) for ch, child in sorted(node.items()) if ch]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body
