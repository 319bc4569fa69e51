"""Every console route says what it needs, and one guard checks it before the route runs.

A route declares its rule with ``openapi_extra=rule(Action.X)`` (or ``rule(PUBLIC)``);
the routers of the console carry ``page_guard`` or ``api_guard`` as a dependency, which
reads the matched route's rule and:

1. finds who is asking: the session behind the cookie, or for the API a bearer key
   (``Authorization: Bearer jl_...``);
2. on unsafe methods (POST, PUT, PATCH, DELETE) checks the CSRF token: the session's
   (an HMAC of its secret), or before signing in, the pre-session cookie's
   (double submit); a missing or wrong one is refused with 403;
3. checks the permission table (``bot.service.console.permissions``) for the action;
4. sends someone whose password an admin reset to their account page until they have
   chosen their own.

A route without a rule is refused (500, a programming error), never let through; the
role x route test walks every route so such a route fails it first.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from fastapi import Request
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from bot.service.console.errors import ApiKeyRefused
from bot.service.console.permissions import ACTION_LABELS, Action
from bot.service.console.sessions import csrf_matches, csrf_token
from bot.service.console.views import Principal
from bot.web.console import cookies
from bot.web.console.context import ConsoleContext

RULE_KEY = "x-journeyline-permission"
# The rule of a route anyone may open (sign-in, reset links, the SSO callback).
PUBLIC = "public"
# Routes someone who must change their password may still use.
WHILE_PASSWORD_EXPIRED_KEY = "x-journeyline-while-password-expired"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SIGN_IN_PATH = "/app/sign-in"
ACCOUNT_PATH = "/app/account"


def rule(action: Action | str, *, while_password_expired: bool = False) -> dict[str, Any]:
    """The ``openapi_extra`` a console route declares its permission with."""
    value = action.value if isinstance(action, Action) else action
    if value != PUBLIC and value not in {a.value for a in Action}:
        raise ValueError(f"unknown action {action!r}")
    extra: dict[str, Any] = {RULE_KEY: value}
    if while_password_expired:
        extra[WHILE_PASSWORD_EXPIRED_KEY] = True
    return extra


def route_rule(route: object) -> str | None:
    """The rule a route declared, or None."""
    if not isinstance(route, APIRoute):
        return None
    value = (route.openapi_extra or {}).get(RULE_KEY)
    return value if isinstance(value, str) else None


# --------------------------------------------------------------------------- refusals


class ConsoleRefusal(Exception):
    """Raised by the guards and routes; ``bot.web.console.errors`` renders it as a page
    (or a redirect) for the pages and as JSON for the API."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        *,
        api: bool,
        location: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.message = message
        self.api = api
        self.location = location
        self.headers = headers or {}
        super().__init__(message)


@dataclass
class Asked:
    """What the guard found out about the request, on ``request.state.console``."""

    principal: Principal | None
    csrf: str
    # A pre-session token made for this response: the page sets its cookie.
    new_pre_session: bool = False
    session_token: str | None = None


def asked(request: Request) -> Asked:
    found = getattr(request.state, "console", None)
    if not isinstance(found, Asked):
        raise RuntimeError("the console guard did not run for this route")
    return found


def principal_of(request: Request) -> Principal:
    """The signed-in principal (routes that are not public only)."""
    principal = asked(request).principal
    if principal is None:
        raise RuntimeError("a public route asked for the principal")
    return principal


# --------------------------------------------------------------------------- the guards


