"""Admins manage accounts: create, change role, disable and enable, temporary passwords,
one-time reset links, signing a user out everywhere.

Temporary passwords and reset links are shown once, in the response to the form that
made them (never in an address, never stored in the clear).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from bot.service.console.errors import ConsoleError
from bot.service.console.permissions import ROLE_LABELS, ROLE_SUMMARIES, Action, Role
from bot.web.console.context import ConsoleContext, console_context
from bot.web.console.guard import page_guard, principal_of, rule
from bot.web.console.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[Depends(page_guard)])
Context = Annotated[ConsoleContext, Depends(console_context)]
USERS = "/app/users"
MANAGE = rule(Action.USERS_MANAGE)


def users_page(
    request: Request, context: ConsoleContext, *, status_code: int = 200, **values: Any
) -> Response:
    page = {
        "users": context.service.accounts.list_users(),
        "roles": [(role.value, ROLE_LABELS[role], ROLE_SUMMARIES[role]) for role in Role],
        "me": principal_of(request).user.id,
        "form": {"email": "", "name": "", "role": Role.RESEARCHER.value, "password": ""},
        **values,
    }
    return render(request, "console/users.html", page, status_code=status_code)


@router.get(USERS, openapi_extra=MANAGE)
def users(request: Request, context: Context) -> Response:
    return users_page(request, context)


@router.post(USERS, openapi_extra=MANAGE)
def create_user(
    request: Request,
    context: Context,
    email: Annotated[str, Form()] = "",
    name: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        user, generated = context.service.accounts.create(
            email=email, role=role, display_name=name, password=password or None
        )
    except ConsoleError as error:
        form = {"email": email, "name": name, "role": role, "password": ""}
        return users_page(request, context, error=str(error), form=form, status_code=400)
    revealed = None
    if generated is not None:
        revealed = {"email": user.email, "kind": "password", "value": generated}
    return users_page(
        request,
        context,
        created=user.email,
        revealed=revealed,
        status_code=201,
    )


@router.post(USERS + "/{user_id}/role", openapi_extra=MANAGE)
def change_role(
    user_id: int, request: Request, context: Context, role: Annotated[str, Form()] = ""
) -> Response:
    return _act(
        request, context, lambda: context.service.accounts.set_role(user_id, role), "role-changed"
    )


@router.post(USERS + "/{user_id}/disable", openapi_extra=MANAGE)
def disable_user(user_id: int, request: Request, context: Context) -> Response:
    return _act(request, context, lambda: context.service.accounts.disable(user_id), "disabled")


@router.post(USERS + "/{user_id}/enable", openapi_extra=MANAGE)
def enable_user(user_id: int, request: Request, context: Context) -> Response:
    return _act(request, context, lambda: context.service.accounts.enable(user_id), "enabled")


@router.post(USERS + "/{user_id}/sign-out", openapi_extra=MANAGE)
def sign_out_user(user_id: int, request: Request, context: Context) -> Response:
    def sign_out() -> None:
        context.service.accounts.get(user_id)  # UserNotFound for a wrong id
        context.service.sessions.sign_out_everywhere(user_id)

    return _act(request, context, sign_out, "user-signed-out")


@router.post(USERS + "/{user_id}/password", openapi_extra=MANAGE)
def temporary_password(user_id: int, request: Request, context: Context) -> Response:
    """A generated temporary password; the user must replace it at their next sign-in."""
    try:
        user = context.service.accounts.get(user_id)
        password = context.service.accounts.set_temporary_password(user_id)
    except ConsoleError as error:
        return users_page(request, context, error=str(error), status_code=400)
    revealed = {"email": user.email, "kind": "password", "value": password}
    return users_page(request, context, revealed=revealed)


@router.post(USERS + "/{user_id}/reset-link", openapi_extra=MANAGE)
def reset_link(user_id: int, request: Request, context: Context) -> Response:
    """A one-time link with which the user chooses a new password themselves."""
    try:
        user = context.service.accounts.get(user_id)
        token = context.service.accounts.make_reset_link(
            user_id, created_by=principal_of(request).user.id
        )
    except ConsoleError as error:
        return users_page(request, context, error=str(error), status_code=400)
    hours = int(context.service.config.reset_link_lifetime.total_seconds() // 3600)
    revealed = {
        "email": user.email,
        "kind": "link",
        "value": f"{context.public_url}/app/reset/{token}",
        "hours": hours,
    }
    return users_page(request, context, revealed=revealed)


def _act(request: Request, context: ConsoleContext, change: Any, done: str) -> Response:
    try:
        change()
    except ConsoleError as error:
        return users_page(request, context, error=str(error), status_code=400)
    return RedirectResponse(f"{USERS}?done={done}", status_code=303)
