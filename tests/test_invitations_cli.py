"""The invitation commands as a researcher runs them (SQLite in a temp folder, the
outbox as the email channel): import a list with bad rows, schedule a wave in a time
zone, send it with `journeyline worker --once`, see where people stand, export links,
revoke, suppress."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from tests.cli_support import use_temp_data_dir

runner = CliRunner()

LIST = """email,name,time_zone,plan
ana@example.com,Ana,Europe/Berlin,pro
bob@,Bob,UTC,free
cy@example.com,Cy,Nowhere/Land,free
dee@example.com,Dee,UTC,free
"""


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temp_data_dir(tmp_path, monkeypatch)


def invoke(*args: str, code: int = 0) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == code, result.output
    return result.output


def test_a_researcher_imports_schedules_sends_and_follows_up(
    tmp_path: Path, data_dir: Path
) -> None:
    invoke("campaigns", "create", "--slug", "q4", "--name", "Q4", "--company", "Northwind")
    people = tmp_path / "people.csv"
    people.write_text(LIST, encoding="utf-8")
    out = invoke("participants", "import", str(people), "--campaign", "q4", code=1)
    assert "added 2, updated 0" in out
    assert "line 3, email: not an email address: 'bob@'" in out
    assert "line 4, time_zone: unknown time zone 'Nowhere/Land'" in out
    bad = invoke(
        "invites",
        "schedule",
        "--campaign",
        "q4",
        "--channel",
        "email",
        "--at",
        "2026-03-29 02:30",
        "--tz",
        "Europe/Berlin",
        code=1,
    )
    assert "does not exist in Europe/Berlin" in bad
    out = invoke(
        "invites", "schedule", "--campaign", "q4", "--channel", "email", "--at", "now",
        "--tz", "Europe/Berlin", "--rate", "50/s", "--remind-after", "3d", "--expire-after", "14d",
    )  # fmt: skip
    assert "wave 1: email invitations" in out and "up to 1 reminder(s) every 3d" in out
    assert "ran 3 job(s)" in invoke("worker", "--once")
    queue = invoke("worker", "--status")
    assert "invitation.send" in queue and "wave.start" in queue and "failed:" not in queue
    emails = sorted((data_dir / "outbox").glob("*.eml"))
    assert len(emails) == 2
    listing = invoke("participants", "list", "--campaign", "q4")
    assert "2 sent" in listing
    shown = invoke("participants", "show", "ana@example.com", "--campaign", "q4")
    assert "invitation sent (outbox/" in shown and "plan=pro" in shown
    links = tmp_path / "links.csv"
    invoke("invites", "export", "--campaign", "q4", "--out", str(links))
    rows = list(csv.DictReader(links.open(encoding="utf-8")))
    assert [r["email"] for r in rows] == ["ana@example.com", "dee@example.com"]
    assert all(r["link"].startswith("http://127.0.0.1:8000/i/") for r in rows)
    assert rows[0]["link"] in emails[0].read_text(encoding="utf-8") + emails[1].read_text(
        encoding="utf-8"
    )
    assert "revoked 1 invitation(s)" in invoke(
        "invites", "revoke", "--campaign", "q4", "--participant", "dee@example.com"
    )
    waves = invoke("invites", "waves", "--campaign", "q4")
    assert "started" in waves
    assert "wave 1 (email): invited 2 -> delivered 1 -> opened 0 -> consented 0" in waves
    revoked = invoke("participants", "list", "--campaign", "q4", "--status", "revoked")
    assert "dee@example.com" in revoked and "1 revoked" in revoked
    assert "added" in invoke("suppressions", "add", "Ana@Example.com")
    assert "ana@example.com" in invoke("suppressions", "list")
    assert "already on the list" in invoke("suppressions", "add", "ana@example.com")
    assert "removed" in invoke("suppressions", "remove", "ana@example.com")
    template = tmp_path / "invite.txt"
    template.write_text("Hi {{ name }}, {{ link }} (stop: {{ opt_out_link }})\n", encoding="utf-8")
    invoke(
        "invites",
        "template",
        "--campaign",
        "q4",
        "--subject",
        "Hi from {{ company }}",
        "--text",
        str(template),
    )
    template.write_text("Hi {{ nmae }}\n", encoding="utf-8")
    broken = invoke(
        "invites", "template", "--campaign", "q4", "--subject", "x", "--text", str(template), code=1
    )
    assert "nmae" in broken
