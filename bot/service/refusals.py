"""A declined consent keeps the choice, never the words.

A customer who says no has agreed to nothing being kept, and a refusal often carries
what they least want kept ("No thanks. Do not contact me again at jo@example.com"). So
the turn that declines stores its message as :data:`DECLINED_TEXT` with the choice
:data:`DECLINED_CHOICE`, and the engine state's answer log holds the same: replaying it
still declines, and the words are nowhere (what the customer typed before saying no is
blanked by the turn store, ``redact_other_inbound``).
"""

from __future__ import annotations

from bot.conversation.messages import PENDING_MESSAGE_ID
from bot.conversation.state import InterviewState, LoggedAnswer
from bot.conversation.vocabulary import InterviewStatus

DECLINED_TEXT = "[declined]"
DECLINED_CHOICE = "no"  # the consent question's "No thanks" button


def declines(before: InterviewStatus, after: InterviewState | None) -> bool:
    """Whether a turn that found the interview ``before`` and left ``after`` declined."""
    return (
        after is not None
        and before != InterviewStatus.DECLINED
        and after.status == InterviewStatus.DECLINED
    )


def choice_only(state: InterviewState) -> InterviewState:
    """``state`` (just made by the declining turn, not yet shared) with this turn's
    logged answers reduced to the choice, in place."""
    state.answers = [
        LoggedAnswer(text=DECLINED_TEXT, choice=DECLINED_CHOICE, message_id=PENDING_MESSAGE_ID)
        if answer.message_id == PENDING_MESSAGE_ID
        else answer
        for answer in state.answers
    ]
    return state
