"""Single sign-on against the fake OpenID Connect provider on 127.0.0.1: the browser's
walk (console -> provider -> console) done by hand with the test client and httpx, so
every redirect is checked. A good token signs in; a wrong audience, issuer, nonce,
signature, algorithm or an expired token, a state from another browser and a reused
state are refused."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from starlette.testclient import TestClient

from bot.service.console.permissions import Role
from bot.web.console import cookies
from fakes.oidc import FakeOidcProvider, Tamper, running_provider
from tests.console_support import ConsoleApp, console_app


@pytest.fixture
def provider() -> Iterator[FakeOidcProvider]:
    with running_provider() as running:
        yield running


def _settings(provider: FakeOidcProvider, **extra: str) -> dict[str, str]:
    return {
        "oidc_issuer": provider.issuer,
        "oidc_client_id": provider.client_id,
        "oidc_client_secret": provider.client_secret,
        "oidc_label": "Fake IdP",
        **extra,
    }


@pytest.fixture
def app(db_url: str, provider: FakeOidcProvider) -> Iterator[ConsoleApp]:
    with console_app(db_url, settings=_settings(provider)) as made:
        yield made


def _walk(client: TestClient) -> tuple[str, Any]:
    """Start single sign-on and follow the provider back; (callback URL, its response)."""
    started = client.get("/app/sso/start")
    assert started.status_code == 303, started.text
    at_provider = httpx.get(started.headers["location"], follow_redirects=False)
    assert at_provider.status_code == 302, at_provider.text
    callback = at_provider.headers["location"]
    assert callback.startswith("http://testserver/app/sso/callback?")
    return callback, client.get(callback.removeprefix("http://testserver"))


def test_the_sign_in_page_offers_single_sign_on(app: ConsoleApp) -> None:
    page = app.client().get("/app/sign-in")
    assert "Sign in with Fake IdP" in page.text and 'href="/app/sso/start"' in page.text


def test_a_good_token_signs_in_and_creates_the_account_with_the_default_role(
    app: ConsoleApp, provider: FakeOidcProvider
) -> None:
    client = app.client()
    _, response = _walk(client)
    assert response.status_code == 303 and response.headers["location"] == "/app"
    home = client.get("/app")
    assert home.status_code == 200 and "Ana Example" in home.text
    user = app.service.accounts.find("ana@example.com")
    assert user.role is Role.VIEWER and not user.has_password
    (asked,) = provider.authorize_requests
    assert asked["code_challenge_method"] == "S256" and len(asked["code_challenge"]) == 43
    assert asked["nonce"] and asked["state"] and "openid" in asked["scope"]
    assert asked["redirect_uri"] == "http://testserver/app/sso/callback"
    (token_form,) = provider.token_requests
    assert "client_secret" not in token_form  # sent with HTTP Basic
    assert 43 <= len(token_form["code_verifier"]) <= 128


def test_an_existing_account_is_matched_by_email_and_keeps_its_role(
    app: ConsoleApp, provider: FakeOidcProvider
) -> None:
    app.user("ana@example.com", "researcher")
    provider.identity.email = "Ana@Example.com"
    client = app.client()
    _, response = _walk(client)
    assert response.headers["location"] == "/app"
    assert app.service.accounts.find("ana@example.com").role is Role.RESEARCHER
    assert len(app.service.accounts.list_users()) == 1


@pytest.mark.parametrize(
    ("tamper", "words"),
    [
        (Tamper(audience="another-app"), "issued to another application"),
        (Tamper(nonce="not-the-nonce"), "nonce differs"),
        (Tamper(foreign_key=True), "signature does not match"),
        (Tamper(issuer="http://127.0.0.1:1"), "another issuer"),
        (Tamper(expired=True), "expired"),
        (Tamper(algorithm_none=True), "is not accepted"),
    ],
    ids=["audience", "nonce", "signature", "issuer", "expired", "alg-none"],
)
def test_a_bad_id_token_is_refused(
    app: ConsoleApp, provider: FakeOidcProvider, tamper: Tamper, words: str
) -> None:
    provider.tamper = tamper
    client = app.client()
    _, response = _walk(client)
    assert response.status_code == 400
    assert words in response.text
    assert cookies.SESSION not in client.cookies
    assert client.get("/app").status_code == 303
    assert app.service.accounts.list_users() == []


def test_a_callback_in_another_browser_or_twice_is_refused(app: ConsoleApp) -> None:
    starter = app.client()
    callback, _ = _walk(starter)  # signs the starter in, spends the state
    path = callback.removeprefix("http://testserver")
    victim = app.client()
    refused = victim.get(path)
    assert refused.status_code == 400 and "not started in this browser" in refused.text
    assert victim.get("/app").status_code == 303
    # Even with the state cookie, the state was used once already.
    state = parse_qs(urlsplit(callback).query)["state"][0]
    victim.cookies.set(cookies.SSO_STATE, state, path="/app/sso")
    again = victim.get(path)
    assert again.status_code == 400 and "not started in this browser" in again.text


def test_unverified_emails_and_unknown_people_are_refused(
    db_url: str, provider: FakeOidcProvider
) -> None:
    with console_app(db_url, settings=_settings(provider, oidc_default_role="none")) as app:
        _, response = _walk(app.client())
        assert response.status_code == 400 and "Ask an admin to create one" in response.text
        app.user("ana@example.com", "viewer")
        provider.identity.email_verified = False
        _, response = _walk(app.client())
        assert "has not verified ana@example.com" in response.text


def test_a_disabled_account_cannot_sign_in_with_sso(
    app: ConsoleApp, provider: FakeOidcProvider
) -> None:
    app.user("admin@example.com", "admin")
    ana = app.user("ana@example.com", "reviewer")
    app.service.accounts.disable(ana)
    _, response = _walk(app.client())
    assert response.status_code == 400 and "disabled" in response.text


def test_the_provider_saying_no_is_explained(app: ConsoleApp) -> None:
    client = app.client()
    response = client.get("/app/sso/callback?error=access_denied&error_description=User+said+no")
    assert response.status_code == 400
    assert "did not sign you in: access_denied (User said no)" in response.text


def test_an_unreachable_provider_is_explained(db_url: str) -> None:
    settings = {
        "oidc_issuer": "http://127.0.0.1:9",
        "oidc_client_id": "x",
        "oidc_client_secret": "y",
    }
    with console_app(db_url, settings=settings) as app:
        response = app.client().get("/app/sso/start")
    assert response.status_code == 502
    assert "discovery document from http://127.0.0.1:9" in response.text


def test_half_a_configuration_is_refused_at_start() -> None:
    from journeyline.console_wiring import ConsoleMisconfigured, sso_config
    from journeyline.settings import Settings

    with pytest.raises(ConsoleMisconfigured, match="JOURNEYLINE_OIDC_CLIENT_SECRET"):
        sso_config(Settings(oidc_issuer="https://idp.example", oidc_client_id="x"))
    with pytest.raises(ConsoleMisconfigured, match="https://"):
        sso_config(
            Settings(oidc_issuer="http://idp.example", oidc_client_id="x", oidc_client_secret="y")
        )
    assert sso_config(Settings()) is None
