"""Who the bot is in Slack (``auth.test``), learnt without making Slack a start-up need.

Bolt asks ``auth.test`` when an app is built and fails if Slack does not answer, so a
Slack outage at start-up stopped `journeyline serve`, web chat included. Here the
identity is asked for once at start-up and, if Slack is unreachable or refuses, again in
the background with growing pauses until it answers; meanwhile the rest of the server
works, Slack requests are answered 503 (Slack sends them again later) and `/healthz`
says Slack is unavailable. Bolt gets the identity through its ``authorize`` hook, so it
never calls ``auth.test`` on its own in the middle of a request.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

log = logging.getLogger(__name__)

# Pauses between attempts while Slack does not answer (the last one repeats).
RETRY_DELAYS: tuple[float, ...] = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)


class SlackState(StrEnum):
    CONNECTING = "connecting"
    CONNECTED = "connected"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class BotIdentity:
    """The bot as ``auth.test`` describes it."""

    team_id: str | None
    enterprise_id: str | None
    bot_id: str | None
    bot_user_id: str | None


class SlackIdentity:
    """The bot's identity for ``client``'s token, once Slack has told it."""

    def __init__(
        self,
        client: WebClient,
        *,
        retry_delays: Sequence[float] | None = None,
    ) -> None:
        self._client = client
        self._delays = tuple(retry_delays or RETRY_DELAYS)
        self._identity: BotIdentity | None = None
        self._error: str | None = None
        self._first_attempt = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> SlackState:
        if self._identity is not None:
            return SlackState.CONNECTED
        return SlackState.UNAVAILABLE if self._error is not None else SlackState.CONNECTING

    @property
    def ready(self) -> bool:
        return self._identity is not None

    @property
    def error(self) -> str | None:
        """Why the last attempt failed (None once connected)."""
        return None if self._identity is not None else self._error

    def connect(self) -> BotIdentity:
        """Ask ``auth.test`` once; the identity, or the client's exception."""
        try:
            response = self._client.auth_test()
        except Exception as error:
            self._error = _reason(error)
            raise
        identity = BotIdentity(
            team_id=response.get("team_id"),
            enterprise_id=response.get("enterprise_id"),
            bot_id=response.get("bot_id"),
            bot_user_id=response.get("user_id"),
        )
        self._identity, self._error = identity, None
        return identity

    def start(self, *, wait: float = 2.0) -> None:
        """Connect in a daemon thread, trying until Slack answers or `stop()`; wait up
        to ``wait`` seconds for the first attempt (a healthy Slack answers in time, so
        the first request finds the identity known)."""
        if self._identity is not None or self._thread is not None:
            return
        self._thread = threading.Thread(target=self._keep_trying, name="slack-auth", daemon=True)
        self._thread.start()
        self._first_attempt.wait(wait)

    def stop(self) -> None:
        self._stop.set()

    def authorize_function(self) -> Callable[..., AuthorizeResult]:
        """Bolt's ``authorize`` hook: this bot's identity, for any request of its
        workspace (None, which Bolt answers with an error, only before it is known:
        callers check `ready` first)."""
        token = self._client.token

        def authorize(user_id: str | None) -> AuthorizeResult:
            identity = self._identity
            if identity is None:
                # Bolt answers a request it cannot authorize with an error (and no ack
                # of ours): callers check `ready` before they dispatch.
                return None  # type: ignore[return-value]
            return AuthorizeResult(
                enterprise_id=identity.enterprise_id,
                team_id=identity.team_id,
                bot_id=identity.bot_id,
                bot_user_id=identity.bot_user_id,
                bot_token=token,
                user_id=user_id,
            )

        return authorize

    def _keep_trying(self) -> None:
        attempt = 0
        while not self._stop.is_set():
            try:
                self.connect()
            except Exception:
                delay = self._delays[min(attempt, len(self._delays) - 1)]
                log.warning(
                    "Slack is unavailable (auth.test: %s); web chat goes on, Slack is tried "
                    "again in %.0f s",
                    self._error,
                    delay,
                )
                self._first_attempt.set()
                attempt += 1
                if self._stop.wait(delay):
                    return
                continue
            if attempt:
                log.warning("Slack is available again: connected after %d attempts", attempt + 1)
            self._first_attempt.set()
            return


def _reason(error: Exception) -> str:
    """A short, secret-free reason: Slack's error code, or the exception's first line."""
    response = getattr(error, "response", None)
    code = response.get("error") if response is not None else None
    if code:
        return str(code)
    text = str(error).strip().splitlines()
    return text[0][:200] if text else type(error).__name__
