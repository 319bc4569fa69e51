"""A fake Slack for tests and benchmarks: the Web API on 127.0.0.1, and signed requests.

`FakeSlack` is a small `http.server` in a thread that answers the Web API methods
journeyline calls (`auth.test`, `chat.postMessage`, `chat.update`, `conversations.open`,
`conversations.history`, `users.lookupByEmail`, `users.info`) and records every call. Point
`WebClient(base_url=fake.url)` at it. `rate_limit("chat.postMessage", retry_after=1)`
makes the next call of that method fail with 429 and `Retry-After`.

The payload builders and `signed_headers` produce what Slack sends to the app: Events
API callbacks and `block_actions` interactions, signed like Slack signs them.
"""

from __future__ import annotations

import functools
import itertools
import json
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from fastapi.testclient import TestClient
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.turns import EngineHandler
from bot.slack.bolt_app import SlackBot
from fakes.deadlines import scaled
from fakes.local_server import SHUTDOWN_POLL_SECONDS
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage import queries
from storage.models import Interview

TEAM = "T0TEAM"
BOT_USER = "U0BOT"
BOT_ID = "B0BOT"
SIGNING_SECRET = "test-signing-secret"
BOT_TOKEN = "xoxb-test-token"


@dataclass(frozen=True)
class Call:
    """One Web API call: the method and its arguments (query, form or JSON merged)."""

    method: str
    args: dict[str, Any]
    status: int
    result: dict[str, Any] = field(default_factory=dict)


