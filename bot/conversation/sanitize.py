"""Making any inbound payload safe to store and to understand.

Customer text is data: it is decoded leniently (invalid UTF-8 never loses the message),
stripped of control characters that break terminals, logs and CSV exports, and kept
otherwise exactly as written. HTML is not interpreted here or anywhere else; renderers
escape it.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import StrEnum

DEFAULT_MAX_CHARS = 4000
# Above this the service refuses to store the text at all: adapters enforce request-size
# limits long before, so this only guards direct callers.
HARD_MAX_CHARS = 100_000
_KEPT_CONTROLS = frozenset("\n\t")


class TextProblem(StrEnum):
    EMPTY = "empty"
    TOO_LONG = "too_long"


@dataclass(frozen=True)
class CleanText:
    text: str
    problem: TextProblem | None


def clean_text(raw: str | bytes, *, max_chars: int = DEFAULT_MAX_CHARS) -> CleanText:
    """Decode, normalise and check one customer message.

    Returns the text to store and, when it cannot be used as an answer, why: `EMPTY`
    (nothing but whitespace) or `TOO_LONG` (over `max_chars`; the text is still kept, up to
    `HARD_MAX_CHARS`, so nothing the customer wrote is lost).
    """
    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    # Lone surrogates (from broken JSON escapes) cannot be encoded for storage.
    text = text.encode("utf-8", errors="replace").decode("utf-8")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = "".join(
        ch for ch in text if ch in _KEPT_CONTROLS or unicodedata.category(ch) not in ("Cc", "Cs")
    )
    text = unicodedata.normalize("NFC", text).strip()
    if not text:
        return CleanText(text="", problem=TextProblem.EMPTY)
    if len(text) > max_chars:
        return CleanText(text=text[:HARD_MAX_CHARS], problem=TextProblem.TOO_LONG)
    return CleanText(text=text, problem=None)
