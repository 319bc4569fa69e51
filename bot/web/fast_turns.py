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
lock) to every turn; run inline, it has none. When the database is
busy with another writer (another process, or a thread of this one), the turn goes to
the thread pool, which waits for it, so the event loop never waits on the database.

It runs ahead of the framework's middleware stack (see ``journeyline.web.app``), so what
the middleware does for every other request it does here itself: the request size
limit, the security headers (given by the composition root) and a JSON 500 for an
unexpected failure.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable
from concurrent.futures import Executor

from pydantic import BaseModel, ValidationError
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from bot.web.api import answer_message, check_message, check_start, start_json
from bot.web.context import WebContext
from bot.web.http_errors import ApiError, declares_too_large, error_response, too_large_response
from bot.web.schemas import MessageRequest, StartRequest

START_PATH = "/api/v1/interviews"
PREFIX = START_PATH + "/"
SUFFIX = "/messages"
_JSON_HEADERS = ((b"content-type", b"application/json"), (b"cache-control", b"no-store"))
Headers = tuple[tuple[bytes, bytes], ...]


class FastTurns:
    """Answer message posts and starts directly; pass every other request on to `app`.

    ``headers`` go on every response of its own; request bodies over ``max_bytes`` get a
    413 without being read further.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        context: WebContext,
        executor: Executor,
        max_bytes: int,
        headers: Headers = (),
    ) -> None:
        self.app = app
        self.context = context
        self.executor = executor
        self.max_bytes = max_bytes
        self.headers = headers
        self._ok_headers = _JSON_HEADERS + headers

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = _hot_route(scope)
        if route is None:
            await self.app(scope, receive, send)
            return
        body = await _read_body(scope, receive, self.max_bytes)
        if body is None:
            await self._respond(too_large_response(self.max_bytes), scope, receive, send)
            return
        model: type[BaseModel] = MessageRequest if route else StartRequest
        try:
            request = model.model_validate_json(body)
        except ValidationError:
            # FastAPI words validation errors; let it answer this (rare) one.
            await self.app(scope, _replaying(body, receive), send)
            return
        try:
            status, content = await self._content(scope, route, request)
        except ApiError as error:
            response = error_response(error.status, error.code, error.message, error.headers)
            await self._respond(response, scope, receive, send)
            return
        except Exception:
            # What the framework's error middleware does for its routes: a 500 for the
            # client, the failure for the server's log (by re-raising, as it does).
            failed = error_response(500, "internal_error", "Something went wrong on our side.")
            await self._respond(failed, scope, receive, send)
            raise
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [*self._ok_headers, (b"content-length", str(len(content)).encode())],
            }
        )
        await send({"type": "http.response.body", "body": content})

    async def _content(self, scope: Scope, route: str, request: BaseModel) -> tuple[int, bytes]:
        client = scope.get("client")
        address = client[0] if client else "unknown"
        if isinstance(request, MessageRequest):
            return 200, await self._answer(scope, address, route, request)
        assert isinstance(request, StartRequest)
        check_start(self.context, address, request)
        start = functools.partial(start_json, self.context, request, client=address)
        return 201, await self._run(start)

    async def _respond(
        self, response: Response, scope: Scope, receive: Receive, send: Send
    ) -> None:
        response.raw_headers.extend(self.headers)
        await response(scope, receive, send)

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


async def _read_body(scope: Scope, receive: Receive, max_bytes: int) -> bytes | None:
    """The request body; None once it proves larger than `max_bytes`, declared or sent."""
    if declares_too_large(scope["headers"], max_bytes):
        return None
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > max_bytes:
            return None
        chunks.append(chunk)
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