@dataclass
class FakeSlack:
    """The fake Web API. Use as a context manager, or `start()` and `stop()`."""

    team_id: str = TEAM
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: list[Call] = field(default_factory=list)
    _limits: dict[str, list[int]] = field(default_factory=dict)
    _failures: dict[str, list[str]] = field(default_factory=dict)
    _ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        """The base URL to give `WebClient(base_url=...)`."""
        assert self._server is not None, "start the fake first"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/api/"

    def start(self) -> FakeSlack:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        self._server.daemon_threads = True
        serve = functools.partial(self._server.serve_forever, SHUTDOWN_POLL_SECONDS)
        threading.Thread(target=serve, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def __enter__(self) -> FakeSlack:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    # --- set-up ---------------------------------------------------------------------

    def add_user(self, user_id: str, *, email: str, name: str) -> None:
        self.users[user_id] = {
            "id": user_id,
            "team_id": self.team_id,
            "name": name.lower(),
            "real_name": name,
            "profile": {"display_name": name, "real_name": name, "email": email},
        }

    def rate_limit(self, method: str, *, retry_after: int = 1, times: int = 1) -> None:
        """The next `times` calls of `method` answer 429 with `Retry-After`."""
        with self._lock:
            self._limits.setdefault(method, []).extend([retry_after] * times)

    def fail(self, method: str, *, times: int, error: str = "fatal_error") -> None:
        """The next `times` calls of `method` answer 200 with ``ok: false`` and `error`
        (Slack's way of saying it cannot serve the call: an outage, a revoked token)."""
        with self._lock:
            self._failures.setdefault(method, []).extend([error] * times)

    # --- reading what happened --------------------------------------------------------

    def calls_to(self, method: str, *, ok_only: bool = True) -> list[dict[str, Any]]:
        """The arguments of every call of `method`, in order (successful ones only)."""
        with self._lock:
            return [
                c.args
                for c in self.calls
                if c.method == method and (c.status == 200 or not ok_only)
            ]

    def posted(self) -> list[dict[str, Any]]:
        """The messages `chat.postMessage` delivered: its arguments plus the `ts` given."""
        with self._lock:
            return [
                {**c.args, "ts": c.result.get("ts")}
                for c in self.calls
                if c.method == "chat.postMessage" and c.status == 200
            ]

    def clear(self) -> None:
        with self._lock:
            self.calls.clear()

    # --- answering --------------------------------------------------------------------

    def answer(self, method: str, args: dict[str, Any]) -> tuple[int, dict[str, str], Any]:
        with self._lock:
            limits = self._limits.get(method)
            if limits:
                retry_after = limits.pop(0)
                self.calls.append(Call(method, args, 429))
                return 429, {"Retry-After": str(retry_after)}, {"ok": False, "error": "ratelimited"}
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            failures = self._failures.get(method)
            if failures:
                result = {"ok": False, "error": failures.pop(0)}
                self.calls.append(Call(method, args, 200, result))
                return 200, {}, result
            result = self._result(method, args, ts)
            self.calls.append(Call(method, args, 200, result))
        return 200, {}, result

    def _result(self, method: str, args: Mapping[str, Any], ts: str) -> dict[str, Any]:
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://acme.slack.com/",
                "team": "Acme",
                "user": "journeyline",
                "team_id": self.team_id,
                "user_id": BOT_USER,
                "bot_id": BOT_ID,
            }
        if method == "chat.postMessage":
            message = {"type": "message", "bot_id": BOT_ID, "user": BOT_USER, "ts": ts}
            message.update({k: args[k] for k in ("text", "blocks") if k in args})
            return {"ok": True, "channel": args.get("channel"), "ts": ts, "message": message}
        if method == "chat.update":
            return {"ok": True, "channel": args.get("channel"), "ts": args.get("ts")}
        if method == "conversations.history":
            return {"ok": True, "messages": self._history(args), "has_more": False}
        if method == "conversations.open":
            user = str(args.get("users", ""))
            if user not in self.users:
                return {"ok": False, "error": "user_not_found"}
            return {"ok": True, "channel": {"id": f"D{user}"}}
        if method == "users.lookupByEmail":
            for member in self.users.values():
                if member["profile"]["email"] == args.get("email"):
                    return {"ok": True, "user": member}
            return {"ok": False, "error": "users_not_found"}
        if method == "users.info":
            found = self.users.get(str(args.get("user")))
            return (
                {"ok": True, "user": found} if found else {"ok": False, "error": "user_not_found"}
            )
        return {"ok": False, "error": "unknown_method"}

    def _history(self, args: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The bot's messages in the channel, newest first, as Slack lists them (metadata
        only with ``include_all_metadata``). Called with the lock held."""
        with_metadata = str(args.get("include_all_metadata", "")).lower() in ("1", "true")
        limit = int(args.get("limit") or 100)
        messages: list[dict[str, Any]] = []
        for call in reversed(self.calls):
            if len(messages) >= limit:
                break
            if call.method != "chat.postMessage" or call.status != 200:
                continue
            if call.args.get("channel") != args.get("channel"):
                continue
            message = dict(call.result["message"])
            if with_metadata and call.args.get("metadata"):
                message["metadata"] = call.args["metadata"]
            messages.append(message)
        return messages


def _handler_for(fake: FakeSlack) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self._serve(b"")

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            self._serve(self.rfile.read(length))

        def _serve(self, raw: bytes) -> None:
            parts = urlsplit(self.path)
            method = parts.path.rsplit("/", 1)[-1]
            args: dict[str, Any] = dict(parse_qsl(parts.query))
            if raw:
                if (self.headers.get("Content-Type") or "").startswith("application/json"):
                    args.update(json.loads(raw))
                else:
                    args.update(parse_qsl(raw.decode()))
            for key in ("blocks", "metadata"):  # form-encoded, they arrive as JSON strings
                if isinstance(args.get(key), str):
                    args[key] = json.loads(args[key])
            status, headers, body = fake.answer(method, args)
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # keep test output clean

    return Handler


# --- what Slack sends to the app ------------------------------------------------------


def signed_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack adds: a v0 signature of `body` at `timestamp` (default: now)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    signature = SignatureVerifier(secret).generate_signature(timestamp=ts, body=body)
    assert signature is not None
    return {"x-slack-signature": signature, "x-slack-request-timestamp": ts}


def event_callback(event: Mapping[str, Any], *, event_id: str, team_id: str = TEAM) -> str:
    """An Events API `event_callback` body (JSON text)."""
    return json.dumps(
        {
            "token": "unused",
            "team_id": team_id,
            "api_app_id": "A0APP",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": dict(event),
        }
    )


_message_ts = itertools.count(1)


def dm_event(
    text: str,
    *,
    user: str,
    channel: str | None = None,
    ts: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    """A `message` event in the user's DM with the app (`channel_type: im`)."""
    event = {
        "type": "message",
        "channel_type": "im",
        "channel": channel or f"D{user}",
        "user": user,
        "team": TEAM,
        "text": text,
        "ts": ts or f"{1_800_000_000 + next(_message_ts)}.000200",
    }
    event.update(extra)
    return event


def block_actions(
    *,
    user: str,
    message: Mapping[str, Any],
    value: str,
    label: str | None = None,
    action_id: str | None = None,
    channel: str | None = None,
) -> str:
    """The form-encoded interactivity body of a click on `message`'s button `value`."""
    clicked = next(
        (
            element
            for block in message.get("blocks", [])
            if block.get("type") == "actions"
            for element in block["elements"]
            if element.get("value") == value
        ),
        None,
    )
    action = {
        "type": "button",
        "block_id": "jl_choices_0",
        "action_id": action_id or (clicked or {}).get("action_id", "jl_choice_0"),
        "text": {
            "type": "plain_text",
            "text": label or (clicked or {"text": {}})["text"].get("text", value),
        },
        "value": value,
        "action_ts": f"{time.time():.6f}",
    }
    payload = {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "acme"},
        "user": {"id": user, "team_id": TEAM},
        "api_app_id": "A0APP",
        "container": {
            "type": "message",
            "message_ts": message["ts"],
            "channel_id": channel or f"D{user}",
        },
        "channel": {"id": channel or f"D{user}", "name": "directmessage"},
        "message": {
            "type": "message",
            "ts": message["ts"],
            "text": message.get("text", ""),
            "blocks": message.get("blocks", []),
        },
        "actions": [action],
        "trigger_id": "1.2.3",
    }
    return urlencode({"payload": json.dumps(payload)})


