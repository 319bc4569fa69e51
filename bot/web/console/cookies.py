"""The console's cookies: the session, the pre-session token that protects the forms
shown before signing in, and the single sign-on state.

All HttpOnly (no script reads them), SameSite=Lax (a form posted from another site
carries none of them) and Secure whenever the request came over HTTPS or the app is
told it sits behind one.
"""

from __future__ import annotations

from fastapi import Request, Response

SESSION = "jl_session"
PRE_SESSION = "jl_presession"
SSO_STATE = "jl_sso_state"
PRE_SESSION_SECONDS = 12 * 3600
SSO_STATE_SECONDS = 600


def is_secure(request: Request, *, always: bool) -> bool:
    return always or request.url.scheme == "https"


def set_session(
    response: Response, request: Request, *, token: str, max_age: int, secure: bool
) -> None:
    # Max-Age, not Expires: a relative lifetime holds whatever the browser's clock says.
    response.set_cookie(
        SESSION,
        token,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=is_secure(request, always=secure),
    )


def clear_session(response: Response, request: Request, *, secure: bool) -> None:
    response.delete_cookie(
        SESSION, path="/", httponly=True, samesite="lax", secure=is_secure(request, always=secure)
    )


def pre_session_token(request: Request) -> str | None:
    return request.cookies.get(PRE_SESSION) or None


def set_sso_state(response: Response, request: Request, *, state: str, secure: bool) -> None:
    response.set_cookie(
        SSO_STATE,
        state,
        max_age=SSO_STATE_SECONDS,
        path="/app/sso",
        httponly=True,
        # Lax: the provider's redirect back is a top-level GET, which carries it.
        samesite="lax",
        secure=is_secure(request, always=secure),
    )


def clear_sso_state(response: Response, request: Request, *, secure: bool) -> None:
    response.delete_cookie(
        SSO_STATE,
        path="/app/sso",
        httponly=True,
        samesite="lax",
        secure=is_secure(request, always=secure),
    )
