"""Who and what was involved at a step: normalised roles and things.

Roles are the company-side or helper roles a journey map shows ("agent", "manager",
"courier", "bot", "partner"); things are the systems, documents and devices
("app", "receipt", "order number", "router"). Both come back lower-case,
deduplicated, in order of first mention.
"""

from __future__ import annotations

import re

from bot.understanding.cue_matching import Hit

_PEOPLE: tuple[tuple[str, str], ...] = (
    # Bots first in the table only for readability; overlap resolution is positional.
    (
        "bot",
        r"chat ?bots?|bots?|virtual (?:assistant|agent)|(?:ai|automated|digital) "
        r"(?:assistant|agent|system|voice|menu|chat)|ivr|robot",
    ),
    ("supervisor", r"supervisors?|team lead(?:er)?s?|line manager"),
    ("manager", r"(?:store |branch |shop |duty |floor |account )?managers?"),
    (
        "specialist",
        r"specialists?|complaints team|billing (?:team|department)|(?:technical|tech) "
        r"(?:team|support)|escalations? team|retentions? team",
    ),
    ("technician", r"technicians?|techs?|repair ?(?:man|men|guy|person)|installers?|fitters?"),
    ("engineer", r"engineers?"),
    (
        "courier",
        r"couriers?|(?:delivery )?drivers?|delivery (?:guy|man|person|company|firm)|"
        r"postman|postwoman|postie|mailman|dpd|ups|fedex|dhl|evri|hermes|royal mail|"
        r"usps|parcelforce|yodel",
    ),
    (
        "agent",
        r"agents?|advis[oe]rs?|reps?|representatives?|operators?|call handlers?|"
        r"customer (?:service|support|care) (?:person|rep|agent|advis[oe]r|team|staff)|"
        r"support (?:person|agent|staff|team)|someone|somebody|(?:a|one|the|real|actual) "
        r"(?:person|human)|humans?|(?:a|the|one|this|some|nice|lovely) (?:guy|lady|woman|man|"
        r"bloke|chap|girl|fella)|staff member|customer services?",
    ),
    (
        "staff",
        r"shop assistants?|sales assistants?|cashiers?|store staff|(?:the )?staff|"
        r"receptionists?|bank clerk|clerks?|genius",
    ),
    ("moderator", r"moderators?|mods?"),
    ("other customer", r"(?:another|other) (?:customers?|users?)|fellow customers?"),
    ("ceo", r"ceo|chief executive"),
    ("friend", r"friends?|(?:my|a) mates?|neighbou?rs?"),
    ("partner", r"partner|husband|wife|boyfriend|girlfriend|spouse|fianc[eé]e?|other half"),
    (
        "family",
        r"mum|mom|dad|mother|father|son|daughter|sister|brother|parents|family|"
        r"grandma|grandad|grandpa|nan|kids?",
    ),
    ("colleague", r"colleagues?|co-?workers?|workmates?|boss"),
    (
        "bank",
        r"(?:my |the |their )?bank(?! (?:balance|statement|account|details|card|holiday|"
        r"transfer|app|branch))",
    ),
    ("ombudsman", r"ombudsman"),
    ("lawyer", r"solicitors?|lawyers?"),
)

_TOOLS: tuple[tuple[str, str], ...] = (
    ("order number", r"order (?:number|no|#|id|reference|ref)"),
    (
        "reference number",
        r"(?:reference|ref|case|ticket|complaint|claim|incident) (?:number|no|"
        r"#|id|code)|reference",
    ),
    ("tracking number", r"tracking (?:number|code|no|link|id)"),
    ("account number", r"account (?:number|no)|sort code"),
    (
        "verification code",
        r"(?:verification|security|one[- ]time|sms|auth|login) codes?|otp|"
        r"2fa|pin",
    ),
    ("password", r"passwords?|log-?in details|login"),
    (
        "email",
        r"(?:e-?mail address|confirmation e-?mail|automated e-?mail|(?:the|their|that|"
        r"this|his|her|an?|my|your) e-?mails?(?! (?:them|him|her|support))|e-?mails)",
    ),
    ("app", r"(?:mobile )?apps?|in-app"),
    ("website", r"web ?sites?|site|web ?pages?|portal|online account"),
    ("form", r"(?:online |web |contact |complaints? |claims? |returns? )?forms?|webform"),
    ("receipt", r"receipts?|proof of purchase"),
    ("invoice", r"invoices?"),
    ("bill", r"bills?"),
    ("statement", r"(?:bank |card )?statements?"),
    ("account", r"accounts?"),
    ("card", r"(?:bank |credit |debit |gift )?cards?"),
    ("photo", r"photos?|pictures?|pics?|photographs?"),
    ("screenshot", r"screenshots?|screen ?grabs?"),
    ("router", r"router|hub|modem"),
    ("laptop", r"laptops?|computer|pc"),
    (
        "phone",
        r"(?:my|his|her|the) (?:mobile |new |old )?phone(?! (?:call|number|line))|"
        r"smartphone|iphone|handset",
    ),
    ("passport", r"passports?"),
    (
        "id",
        r"id(?! number)|identity documents?|driving licen[cs]e|proof of (?:id|identity|address)",
    ),
    ("contract", r"contracts?"),
    ("warranty", r"warranty|guarantee"),
    ("label", r"(?:return |returns |shipping )?labels?"),
    ("parcel", r"parcels?|packages?"),
    ("ticket", r"(?:support )?tickets?"),
    ("link", r"links?"),
    ("voucher", r"vouchers?|coupons?|promo codes?"),
    ("chat transcript", r"(?:chat )?transcripts?"),
)


def _compile(table: tuple[tuple[str, str], ...]) -> re.Pattern[str]:
    # One alternation with the word-boundary test hoisted in front: a single scan that
    # fails fast inside words. At one start position the earlier table entry wins.
    body = "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(table))
    return re.compile(r"(?<![\w'-])(?:" + body + r")(?![\w-])")


_PEOPLE_RES = _compile(_PEOPLE)
_TOOL_RES = _compile(_TOOLS)

# Words that are people or tools in other senses: "the site of", "a reference to"...
_EXCLUDE_RE = re.compile(
    r"\b(?:sent|send|wrote|write|replied to|email(?:ed)?) (?:an?|another|their|the) e-?mail\b|"
    r"\bin reference to\b|\bwith reference to\b"
)


def _names(
    norm: str, table: tuple[tuple[str, str], ...], pattern: re.Pattern[str]
) -> tuple[str, ...]:
    hits = [
        Hit(m.start(), m.end(), table[int(m.lastgroup[1:])][0])
        for m in pattern.finditer(norm)
        if m.lastgroup is not None
    ]
    masked = [(m.start(), m.end()) for m in _EXCLUDE_RE.finditer(norm)]
    names: list[str] = []
    for hit in hits:
        if hit.value == "email" and any(s <= hit.start < e for s, e in masked):
            continue  # "sent an email" is the channel, not a document
        if hit.value not in names:
            names.append(hit.value)
    return tuple(names)


def people_tools_from_normalized(norm: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, tools) of already-normalised text; see :func:`parse_people_tools`."""
    if not norm:
        return (), ()
    return _names(norm, _PEOPLE, _PEOPLE_RES), _names(norm, _TOOLS, _TOOL_RES)
