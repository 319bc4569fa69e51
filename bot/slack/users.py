"""Slack users: by email (for invitations) and their names (for readable mentions)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


class SlackUserNotFound(LookupError):
    """Slack knows no such user in this workspace."""

    def __init__(self, who: str, error: str) -> None:
        self.who = who
        super().__init__(
            f"no Slack user {who} in this workspace (Slack says: {error}); check the "
            "address or user id, and that the person is a member of the workspace"
        )


@dataclass(frozen=True)
class SlackUser:
    id: str
    name: str | None = None
    email: str | None = None


class SlackUsers:
    """Looks users up through the Web API; names are cached for the process's life."""

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._names: dict[str, str | None] = {}
        self._lock = threading.Lock()

    def by_email(self, email: str) -> SlackUser:
        """The workspace member with ``email`` (``users.lookupByEmail``).

        Raises ``SlackUserNotFound`` for an address no member has.
        """
        try:
            response = self._client.users_lookupByEmail(email=email)
        except SlackApiError as error:
            code = str(error.response.get("error") or error)
            if code == "users_not_found":
                raise SlackUserNotFound(f"with the email {email}", code) from None
            raise
        user: Mapping[str, Any] = response.get("user") or {}
        return SlackUser(str(user["id"]), _name_of(user), email)

    def by_id(self, user_id: str) -> SlackUser:
        """The member ``user_id`` with name and email if Slack tells (``users.info``).

        Raises ``SlackUserNotFound`` for an unknown id.
        """
        try:
            response = self._client.users_info(user=user_id)
        except SlackApiError as error:
            code = str(error.response.get("error") or error)
            if code == "user_not_found":
                raise SlackUserNotFound(user_id, code) from None
            raise
        user: Mapping[str, Any] = response.get("user") or {}
        profile: Mapping[str, Any] = user.get("profile") or {}
        email = profile.get("email")
        return SlackUser(user_id, _name_of(user), str(email) if email else None)

    def name(self, user_id: str) -> str | None:
        """The display name of ``user_id``, or ``None`` if Slack cannot tell (never raises:
        a mention without a name still reads fine as ``@U123``)."""
        with self._lock:
            if user_id in self._names:
                return self._names[user_id]
        try:
            name = self.by_id(user_id).name
        except Exception:
            log.warning("could not look up the name of Slack user %s", user_id, exc_info=True)
            name = None
        with self._lock:
            self._names[user_id] = name
        return name


def _name_of(user: Mapping[str, Any]) -> str | None:
    profile: Mapping[str, Any] = user.get("profile") or {}
    for candidate in (profile.get("display_name"), user.get("real_name"), user.get("name")):
        if candidate:
            return str(candidate)
    return None
