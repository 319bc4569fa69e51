"""The hot endpoint, `POST /api/v1/interviews/{id}/messages`, as plain ASGI.

Every customer answer goes through this one endpoint. Through FastAPI's router,
dependency solving, AnyIO's thread hop and response classes, the framework's share of a
turn was larger than the turn itself (engine and database). This middleware answers the
same requests with the same code (`api.check_message`, `api.answer_message`), the same
validation model and the same error bodies, but calls them directly: the JSON body is
validated by pydantic-core, the turn runs on a plain thread pool, and the response goes
out as two ASGI messages. The FastAPI route stays: it documents the endpoint in OpenAPI
and answers whatever this path hands over (a body that fails validation, so the 422
reads exactly as FastAPI words it).
"""

from __future__ import annotations

import asyncio
import functools
from concurrent.futures import Executor

from pydantic import ValidationError
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.api import answer_message, check_message
from bot.web.context import WebContext
from bot.web.errors import ApiError, error_response
from bot.web.schemas import MessageRequest

PREFIX = "/api/v1/interviews/"
SUFFIX = "/messages"
_JSON_HEADERS = ((b"content-type", b"application/json"), (b"cache-control", b"no-store"))


class FastTurns:
    """Answer message posts directly; pass every other request on to `app`."""

    def __init__(self, app: ASGIApp, *, context: WebContext, executor: Executor) -> None:
        self.app = app
        self.context = context
        self.executor = executor

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        interview_id = _message_post(scope)
        if interview_id is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(receive)
        try:
            request = MessageRequest.model_validate_json(body)
        except ValidationError:
            # FastAPI words validation errors; let it answer this (rare) one.
            await self.app(scope, _replaying(body, receive), send)
            return
        headers = dict(scope["headers"])
        authorization = headers.get(b"authorization")
        client = scope.get("client")
        try:
            token = check_message(
                self.context,
                client[0] if client else "unknown",
                authorization.decode("latin-1") if authorization is not None else None,
                request,
            )
            content = await asyncio.get_running_loop().run_in_executor(
                self.executor,
                functools.partial(answer_message, self.context, interview_id, token, request),
            )
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, error.headers)
            await response(scope, receive, send)
            return
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [*_JSON_HEADERS, (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})


def _message_post(scope: Scope) -> str | None:
    """The interview id when `scope` is a message post, else None."""
    if scope["type"] != "http" or scope["method"] != "POST":
        return None
    path: str = scope["path"]
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
