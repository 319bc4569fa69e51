"""The terminal channel: lines typed at a prompt in, plain text out.

Like every adapter it only translates; the interview service does the work. Quick
replies are listed under the question and may be typed by label or value ("Live chat",
"3"); anything else typed is a free-text answer.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable, Iterable

from bot.conversation.messages import Reply
from bot.service.interviews import InterviewService
from bot.service.results import TurnResult

WIDTH = 78
PROMPT = "you> "


def render_reply(reply: Reply, *, width: int = WIDTH) -> str:
    """One bot message as terminal text, with its quick replies listed beneath."""
    paragraphs = [
        textwrap.fill(line, width=width, initial_indent="bot> ", subsequent_indent="     ")
        if i == 0
        else textwrap.fill(line, width=width, initial_indent="     ", subsequent_indent="     ")
        for i, line in enumerate(reply.text.splitlines() or [""])
    ]
    if reply.choices:
        options = " · ".join(choice.label for choice in reply.choices)
        paragraphs.append(
            textwrap.fill(
                options, width=width, initial_indent="     [ ", subsequent_indent="       "
            )
            + " ]"
        )
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
