"""The JSON API: start or resume an interview, post messages, read the transcript.

Authorisation is the interview's secret token (`Authorization: Bearer <token>`), the same
one that is in the customer's link. A wrong token and an unknown interview look the same
(404), so ids cannot be probed.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Request, Response

from bot.service.errors import (
    CampaignClosed,
    CampaignNotFound,
    InterviewFinished,
    InterviewFull,
    InterviewNotFound,
    QuotaFull,
    StartRefused,
    StudyClosed,
    StudyNotOpenYet,
    TurnBusy,
)
from bot.service.links import LinkExpired, LinkNotFound, LinkRevoked
from bot.web.context import WebContext, client_address, web_context
from bot.web.http_errors import ApiError
from bot.web.ratelimit import RateLimited
from bot.web.schemas import (
    ErrorView,
    InterviewView,
    MessageRequest,
    StartRequest,
    TurnView,
    interview_view,
    turn_json,
)

ERRORS: dict[int | str, dict[str, object]] = {
    404: {"model": ErrorView, "description": "Unknown interview, link or token"},
    409: {"model": ErrorView, "description": "The interview is finished, or full"},
    413: {"model": ErrorView, "description": "Message or request too large"},
    422: {"model": ErrorView, "description": "Malformed request"},
    429: {"model": ErrorView, "description": "Rate limited; see Retry-After"},
    503: {"model": ErrorView, "description": "Busy: nothing was stored; send it again"},
}

router = APIRouter(prefix="/api/v1", tags=["interviews"], responses=ERRORS)
Context = Annotated[WebContext, Depends(web_context)]


def _limit(context: WebContext, request: Request, token: str | None) -> None:
    _limit_keys(context, client_address(request), token)


def _limit_keys(context: WebContext, client: str, token: str | None) -> None:
    try:
        context.per_client.hit(client)
        if token is not None:
            context.per_token.hit(token)
    except RateLimited as limited:
        raise ApiError(
            429,
            "rate_limited",
            f"Too many requests. Please wait {limited.retry_after} seconds and try again.",
            headers={"Retry-After": str(limited.retry_after)},
        ) from None


def _bearer(authorization: str | None) -> str:
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise ApiError(404, "not_found", "No interview found for this link.")
    return token.strip()


def _busy() -> ApiError:
    # Nothing was stored: the client sends the same message (same id) again.
    return ApiError(
        503,
        "busy",
        "We could not save that just now. Please send it again.",
        headers={"Retry-After": "1"},
    )


def _not_found(message: str = "No interview found for this link.") -> ApiError:
    return ApiError(404, "not_found", message)


def start_refused(refused: StartRefused) -> ApiError:
    """429 for an open-link start over budget, saying when to try again."""
    minutes = max(1, round(refused.retry_after / 60))
    who = "from your network" if refused.scope == "client" else "for this survey"
    return ApiError(
        429,
        "too_many_starts",
        f"Too many interviews were started {who} just now. Please try again in "
        f"{minutes} minute{'s' if minutes != 1 else ''}.",
        headers={"Retry-After": str(refused.retry_after)},
    )


@router.post("/interviews", status_code=201, response_model=InterviewView)
def start_interview(body: StartRequest, request: Request, context: Context) -> Response:
    """Open the interview of a personal invite token (starting it on first use), or start
    an anonymous interview from a campaign's open link. Returns the token to use."""
    client = client_address(request)
    check_start(context, client, body)
    content = start_json(context, body, client=client)
    assert content is not None  # waiting is allowed here
    return Response(
        content=content,
        status_code=201,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def check_start(context: WebContext, client: str, body: StartRequest) -> None:
    """The cheap checks before a start (rate limits), shared with `bot.web.fast_turns`."""
    _limit_keys(context, client, body.invite_token)


def start_json(
    context: WebContext, body: StartRequest, *, wait: bool = True, client: str | None = None
) -> bytes | None:
    """Open or start the interview (blocking: in a worker thread, unless `wait` is False);
    the response body (JSON of an `InterviewView`), or `ApiError` (404; 429 when the
    open link's start budgets, for the ``client`` address, the campaign or all links,
    are used up). With `wait=False`, None (nothing done) unless it could start at once
    without waiting: an open link's start, when the service answers without waiting
    (see `InterviewService.handle_message_now`)."""
    try:
        if body.invite_token is not None:
            if not wait:
                return None  # rare (once per invite) and through the ORM: in a thread
            opened = context.links.open(body.invite_token)
            token, snapshot = opened.token, context.service.snapshot(opened.turn.interview_id)
        else:
            assert body.campaign is not None
            token, snapshot = context.links.start_open_snapshot(
                body.campaign, wait=wait, client=client
            )
    except StartRefused as refused:
        raise start_refused(refused) from None
    except (LinkExpired, LinkRevoked) as gone:
        raise ApiError(410, "link_closed", f"{str(gone).capitalize()}.") from None
    except (StudyClosed, StudyNotOpenYet, QuotaFull) as refused:
        raise ApiError(410, "study_closed", f"{str(refused).capitalize()}.") from None
    except (LinkNotFound, CampaignNotFound):
        raise _not_found("This link is not valid. Check that it was copied completely.") from None
    except CampaignClosed:
        raise _not_found("This campaign does not accept interviews from an open link.") from None
    except TurnBusy:
        if wait:
            raise _busy() from None
        return None
    view = interview_view(snapshot, max_chars=context.max_chars, token=token)
    return view.model_dump_json().encode()


@router.get("/interviews/{interview_id}")
def read_interview(
    interview_id: str,
    request: Request,
    context: Context,
    authorization: Annotated[str | None, Header()] = None,
) -> InterviewView:
    """The transcript, the status, the question waiting for an answer and the progress."""
    token = _bearer(authorization)
    _limit(context, request, token)
    try:
        context.links.authorize(interview_id, token)
        snapshot = context.service.snapshot(interview_id)
    except InterviewNotFound:
        raise _not_found() from None
    return interview_view(snapshot, max_chars=context.max_chars)


@router.post("/interviews/{interview_id}/messages", response_model=TurnView)
def post_message(
    interview_id: str,
    body: MessageRequest,
    request: Request,
    context: Context,
    authorization: Annotated[str | None, Header()] = None,
) -> Response:
    """Send the customer's answer; get the bot's replies. Re-posting the same
    `client_message_id` returns the same replies and stores nothing twice."""
    token = check_message(context, client_address(request), authorization, body)
    content = answer_message(context, interview_id, token, body)
    assert content is not None  # waiting is allowed here
    return Response(
        content=content,
        media_type="application/json",
        headers={"Cache-Control": "no-store"},
    )


def check_message(
    context: WebContext, client: str, authorization: str | None, body: MessageRequest
) -> str:
    """The cheap checks before a turn (token present, rate limits, size, not empty);
    the bearer token, or `ApiError`. Shared with the ASGI fast path (`bot.web.fast_turns`)."""
    token = _bearer(authorization)
    _limit_keys(context, client, token)
    if body.text is not None and len(body.text) > context.max_chars:
        raise ApiError(
            413,
            "message_too_long",
            f"That message is {len(body.text)} characters long; please keep it under "
            f"{context.max_chars}.",
        )
    if not (body.text or "").strip() and body.choice is None:
        raise ApiError(422, "empty_message", "The message is empty: send text or a choice.")
    return token


def answer_message(
    context: WebContext, interview_id: str, token: str, body: MessageRequest, *, wait: bool = True
) -> bytes | None:
    """Run the turn (blocking: call it in a worker thread, unless `wait` is False); the
    response body (JSON of a `TurnView`), or `ApiError` (404 unknown interview or wrong
    token, 409 finished). With `wait=False`, None (nothing stored) unless the turn could
    run at once (see `InterviewService.handle_message_now`)."""
    service = context.service
    turn = service.handle_message if wait else service.handle_message_now
    try:
        result = turn(
            interview_id=interview_id,
            text=body.text or "",
            choice=body.choice,
            channel_message_id=f"web:{body.client_message_id}",
            reject_if_finished=True,
            access_token=token,
        )
    except InterviewNotFound:
        raise _not_found() from None
    except InterviewFinished as finished:
        raise ApiError(
            409, "interview_finished", f"This interview is {finished.status}; thank you!"
        ) from None
    except InterviewFull:
        raise ApiError(
            409,
            "interview_full",
            "This interview has reached its length limit, so nothing more can be added. Thank you!",
        ) from None
    except TurnBusy:
        raise _busy() from None
    if result is None:
        return None
    # Serialised straight to bytes: the view is built from trusted values, so FastAPI's
    # validation of a returned model would only repeat the work.
    return turn_json(result)
