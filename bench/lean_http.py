"""A minimal HTTP/1.1 keep-alive client for the load harness, on bare asyncio streams.

The load generator shares the machine's cores with the servers it measures, so every
microsecond it spends per request is taken from them. httpx is a fine client but costs
around a millisecond of CPU per request with a few hundred pooled connections (its pool
is scanned per request), which made the client the bottleneck of the baseline's
saturation phase. This client does only what the harness needs: POST/GET with a JSON
body on kept-alive connections, responses with a Content-Length (or chunked), one
request at a time per connection. Failures raise `HttpError` subclasses named like
httpx's (`ConnectError`, `ReadError`, `WriteError`, `TimeoutException`), so the error
report reads the same.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit


class HttpError(Exception):
    """A request that got no complete response."""


class ConnectError(HttpError):
    pass


class WriteError(HttpError):
    pass


class ReadError(HttpError):
    pass


class TimeoutException(HttpError):
    pass


@dataclass(frozen=True)
class Response:
    status_code: int
    content: bytes

    def json(self) -> Any:
        return json.loads(self.content)


class _Connection:
    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.reader = reader
        self.writer = writer

    def close(self) -> None:
        self.writer.close()


class LeanClient:
    """Kept-alive connections to one `base_url`; idle ones are reused, newest first."""

    def __init__(self, base_url: str, *, timeout: float) -> None:
        parts = urlsplit(base_url)
        self._host = parts.hostname or "127.0.0.1"
        self._port = parts.port or 80
        self._host_header = f"{self._host}:{self._port}".encode()
        self._timeout = timeout
        self._idle: list[_Connection] = []

    async def __aenter__(self) -> LeanClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()

    async def post(
        self, path: str, *, json: Any, headers: dict[str, str] | None = None
    ) -> Response:
        return await self.request("POST", path, body=_dumps(json), headers=headers)

    async def get(self, path: str, *, headers: dict[str, str] | None = None) -> Response:
        return await self.request("GET", path, body=None, headers=headers)

    async def request(
        self, method: str, path: str, *, body: bytes | None, headers: dict[str, str] | None
    ) -> Response:
        head = [f"{method} {path} HTTP/1.1".encode(), b"host: " + self._host_header]
        if body is not None:
            head.append(b"content-type: application/json")
            head.append(b"content-length: " + str(len(body)).encode())
        for name, value in (headers or {}).items():
            head.append(f"{name}: {value}".encode())
        raw = b"\r\n".join(head) + b"\r\n\r\n" + (body or b"")
        connection = await self._connection()
        try:
            response, keep = await asyncio.wait_for(self._exchange(connection, raw), self._timeout)
        except TimeoutError:
            connection.close()
            raise TimeoutException("no response in time") from None
        except BaseException:
            connection.close()
            raise
        if keep:
            self._idle.append(connection)
        else:
            connection.close()
        return response

    async def _connection(self) -> _Connection:
        while self._idle:
            connection = self._idle.pop()
            # A server closes kept-alive connections that sat idle too long (uvicorn: 5 s
            # by default); like httpx, never send on one it has closed.
            if connection.reader.at_eof() or connection.writer.is_closing():
                connection.close()
                continue
            return connection
        try:
            reader, writer = await asyncio.wait_for(
                asyncio.open_connection(self._host, self._port), self._timeout
            )
        except (OSError, TimeoutError) as error:
            raise ConnectError(str(error)) from error
        return _Connection(reader, writer)

    async def _exchange(self, connection: _Connection, raw: bytes) -> tuple[Response, bool]:
        try:
            connection.writer.write(raw)
            await connection.writer.drain()
        except OSError as error:
            raise WriteError(str(error)) from error
        reader = connection.reader
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split(b" ", 2)[1])
            fields: dict[bytes, bytes] = {}
            for line in lines[1:]:
                if line:
                    name, _, value = line.partition(b":")
                    fields[name.strip().lower()] = value.strip()
            if b"content-length" in fields:
                content = await reader.readexactly(int(fields[b"content-length"]))
            elif fields.get(b"transfer-encoding", b"").lower() == b"chunked":
                content = await _read_chunked(reader)
            else:
                content = await reader.read()
                return Response(status, content), False
        except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as error:
            raise ReadError(str(error) or type(error).__name__) from error
        keep = fields.get(b"connection", b"").lower() != b"close"
        return Response(status, content), keep


async def _read_chunked(reader: asyncio.StreamReader) -> bytes:
    parts: list[bytes] = []
    while True:
        size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
        if size == 0:
            await reader.readuntil(b"\r\n")
            return b"".join(parts)
        parts.append(await reader.readexactly(size))
        await reader.readexactly(2)


def _dumps(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