_event_ids = itertools.count(1)

Send = Callable[[str, dict[str, str]], int]


class SlackDriver:
    """Plays Slack's side: signed deliveries to the app, then waits for the work after
    the ack (`settle`) so tests can look at what was posted and stored."""

    def __init__(self, *, send: Send, settle: Callable[[], None], fake: FakeSlack) -> None:
        self.send = send
        self.settle = settle
        self.fake = fake

    def deliver(
        self,
        body: str,
        *,
        content_type: str = "application/json",
        retry_num: int | None = None,
        timestamp: int | None = None,
        secret: str = SIGNING_SECRET,
        settle: bool = True,
    ) -> int:
        headers = {
            "content-type": content_type,
            **signed_headers(body, secret=secret, timestamp=timestamp),
        }
        if retry_num is not None:
            headers["x-slack-retry-num"] = str(retry_num)
            headers["x-slack-retry-reason"] = "http_timeout"
        status = self.send(body, headers)
        if settle:
            self.settle()
        return status

    def say(
        self,
        text: str,
        *,
        user: str = "U1",
        event_id: str | None = None,
        settle: bool = True,
        **extra: Any,
    ) -> int:
        """The user types `text` in their DM with the app (`extra`: more event fields)."""
        event = dm_event(text, user=user, **extra)
        body = event_callback(event, event_id=event_id or new_event_id())
        return self.deliver(body, settle=settle)

    def click(
        self, message: Mapping[str, Any], value: str, *, user: str = "U1", settle: bool = True
    ) -> int:
        """The user clicks the button with `value` on the posted `message`."""
        body = block_actions(user=user, message=message, value=value)
        return self.deliver(body, content_type="application/x-www-form-urlencoded", settle=settle)

    def last_post(self, channel: str | None = None) -> dict[str, Any]:
        posts = [p for p in self.fake.posted() if channel is None or p["channel"] == channel]
        return posts[-1]


def new_event_id() -> str:
    return f"Ev{next(_event_ids):08d}"


def buttons(message: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(value, label) of every button in a posted message's blocks."""
    return [
        (element["value"], element["text"]["text"])
        for block in message.get("blocks") or []
        if block.get("type") == "actions"
        for element in block["elements"]
    ]


# --- the app under test, wired to the fake ---------------------------------------------

CAMPAIGN = "slack-test"


@dataclass
class SlackWorld:
    """The app under test, the fake Slack it talks to, and its storage."""

    driver: SlackDriver
    fake: FakeSlack
    bot: SlackBot
    service: InterviewService
    sessions: sessionmaker[Session]

    def interview(self, user: str = "U1") -> Interview:
        """The user's (newest) Slack interview, with messages and steps loaded."""
        with self.sessions() as session:
            interview = queries.find_open_slack_interview(
                session, team_id=TEAM, user_id=user, finished_statuses=()
            )
            assert interview is not None
            _ = interview.messages, interview.steps
            return interview

    def pending_slot(self, user: str = "U1") -> str | None:
        """The slot the interview waits on; ``None`` once it is finished."""
        replies = self.service.pending(self.interview(user).public_id).replies
        return replies[-1].slot if replies else None


def make_world(
    fake: FakeSlack,
    db_engine: Engine,
    session_factory: sessionmaker[Session],
    *,
    handler: EngineHandler | None = None,
    **settings: Any,
) -> Iterator[SlackWorld]:
    """The FastAPI app (with `/slack/events` mounted from settings) pointed at `fake`,
    with campaign `slack-test` open to DMs. A generator: use with `yield from`/`for`."""
    with session_factory.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="Acme support", open_link=True)
    values: dict[str, Any] = {
        "slack_bot_token": BOT_TOKEN,
        "slack_signing_secret": SIGNING_SECRET,
        "slack_api_url": fake.url,
        "slack_campaign": CAMPAIGN,
        **settings,
    }
    config = Settings(**values)
    service = InterviewService(
        session_factory,
        max_message_chars=config.max_message_chars,
        handler=handler or engine.handle,
    )
    runtime = Runtime(settings=config, engine=db_engine, sessions=session_factory, service=service)
    app = create_app(runtime)
    with TestClient(app) as client:
        bot: SlackBot = app.state.slack

        def send(body: str, headers: dict[str, str]) -> int:
            response = client.post("/slack/events", content=body, headers=headers)
            return int(response.status_code)

        def settle() -> None:
            assert bot.executor.join(scaled(30)), "Slack work did not finish"

        driver = SlackDriver(send=send, settle=settle, fake=fake)
        yield SlackWorld(driver, fake, bot, service, session_factory)


def with_users(fake: FakeSlack) -> FakeSlack:
    fake.add_user("U1", email="ana@example.com", name="Ana")
    fake.add_user("U2", email="ben@example.com", name="Ben")
    return fake
