"""The rough edges a new user hit (issue 19, item 8), one test each. Each failed on main."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot.conversation.messages import Reply
from bot.conversation.questions import EFFORT_CHOICES
from bot.service.campaigns import create_campaign
from bot.terminal import render_reply
from journeyline.cli import common
from journeyline.cli.commands import COMMANDS, load
from journeyline.cli.main import app
from journeyline.demo.runner import DemoSummary
from journeyline.runtime import open_runtime
from journeyline.settings import Settings, load_settings
from tests.cli_support import seed_standard_interviews, use_temp_data_dir

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("COLUMNS", "120")
    return use_temp_data_dir(tmp_path, monkeypatch)


def test_hints_name_the_program_as_it_was_run_when_it_is_not_on_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    venv_bin = tmp_path / ".venv" / "bin"
    venv_bin.mkdir(parents=True)
    program = venv_bin / "journeyline"
    program.write_text("#!/bin/sh\n", encoding="utf-8")
    program.chmod(0o755)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [".venv/bin/journeyline", "demo"])
    monkeypatch.setenv("PATH", "/usr/bin:/bin")  # a new shell: the venv is not on it
    assert common.command_name() == ".venv/bin/journeyline"
    monkeypatch.setenv("PATH", f"{venv_bin}:/usr/bin")  # activated
    assert common.command_name() == "journeyline"
    monkeypatch.setattr(sys, "argv", [str(ROOT / "journeyline" / "__main__.py")])
    assert common.command_name().endswith(" -m journeyline")


def test_the_demo_hints_run_where_they_are_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    from journeyline.cli import demo

    printed: list[str] = []
    monkeypatch.setattr(common.console, "print", lambda *a, **_: printed.extend(map(str, a)))
    monkeypatch.setattr(demo, "command_name", lambda: ".venv/bin/journeyline")
    demo.print_summary(DemoSummary(campaign="demo", interview_ids=["abc"]), seconds=1.0)
    hints = printed[-1]
    assert "  .venv/bin/journeyline interviews list --campaign demo" in hints
    # The chat hint uses the demo campaign, which names its company (not "the company").
    assert ".venv/bin/journeyline chat --campaign demo" in hints
    assert "\n  journeyline " not in hints


def test_a_campaign_without_a_company_gets_a_note(data_dir: Path) -> None:
    bare = runner.invoke(app, ["campaigns", "create", "--slug", "bare", "--name", "Bare"])
    assert bare.exit_code == 0, bare.output
    assert 'no company name, so the bot will say "the company"' in bare.output
    named = runner.invoke(
        app, ["campaigns", "create", "--slug", "named", "--name", "N", "--company", "Acme"]
    )
    assert named.exit_code == 0
    assert "no company name" not in named.output


def test_no_help_shows_a_value_for_a_flag() -> None:
    outputs = [runner.invoke(app, ["--help"]).output]
    for name in COMMANDS:
        outputs.append(runner.invoke(app, [name, "--help"]).output)
    for output in outputs:
        assert "<bool>" not in output
        assert "--help  " in output or "--help " in output


def test_serve_help_shows_the_real_defaults() -> None:
    output = runner.invoke(app, ["serve", "--help"]).output
    assert "[default: 0]" not in output
    assert "JOURNEYLINE_PORT, 8000" in output
    assert "JOURNEYLINE_WORKERS, 1" in output


def test_journeyline_help_is_quick_and_imports_no_command() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = (
        "import sys, runpy; sys.argv = ['journeyline', '--help']\n"
        "try:\n    runpy.run_module('journeyline', run_name='__main__')\n"
        "except SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'slack_bolt', 'sklearn', "
        "'journeyline.cli.chat', 'journeyline.runtime') if m in sys.modules]\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    # On main every command's module (SQLAlchemy, FastAPI, Slack, ...) was imported:
    # about 2 s; now about 0.4 s. Timing on a shared machine is noisy; what was imported
    # is exact.
    assert "HEAVY []" in done.stdout, done.stdout
    assert "serve" in done.stdout and "synthesize" in done.stdout


def test_the_command_list_matches_each_command_s_own_help() -> None:
    for name, entry in COMMANDS.items():
        command = load(name)
        assert command.help is not None
        own = " ".join(command.help.split("\n\n")[0].split())
        assert own == entry.help, name


def test_resuming_a_finished_interview_says_so(data_dir: Path) -> None:
    rt = open_runtime(load_settings())
    try:
        with rt.sessions.begin() as session:
            create_campaign(session, slug="done", name="Done", company="Acme")
        started = rt.service.start_interview(campaign_slug="done", channel="terminal")
        finished = rt.service.handle_message(interview_id=started.interview_id, choice="no")
        assert finished.finished
    finally:
        rt.close()
    resumed = runner.invoke(app, ["chat", "--resume", started.interview_id], input="")
    assert resumed.exit_code == 1
    said = " ".join(resumed.output.split())
    assert f"interview {started.interview_id} is {finished.status}: there is nothing left" in said


def test_an_unknown_status_is_rejected(data_dir: Path) -> None:
    bogus = runner.invoke(app, ["interviews", "list", "--status", "bogus"])
    assert bogus.exit_code == 2
    assert "Invalid value for '--status'" in bogus.output
    assert "completed" in bogus.output  # the choices are listed
    assert runner.invoke(app, ["interviews", "list", "--status", "PAUSED"]).exit_code == 0


def test_links_follow_the_port_serve_runs_on(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOURNEYLINE_PORT", "9123")
    assert Settings().link_base() == "http://127.0.0.1:9123"
    monkeypatch.setenv("JOURNEYLINE_HOST", "0.0.0.0")
    assert Settings().link_base() == "http://127.0.0.1:9123"
    made = runner.invoke(
        app, ["campaigns", "create", "--slug", "cc", "--name", "C", "--company", "A"]
    )
    assert made.exit_code == 0, made.output
    made = runner.invoke(app, ["invites", "create", "--campaign", "cc"])
    assert made.exit_code == 0, made.output
    assert "http://127.0.0.1:9123/i/" in made.output
    monkeypatch.setenv("JOURNEYLINE_PUBLIC_URL", "https://survey.example.com/")
    assert Settings().link_base() == "https://survey.example.com"


def test_one_interview_is_not_1_interviews(data_dir: Path, tmp_path: Path) -> None:
    seed_standard_interviews()
    listed = runner.invoke(app, ["interviews", "list", "--limit", "1"])
    interview_id = next(w for w in listed.output.split() if w.count("-") == 4)
    out = tmp_path / "one.json"
    done = runner.invoke(app, ["interviews", "export", "--id", interview_id, "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "Wrote 1 interview to" in done.output
    assert "1 interviews" not in done.output
    assert common.count(2, "opportunity", "opportunities") == "2 opportunities"


def test_terminal_effort_buttons_read_one_by_one() -> None:
    shown = render_reply(Reply(text="How easy was it?", choices=EFFORT_CHOICES), width=200)
    assert "[ 1 · Very easy ] [ 2 ] [ 3 ] [ 4 · Neither ] [ 5 ] [ 6 ] [ 7 · Very hard ]" in shown
    wrapped = render_reply(Reply(text="How easy was it?", choices=EFFORT_CHOICES))
    assert all(line.count("[") == line.count("]") for line in wrapped.splitlines()[1:])
