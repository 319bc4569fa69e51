"""How map values read on a page, the same as in the map file (``synthesis.render_html``):
channel labels, feeling levels, minutes, shares. Handed to the console's templates as
Jinja2 filters and tests."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from synthesis.formatting import human_minutes
from synthesis.render_html import channel_label, explains, feeling_level, phrase_of


def pct(value: float | None) -> str:
    return "-" if value is None else f"{value:.0%}"


def num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def humanise(tag: str) -> str:
    """``long_wait`` -> ``Long wait``."""
    words = tag.replace("_", " ")
    return words[:1].upper() + words[1:]


FILTERS: dict[str, Callable[..., Any]] = {
    "channel": channel_label,
    "level": feeling_level,
    "minutes": human_minutes,
    "pct": pct,
    "num": num,
    "humanise": humanise,
}
TESTS: dict[str, Callable[..., bool]] = {"explains": explains, "phrase_of": phrase_of}
