"""Which of a delivery's messages Slack already has, so a redo never posts one twice.

A delivery's replies are posted one by one, then one write records that they were
posted. A crash (or a failed call) in between leaves a redo that cannot tell from the
database which replies reached Slack. So every message a delivery posts carries Slack
message metadata naming the delivery and the message's place among its replies, and a
redo reads the DM's recent history (``conversations.history``, under the ``im:history``
scope the app already has for ``message.im``) and posts only the missing ones. The first
run of a delivery never reads history: the lookup costs one call, on redos only.
"""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

EVENT_TYPE = "journeyline_reply"
# A redo runs before the customer's later deliveries (they wait in order), so its
# messages are among the channel's newest; this leaves room for a long playback.
HISTORY_LIMIT = 50


def reply_metadata(delivery: int, position: int) -> dict[str, Any]:
    """The metadata for the ``position``-th message posted for ``delivery``."""
    return {"event_type": EVENT_TYPE, "event_payload": {"delivery": delivery, "n": position}}


def posted_before(client: WebClient, channel: str, delivery: int) -> dict[int, str]:
    """The messages of ``delivery`` already in ``channel``: position -> Slack ts."""
    response = client.conversations_history(
        channel=channel, limit=HISTORY_LIMIT, include_all_metadata=True
    )
    found: dict[int, str] = {}
    for message in response.get("messages") or ():
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") != EVENT_TYPE or payload.get("delivery") != delivery:
            continue
        position = payload.get("n")
        if isinstance(position, int) and message.get("ts"):
            found[position] = str(message["ts"])
    return found
