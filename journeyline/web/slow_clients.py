"""Deadlines for reading a request: slow clients are dropped, not held.

uvicorn closes idle kept-alive connections, but a client that sends half a request line,
a header a minute, or a body one byte at a time holds its connection (and a slot of
`--limit-concurrency`) for as long as it likes: 100 half-sent requests were all still
held after 120 s. So every request gets two deadlines, counted from its first byte (not
reset by each trickled byte, which is how slow clients stay alive):

- the request line and headers within ``header_timeout`` (from the connection's start,
  or from the first byte after a kept-alive response): else the connection is closed;
- the body within ``body_timeout`` once the headers are in: else 408 and the connection
  is closed (the application sees the client disconnect).

A request whose body has arrived has no deadline: a slow answer (a language model) is
the server's business. It is uvicorn's httptools protocol with these timers added
(`uvicorn.Config(http=...)` takes a protocol class).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

TIMED_OUT = (
    b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\n"
    b"content-length: 25\r\nconnection: close\r\n\r\nThe request took too long"
)


class DeadlineProtocol(HttpToolsProtocol):
    """`HttpToolsProtocol` with the header and body deadlines; the durations are class
    attributes, set by `protocol_with_deadlines`."""

    header_timeout: float = 10.0
    body_timeout: float = 30.0

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._deadline: asyncio.TimerHandle | None = None
        self._reading_body = False

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm(self.header_timeout, self._headers_too_slow)

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        # The first byte of the next request on a kept-alive connection starts its clock
        # (until then uvicorn's keep-alive timeout watches the idle connection).
        if self._deadline is None and not self._reading_body:
            self._arm(self.header_timeout, self._headers_too_slow)
        super().data_received(data)

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        self._reading_body = True
        self._arm(self.body_timeout, self._body_too_slow)

    def on_message_complete(self) -> None:
        super().on_message_complete()
        self._reading_body = False
        self._disarm()

    def _arm(self, seconds: float, callback: Any) -> None:
        self._disarm()
        self._deadline = self.loop.call_later(seconds, callback)

    def _disarm(self) -> None:
        if self._deadline is not None:
            self._deadline.cancel()
            self._deadline = None

    def _headers_too_slow(self) -> None:
        self._deadline = None
        if not self.transport.is_closing():
            self.transport.close()

    def _body_too_slow(self) -> None:
        self._deadline = None
        if self.transport.is_closing():
            return
        cycle = self.cycle
        if cycle is None or not cycle.response_started:
            # Nothing sent yet: say why before hanging up. The application's own answer,
            # if it still writes one, goes nowhere (the cycle sees a disconnect).
            if cycle is not None:
                cycle.response_complete = True
            self.transport.write(TIMED_OUT)
        self.transport.close()


def protocol_with_deadlines(
    *, header_timeout: float, body_timeout: float
) -> type[DeadlineProtocol]:
    """A `DeadlineProtocol` subclass with these deadlines (seconds), for
    `uvicorn.Config(http=...)` in this process (tests, a single server process)."""
    return type(
        "DeadlineProtocol",
        (DeadlineProtocol,),
        {"header_timeout": header_timeout, "body_timeout": body_timeout},
    )


def set_process_deadlines(*, header_timeout: float, body_timeout: float) -> None:
    """Set `DeadlineProtocol`'s own deadlines for this process. Worker processes get the
    protocol as an import path (`PROTOCOL_PATH`: a class made at run time cannot be sent
    to a spawned process), so each worker sets them from its settings when it starts."""
    DeadlineProtocol.header_timeout = header_timeout
    DeadlineProtocol.body_timeout = body_timeout


PROTOCOL_PATH = f"{__name__}:DeadlineProtocol"
