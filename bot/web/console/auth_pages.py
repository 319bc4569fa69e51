"""Signing in and out: the sign-in page, single sign-on, one-time reset links."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.errors import (
    ConsoleError,
    PasswordRejected,
    ResetLinkInvalid,
    SignInRefused,
    SignInThrottled,
    SsoFailed,
)
from bot.service.console.permissions import Action
from bot.service.console.views import SignedIn
from bot.web.console import cookies
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import PUBLIC, asked, page_guard, rule
from bot.web.console.rendering import render
from bot.web.context import client_address

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
HOME = "/app"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a console path, never another site."""
    if (
        not target
        or not target.startswith("/app")
        or target.startswith("//")
        or "\\" in target
        or any(ord(c) < 32 for c in target)
    ):
        return HOME
    return target


def signed_in_redirect(
    request: Request, context: ConsoleContext, *, signed: SignedIn, to: str
) -> RedirectResponse:
    """Go to ``to`` with the new session's cookie."""
    response = RedirectResponse(to, status_code=303)
    cookies.set_session(
        response,
        request,
        token=signed.token,
        max_age=_seconds(context),
        secure=context.secure_cookies,
    )
    return response


def _seconds(context: ConsoleContext) -> int:
    return int(context.service.config.session_lifetime.total_seconds())


# --------------------------------------------------------------------------- sign in


@router.get("/app/sign-in", openapi_extra=rule(PUBLIC))
def sign_in_page(request: Request, next: str = HOME) -> Response:
    if asked(request).principal is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "console/sign_in.html", {"next": safe_next(next), "email": ""})


@router.post("/app/sign-in", openapi_extra=rule(PUBLIC))
def sign_in(
    request: Request,
    context: Context,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = HOME,
) -> Response:
    values = {"next": safe_next(next), "email": email.strip()}
    if not email.strip() or not password:
        values["error"] = "Enter your email and your password."
        return render(request, "console/sign_in.html", values, status_code=400)
    try:
        signed = context.service.sessions.sign_in(
            email=email,
            password=password,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except SignInThrottled as throttled:
        values["error"] = str(throttled)
        response = render(request, "console/sign_in.html", values, status_code=429)
        response.headers["Retry-After"] = str(throttled.retry_after)
        return response
    except SignInRefused as refused:
        values["error"] = str(refused)
        return render(request, "console/sign_in.html", values, status_code=400)
    target = safe_next(next)
    if signed.user.must_change_password:
        target = "/app/account?done=change-required"
    return signed_in_redirect(request, context, signed=signed, to=target)


@router.post("/app/sign-out", openapi_extra=rule(Action.OWN_ACCOUNT, while_password_expired=True))
def sign_out(request: Request, context: Context) -> Response:
    token = asked(request).session_token
    if token:
        context.service.sessions.sign_out(token)
    response = RedirectResponse("/app/sign-in?done=signed-out", status_code=303)
    cookies.clear_session(response, request, secure=context.secure_cookies)
    return response


# --------------------------------------------------------------------------- reset links


@router.get("/app/reset/{token}", openapi_extra=rule(PUBLIC))
def reset_page(token: str, request: Request, context: Context) -> Response:
    try:
        user = context.service.accounts.reset_link_user(token)
    except ResetLinkInvalid as invalid:
        return _message(request, "Link not valid", str(invalid), status_code=404)
    return render(request, "console/reset.html", {"email": user.email, "token": token})


@router.post("/app/reset/{token}", openapi_extra=rule(PUBLIC))
def reset_password(
    token: str,
    request: Request,
    context: Context,
    password: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    try:
        user = context.service.accounts.reset_link_user(token)
        if password != confirm:
            raise PasswordRejected("The two passwords differ. Type the same one twice.")
        signed = context.service.use_reset_link(
            token,
            password,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except ResetLinkInvalid as invalid:
        return _message(request, "Link not valid", str(invalid), status_code=404)
    except ConsoleError as error:
        values = {"email": user.email, "token": token, "error": str(error)}
        return render(request, "console/reset.html", values, status_code=400)
    return signed_in_redirect(request, context, signed=signed, to=HOME)


# --------------------------------------------------------------------------- single sign-on


@router.get("/app/sso/start", openapi_extra=rule(PUBLIC))
def sso_start(request: Request, context: Context) -> Response:
    sso = context.service.sso
    if sso is None:
        return _message(
            request, "Single sign-on is off", "This console signs in with passwords only.", 404
        )
    try:
        started = sso.begin()
    except SsoFailed as failed:
        return _sign_in_error(request, str(failed), status_code=502)
    response = RedirectResponse(started.url, status_code=303)
    cookies.set_sso_state(response, request, state=started.state, secure=context.secure_cookies)
    return response


@router.get("/app/sso/callback", openapi_extra=rule(PUBLIC))
def sso_callback(
    request: Request,
    context: Context,
    code: str = "",
    state: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    sso = context.service.sso
    if sso is None:
        return _message(
            request, "Single sign-on is off", "This console signs in with passwords only.", 404
        )
    if error:
        # The provider's own words, shown as text: the page escapes them.
        detail = f" ({error_description[:200]})" if error_description else ""
        response = _sign_in_error(
            request, f"The identity provider did not sign you in: {error[:80]}{detail}.", 400
        )
    elif not code or not state:
        response = _sign_in_error(request, "The identity provider sent no sign-in code.", 400)
    else:
        try:
            signed = sso.finish(
                code=code,
                state=state,
                browser_state=request.cookies.get(cookies.SSO_STATE),
                client_address=client_address(request),
                user_agent=request.headers.get("user-agent"),
            )
        except (SsoFailed, SignInRefused) as failed:
            response = _sign_in_error(request, str(failed), status_code=400)
        else:
            response = signed_in_redirect(request, context, signed=signed, to=HOME)
    cookies.clear_sso_state(response, request, secure=context.secure_cookies)
    return response


def _sign_in_error(request: Request, message: str, status_code: int) -> Response:
    values = {"next": HOME, "email": "", "error": message}
    return render(request, "console/sign_in.html", values, status_code=status_code)


def _message(request: Request, title: str, message: str, status_code: int = 200) -> Response:
    return render(
        request,
        "console/message.html",
        {"title": title, "message": message},
        status_code=status_code,
    )
