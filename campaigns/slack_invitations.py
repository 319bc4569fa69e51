"""Invitations and reminders as Slack DMs, through the bot's Web API client.

The message is the bot's invitation (a Start button that begins the interview right in
the DM; ``bot.slack.blocks``) with a line offering the opt-out link. Each post carries
Slack message metadata naming the invitation and message number, so a re-drive after a
crash reads the DM's recent history and posts only if the message is not there: exactly
once, as far as Slack's history is up to date.
"""

from __future__ import annotations

import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.slack.blocks import invitation_blocks, invitation_text
from bot.slack.markup import escape
from campaigns.delivery_errors import NotSent, PermanentFailure

EVENT_TYPE = "journeyline_invitation"
# Other DMs the scheduler sends (closing the loop), found again the same way.
NOTE_EVENT_TYPE = "journeyline_note"
HISTORY_LIMIT = 50
# Slack's answers that no retry will change.
PERMANENT_ERRORS = frozenset(
    {
        "user_not_found",
        "users_not_found",
        "user_disabled",
        "cannot_dm_bot",
        "not_allowed_token_type",
    }
)


class SlackInvitations:
    """Posts invitation DMs with ``client`` (the bot token's)."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._team: str | None = None
        self._lock = threading.Lock()

    def team_id(self) -> str:
        """The workspace the bot token belongs to (``auth.test``, asked once)."""
        with self._lock:
            if self._team is None:
                self._team = str(self._call(self._client.auth_test)["team_id"])
            return self._team

    def user_id(self, *, user_id: str | None, email: str | None) -> str:
        """The Slack user to DM: ``user_id`` as given, else the member with ``email``."""
        if user_id:
            return user_id
        if not email:
            raise PermanentFailure("no Slack user id or Slack email for this participant")
        response = self._call(self._client.users_lookupByEmail, email=email)
        return str(response["user"]["id"])

    def post(
        self,
        *,
        user_id: str,
        campaign_name: str,
        campaign_slug: str,
        invitation_id: int,
        number: int,
        opt_out_link: str,
        expires: str | None,
        redrive: bool,
    ) -> str:
        """DM the invitation (``number`` 0) or reminder ``number``; what happened."""
        opened = self._call(self._client.conversations_open, users=user_id)
        channel = str(opened["channel"]["id"])
        if redrive:
            found = self._posted_before(channel, invitation_id, number)
            if found is not None:
                return f"posted in Slack ({found}; found after a crash)"
        blocks = _blocks(
            campaign_name=campaign_name,
            campaign_slug=campaign_slug,
            reminder=number > 0,
            opt_out_link=opt_out_link,
            expires=expires,
        )
        posted = self._call(
            self._client.chat_postMessage,
            channel=channel,
            text=invitation_text(campaign_name),
            blocks=blocks,
            metadata={
                "event_type": EVENT_TYPE,
                "event_payload": {"invitation": invitation_id, "n": number},
            },
        )
        return f"posted in Slack ({posted['ts']})"

    def post_note(self, *, user_id: str, text: str, key: str, redrive: bool) -> str:
        """DM plain ``text`` (shown as typed: Slack markup is escaped), once per ``key``
        as far as the DM's history tells after a crash; what happened."""
        opened = self._call(self._client.conversations_open, users=user_id)
        channel = str(opened["channel"]["id"])
        if redrive:
            found = self._find(channel, NOTE_EVENT_TYPE, {"key": key})
            if found is not None:
                return f"posted in Slack ({found}; found after a crash)"
        posted = self._call(
            self._client.chat_postMessage,
            channel=channel,
            text=escape(text),
            metadata={"event_type": NOTE_EVENT_TYPE, "event_payload": {"key": key}},
        )
        return f"posted in Slack ({posted['ts']})"

    def close(self) -> None:
        """Nothing to close (the client opens a connection per call)."""

    def _posted_before(self, channel: str, invitation_id: int, number: int) -> str | None:
        return self._find(channel, EVENT_TYPE, {"invitation": invitation_id, "n": number})

    def _find(self, channel: str, event_type: str, wanted: dict[str, Any]) -> str | None:
        """The ts of a recent DM message with this metadata, or None."""
        response = self._call(
            self._client.conversations_history,
            channel=channel,
            limit=HISTORY_LIMIT,
            include_all_metadata=True,
        )
        for message in response.get("messages") or ():
            metadata = message.get("metadata") or {}
            payload = metadata.get("event_payload") or {}
            if metadata.get("event_type") == event_type and all(
                payload.get(k) == v for k, v in wanted.items()
            ):
                return str(message.get("ts"))
        return None

    @staticmethod
    def _call(method: Any, **arguments: Any) -> Any:
        try:
            return method(**arguments)
        except SlackApiError as error:
            code = str(error.response.get("error") or error)
            if code in PERMANENT_ERRORS:
                raise PermanentFailure(f"Slack: {code}") from None
            if code == "ratelimited":
                raise NotSent("Slack: rate limited") from None
            raise


def _blocks(
    *,
    campaign_name: str,
    campaign_slug: str,
    reminder: bool,
    opt_out_link: str,
    expires: str | None,
) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = []
    if reminder:
        blocks.append(_text("A gentle reminder, in case this got buried:"))
    blocks.extend(invitation_blocks(campaign_name=campaign_name, campaign_slug=campaign_slug))
    note = f"Not for you? <{opt_out_link}|Don't send me these messages>."
    if expires:
        note = f"The invitation is open until {escape(expires)}. {note}"
    blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": note}]})
    return blocks


def _text(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": escape(text)}}
