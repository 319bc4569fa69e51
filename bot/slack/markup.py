"""Slack message markup to the readable text we store.

Slack sends user text with its own markup: mentions ``<@U123>``, channels
``<#C1|general>``, links ``<https://x|label>``, specials ``<!here>``, dates
``<!date^...|fallback>``, and ``&``, ``<``, ``>`` escaped as entities. Researchers read
the transcript, so the stored text is what the customer saw, not the wire format.
"""

from __future__ import annotations

import re
from collections.abc import Callable

_TOKEN = re.compile(r"<([^<>\n]*)>")
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&amp;", "&"))  # &amp; last: "&amp;lt;" is "&lt;"

NameLookup = Callable[[str], str | None]


def _no_names(_user_id: str) -> str | None:
    return None


def clean_markup(text: str, *, user_name: NameLookup = _no_names) -> str:
    """``text`` with Slack markup turned into plain words.

    ``<@U123>`` becomes ``@name`` when ``user_name("U123")`` knows the name, else
    ``@U123``; ``<https://x|label>`` becomes ``label (https://x)``; a bare link stays the
    URL; entities are unescaped.
    """
    return _unescape(_TOKEN.sub(lambda match: _token_text(match.group(1), user_name), text))


def _token_text(inner: str, user_name: NameLookup) -> str:
    target, _, label = inner.partition("|")
    label = _unescape(label)
    if target.startswith("@"):
        user_id = target[1:]
        return f"@{label or user_name(user_id) or user_id}"
    if target.startswith("#"):
        return f"#{label or target[1:]}"
    if target.startswith("!subteam^"):
        # The label of a user-group mention already starts with "@".
        return label or f"@{target.removeprefix('!subteam^')}"
    if target.startswith("!date^"):
        return label or target
    if target.startswith("!"):
        return f"@{label or target[1:]}"  # <!here>, <!channel>, <!everyone>
    url = _unescape(target)
    if url.startswith("mailto:"):
        address = url.removeprefix("mailto:")
        return address if not label or label == address else f"{label} ({address})"
    return url if not label or label == url else f"{label} ({url})"


def _unescape(text: str) -> str:
    for entity, char in _ENTITIES:
        text = text.replace(entity, char)
    return text


def escape(text: str) -> str:
    """``text`` made safe to send as Slack ``mrkdwn``: ``&``, ``<`` and ``>`` escaped, so
    customer words echoed back (the playback) cannot become mentions or links."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
