"""The terminal channel: lines typed at a prompt in, plain text out.

Like every adapter it only translates; the interview service does the work. Quick
replies are listed under the question, each in brackets, and may be typed by label or
value ("Live chat", "3"); anything else typed is a free-text answer.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from bot.conversation.messages import Reply
from bot.service.interviews import InterviewService
from bot.service.results import TurnResult

WIDTH = 78
PROMPT = "you> "
NO_BREAK = "\u00a0"


def render_reply(reply: Reply, *, width: int = WIDTH) -> str:
    """One bot message as terminal text, with its quick replies listed beneath."""
    paragraphs = [
        textwrap.fill(line, width=width, initial_indent="bot> ", subsequent_indent="     ")
        if i == 0
        else textwrap.fill(line, width=width, initial_indent="     ", subsequent_indent="     ")
        for i, line in enumerate(reply.text.splitlines() or [""])
    ]
    if reply.choices:
        # Each choice in its own brackets: a label may hold " · " itself ("1 · Very
        # easy"), so one separator between all of them read as "1 · Very easy · 2 · 3".
        # No-break spaces inside a choice keep it on one line when the list wraps.
        options = " ".join(f"[ {choice.label} ]".replace(" ", NO_BREAK) for choice in reply.choices)
        wrapped = textwrap.fill(
            options,
            width=width,
            initial_indent="     ",
            subsequent_indent="     ",
            break_long_words=False,
            break_on_hyphens=False,
        )
        paragraphs.append(wrapped.replace(NO_BREAK, " "))
    return "\n".join(paragraphs)


def show(result: TurnResult, write: Callable[[str], None]) -> None:
    for reply in result.replies:
        write(render_reply(reply))


def run_chat(
    service: InterviewService,
    interview_id: str,
    *,
    lines: Iterable[str],
    write: Callable[[str], None],
) -> TurnResult:
    """Feed typed `lines` to the interview until it finishes or the input ends.

    End of input (Ctrl-D) leaves the interview where it is; it resumes next time.
    """
    result = service.pending(interview_id)
    for line in lines:
        result = service.handle_message(interview_id=interview_id, text=line)
        show(result, write)
        if result.finished or result.status == "paused":
            break
    return result
