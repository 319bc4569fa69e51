"""Whether a step goes on with the same contact as the step before it.

"Same call", "still at the counter", "then she put me through to billing", "the agent
approved the refund straight away": a step told as the next thing that happened *within*
a call, a chat or a visit names no channel of its own. The engine can then offer the
previous step's channel as a probable fact instead of asking.

A step continues the contact when it says so ("same call", "on the same chat", "still
on the phone", "still there in the shop"), or when it names no contact of its own and
tells what a company person did ("she transferred me", "the adviser said", "a man
picked up"). A step that makes a new contact ("rang again", "emailed them") does not.
"""

from __future__ import annotations

import re

from bot.understanding.channels import actor_at_work, read_channel
from bot.understanding.normalize import normalize

_SAID_SO_RE = re.compile(
    r"\b(?:(?:the )?same (?:call|phone call|chat|chat window|conversation|visit|appointment|desk|"
    r"counter|line|person|agent|adviser|advisor|lady|guy|man|woman|session|meeting|thread)|still "
    r"(?:on (?:the|that|this) (?:phone|line|call|chat)|in (?:the|that) (?:chat|queue|shop|store|"
    r"branch|office)|at the (?:desk|counter|office|shop|store|branch|window)|there|talking|"
    r"chatting)|on (?:the|that) same (?:call|chat|visit)|while (?:i was|we were) still (?:on|"
    r"talking|there))\b"
)
# A new contact of the customer's own, which no continuation has.
_NEW_CONTACT_RE = re.compile(
    r"\b(?:rang|called|phoned|emailed|e-mailed|messaged|texted|tweeted|wrote|went (?:back|in|to)|"
    r"opened|started|tried|visited|popped|posted|logged (?:in|into))\b"
)


def continues_contact(text: str) -> bool:
    """Whether the step ``text`` goes on with the previous step's contact (see the module
    docstring). Pure; never raises."""
    norm = normalize(text)
    if not norm:
        return False
    if _SAID_SO_RE.search(norm):
        return True
    if _NEW_CONTACT_RE.search(norm):
        return False
    reading = read_channel(norm)
    return (reading.channel is None or not reading.sure) and actor_at_work(norm)


# An answer to "how were you in touch?" that points at the step before: "same", "same
# call", "still her", "still Tom", "still there with him", "💬 still her".
_SAME_AS_BEFORE_RE = re.compile(r"^\W*(?:(?:the )?same\b|still\b|as before\b|like before\b)")


def names_previous_contact(text: str) -> bool:
    """Whether the answer ``text`` to "how were you in touch?" says the step went on by
    the previous step's contact. Pure; never raises."""
    return _SAME_AS_BEFORE_RE.match(normalize(text)) is not None
