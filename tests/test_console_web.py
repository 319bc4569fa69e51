"""The console through the real ASGI app (Starlette's test client): sign-in, cookies,
CSRF, sessions, throttling, admin actions and the campaigns API, on SQLite and
PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from http.cookies import SimpleCookie

import pytest

from bot.service.campaigns import create_campaign
from bot.service.links import Links
from bot.web.console import cookies
from tests.console_support import PASSWORD, ConsoleApp, console_app, csrf_of, sign_in


@pytest.fixture
def app(db_url: str) -> Iterator[ConsoleApp]:
    with console_app(db_url) as made:
        made.user("admin@example.com", "admin")
        yield made


def _set_cookie(response: object, name: str) -> SimpleCookie:
    headers = response.headers.get_list("set-cookie")  # type: ignore[attr-defined]
    for header in headers:
        cookie: SimpleCookie = SimpleCookie()
        cookie.load(header)
        if name in cookie:
            return cookie
    raise AssertionError(f"no Set-Cookie for {name}: {headers}")


# --------------------------------------------------------------------------- signing in


def test_sign_in_sets_a_strict_session_cookie_and_shows_the_campaigns(app: ConsoleApp) -> None:
    with app.runtime.sessions.begin() as session:
        create_campaign(session, slug="q3", name="Support Q3", open_link=True)
    links = Links(app.runtime.sessions, app.runtime.service)
    links.create_invite(campaign_slug="q3", participant_external_id="p1")
    client = app.client()
    assert client.get("/app").headers["location"] == "/app/sign-in?next=%2Fapp"
    page = client.get("/app/sign-in")
    pre = _set_cookie(page, cookies.PRE_SESSION)[cookies.PRE_SESSION]
    assert pre["httponly"] and pre["samesite"].lower() == "lax" and not pre["secure"]
    response = client.post(
        "/app/sign-in",
        data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303 and response.headers["location"] == "/app"
    morsel = _set_cookie(response, cookies.SESSION)[cookies.SESSION]
    assert morsel["httponly"] and morsel["samesite"].lower() == "lax" and morsel["path"] == "/"
    assert morsel["max-age"] == str(12 * 3600) and not morsel["secure"]
    home = client.get("/app")
    assert home.status_code == 200
    assert "Support Q3" in home.text and "q3" in home.text
    assert "Participants" in home.text and "open link" in home.text
    assert "script-src 'self'" in home.headers["content-security-policy"]
    assert "'unsafe-inline'" not in home.headers["content-security-policy"]
    assert home.headers["cache-control"] == "no-store"


def test_cookies_are_secure_over_https_and_when_told(db_url: str) -> None:
    with console_app(db_url, base_url="https://console.example") as app:
        app.user("admin@example.com", "admin")
        client = app.client()
        sign_in(client, "admin@example.com")  # the Secure cookie travels over https
        signed = client.post(
            "/app/sign-in",
            data={
                "email": "admin@example.com",
                "password": PASSWORD,
                "csrf_token": csrf_of(client.get("/app/account").text),
            },
        )
        assert _set_cookie(signed, cookies.SESSION)[cookies.SESSION]["secure"]
    with console_app(db_url, settings={"console_secure_cookies": True}) as app:
        page = app.client().get("/app/sign-in")
        assert _set_cookie(page, cookies.PRE_SESSION)[cookies.PRE_SESSION]["secure"]


def test_wrong_passwords_get_a_clear_message_then_the_account_is_throttled(
    app: ConsoleApp,
) -> None:
    client = app.client()
    csrf = csrf_of(client.get("/app/sign-in").text)
    for _ in range(5):
        wrong = client.post(
            "/app/sign-in",
            data={"email": "admin@example.com", "password": "nope", "csrf_token": csrf},
        )
        assert wrong.status_code == 400
        assert "That email and password do not match" in wrong.text
        assert 'value="admin@example.com"' in wrong.text  # the email stays typed
    locked = client.post(
        "/app/sign-in",
        data={"email": "admin@example.com", "password": PASSWORD, "csrf_token": csrf},
    )
    assert locked.status_code == 429
    assert int(locked.headers["retry-after"]) > 0
    assert "Too many failed sign-ins" in locked.text
    app.clock.advance(minutes=16)
    assert sign_in(client, "admin@example.com")


def test_the_sign_in_form_needs_its_pre_session_token(app: ConsoleApp) -> None:
    client = app.client()
    data = {"email": "admin@example.com", "password": PASSWORD}
    assert client.post("/app/sign-in", data=data).status_code == 403  # no cookie, no token
    client.get("/app/sign-in")
    assert client.post("/app/sign-in", data={**data, "csrf_token": "x" * 43}).status_code == 403


def test_after_sign_in_only_console_paths(app: ConsoleApp) -> None:
    client = app.client()
    csrf = csrf_of(client.get("/app/sign-in").text)
    for target, expected in [
        ("https://evil.example/app", "/app"),
        ("//evil.example/app", "/app"),
        ("/app/users", "/app/users"),
        ("/\\evil.example", "/app"),
    ]:
        response = client.post(
            "/app/sign-in",
            data={
                "email": "admin@example.com",
                "password": PASSWORD,
                "csrf_token": csrf,
                "next": target,
            },
        )
        assert response.headers["location"] == expected, target
        client.cookies.delete(cookies.SESSION)


# --------------------------------------------------------------------------- sessions


def test_an_expired_session_sends_back_to_sign_in(app: ConsoleApp) -> None:
    client = app.client()
    sign_in(client, "admin@example.com")
    app.clock.advance(hours=2, minutes=1)  # idle for longer than the idle timeout
    response = client.get("/app/users")
    assert response.headers["location"] == "/app/sign-in?next=%2Fapp%2Fusers"


def test_sign_out_everywhere_ends_the_other_browsers_sessions(app: ConsoleApp) -> None:
    laptop, phone = app.client(), app.client()
    csrf = sign_in(laptop, "admin@example.com")
    sign_in(phone, "admin@example.com")
    account = laptop.get("/app/account").text
    assert account.count('class="list-item"') == 2 and "this browser" in account
    response = laptop.post("/app/account/sign-out-everywhere", data={"csrf_token": csrf})
    assert response.headers["location"] == "/app/sign-in?done=signed-out-everywhere"
    for client in (laptop, phone):
        assert client.get("/app").status_code == 303


def test_sign_out_ends_this_session_only(app: ConsoleApp) -> None:
    laptop, phone = app.client(), app.client()
    csrf = sign_in(laptop, "admin@example.com")
    sign_in(phone, "admin@example.com")
    out = laptop.post("/app/sign-out", data={"csrf_token": csrf})
    assert out.headers["location"] == "/app/sign-in?done=signed-out"
    assert "You are signed out" in laptop.get("/app/sign-in?done=signed-out").text
    assert laptop.get("/app").status_code == 303
    assert phone.get("/app").status_code == 200


def test_a_user_disabled_by_an_admin_is_out_at_their_next_click(app: ConsoleApp) -> None:
    researcher_id = app.user("re@example.com", "researcher")
    admin, researcher = app.client(), app.client()
    csrf = sign_in(admin, "admin@example.com")
    sign_in(researcher, "re@example.com")
    disabled = admin.post(f"/app/users/{researcher_id}/disable", data={"csrf_token": csrf})
    assert disabled.headers["location"] == "/app/users?done=disabled"
    assert researcher.get("/app").status_code == 303
    page = researcher.get("/app/sign-in")
    refused = researcher.post(
        "/app/sign-in",
        data={"email": "re@example.com", "password": PASSWORD, "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 400 and "disabled" in refused.text


# --------------------------------------------------------------------------- admin


def test_a_new_user_with_a_temporary_password_must_choose_their_own(app: ConsoleApp) -> None:
    admin = app.client()
    csrf = sign_in(admin, "admin@example.com")
    created = admin.post(
        "/app/users",
        data={
            "email": "new@example.com",
            "name": "New Person",
            "role": "viewer",
            "csrf_token": csrf,
        },
    )
    assert created.status_code == 201
    temporary = created.text.split('id="revealed-value">', 1)[1].split("<", 1)[0]
    assert "shown only this once" in created.text
    assert temporary not in admin.get("/app/users").text  # shown once
    newcomer = app.client()
    page = newcomer.get("/app/sign-in")
    signed = newcomer.post(
        "/app/sign-in",
        data={"email": "new@example.com", "password": temporary, "csrf_token": csrf_of(page.text)},
    )
    assert signed.headers["location"] == "/app/account?done=change-required"
    assert newcomer.get("/app").headers["location"] == "/app/account?done=change-required"
    account = newcomer.get("/app/account?done=change-required")
    assert "Choose your own password" in account.text
    changed = newcomer.post(
        "/app/account/password",
        data={
            "current": temporary,
            "new": "my very own password",
            "confirm": "my very own password",
            "csrf_token": csrf_of(account.text),
        },
    )
    assert changed.headers["location"] == "/app/account?done=password-changed"
    assert newcomer.get("/app").status_code == 200
    assert newcomer.get("/app/users").status_code == 403


def test_password_change_errors_are_shown_on_the_form(app: ConsoleApp) -> None:
    client = app.client()
    csrf = sign_in(client, "admin@example.com")
    for new, confirm, words in [
        ("another password", "a different one", "The two new passwords differ"),
        ("short", "short", "at least 10 characters"),
    ]:
        response = client.post(
            "/app/account/password",
            data={"current": PASSWORD, "new": new, "confirm": confirm, "csrf_token": csrf},
        )
        assert response.status_code == 400 and words in response.text
    wrong = client.post(
        "/app/account/password",
        data={
            "current": "nope",
            "new": "x" * 12 + "yz",
            "confirm": "x" * 12 + "yz",
            "csrf_token": csrf,
        },
    )
    assert "Your current password is not right" in wrong.text


def test_a_reset_link_lets_the_user_choose_a_password_once(app: ConsoleApp) -> None:
    user_id = app.user("bo@example.com", "reviewer")
    admin = app.client()
    csrf = sign_in(admin, "admin@example.com")
    made = admin.post(f"/app/users/{user_id}/reset-link", data={"csrf_token": csrf})
    link = made.text.split('id="revealed-value">', 1)[1].split("<", 1)[0]
    assert link.startswith(f"{app.base_url}/app/reset/")
    path = link.removeprefix(app.base_url)
    bo = app.client()
    page = bo.get(path)
    assert page.status_code == 200 and "bo@example.com" in page.text
    data = {"password": "bo chooses this one", "confirm": "bo chooses this one"}
    done = bo.post(path, data={**data, "csrf_token": csrf_of(page.text)})
    assert done.headers["location"] == "/app"
    assert bo.get("/app").status_code == 200
    again = app.client().get(path)
    assert again.status_code == 404 and "not valid any more" in again.text


def test_the_last_admin_cannot_be_demoted_from_the_page(app: ConsoleApp) -> None:
    admin = app.client()
    csrf = sign_in(admin, "admin@example.com")
    me = app.service.accounts.find("admin@example.com").id
    response = admin.post(f"/app/users/{me}/role", data={"role": "viewer", "csrf_token": csrf})
    assert response.status_code == 400 and "no active admin" in response.text


# --------------------------------------------------------------------------- API keys


def test_an_api_key_is_shown_once_and_lists_campaigns(app: ConsoleApp) -> None:
    with app.runtime.sessions.begin() as session:
        create_campaign(session, slug="q3", name="Support Q3")
    client = app.client()
    csrf = sign_in(client, "admin@example.com")
    made = client.post(
        "/app/account/api-keys",
        data={"name": "weekly export", "scope": ["campaigns:read"], "csrf_token": csrf},
    )
    assert made.status_code == 201
    token = made.text.split('id="new-key-value">', 1)[1].split("<", 1)[0]
    assert token.startswith("jl_") and token not in client.get("/app/account").text
    api = app.client()
    listed = api.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200
    (campaign,) = listed.json()["campaigns"]
    assert campaign["slug"] == "q3" and campaign["interviews"]["total"] == 0
    assert campaign["guide"].startswith("support_journey v")
    key_id = app.service.api_keys.list_for(app.service.accounts.find("admin@example.com").id)[0].id
    revoked = client.post(f"/app/account/api-keys/{key_id}/revoke", data={"csrf_token": csrf})
    assert revoked.headers["location"] == "/app/account?done=key-revoked#api-keys"
    refused = api.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {token}"})
    assert refused.status_code == 401
    assert refused.json()["error"]["code"] == "unauthorized"
    assert refused.headers["www-authenticate"] == "Bearer"


def test_the_api_refuses_without_key_and_outside_the_scopes(app: ConsoleApp) -> None:
    owner = app.service.accounts.find("admin@example.com").id
    maps_only = app.service.api_keys.create(owner, name="maps", scopes=["maps:read"]).token
    api = app.client()
    missing = api.get("/api/v1/campaigns")
    assert missing.status_code == 401 and "API key" in missing.json()["error"]["message"]
    wrong_scheme = api.get("/api/v1/campaigns", headers={"Authorization": "Basic abc"})
    assert wrong_scheme.status_code == 401
    scoped = api.get("/api/v1/campaigns", headers={"Authorization": f"Bearer {maps_only}"})
    assert scoped.status_code == 403
    assert (
        scoped.json()["error"]["message"] == "This API key does not have the campaigns:read scope."
    )


def test_the_console_session_also_reads_the_api(app: ConsoleApp) -> None:
    client = app.client()
    sign_in(client, "admin@example.com")
    assert client.get("/api/v1/campaigns").json() == {"campaigns": []}


def test_a_viewer_cannot_give_a_key_more_than_they_have(app: ConsoleApp) -> None:
    app.user("vi@example.com", "viewer")
    client = app.client()
    csrf = sign_in(client, "vi@example.com")
    account = client.get("/app/account").text
    assert 'value="campaigns:read"' in account and 'value="campaigns:write"' not in account
    refused = client.post(
        "/app/account/api-keys",
        data={"name": "sneaky", "scope": ["campaigns:write"], "csrf_token": csrf},
    )
    assert refused.status_code == 400 and "cannot give a key campaigns:write" in refused.text


def test_the_campaigns_api_is_documented(app: ConsoleApp) -> None:
    schema = app.client().get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/campaigns"]["get"]
    assert set(operation["responses"]) >= {"200", "401", "403"}
    assert not any(path.startswith("/app") for path in schema["paths"])
