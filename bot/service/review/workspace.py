"""The review team's workspace around the maps, built once per server: discussion,
review status per version, actions, and closing the loop."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.actions import Actions
from bot.service.review.approval import Approvals
from bot.service.review.discussion import Discussion
from bot.service.review.loop import ClosingTheLoop
from bot.service.review.service import ReviewService
from storage.types import utcnow


@dataclass(frozen=True)
class Workspace:
    discussion: Discussion
    approvals: Approvals
    actions: Actions
    loop: ClosingTheLoop


def make_workspace(
    sessions: sessionmaker[Session],
    *,
    review: ReviewService,
    email_mentions: bool,
    clock: Callable[[], datetime] = utcnow,
) -> Workspace:
    """``email_mentions``: queue an email to each user @mentioned (when the server has
    an email channel configured)."""
    approvals = Approvals(sessions, review=review, clock=clock)
    actions = Actions(sessions, review=review, clock=clock)
    return Workspace(
        discussion=Discussion(sessions, review=review, email_mentions=email_mentions, clock=clock),
        approvals=approvals,
        actions=actions,
        loop=ClosingTheLoop(
            sessions, review=review, actions=actions, approvals=approvals, clock=clock
        ),
    )
