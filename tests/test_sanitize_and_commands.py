"""Inbound text cleaning and command recognition."""

from __future__ import annotations

import pytest

from bot.conversation.commands import Command, is_resume_greeting, parse_command
from bot.conversation.sanitize import TextProblem, clean_text


def test_control_characters_are_removed_but_newlines_kept() -> None:
    cleaned = clean_text("line one\x00\x07\r\nline\ttwo\x1b[31m")
    assert cleaned.text == "line one\nline\ttwo[31m"
    assert cleaned.problem is None


def test_invalid_utf8_is_kept_readable() -> None:
    cleaned = clean_text(b"caf\xc3\xa9 and \xff\xfe broken")
    assert cleaned.text.startswith("café and ")
    assert "broken" in cleaned.text


def test_lone_surrogates_become_replacement_characters() -> None:
    assert clean_text("ok \ud800 then").text == "ok ? then"


@pytest.mark.parametrize("raw", ["", "   ", "\n\t ", "\x00\x01"])
def test_empty_messages(raw: str) -> None:
    assert clean_text(raw).problem == TextProblem.EMPTY


def test_too_long_is_flagged_but_kept() -> None:
    cleaned = clean_text("a" * 5000, max_chars=4000)
    assert cleaned.problem == TextProblem.TOO_LONG
    assert len(cleaned.text) == 5000


def test_html_is_kept_verbatim_as_text() -> None:
    raw = "<img src=x onerror=alert(1)>"
    assert clean_text(raw).text == raw


@pytest.mark.parametrize(
    ("text", "command"),
    [
        ("stop", Command.PAUSE),
        ("Pause.", Command.PAUSE),
        ("/pause", Command.PAUSE),
        ("go back", Command.BACK),
        ("UNDO", Command.BACK),
        ("skip", Command.SKIP),
        ("help", Command.HELP),
        ("?", Command.HELP),
    ],
)
def test_commands(text: str, command: Command) -> None:
    assert parse_command(text) == command


@pytest.mark.parametrize(
    "text",
    ["I had to go back to the shop", "they told me to stop calling", "skip the queue", ""],
)
def test_sentences_are_not_commands(text: str) -> None:
    assert parse_command(text) is None


def test_resume_greetings() -> None:
    assert is_resume_greeting("hi, back again")
    assert is_resume_greeting("Hello!")
    assert not is_resume_greeting("hi, they rang me back the next day and fixed it")
