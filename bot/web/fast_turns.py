"""The two hot endpoints, message posts and interview starts, as plain ASGI.

Every customer answer goes through `POST /api/v1/interviews/{id}/messages`, and every
open-link visit through `POST /api/v1/interviews`. Through FastAPI's router, dependency
solving, AnyIO's thread hop and response classes, the framework's share of a turn was
larger than the turn itself. This middleware answers the same requests with the same
code (`api.check_message` and `api.answer_message`, `api.check_start` and
`api.start_json`), the same validation models and the same error bodies, but calls them
directly. The FastAPI routes stay: they document the endpoints in OpenAPI and answer
whatever this path hands over (a body that fails validation, so the 422 reads exactly as
FastAPI words it).

Where the turn can run without waiting (SQLite with no language model: see
`InterviewService.handle_message_now`) it runs right here on the event loop. SQLite
takes one writer at a time and Python one thread at a time, so a pool of threads taking
turns only added hand-offs between threads (and each one's wait for the interpreter
lock) to every turn: run inline, a turn costs about half as much. When the database is
busy with another writer (another process, or a thread of this one), the turn goes to
the thread pool, which waits for it, so the event loop never waits on the database.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Executor

from pydantic import BaseModel, ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.api import answer_message, check_message, check_start, start_json
from bot.web.context import WebContext
from bot.web.errors import ApiError, error_response
from bot.web.schemas import MessageRequest, StartRequest

START_PATH = "/api/v1/interviews"
PREFIX = START_PATH + "/"
SUFFIX = "/messages"
_JSON_HEADERS = ((b"content-type", b"application/json"), (b"cache-control", b"no-store"))


class FastTurns:
    """Answer message posts and starts directly; pass every other request on to `app`."""

    def __init__(self, app: ASGIApp, *, context: WebContext, executor: Executor) -> None:
        self.app = app
        self.context = context
        self.executor = executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _hot_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        model: type[BaseModel] = MessageRequest if route else StartRequest
        try:
            request = model.model_validate_json(body)
        except ValidationError:
            # FastAPI words validation errors; let it answer this (rare) one.
            await self.app(scope, _replaying(body, receive), send)
            return
        client = scope.get("client")
        address = client[0] if client else "unknown"
        try:
            if isinstance(request, MessageRequest):
                status = 200
                content = await self._answer(scope, address, route, request)
            else:
                assert isinstance(request, StartRequest)
                status = 201
                check_start(self.context, address, request)
                content = await self._run(functools.partial(start_json, self.context, request))
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, error.headers)
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def _answer(
        self, scope: Scope, address: str, interview_id: str, request: MessageRequest
    ) -> bytes:
        authorization = dict(scope["headers"]).get(b"authorization")
        token = check_message(
            self.context,
            address,
            authorization.decode("latin-1") if authorization is not None else None,
            request,
        )
        return await self._run(
            functools.partial(answer_message, self.context, interview_id, token, request)
        )

    async def _run(self, work: Callable[..., bytes | None]) -> bytes:
        """`work` right here if it can run without waiting, else in the thread pool."""
        done = work(wait=False)
        if done is not None:
            return done
        waited = await asyncio.get_running_loop().run_in_executor(
            self.executor, functools.partial(work, wait=True)
        )
        assert waited is not None  # with wait=True there is always an answer
        return waited


def _hot_route(scope: Scope) -> str | None:
    """The interview id when `scope` is a message post, "" for a start, else None."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path: str = scope["path"]
    if path == START_PATH:
        return ""
    if not (path.startswith(PREFIX) and path.endswith(SUFFIX)):
        return None
    interview_id = path[len(PREFIX) : -len(SUFFIX)]
    if not interview_id or "/" in interview_id:
        return None
    return interview_id


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replaying(body: bytes, receive: Receive) -> Receive:
    """A `receive` that yields the already-read body once, then the client's messages."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay
