"""Your own account: password, sessions (sign out everywhere) and API keys."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.errors import ConsoleError, PasswordRejected
from bot.service.console.permissions import Action, key_scopes_for
from bot.web.console import cookies
from bot.web.console.auth_pages import signed_in_redirect
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.rendering import render
from bot.web.context import client_address

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
ACCOUNT = "/app/account"
SCOPE_HELP: dict[Action, str] = {
    Action.CAMPAIGNS_READ: "list campaigns and their counts (GET /api/v1/campaigns)",
    Action.CAMPAIGNS_WRITE: "create and change campaigns",
    Action.MAPS_READ: "read journey maps",
    Action.MAPS_REVIEW: "edit and discuss journey maps, put them in review",
    Action.MAPS_APPROVE: "approve journey maps and reopen approved ones",
    Action.PERSONAL_DATA_READ: "see customers' personal data in maps and transcripts",
    Action.PERSONAL_DATA_MANAGE: "export or erase one customer's data",
    Action.USERS_MANAGE: "manage accounts",
    Action.SETTINGS_MANAGE: "change settings",
}


def account_page(
    request: Request,
    context: ConsoleContext,
    *,
    status_code: int = 200,
    **values: Any,
) -> Response:
    principal = principal_of(request)
    user = principal.user
    page = {
        "sessions": context.service.sessions.list_for(
            user.id, current_session_id=principal.session_id
        ),
        "keys": context.service.api_keys.list_for(user.id),
        "scopes": [(scope.value, SCOPE_HELP[scope]) for scope in key_scopes_for(user.role)],
        "api_url": context.public_url + "/api/v1/campaigns",
        **values,
    }
    return render(request, "console/account.html", page, status_code=status_code)


@router.get(ACCOUNT, openapi_extra=rule(Action.OWN_ACCOUNT, while_password_expired=True))
def account(request: Request, context: Context) -> Response:
    return account_page(request, context)


@router.post(
    ACCOUNT + "/password", openapi_extra=rule(Action.OWN_ACCOUNT, while_password_expired=True)
)
def change_password(
    request: Request,
    context: Context,
    current: Annotated[str, Form()] = "",
    new: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form()] = "",
) -> Response:
    principal = principal_of(request)
    try:
        if new != confirm:
            raise PasswordRejected("The two new passwords differ. Type the same one twice.")
        signed = context.service.change_password(
            principal.user.id,
            current=current,
            new=new,
            client_address=client_address(request),
            user_agent=request.headers.get("user-agent"),
        )
    except ConsoleError as error:
        return account_page(request, context, password_error=str(error), status_code=400)
    return signed_in_redirect(
        request, context, signed=signed, to=ACCOUNT + "?done=password-changed"
    )


@router.post(
    ACCOUNT + "/sign-out-everywhere",
    openapi_extra=rule(Action.OWN_ACCOUNT, while_password_expired=True),
)
def sign_out_everywhere(request: Request, context: Context) -> Response:
    context.service.sessions.sign_out_everywhere(principal_of(request).user.id)
    response = RedirectResponse("/app/sign-in?done=signed-out-everywhere", status_code=303)
    cookies.clear_session(response, request, secure=context.secure_cookies)
    return response


@router.post(ACCOUNT + "/api-keys", openapi_extra=rule(Action.OWN_ACCOUNT))
def create_api_key(
    request: Request,
    context: Context,
    name: Annotated[str, Form()] = "",
    scope: Annotated[list[str] | None, Form()] = None,
) -> Response:
    user_id = principal_of(request).user.id
    try:
        created = context.service.api_keys.create(user_id, name=name, scopes=scope or [])
    except ConsoleError as error:
        return account_page(request, context, key_error=str(error), key_name=name, status_code=400)
    # Shown once, in this response: never stored, never in an address.
    return account_page(request, context, new_key=created, status_code=201)


@router.post(ACCOUNT + "/api-keys/{key_id}/revoke", openapi_extra=rule(Action.OWN_ACCOUNT))
def revoke_api_key(key_id: int, request: Request, context: Context) -> Response:
    revoked = context.service.api_keys.revoke(principal_of(request).user.id, key_id)
    if not revoked:
        return account_page(
            request, context, key_error="That key was already revoked, or is not yours.",
            status_code=404,
        )  # fmt: skip
    return RedirectResponse(ACCOUNT + "?done=key-revoked#api-keys", status_code=303)
