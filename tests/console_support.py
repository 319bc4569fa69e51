"""What the console tests share: a cheap argon2 hasher, a clock to move, the app with a
console service wired to the test database, and signing in through the real forms."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher
from starlette.testclient import TestClient

from bot.service.console.config import ConsoleConfig
from bot.service.console.passwords import Passwords
from bot.service.console.service import ConsoleService
from journeyline.console_wiring import console_config
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app

PASSWORD = "correct horse battery"
# argon2id all the same, at a cost a test suite can pay a few hundred times.
CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def cheap_passwords() -> Passwords:
    return Passwords(CHEAP_HASHER)


class Clock:
    """A clock tests move: ``clock.advance(minutes=5)``."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2026, 12, 1, 9, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class ConsoleApp:
    runtime: Runtime
    service: ConsoleService
    clock: Clock
    base_url: str

    def client(self) -> TestClient:
        return TestClient(
            create_app(self.runtime, console=self.service),
            base_url=self.base_url,
            follow_redirects=False,
        )

    def user(self, email: str, role: str, *, password: str = PASSWORD) -> int:
        user, _ = self.service.accounts.create(
            email=email, role=role, password=password, must_change_password=False
        )
        return user.id


@contextmanager
def console_app(
    db_url: str,
    *,
    config: ConsoleConfig | None = None,
    base_url: str = "http://testserver",
    settings: dict[str, Any] | None = None,
) -> Iterator[ConsoleApp]:
    """The whole app on ``db_url`` (already migrated) with a console service that hashes
    cheaply and runs on a movable clock; ``config`` defaults to the one ``settings``
    (extra JOURNEYLINE_ settings, by field name) make."""
    values: dict[str, Any] = {
        "database_url": db_url,
        "rate_limit_per_client": 0,
        "public_url": base_url,
        **(settings or {}),
    }
    runtime = open_runtime(Settings(**values), migrate=False)
    clock = Clock()
    service = ConsoleService(
        runtime.sessions,
        config=config or console_config(runtime.settings),
        passwords=cheap_passwords(),
        clock=clock,
    )
    try:
        yield ConsoleApp(runtime=runtime, service=service, clock=clock, base_url=base_url)
    finally:
        runtime.close()


def csrf_of(html: str) -> str:
    found = _CSRF.search(html)
    assert found, "no CSRF token in the page"
    return found.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> str:
    """Sign in through the form; the CSRF token of the new session's pages."""
    page = client.get("/app/sign-in")
    assert page.status_code == 200, page.text
    response = client.post(
        "/app/sign-in",
        data={"email": email, "password": password, "csrf_token": csrf_of(page.text)},
    )
    assert response.status_code == 303, response.text
    home = client.get("/app/account")
    assert home.status_code == 200, home.text
    return csrf_of(home.text)
