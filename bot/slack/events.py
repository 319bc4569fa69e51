"""Slack payloads parsed into the few things a customer can do in the DM.

Only this module knows the shape of Slack's JSON. Everything it returns is plain data,
with the two ids that make a delivery safe to receive twice:

- ``key``: identifies the delivery (the Events API ``event_id``, kept across Slack's
  retries; for a click, the clicked message), claimed once in storage;
- ``message_id``: the channel message id the interview service is idempotent on.

A click is keyed on the message it was made on, not on its ``action_ts``: a double
click sends two payloads with two different ``action_ts`` for what is one answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from bot.slack.blocks import Block

# Message subtypes that carry words the customer wrote (a plain message has none).
CUSTOMER_SUBTYPES = frozenset({None, "file_share", "thread_broadcast", "me_message"})


@dataclass(frozen=True)
class Customer:
    """Who acted, and the DM conversation to answer in."""

    team_id: str
    user_id: str
    channel_id: str

    @property
    def queue_key(self) -> str:
        """One customer's deliveries are handled one at a time, in arrival order."""
        return f"{self.team_id}:{self.user_id}"


@dataclass(frozen=True)
class TypedMessage:
    customer: Customer
    key: str
    message_id: str
    text: str  # still in Slack markup; file names appended


@dataclass(frozen=True)
class EditedMessage:
    customer: Customer
    key: str


@dataclass(frozen=True)
class ButtonClick:
    customer: Customer
    key: str
    message_id: str
    message_ts: str
    action_id: str
    value: str
    label: str
    message_blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Ignored:
    reason: str


MessageEvent = TypedMessage | EditedMessage | Ignored


def parse_message_event(body: Mapping[str, Any], *, bot_user_id: str | None) -> MessageEvent:
    """A ``message`` Events API payload as what the customer did, or why it is ignored."""
    event: Mapping[str, Any] = body.get("event") or {}
    if event.get("channel_type") != "im":
        return Ignored("not a direct message")
    team_id = str(body.get("team_id") or event.get("team") or "")
    channel_id = str(event.get("channel") or "")
    event_key = f"event:{team_id}:{body.get('event_id') or channel_id + ':' + str(event.get('ts'))}"
    subtype = event.get("subtype")
    if subtype == "message_changed":
        return _edit(event, team_id, channel_id, event_key, bot_user_id)
    if subtype not in CUSTOMER_SUBTYPES:
        # Deletions, joins, bot messages, ...: nothing the customer said to us. A deleted
        # message keeps its stored answer; "back" is how an answer is taken back.
        return Ignored(f"message subtype {subtype}")
    if _from_a_bot(event, bot_user_id):
        return Ignored("a bot's own message")
    user_id = event.get("user")
    if not user_id or not team_id or not channel_id:
        return Ignored("no user, team or channel")
    customer = Customer(team_id, str(user_id), channel_id)
    # A thread reply is taken as an answer too: in a DM with the app it almost always
    # replies to the question it hangs under, which is the pending one.
    return TypedMessage(
        customer=customer,
        key=event_key,
        message_id=f"slack:{channel_id}:{event.get('ts')}",
        text=_text_with_files(event),
    )


def parse_click(body: Mapping[str, Any]) -> ButtonClick | Ignored:
    """A ``block_actions`` payload (one button click) as a ``ButtonClick``."""
    actions = body.get("actions") or []
    channel_id = str((body.get("channel") or {}).get("id") or "")
    user: Mapping[str, Any] = body.get("user") or {}
    team_id = str((body.get("team") or {}).get("id") or user.get("team_id") or "")
    message: Mapping[str, Any] = body.get("message") or {}
    message_ts = str((body.get("container") or {}).get("message_ts") or message.get("ts") or "")
    if not actions or not channel_id or not user.get("id") or not team_id or not message_ts:
        return Ignored("a click outside a message of ours")
    action: Mapping[str, Any] = actions[0]
    customer = Customer(team_id, str(user["id"]), channel_id)
    return ButtonClick(
        customer=customer,
        key=f"click:{team_id}:{channel_id}:{message_ts}:{user['id']}",
        message_id=f"slack-click:{channel_id}:{message_ts}",
        message_ts=message_ts,
        action_id=str(action.get("action_id") or ""),
        value=str(action.get("value") or ""),
        label=str((action.get("text") or {}).get("text") or action.get("value") or ""),
        message_blocks=tuple(message.get("blocks") or ()),
    )


def _edit(
    event: Mapping[str, Any],
    team_id: str,
    channel_id: str,
    key: str,
    bot_user_id: str | None,
) -> EditedMessage | Ignored:
    message: Mapping[str, Any] = event.get("message") or {}
    previous: Mapping[str, Any] = event.get("previous_message") or {}
    if _from_a_bot(message, bot_user_id):
        return Ignored("an edit of a bot message (our own chat.update)")
    if message.get("text") == previous.get("text"):
        return Ignored("a change without new words (link preview, reaction, ...)")
    user_id = message.get("user")
    if not user_id or not team_id or not channel_id:
        return Ignored("an edit without user, team or channel")
    return EditedMessage(Customer(team_id, str(user_id), channel_id), key)


def _from_a_bot(message: Mapping[str, Any], bot_user_id: str | None) -> bool:
    return bool(
        message.get("bot_id")
        or message.get("subtype") == "bot_message"
        or (bot_user_id is not None and message.get("user") == bot_user_id)
    )


def _text_with_files(event: Mapping[str, Any]) -> str:
    """The message text, with a note per attached file (its content is not fetched)."""
    text = str(event.get("text") or "")
    names = [
        str(f.get("name") or f.get("title") or "unnamed")
        for f in event.get("files") or ()
        if isinstance(f, Mapping)
    ]
    notes = "\n".join(f"[file: {name}]" for name in names)
    return f"{text}\n{notes}".strip() if notes else text
