"""Trying a campaign's interview in the console: the real engine, nothing stored.

The researcher's answers so far travel with the page (each turn posts them back), and
each turn replays them through :mod:`bot.conversation.engine` from the start: the
engine is pure and a preview is a few dozen turns, so replaying is cheap and there is no
preview state to keep, expire or leak on the server.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.conversation import engine
from bot.conversation.guide import Guide
from bot.conversation.messages import Choice, Inbound, Reply
from bot.conversation.sanitize import clean_text
from bot.conversation.vocabulary import FINISHED_STATUSES

# A preview longer than this is cut (a page posting thousands of answers back).
MAX_TURNS = 200
CHOICE_PREFIX = "choice:"
TEXT_PREFIX = "text:"


@dataclass(frozen=True)
class PreviewLine:
    # "bot" or "you"
    speaker: str
    text: str


@dataclass(frozen=True)
class Preview:
    lines: tuple[PreviewLine, ...]
    # Quick replies of the question waiting for an answer.
    choices: tuple[Choice, ...]
    finished: bool
    # The answers so far, encoded for the page to post back (``said``).
    said: tuple[str, ...]


def said_text(text: str) -> str:
    return TEXT_PREFIX + text


def said_choice(value: str) -> str:
    return CHOICE_PREFIX + value


def try_interview(guide: Guide, said: Sequence[str]) -> Preview:
    """The interview with ``guide`` after the answers ``said`` (each ``text:...`` typed
    or ``choice:VALUE`` tapped; anything else is ignored)."""
    result = engine.start(guide)
    state = result.state
    lines = [_bot(reply) for reply in result.replies]
    kept: list[str] = []
    for entry in said[:MAX_TURNS]:
        if state.status in FINISHED_STATUSES:
            break
        inbound, shown = _inbound(entry, engine.current_question(state, guide))
        if inbound is None:
            continue
        result = engine.handle(state, inbound, guide)
        state = result.state
        kept.append(entry)
        lines.append(PreviewLine("you", shown))
        lines.extend(_bot(reply) for reply in result.replies)
    pending = engine.current_question(state, guide)
    choices = pending[-1].choices if pending else ()
    return Preview(
        lines=tuple(lines),
        choices=choices,
        finished=state.status in FINISHED_STATUSES,
        said=tuple(kept),
    )


def _bot(reply: Reply) -> PreviewLine:
    return PreviewLine("bot", reply.text)


def _inbound(entry: str, pending: list[Reply]) -> tuple[Inbound | None, str]:
    if entry.startswith(CHOICE_PREFIX):
        value = entry.removeprefix(CHOICE_PREFIX)
        offered = {c.value: c.label for reply in pending for c in reply.choices}
        if value not in offered:
            return None, ""  # a stale button: the web chat ignores those too
        return Inbound(text=offered[value], choice=value), offered[value]
    if entry.startswith(TEXT_PREFIX):
        cleaned = clean_text(entry.removeprefix(TEXT_PREFIX))
        if cleaned.problem is not None:
            return None, ""
        return Inbound(text=cleaned.text), cleaned.text
    return None, ""
