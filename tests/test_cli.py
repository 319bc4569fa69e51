"""The `journeyline` command as a user runs it (Typer's runner, SQLite in a temp dir)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from journeyline.cli.main import app
from tests.cli_support import use_temp_data_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return use_temp_data_dir(tmp_path, monkeypatch)


def invoke(*args: str, input: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=input)
    assert result.exit_code == 0, result.output
    return result.output


def test_db_upgrade_and_status(data_dir: Path) -> None:
    assert "upgraded from empty" in invoke("db", "upgrade")
    assert "up to date" in invoke("db", "upgrade")
    assert "up to date" in invoke("db", "status")
    assert (data_dir / "journeyline.db").exists()


def test_campaigns_create_and_list(tmp_path: Path) -> None:
    out = invoke("campaigns", "create", "--slug", "q3-support", "--name", "Q3", "--company", "Acme")
    assert "Created campaign q3-support" in out
    listing = invoke("campaigns", "list")
    assert "q3-support" in listing and "support_journey" in listing
    again = runner.invoke(app, ["campaigns", "create", "--slug", "q3-support", "--name", "Q3"])
    assert again.exit_code == 1
    assert "already exists" in again.output


def test_campaign_with_invalid_guide_names_file_and_field(tmp_path: Path) -> None:
    guide = tmp_path / "mine.yaml"
    guide.write_text("extends: support_journey\nstep_cap: 99\n", encoding="utf-8")
    result = runner.invoke(
        app, ["campaigns", "create", "--slug", "x1", "--name", "X", "--guide", str(guide)]
    )
    assert result.exit_code == 1
    assert str(guide) in result.output and "step_cap" in result.output


def test_chat_in_the_terminal_then_show_and_export(tmp_path: Path) -> None:
    answers = "\n".join(
        [
            "yes",
            "My internet kept dropping",
            "rang the helpline, 25 minutes on hold, really annoyed",
            "yes",  # phone, 25 minutes and the long wait, shown back for one tap
            "2",
            "that they would blame my router",
            # Not asked who was involved (on hold: nobody) nor what got in the way (told).
            "that was the last step",
            "yes",
            "When the second agent booked an engineer",
            "partly",
            "5",
            "Fix it first time",
            "no",
        ]
    )
    out = invoke("chat", input=answers + "\n")
    assert "Thank you so much" in out
    interview_id = out.split("Interview ", 1)[1].split(" ", 1)[0]
    shown = invoke("interviews", "show", interview_id)
    assert "rang the helpline" in shown and "phone" in shown
    listing = invoke("interviews", "list")
    assert interview_id in listing
    invoke("interviews", "export", "--out", str(tmp_path / "all.json"))
    [document] = json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
    assert document["steps"][0]["channel"] == "phone"
    assert document["steps"][0]["duration_minutes"] == 25
    # Stated outright in the story, then shown back and accepted; the feeling was asked.
    assert document["steps"][0]["provenance"] == {
        "channel": "confirmed",
        "duration": "confirmed",
        "pains": "confirmed",
        "feeling": "said",
        "tools": "inferred",  # the helpline, from the story
    }
    assert document["outcome"] == {"resolved": "partly", "effort": 5}
    invoke("interviews", "export", "--format", "csv", "--out", str(tmp_path / "csv"))
    with (tmp_path / "csv" / "steps.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows[0]["channel"] == "phone"
    assert "channel=confirmed" in rows[0]["provenance"]


def test_chat_asks_how_and_how_long_in_one_question(tmp_path: Path) -> None:
    out = invoke(
        "chat",
        input="yes\nMy parcel never came\nI tried to track it down\nchat, about 25 minutes\n",
    )
    said = " ".join(out.split())  # the terminal wraps long questions
    assert "How were you in touch with" in said and "how long did it take?" in said
    interview_id = out.split("--resume ", 1)[1].split()[0]
    invoke("interviews", "export", "--out", str(tmp_path / "all.json"))
    [document] = [
        d
        for d in json.loads((tmp_path / "all.json").read_text(encoding="utf-8"))
        if d["interview_id"] == interview_id
    ]
    step = document["steps"][0]
    assert (step["channel"], step["duration_minutes"]) == ("live_chat", 25)
    assert step["provenance"]["channel"] == step["provenance"]["duration"] == "said"


def test_chat_resume_after_leaving(tmp_path: Path) -> None:
    out = invoke("chat", input="yes\nMy parcel was lost\n")
    assert "chat --resume" in out
    interview_id = out.split("--resume ", 1)[1].split()[0]
    resumed = invoke("chat", "--resume", interview_id, input="emailed them\n")
    assert "And what was the first thing you did" in resumed  # the pending question again
    assert "How did you feel" in resumed


def test_unknown_interview_is_a_clear_error() -> None:
    result = runner.invoke(app, ["interviews", "show", "no-such-id"])
    assert result.exit_code == 1
    assert "no interview with id" in result.output


def test_understand_reads_lines_and_prints_json() -> None:
    out = invoke("understand", input="called them, sat on hold 40 min, furious\nemailed them\n")
    first, second = (json.loads(line) for line in out.splitlines())
    assert first["channel"] == "phone" and first["duration_minutes"] == 40
    assert set(first) == {
        "channel",
        "feeling",
        "duration_minutes",
        "people",
        "tools",
        "pains",
        "ended",
    }
    assert second["channel"] == "email"


@pytest.mark.slow
def test_demo_completes_every_interview_with_two_full_steps(tmp_path: Path) -> None:
    out = invoke("demo", "--no-serve")
    assert "38 of 38 interviews completed" in out
    # It ends with the synthesized map, every format, split by the customers' segment.
    assert "Journey map of 38 finished interviews" in out and "saturation: " in out
    assert "segments by segment: consumer 26, business 12" in out
    folder = tmp_path / "data" / "demo-map"
    assert f"Wrote {folder}/" in out
    for name in ("map.json", "map.html", "map.mmd", "stages.csv", "emotion_curve.png"):
        assert (folder / name).is_file(), name
    assert (folder / "segments" / "segment=business" / "map.html").is_file()
    assert "38 interviews have 2+ such steps" in out
    assert "Try the web chat yourself: http://127.0.0.1:8000/i/" in out
    assert "The researcher console: http://127.0.0.1:8000/app" in out
    login = re.search(r"sign in as demo@journeyline\.test with the password (\S+)", out)
    assert login
    # Real invitations, written to the outbox without a mail server.
    assert "4 demo people invited by email" in out
    assert len(list((tmp_path / "data" / "outbox").glob("*.eml"))) == 4
    again = invoke("demo", "--no-serve")
    assert "Replaced 38 interviews" in again
    # A fresh password each run; the earlier one no longer opens the console.
    second = re.search(r"with the password (\S+)", again)
    assert second and second.group(1) != login.group(1)


def test_chat_survives_invalid_utf8_and_control_characters() -> None:
    result = runner.invoke(app, ["chat"], input=b"yes\ncaf\xc3\xa9 \xff\xfe broke\x07 my card\n")
    assert result.exit_code == 0, result.output
    interview_id = result.output.split("Interview ", 1)[1].split(" ", 1)[0]
    shown = invoke("interviews", "show", interview_id)
    assert "café \ufffd\ufffd broke my card" in shown


def test_serve_warns_that_sqlite_takes_no_second_process(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import uvicorn

    started: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: started.append(kwargs))
    several = invoke("serve", "--workers", "2", "--port", "8765")
    assert "one writer at a time" in " ".join(several.split())
    assert started[-1]["workers"] == 2
    single = invoke("serve", "--workers", "1", "--port", "8765")
    assert "one writer" not in single
    assert "serving on http://127.0.0.1:8765 (1 process)" in single


def test_campaign_schedule_flags_close_and_reopen(tmp_path: Path) -> None:
    wrong = runner.invoke(
        app,
        ["campaigns", "create", "--slug", "q5", "--name", "Q5", "--tz", "Mars/Base",
         "--quota", "plan basic 20", "--target", "none"],
    )  # fmt: skip
    assert wrong.exit_code == 1
    for flag in ("--tz: ", "--quota: ", "--target: "):
        assert flag in wrong.output
    out = invoke(
        "campaigns", "create", "--slug", "q5", "--name", "Q5", "--company", "Acme",
        "--ends", "2030-12-24 18:00", "--tz", "Europe/Berlin", "--target", "30",
        "--quota", "plan=basic:20", "--quota", "plan=pro:10", "--saturation", "8",
    )  # fmt: skip
    assert "Created campaign q5" in out
    assert "open" in invoke("campaigns", "list")
    assert "Closed q5." in invoke("campaigns", "close", "q5")
    assert "q5 was closed already." in invoke("campaigns", "close", "q5")
    assert "closed" in invoke("campaigns", "list")
    assert "Reopened q5." in invoke("campaigns", "reopen", "q5")
    unknown = runner.invoke(app, ["campaigns", "close", "nope"])
    assert unknown.exit_code == 1 and "no campaign with slug 'nope'" in unknown.output
