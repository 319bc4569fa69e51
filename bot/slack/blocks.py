"""Bot replies as Block Kit: text sections, buttons for quick replies, numbered lists.

Slack's limits shape the details: a section's text holds at most 3,000 characters, a
button label 75, an actions block 25 elements. Every message also carries plain
``text``, which Slack shows in notifications and where blocks cannot be rendered.

A click sends the whole clicked message back to us (every block, inside a form field),
so a message with buttons must stay small: the playback's items are clipped to
``ITEM_LIMIT`` characters (the customer's full words are stored; the list only has to
be recognisable) and a message's text to ``BODY_LIMIT``. The largest playback's click
then stays far below the endpoint's limit (``tests/test_slack_hardening.py``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from bot.conversation.messages import Choice, Reply
from bot.slack.markup import escape

Block = dict[str, Any]

CHOICE_ACTION_PREFIX = "jl_choice_"
CHOICE_ACTION_PATTERN = rf"^{CHOICE_ACTION_PREFIX}\d+$"
START_ACTION = "jl_start"

SECTION_LIMIT = 3000
LABEL_LIMIT = 75
VALUE_LIMIT = 2000
BUTTONS_PER_BLOCK = 25
FALLBACK_LIMIT = 3000
ITEM_LIMIT = 280
BODY_LIMIT = 6000


def reply_blocks(reply: Reply) -> list[Block]:
    """The blocks of one bot message: its text (with any items as a numbered list) and a
    button per quick reply. Typed answers are always accepted as well."""
    return [*_body(reply), *_buttons(reply.choices)]


def settled_blocks(reply: Reply, *, note: str | None) -> list[Block]:
    """The blocks of an answered question: the same text, no buttons, and ``note`` (e.g.
    the chosen label) underneath, so the choice stays visible and cannot be clicked
    again."""
    return [*_body(reply), *_note(note)]


def without_buttons(blocks: Iterable[Block], *, note: str | None) -> list[Block]:
    """``blocks`` as Slack sent them back with a click, minus the buttons, plus ``note``."""
    kept = [b for b in blocks if b.get("type") != "actions" and b.get("block_id") != "jl_note"]
    return [*kept, *_note(note)]


def fallback_text(reply: Reply) -> str:
    """The plain ``text`` Slack shows in notifications for ``reply``."""
    return _clip(escape(reply.text), FALLBACK_LIMIT)


def invitation_blocks(*, campaign_name: str, campaign_slug: str) -> list[Block]:
    """The invitation DM: what it is about, and a Start button carrying the campaign."""
    text = (
        f"*{escape(campaign_name)}*\n"
        "We'd love to hear about the last time you needed help from customer support: a "
        "short chat, right here. Press *Start* when you have ten minutes; you can stop "
        "and continue later."
    )
    start = {
        "type": "button",
        "action_id": START_ACTION,
        "style": "primary",
        "text": {"type": "plain_text", "text": "Start"},
        "value": campaign_slug,
    }
    return [_section(text), {"type": "actions", "block_id": "jl_start", "elements": [start]}]


def invitation_text(campaign_name: str) -> str:
    return f"{escape(campaign_name)}: tell us about your last customer-support experience"


def _body(reply: Reply) -> list[Block]:
    split = _split_items(reply)
    if split is None:
        return _sections(escape(reply.text))
    before, after = split
    blocks = _sections(escape(before)) if before else []
    blocks.append(_numbered_list(reply.items))
    if after:
        blocks.extend(_sections(escape(after)))
    return blocks


def _split_items(reply: Reply) -> tuple[str, str] | None:
    """The text before and after the numbered item lines, or ``None`` without items.

    ``Reply.text`` also spells the items out ("1. ...") for channels without lists; here
    those lines give way to a real list. If the text does not contain them as expected,
    the text is shown as it is (it still has every item).
    """
    if not reply.items:
        return None
    lines = reply.text.split("\n")
    numbered = [f"{n}. {item}" for n, item in enumerate(reply.items, start=1)]
    try:
        start = lines.index(numbered[0])
    except ValueError:
        return None
    if lines[start : start + len(numbered)] != numbered:
        return None
    before = "\n".join(lines[:start]).strip()
    after = "\n".join(lines[start + len(numbered) :]).strip()
    return before, after


def _numbered_list(items: Sequence[str]) -> Block:
    # rich_text takes raw text: no escaping, and customer words are never read as markup.
    return {
        "type": "rich_text",
        "elements": [
            {
                "type": "rich_text_list",
                "style": "ordered",
                "elements": [
                    {
                        "type": "rich_text_section",
                        "elements": [{"type": "text", "text": _clip(item, ITEM_LIMIT)}],
                    }
                    for item in items
                ],
            }
        ],
    }


def _buttons(choices: Sequence[Choice]) -> list[Block]:
    buttons = [
        {
            "type": "button",
            "action_id": f"{CHOICE_ACTION_PREFIX}{n}",
            "text": {"type": "plain_text", "text": _clip(choice.label, LABEL_LIMIT), "emoji": True},
            "value": choice.value[:VALUE_LIMIT],
        }
        for n, choice in enumerate(choices)
    ]
    return [
        {
            "type": "actions",
            "block_id": f"jl_choices_{start // BUTTONS_PER_BLOCK}",
            "elements": buttons[start : start + BUTTONS_PER_BLOCK],
        }
        for start in range(0, len(buttons), BUTTONS_PER_BLOCK)
    ]


def _note(note: str | None) -> list[Block]:
    if not note:
        return []
    return [
        {
            "type": "context",
            "block_id": "jl_note",
            "elements": [{"type": "mrkdwn", "text": _clip(escape(note), SECTION_LIMIT)}],
        }
    ]


def _sections(text: str) -> list[Block]:
    if not text.strip():
        return []
    return [_section(chunk) for chunk in _chunks(_clip(text, BODY_LIMIT), SECTION_LIMIT)]


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _chunks(text: str, limit: int) -> list[str]:
    """``text`` in pieces of at most ``limit`` characters, cut at line ends where possible."""
    chunks: list[str] = []
    while len(text) > limit:
        cut = text.rfind("\n", 0, limit)
        if cut <= 0:
            cut = text.rfind(" ", 0, limit)
        if cut <= 0:
            cut = limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n ")
    if text:
        chunks.append(text)
    return chunks


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
