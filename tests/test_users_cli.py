"""`journeyline users ...` as an operator runs it (Typer's runner, SQLite in a temp dir)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from journeyline.console_wiring import make_console_service
from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from tests.cli_support import use_temp_data_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("JOURNEYLINE_PUBLIC_URL", "https://jl.example")
    return use_temp_data_dir(tmp_path, monkeypatch)


def invoke(*args: str, input: str | None = None, code: int = 0) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == code, result.output
    return result.output


def _signs_in(email: str, password: str) -> bool:
    rt = open_runtime(load_settings())
    try:
        service = make_console_service(rt.settings, sessions=rt.sessions, engine=rt.engine)
        try:
            service.sessions.sign_in(
                email=email, password=password, client_address="cli-test", user_agent=None
            )
        except Exception:
            return False
        return True
    finally:
        rt.close()


def test_create_list_disable_enable_and_roles() -> None:
    assert "No console users yet" in invoke("users", "list")
    out = invoke("users", "create", "--email", "Ana@Example.com", "--role", "admin")
    assert "Created ana@example.com (admin)." in out
    temporary = re.search(r"Temporary password \(shown once\): (\S+)", out)
    assert temporary and _signs_in("ana@example.com", temporary.group(1))
    assert "Sign in at https://jl.example/app" in out
    invoke(
        "users", "create", "--email", "bo@example.com", "--role", "viewer", "--name", "Bo",
        "--password-stdin", input="bo's own password\n",
    )  # fmt: skip
    assert _signs_in("bo@example.com", "bo's own password")
    listing = invoke("users", "list")
    assert "ana@example.com" in listing and "temporary password" in listing
    assert "bo@example.com" in listing and "viewer" in listing
    assert "is now reviewer" in invoke("users", "set-role", "bo@example.com", "reviewer")
    assert "Disabled bo@example.com" in invoke("users", "disable", "bo@example.com")
    assert "disabled" in invoke("users", "list")
    assert not _signs_in("bo@example.com", "bo's own password")
    assert "Enabled bo@example.com" in invoke("users", "enable", "bo@example.com")
    assert _signs_in("bo@example.com", "bo's own password")


def test_reset_password_temporary_typed_or_link() -> None:
    invoke(
        "users", "create", "--email", "ana@example.com", "--role", "admin",
        "--password-stdin", input="the first password\n",
    )  # fmt: skip
    out = invoke("users", "reset-password", "ana@example.com")
    temporary = re.search(r"\(shown once\): (\S+)", out)
    assert temporary and _signs_in("ana@example.com", temporary.group(1))
    assert not _signs_in("ana@example.com", "the first password")
    invoke("users", "reset-password", "ana@example.com", "--ask", input="typed password 1\n" * 2)
    assert _signs_in("ana@example.com", "typed password 1")
    link = invoke("users", "reset-password", "ana@example.com", "--link")
    assert re.search(r"https://jl\.example/app/reset/[\w-]{43}", link)


def test_mistakes_are_one_clear_line() -> None:
    assert "bad is not an email address" in invoke(
        "users", "create", "--email", "bad", "--role", "admin", code=1
    )
    assert "Unknown role 'boss'" in invoke(
        "users", "create", "--email", "a@example.com", "--role", "boss", code=1
    )
    assert "No console user nobody@example.com" in invoke(
        "users", "disable", "nobody@example.com", code=1
    )
    invoke("users", "create", "--email", "a@example.com", "--role", "admin")
    assert "already a user" in invoke(
        "users", "create", "--email", "A@example.com", "--role", "viewer", code=1
    )
    assert "no active admin" in invoke("users", "disable", "a@example.com", code=1)
    assert "at least 10 characters" in invoke(
        "users", "reset-password", "a@example.com", "--password-stdin", input="short\n", code=1
    )
