"""What may reach the customer from a model, and answers that try to steer the bot.

Customer text is data. An answer that tries to change the bot's instructions or extract
its prompt is recognised here, offline, whatever the model says about it; and any text a
model proposes to send (an acknowledgement, a probe, a translation) must pass these checks
or it is dropped and the engine's own words are used.
"""

from __future__ import annotations

import re

from bot.llm.hints_schema import ACK_MAX_CHARS, PROBE_MAX_CHARS

_INJECTION = re.compile(
    r"\b(?:ignore|disregard|forget|override)\b.{0,40}\b(?:instructions?|prompts?|rules|"
    r"everything (?:above|before))\b"
    r"|\b(?:system|developer|hidden|initial|original)\s+(?:prompt|message|instructions?)\b"
    r"|\b(?:reveal|show|print|repeat|tell me)\b.{0,30}\b(?:your|the)\s+"
    r"(?:prompt|instructions?|rules|configuration)\b"
    r"|\byou are now\b|\bact as\b|\bpretend (?:to be|you are)\b|\bjailbreak\b"
    r"|\bnew instructions?\b|\bDAN\b",
    re.IGNORECASE | re.DOTALL,
)
# Things our own texts never contain: links, markup, code, contact requests, placeholders.
_FORBIDDEN = re.compile(
    r"https?://|www\.|<[a-z/!]|```|\{|\}|\[(?:email|phone|card|iban)\]|@\w"
    r"|\b(?:prompt|instruction|system message|as an ai|language model|password|"
    r"card number|iban|social security)\b",
    re.IGNORECASE,
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def looks_like_injection(text: str) -> bool:
    """Whether a customer answer tries to instruct the bot instead of answering it."""
    return bool(_INJECTION.search(text))


def allowed_acknowledgement(text: str | None) -> str | None:
    """The acknowledgement if it is one short statement the bot may say, else None."""
    cleaned = _clean(text, ACK_MAX_CHARS)
    if cleaned is None or "?" in cleaned:
        return None
    return cleaned


def allowed_probe(text: str | None) -> str | None:
    """The probe if it is one short question the bot may ask, else None."""
    cleaned = _clean(text, PROBE_MAX_CHARS)
    if cleaned is None or not cleaned.endswith(("?", "？", "؟")) or cleaned.count("?") > 1:
        return None
    return cleaned


def allowed_translation(original: str, translated: str) -> str | None:
    """A translation of one of our texts, if it is plausibly only that."""
    limit = max(3 * len(original), len(original) + 80)
    # What our own text contains (a link, a placeholder) may stay in its translation.
    forbid = not _FORBIDDEN.search(original)
    return _clean(translated, limit, forbid=forbid, keep_lines="\n" in original)


def _clean(
    text: str | None, limit: int, *, forbid: bool = True, keep_lines: bool = False
) -> str | None:
    if text is None or _CONTROL.search(text):
        return None
    if keep_lines:  # a list (the playback) keeps its line breaks
        cleaned = "\n".join(" ".join(line.split()) for line in text.splitlines()).strip()
    else:
        cleaned = " ".join(text.split())
    if not cleaned or len(cleaned) > limit or (forbid and _FORBIDDEN.search(cleaned)):
        return None
    return cleaned
