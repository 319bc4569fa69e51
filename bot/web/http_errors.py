"""API errors as JSON a person can read: {"error": {"code": ..., "message": ...}}."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


class ApiError(Exception):
    def __init__(
        self, status: int, code: str, message: str, *, headers: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers or {}
        super().__init__(message)


def error_response(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers=headers)


def too_large_response(max_bytes: int) -> JSONResponse:
    """413 for a request body over `max_bytes`, declared or streamed."""
    return error_response(
        413, "request_too_large", f"The request is larger than {max_bytes} bytes."
    )


def declares_too_large(headers: Iterable[tuple[bytes, bytes]], max_bytes: int) -> bool:
    """True when an ASGI request's own Content-Length is over `max_bytes`.

    A body sent without one, or longer than declared, must still be counted as it arrives.
    """
    declared = dict(headers).get(b"content-length")
    return declared is not None and declared.isdigit() and int(declared) > max_bytes


async def api_error_handler(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ApiError)
    return error_response(error.status, error.code, error.message, error.headers)


async def validation_error_handler(request: Request, error: Exception) -> JSONResponse:
    """422 naming each problem in words ("client_message_id: field required.")."""
    assert isinstance(error, RequestValidationError)
    problems = [_describe(issue) for issue in error.errors()]
    message = "The request is malformed: " + "; ".join(problems) + "."
    return error_response(422, "invalid_request", message)


def _describe(issue: Mapping[str, Any]) -> str:
    if issue.get("type") == "json_invalid":
        return "the body is not valid JSON"
    where = ".".join(str(part) for part in issue.get("loc", ()) if part != "body")
    what = str(issue.get("msg", "invalid")).rstrip(".")
    what = what[:1].lower() + what[1:]
    return f"{where}: {what}" if where else what