async def page_guard(request: Request) -> None:
    """The console pages' guard: a session cookie, forms with CSRF tokens."""
    context: ConsoleContext = request.app.state.console
    required = _required(request)
    token = request.cookies.get(cookies.SESSION) or ""
    principal = await run_in_threadpool(context.service.sessions.resolve, token) if token else None
    if principal is not None:
        found = Asked(principal=principal, csrf=csrf_token(token), session_token=token)
    else:
        pre = cookies.pre_session_token(request)
        found = Asked(
            principal=None, csrf=pre or secrets.token_urlsafe(32), new_pre_session=pre is None
        )
    request.state.console = found
    if request.method in UNSAFE_METHODS:
        submitted = request.headers.get(CSRF_HEADER) or await _form_token(request)
        valid = (
            csrf_matches(token, submitted)
            if principal is not None
            else (not found.new_pre_session and _same(submitted, found.csrf))
        )
        if not valid:
            raise ConsoleRefusal(
                403,
                "csrf",
                "This form has expired or did not come from this site. Go back, reload "
                "the page and try again.",
                api=False,
            )
    if required == PUBLIC:
        return
    if principal is None:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        raise ConsoleRefusal(
            303, "sign_in", "Sign in first.", api=False,
            location=f"{SIGN_IN_PATH}?next={quote(target, safe='')}",
        )  # fmt: skip
    if principal.user.must_change_password and not _allowed_while_expired(request):
        raise ConsoleRefusal(
            303, "change_password", "Choose a new password first.", api=False,
            location=f"{ACCOUNT_PATH}?done=change-required",
        )  # fmt: skip
    _check(principal, Action(required), api=False)


async def api_guard(request: Request) -> None:
    """The console API's guard: a bearer API key, or the console's session cookie (then
    unsafe methods need the ``X-CSRF-Token`` header)."""
    context: ConsoleContext = request.app.state.console
    required = _required(request)
    authorization = request.headers.get("authorization")
    principal: Principal | None = None
    token = ""
    if authorization:
        scheme, _, credential = authorization.partition(" ")
        if scheme.lower() != "bearer" or not credential.strip():
            raise _unauthorized("Send the API key as 'Authorization: Bearer jl_...'.")
        try:
            principal = await run_in_threadpool(
                context.service.api_keys.authenticate, credential.strip()
            )
        except ApiKeyRefused as refused:
            raise _unauthorized(str(refused)) from None
    else:
        token = request.cookies.get(cookies.SESSION) or ""
        if token:
            principal = await run_in_threadpool(context.service.sessions.resolve, token)
        if (
            principal is not None
            and request.method in UNSAFE_METHODS
            and not csrf_matches(token, request.headers.get(CSRF_HEADER))
        ):
            raise ConsoleRefusal(403, "csrf", "Missing or wrong X-CSRF-Token header.", api=True)
    request.state.console = Asked(
        principal=principal,
        csrf=csrf_token(token) if token and principal else "",
        session_token=token or None,
    )
    if required == PUBLIC:
        return
    if principal is None:
        raise _unauthorized("This call needs an API key: 'Authorization: Bearer jl_...'.")
    _check(principal, Action(required), api=True)


# --------------------------------------------------------------------------- helpers


def _required(request: Request) -> str:
    required = route_rule(request.scope.get("route"))
    if required is None:
        # Deny by default: a route that forgot its rule is a bug, not an open door.
        raise ConsoleRefusal(
            500, "no_rule", "This page has no permission rule; nobody may open it.", api=False
        )
    return required


def _allowed_while_expired(request: Request) -> bool:
    route = request.scope.get("route")
    return isinstance(route, APIRoute) and bool(
        (route.openapi_extra or {}).get(WHILE_PASSWORD_EXPIRED_KEY)
    )


def _check(principal: Principal, action: Action, *, api: bool) -> None:
    if principal.may(action):
        return
    if principal.scopes is not None and action not in principal.scopes:
        message = f"This API key does not have the {action.value} scope."
    else:
        message = (
            f"Your role ({principal.user.role.value}) may not {ACTION_LABELS[action]}. "
            "Ask an admin if you need to."
        )
    raise ConsoleRefusal(403, "forbidden", message, api=api)


def _unauthorized(message: str) -> ConsoleRefusal:
    return ConsoleRefusal(
        401, "unauthorized", message, api=True, headers={"WWW-Authenticate": "Bearer"}
    )


async def _form_token(request: Request) -> str | None:
    content_type = request.headers.get("content-type", "")
    if not content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        return None
    form = await request.form()
    value = form.get(CSRF_FIELD)
    return value if isinstance(value, str) else None


def _same(submitted: str | None, expected: str) -> bool:
    return submitted is not None and secrets.compare_digest(
        submitted.encode(errors="replace"), expected.encode()
    )
