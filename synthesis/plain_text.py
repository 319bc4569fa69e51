"""Text with nothing invisible in it: what every output writes of customer words.

Bidirectional overrides and isolates (U+202A-202E, U+2066-2069) can reverse an
attribution line on screen, zero-width and other format characters hide words inside
words, control characters (C0, C1) confuse terminals and spreadsheets, and a lone
surrogate cannot even be written as UTF-8. :func:`visible_text` drops them all. Line
breaks of every kind become ``\\n`` (or a space where an output wants one line), a tab
becomes a space unless kept, and a run of combining marks is cut short ("Zalgo" text
that draws over the lines around it).

Zero-width joiners and non-joiners stay between two non-ASCII characters, where they
build emoji sequences (👩‍💻) and shape Persian or Indic words; anywhere else they only hide.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

_LINE_BREAKS = re.compile("\r\n|[\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]")
_JOINERS = frozenset("\u200c\u200d")
# Hangul fillers: letters by category, blank on screen, a favourite for invisible names.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")
_HAS_INVISIBLE_LETTER = re.compile("[\u115f\u1160\u3164\uffa0]")
_DROPPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs"})
# Diacritics stack: a few marks on one letter are real (Vietnamese, Devanagari), dozens
# are an attack on the layout.
_MAX_MARKS = 4
_MARK_RUN = re.compile(
    "([\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]"
    f"{{{_MAX_MARKS}}})[\u0300-\u036f\u0483-\u0489\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff"
    "\ufe20-\ufe2f]+"
)


def visible_text(text: str, *, newlines: bool = True, tabs: bool = False) -> str:
    """``text`` without control, format, surrogate or noncharacter code points.

    Line breaks (CR LF, CR, LS, PS, NEL, VT, FF) become ``\\n`` when ``newlines``, else
    a space; a tab stays when ``tabs``, else becomes a space. Everything else visible,
    emoji and every script included, is kept as it is.
    """
    if text.isascii() and text.isprintable():  # ids, numbers, most English: as it is
        return text
    if text.isprintable() and not _HAS_INVISIBLE_LETTER.search(text):
        # Most other text: nothing to drop (no line break, tab, control or format character).
        return _MARK_RUN.sub(r"\1", text)
    text = _LINE_BREAKS.sub("\n", text)
    kept: list[str] = []
    last = len(text) - 1
    for index, char in enumerate(text):
        if char == "\n":
            kept.append("\n" if newlines else " ")
        elif char == "\t":
            kept.append("\t" if tabs else " ")
        elif char in _JOINERS:
            if 0 < index < last and _joins(kept[-1:], text[index + 1]):
                kept.append(char)
        elif char in _INVISIBLE_LETTERS or _noncharacter(char):
            continue
        elif unicodedata.category(char) not in _DROPPED_CATEGORIES:
            kept.append(char)
    out = "".join(kept)
    return out if out.isascii() else _MARK_RUN.sub(r"\1", out)


def one_line(text: str) -> str:
    """``text`` visible and on one line, every run of white space one space."""
    return " ".join(visible_text(text, newlines=False).split())


def _joins(before: list[str], after: str) -> bool:
    return bool(before) and all(
        ord(c) > 0x7F and not c.isspace() and unicodedata.category(c) != "Cf"
        for c in (before[0], after)
    )


def _noncharacter(char: str) -> bool:
    code = ord(char)
    return (code & 0xFFFE) == 0xFFFE or 0xFDD0 <= code <= 0xFDEF


def map_strings(data: Any, change: Callable[[str | None, str], str], key: str | None = None) -> Any:
    """JSON-like ``data`` (dicts, lists, scalars) with every string value replaced by
    ``change(key, value)``, ``key`` being the name of the dict entry it is in (the
    nearest one, for strings in lists); dict keys are made visible only."""
    if isinstance(data, str):
        return change(key, data)
    if isinstance(data, dict):
        return {
            (visible_text(k) if isinstance(k, str) else k): map_strings(v, change, k)
            for k, v in data.items()
        }
    if isinstance(data, list | tuple):
        return [map_strings(item, change, key) for item in data]
    return data
