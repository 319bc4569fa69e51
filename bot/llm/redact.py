"""Personal data redaction for text that leaves for a language model.

The stored transcript keeps what the customer wrote; only the copy sent to the model is
redacted. Each kind is replaced by a readable placeholder (``[email]``, ``[phone]``,
``[card]``, ``[iban]``) so the model still sees that the customer gave one, which is often
part of the story ("I sent them my card number twice").

Card numbers are redacted only when they pass the Luhn check and IBANs only when they
pass the ISO 13616 mod-97 check, so order numbers stay readable. Phone numbers are found
with libphonenumber (the ``phonenumbers`` package) for the configured regions, which
knows national formats and leaves dates, prices and durations alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import phonenumbers

_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_IBAN = re.compile(r"\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}\b")
# 13-19 digits, optionally grouped by spaces or dashes, as people type card numbers.
_CARD = re.compile(r"(?<![\d+])\d(?:[ \-]?\d){12,18}(?!\d)")
# Written with a country code, a number is a phone number even where libphonenumber
# does not know the range (fiction and test ranges, new allocations).
_INTERNATIONAL = re.compile(r"(?<![\w+])\+\d(?:[ \-.()]?\d){6,14}(?!\d)")
DEFAULT_PHONE_REGIONS: tuple[str, ...] = ("US", "GB", "DE", "FR", "ES", "IN")

Substitute = Callable[[re.Match[str]], str]


@dataclass(frozen=True)
class Redacted:
    """The text to send and how many of each kind were replaced."""

    text: str
    counts: dict[str, int]


def redact(text: str, *, phone_regions: Sequence[str] = DEFAULT_PHONE_REGIONS) -> Redacted:
    """``text`` with emails, IBANs, card numbers and phone numbers replaced by placeholders.

    ``phone_regions`` are the ISO country codes whose national number formats count as
    phone numbers (numbers written with ``+`` are found whatever the region).
    """
    counts: dict[str, int] = {}
    out = _EMAIL.sub(_placeholder("email", counts), text)
    out = _IBAN.sub(_placeholder("iban", counts, _iban_ok), out)
    out = _CARD.sub(_placeholder("card", counts, _luhn_ok), out)
    out = _redact_phones(out, phone_regions, counts)
    return Redacted(text=out, counts=counts)


def _placeholder(
    kind: str, counts: dict[str, int], check: Callable[[str], bool] | None = None
) -> Substitute:
    def substitute(match: re.Match[str]) -> str:
        found = match.group(0)
        if check is not None and not check(found):
            return found
        counts[kind] = counts.get(kind, 0) + 1
        return f"[{kind}]"

    return substitute


def _luhn_ok(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char) * (2 if index % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _iban_ok(candidate: str) -> bool:
    compact = candidate.replace(" ", "")
    if not 15 <= len(compact) <= 34:
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(ch, 36)) for ch in rearranged)) % 97 == 1


def _redact_phones(text: str, regions: Sequence[str], counts: dict[str, int]) -> str:
    spans = {(m.start(), m.end()) for m in _INTERNATIONAL.finditer(text)}
    for region in regions:
        for match in phonenumbers.PhoneNumberMatcher(
            text, region, leniency=phonenumbers.Leniency.VALID
        ):
            spans.add((match.start, match.end))
    if not spans:
        return text
    pieces: list[str] = []
    cursor = 0
    for start, end in sorted(spans):
        if start < cursor:  # overlapping finds from two regions: keep the first
            continue
        pieces.append(text[cursor:start])
        pieces.append("[phone]")
        counts["phone"] = counts.get("phone", 0) + 1
        cursor = end
    pieces.append(text[cursor:])
    return "".join(pieces)
