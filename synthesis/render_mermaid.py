"""A Mermaid ``journey`` diagram of a map: a section per stage, scored by its feeling.

Mermaid's journey grammar ends a task name at ``:``, ``;``, ``#`` or a newline, and its
journey renderer (checked with mermaid 11.17) draws entity codes such as ``#58;`` as
they are instead of decoding them. So customer words go through :func:`mermaid_text`,
which puts each of those characters' look-alike in its place (``:`` -> ``꞉``, ``;`` ->
``；``, ``#`` -> ``＃``) and does the same for ``< >`` so nothing can become markup, and
writes everything visible (:func:`synthesis.plain_text.one_line`) on one line. A label
that would begin with one of the grammar's keywords (``journey``, ``title``, ``section``,
``accTitle``, ``accDescr``: the lexer matches them case-insensitively wherever a token
starts) gets a ``·`` in front; every task of ours starts with a quotation mark or the
stage's number or id anyway.
"""

from __future__ import annotations

import re

from synthesis.model import JourneyMap, Stage
from synthesis.plain_text import one_line

LOOK_ALIKES = {
    ":": "\ua789",  # modifier letter colon
    ";": "\uff1b",  # fullwidth semicolon
    "#": "\uff03",  # fullwidth number sign
    "<": "\u2039",  # single left-pointing angle quotation mark
    ">": "\u203a",  # single right-pointing angle quotation mark
    "%": "\uff05",  # fullwidth percent: no "%%" comment or directive can start
    "`": "\u02cb",  # modifier letter grave accent (Mermaid's markdown strings)
    '"': "\u201d",
}
_KEYWORD_START = re.compile(r"(?:journey|title\s|section\s|acc(?:title|descr))", re.IGNORECASE)
NEUTRAL = 3
MAX_TEXT = 60


def mermaid_text(text: str, *, limit: int = MAX_TEXT, starts_token: bool = True) -> str:
    """``text`` on one line, at most ``limit`` characters (then "…"), with look-alikes
    for the characters Mermaid's journey grammar or a browser would read as syntax.
    ``starts_token=False`` for text after ``title``, which runs to the line's end: no
    keyword can start there."""
    flat = one_line(text)
    if len(flat) > limit:
        flat = flat[: limit - 1].rstrip() + "…"
    if starts_token and _KEYWORD_START.match(flat + " "):
        flat = "· " + flat
    return "".join(LOOK_ALIKES.get(ch, ch) for ch in flat) or "-"


def render_mermaid(journey_map: JourneyMap) -> str:
    """The diagram as Mermaid source (newline-terminated). Each stage is a section whose
    tasks are its representative quotes (its heading when it has none), scored by the
    stage's mean feeling rounded to 1-5 (unrated stages score 3, noted in a comment) and
    acted by the customer and the stage's most common people."""
    m = journey_map
    segment = ", ".join(f"{k}={v}" for k, v in (m.segment or {}).items())
    title = f"Journey map {m.campaign}" + (f" ({segment})" if segment else "")
    lines = [
        "journey",
        f"    title {mermaid_text(title, limit=120, starts_token=False)}",
    ]
    for number, stage in enumerate(m.stages, start=1):
        score = _score(stage)
        heading = f"{number}. {stage.name}" if stage.frame_stage else f"{stage.id} {stage.name}"
        actors = ", ".join(
            ["Customer", *(mermaid_text(p.value, limit=30) for p in stage.people[:2])]
        )
        lines.append(f"    section {mermaid_text(heading)}")
        if stage.feeling.mean is None:
            note = f"{mermaid_text(stage.id)} has no feeling ratings"
            lines.append(f"      %% {note}: scored {NEUTRAL}")
        for quote in stage.quotes or []:
            lines.append(f"      “{mermaid_text(quote.text, limit=40)}”: {score}: {actors}")
        if not stage.quotes:
            lines.append(f"      {mermaid_text(heading)}: {score}: {actors}")
    return "\n".join(lines) + "\n"


def _score(stage: Stage) -> int:
    if stage.feeling.mean is None:
        return NEUTRAL
    return min(5, max(1, int(stage.feeling.mean + 0.5)))
