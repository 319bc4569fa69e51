"""The README stays true: every setting and every command is documented."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer._click import Context
from typer.core import TyperGroup

from journeyline.cli.commands import COMMANDS, load
from journeyline.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    assert f"JOURNEYLINE_{name.upper()}" in README


def test_every_setting_has_help_text() -> None:
    for name, field in Settings.model_fields.items():
        assert field.description, f"setting {name} has no description"


def _command_names() -> list[str]:
    names = []
    for name in COMMANDS:
        command = load(name)
        if isinstance(command, TyperGroup):
            names += [f"{name} {sub}" for sub in command.list_commands(Context(command))]
        else:
            names.append(name)
    return names


@pytest.mark.parametrize("command", _command_names())
def test_every_command_is_in_the_readme(command: str) -> None:
    assert f"journeyline {command}" in README


def test_quick_start_is_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("##", 1)[0]
    block = section.split("```", 2)[1]
    commands = [line for line in block.splitlines()[1:] if line.strip()]
    assert commands == ["make demo", "make test"]
