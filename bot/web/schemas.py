"""The JSON API's request and response shapes (separate from the ORM on purpose)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, model_validator

from bot.conversation.messages import Choice, Reply
from bot.conversation.progress import Progress
from bot.service.results import TurnResult
from bot.service.transcripts import InterviewSnapshot, StoredMessage

CLIENT_MESSAGE_ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,100}$"


class ChoiceView(BaseModel):
    value: str
    label: str


class UnderstoodView(BaseModel):
    """What a ``confirm`` question shows back: the step facts the bot read."""

    channel: str | None = None
    feeling: int | None = None
    duration_minutes: int | None = None
    pains: list[str] = Field(default_factory=list)


class ReplyView(BaseModel):
    """A bot message: `slot` is the public slot contract; `items` lists playback steps;
    `understood` is what a ``confirm`` question shows back (null for other messages)."""

    text: str
    slot: str | None
    choices: list[ChoiceView]
    items: list[str]
    understood: UnderstoodView | None = None
    also: str | None = Field(
        default=None,
        description="A second step question this message asks (duration, with channel); "
        "the choices answer `slot` alone",
    )


class MessageView(ReplyView):
    id: int
    direction: Literal["in", "out"]
    created_at: datetime


class ProgressView(BaseModel):
    phase: str = Field(description="consent, story, steps, playback, wrap_up or done")
    step: int | None
    percent: int = Field(ge=0, le=100)
    label: str = Field(description='For people, e.g. "Step 2 · about 45% done"')


class InterviewView(BaseModel):
    interview_id: str
    status: str
    messages: list[MessageView]
    pending: list[ReplyView] = Field(description="The question waiting for an answer")
    progress: ProgressView
    max_chars: int
    token: str | None = Field(None, description="Only when the interview was just opened")


class TurnView(BaseModel):
    interview_id: str
    status: str
    replies: list[ReplyView]
    duplicate: bool = Field(description="True when this client_message_id was seen before")
    progress: ProgressView | None


class StartRequest(BaseModel):
    """Give exactly one: a personal invite token, or a campaign slug with an open link."""

    invite_token: str | None = Field(None, max_length=200)
    campaign: str | None = Field(None, max_length=80)

    @model_validator(mode="after")
    def _exactly_one(self) -> StartRequest:
        if (self.invite_token is None) == (self.campaign is None):
            raise ValueError("give exactly one of invite_token or campaign")
        return self


class MessageRequest(BaseModel):
    """A customer message: typed `text`, a clicked `choice` value, or both."""

    text: str | None = Field(None, description="What the customer typed")
    choice: str | None = Field(None, max_length=80, description="A quick reply's value")
    client_message_id: str = Field(
        pattern=CLIENT_MESSAGE_ID_PATTERN,
        description="Unique per message; re-posting it returns the same replies",
    )


class ErrorDetail(BaseModel):
    code: str
    message: str


class ErrorView(BaseModel):
    error: ErrorDetail


def choice_views(choices: tuple[Choice, ...]) -> list[ChoiceView]:
    return [ChoiceView(value=c.value, label=c.label) for c in choices]


def reply_view(reply: Reply) -> ReplyView:
    return ReplyView(
        text=reply.text,
        slot=reply.slot,
        choices=choice_views(reply.choices),
        items=list(reply.items),
        understood=None
        if reply.understood is None
        else UnderstoodView.model_validate(reply.understood.model_dump(mode="json")),
        also=reply.also,
    )


def progress_view(progress: Progress | None) -> ProgressView | None:
    if progress is None:
        return None
    return ProgressView(
        phase=progress.phase, step=progress.step, percent=progress.percent, label=progress.label
    )


def message_view(message: StoredMessage) -> MessageView:
    return MessageView(
        id=message.id,
        direction="in" if message.direction == "in" else "out",
        text=message.text,
        slot=message.slot,
        choices=choice_views(message.choices),
        items=list(message.items),
        created_at=message.created_at,
    )


def interview_view(
    snapshot: InterviewSnapshot, *, max_chars: int, token: str | None = None
) -> InterviewView:
    progress = progress_view(snapshot.progress)
    assert progress is not None
    return InterviewView(
        interview_id=snapshot.interview_id,
        status=snapshot.status,
        messages=[message_view(m) for m in snapshot.messages],
        pending=[reply_view(r) for r in snapshot.pending],
        progress=progress,
        max_chars=max_chars,
        token=token,
    )


def turn_json(result: TurnResult) -> bytes:
    """`turn_view(result)` as JSON bytes, built without the view models: every answer
    goes through this, and `Reply` already has the view's shape (a test keeps the two
    equal)."""
    progress = result.progress
    body = {
        "interview_id": result.interview_id,
        "status": str(result.status),
        "replies": [reply.model_dump() for reply in result.replies],
        "duplicate": result.duplicate,
        "progress": None
        if progress is None
        else {
            "phase": progress.phase,
            "step": progress.step,
            "percent": progress.percent,
            "label": progress.label,
        },
    }
    return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode()


def turn_view(result: TurnResult) -> TurnView:
    return TurnView(
        interview_id=result.interview_id,
        status=result.status,
        replies=[reply_view(r) for r in result.replies],
        duplicate=result.duplicate,
        progress=progress_view(result.progress),
    )
