"""What a turn gives back to a channel adapter, and replies as storage keeps them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from bot.conversation.messages import Choice, Reply, Understood
from bot.conversation.progress import Progress
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus
from storage.turn_store import ReplyRow


@dataclass(frozen=True)
class TurnResult:
    """What a channel adapter needs after a turn."""

    interview_id: str
    status: InterviewStatus
    replies: tuple[Reply, ...]
    # True when this delivery was seen before: `replies` are the ones stored back then.
    duplicate: bool = False
    progress: Progress | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class StoredReply(Protocol):
    """An outbound message as stored (an ORM row or a turn store row)."""

    @property
    def text(self) -> str: ...
    @property
    def slot(self) -> str | None: ...
    @property
    def choices(self) -> list[dict[str, str]] | None: ...
    @property
    def items(self) -> list[str] | None: ...
    @property
    def understood(self) -> dict[str, Any] | None: ...
    @property
    def also_asks(self) -> str | None: ...


def reply_from_message(message: StoredReply) -> Reply:
    """A stored outbound message as the `Reply` it was."""
    return Reply(
        text=message.text,
        slot=message.slot,
        choices=tuple(Choice(**c) for c in (message.choices or [])),
        items=tuple(message.items or ()),
        understood=None
        if message.understood is None
        else Understood.model_validate(message.understood),
        also=message.also_asks,
    )


def reply_row(reply: Reply) -> ReplyRow:
    """A `Reply` as storage keeps it."""
    return ReplyRow(
        text=reply.text,
        slot=reply.slot,
        choices=[choice.model_dump() for choice in reply.choices] or None,
        items=list(reply.items) or None,
        understood=None if reply.understood is None else reply.understood.model_dump(mode="json"),
        also_asks=reply.also,
    )
