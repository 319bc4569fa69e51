"""The helpdesk webhook: ``POST /hooks/helpdesk/{campaign}`` with a case that closed.

The request is verified first (``bot.web.webhook_signatures``), then its JSON is read
through a mapping of dotted paths (``ticket.requester.email``) to the case's fields, so
any helpdesk's payload works without code: the README lists mappings for common ones.
A case whose mapped status is not a solved one is acknowledged and ignored; a solved one
goes to ``bot.service.triggers``, which decides whether to invite and when.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from bot.service.errors import CampaignNotFound
from bot.service.triggers import ClosedCase, InvalidCase, Triggers
from bot.web.context import WebContext, client_address, web_context
from bot.web.ratelimit import RateLimited
from bot.web.webhook_signatures import verified

router = APIRouter(include_in_schema=False)
Context = Annotated[WebContext, Depends(web_context)]

DEFAULT_MAPPING: dict[str, str] = {
    "case_id": "id",
    "email": "email",
    "slack_user_id": "slack_user_id",
    "name": "name",
    "language": "language",
    "status": "status",
    "closed_at": "closed_at",
}
FIELDS = frozenset(DEFAULT_MAPPING)


@dataclass(frozen=True)
class HelpdeskHooks:
    """What the webhook needs: the service, the shared secret, the mapping (field ->
    dotted path; ``attributes.NAME`` keys become participant attributes) and which
    statuses mean solved."""

    triggers: Triggers
    secret: str
    mapping: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_MAPPING))
    solved: frozenset[str] = frozenset({"solved", "closed", "resolved"})


def read_path(data: Any, path: str) -> Any:
    """The value at ``path`` (``a.b.0.c``) in ``data``, or None."""
    value = data
    for part in path.split("."):
        if isinstance(value, Mapping):
            value = value.get(part)
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return None
    return value


def to_case(data: Any, hooks: HelpdeskHooks, *, now: datetime) -> ClosedCase | None:
    """The closed case the payload reports, or None when its status is not a solved
    one. Raises ``ValueError`` when it names no case or no closing time is readable."""
    fields = {**DEFAULT_MAPPING, **hooks.mapping}

    def text(name: str) -> str | None:
        value = read_path(data, fields[name]) if fields.get(name) else None
        return None if value is None or value == "" else str(value)

    status = text("status")
    if status is not None and status.strip().lower() not in hooks.solved:
        return None
    case_id = text("case_id")
    if case_id is None:
        raise ValueError(f"no case id at {fields['case_id']!r}")
    attributes = {
        key.split(".", 1)[1]: str(value)
        for key, path in hooks.mapping.items()
        if key.startswith("attributes.") and (value := read_path(data, path)) is not None
    }
    return ClosedCase(
        case_id=case_id,
        closed_at=_moment(read_path(data, fields["closed_at"]), now),
        email=text("email"),
        slack_user_id=text("slack_user_id"),
        name=text("name"),
        language=text("language"),
        attributes=attributes,
    )


def _moment(value: Any, now: datetime) -> datetime:
    if value is None or value == "":
        return now
    if isinstance(value, int | float) and not isinstance(value, bool):
        return datetime.fromtimestamp(float(value), UTC)
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


@router.post("/hooks/helpdesk/{campaign}")
async def helpdesk_case(campaign: str, request: Request, context: Context) -> JSONResponse:
    hooks = context.helpdesk
    if hooks is None:
        return _error(404, "not_found", "no helpdesk webhook is configured")
    try:
        context.per_client.hit(client_address(request))
    except RateLimited as limited:
        return _error(429, "rate_limited", f"retry in {limited.retry_after} s")
    body = await request.body()
    if not verified({k.lower(): v for k, v in request.headers.items()}, body, hooks.secret):
        return _error(401, "bad_signature", "the request is not signed with the shared secret")
    try:
        data = json.loads(body)
        case = to_case(data, hooks, now=datetime.now(UTC))
    except (ValueError, TypeError) as error:
        return _error(422, "unreadable", f"cannot read the case: {error}")
    if case is None:
        return JSONResponse({"outcome": "ignored", "reason": "the case is not solved"})
    try:
        # A short write transaction; run off the event loop like every database call.
        from starlette.concurrency import run_in_threadpool

        result = await run_in_threadpool(
            hooks.triggers.case_closed, campaign_slug=campaign, case=case
        )
    except CampaignNotFound:
        return _error(404, "not_found", f"no campaign {campaign!r}")
    except InvalidCase as error:
        return _error(422, "unreadable", str(error))
    send_at = None if result.send_at is None else result.send_at.isoformat()
    return JSONResponse({"outcome": result.outcome, "send_at": send_at})
