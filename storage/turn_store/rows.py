"""What goes into and comes out of the turn store: plain, immutable values.

The service speaks to the store in these, never in ORM objects or driver rows, so the
store is free to run its statements however is fastest for its database.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from storage.llm_calls import CallRow
from storage.queries import StepRecordData


class StoreBusy(RuntimeError):
    """Another writer holds the database and the caller asked not to wait for it
    (``wait=False``): nothing was done."""


@dataclass(frozen=True)
class InterviewRow:
    """What a turn needs of an interview and its campaign, read in one statement."""

    id: int
    public_id: str
    revision: int
    status: str
    engine_state: dict[str, Any]
    consent: bool | None
    completed: bool
    access_token_hash: str | None
    guide_source: str
    consent_text: str
    # The customer's messages stored so far, and their characters (the interview caps).
    inbound_messages: int = 0
    inbound_chars: int = 0


@dataclass(frozen=True)
class CampaignRow:
    """What starting an interview needs of its campaign."""

    id: int
    open_link: bool
    guide_source: str
    consent_text: str
    # Whether it takes interviews now (``bot.service.campaign_states.availability_at``).
    status: str = "open"
    starts_at: datetime | None = None
    ends_at: datetime | None = None


@dataclass(frozen=True)
class ReplyRow:
    """One outbound message, to store or as stored."""

    text: str
    slot: str | None
    choices: list[dict[str, str]] | None
    items: list[str] | None
    understood: dict[str, Any] | None = None
    also_asks: str | None = None


@dataclass(frozen=True)
class StartBudget:
    """At most ``limit`` starts under ``key`` in a window of ``window`` (fixed windows,
    one row per key in ``start_counters``, shared by every process)."""

    key: str
    limit: int
    window: timedelta


class OverBudget(RuntimeError):
    """A start would exceed the budget ``key``: nothing was stored. The window ends in
    ``retry_after`` seconds."""

    def __init__(self, key: str, retry_after: float) -> None:
        self.key = key
        self.retry_after = retry_after
        super().__init__(f"start budget {key} is used up for {retry_after:.0f} s")


@dataclass(frozen=True)
class NewInterview:
    """An interview to create at revision 0, with the bot's opening replies."""

    campaign_id: int
    channel: str
    status: str
    # The engine state as JSON text (pydantic writes it in one step).
    engine_state_json: str
    replies: Sequence[ReplyRow]
    now: datetime
    participant_id: int | None = None
    access_token_hash: str | None = None
    # Budgets the start counts against, checked in its own transaction (OverBudget).
    budgets: Sequence[StartBudget] = ()


@dataclass(frozen=True)
class StartedInterview:
    id: int
    public_id: str
    # The ids of the opening replies, in order.
    reply_ids: tuple[int, ...]


@dataclass(frozen=True)
class InboundMessage:
    """A customer's message to store with its turn, for the interview as of
    ``expected_revision`` (the revision the turn was computed on)."""

    interview_id: int
    expected_revision: int
    text: str
    choice: str | None
    slot: str | None
    channel_message_id: str
    now: datetime


@dataclass(frozen=True)
class InterviewUpdate:
    """The interview row as a turn leaves it. ``consent_at`` and ``completed_at`` are
    kept when already set (the first time wins)."""

    engine_state_json: str
    status: str
    consent: bool | None
    problem: str | None
    moment_of_truth: str | None
    moment_of_truth_step: int | None
    resolved: str | None
    effort: int | None
    improvement: str | None
    anything_else: str | None
    extra_answers: Mapping[str, str]
    consent_at: datetime | None
    completed_at: datetime | None
    # Asked, with the consent, to hear what the company changes.
    hear_back: bool = False


# One language-model call made for the turn: the ``llm_calls`` audit row, as the LLM
# layer's own call log writes it.
ModelCallRow = CallRow


@dataclass(frozen=True)
class TurnWrites:
    """Everything a turn writes besides the customer's message.

    ``interview`` None leaves the interview row (and its revision) as it was: a turn
    that only stores the message and a reply, such as the apology after a failure.
    """

    replies: Sequence[ReplyRow]
    interview: InterviewUpdate | None = None
    changed_steps: Sequence[StepRecordData] = ()
    removed_steps: Sequence[int] = ()
    # A declined interview keeps no words but the refusal (this turn's message).
    redact_other_inbound: bool = False
    model_calls: Sequence[ModelCallRow] = ()


# The writes of a turn, given the id its message was stored under: the engine cites
# that id in the facts it records, and only learns it once the message is stored.
WritesFor = Callable[[int], TurnWrites]


@dataclass(frozen=True)
class Committed:
    """The turn is stored; its message has id ``inbound_id``, the interview
    ``revision`` (unchanged when the writes had no interview update)."""

    inbound_id: int
    revision: int


@dataclass(frozen=True)
class Conflict:
    """The interview moved on since the turn was computed (another process or turn
    wrote it): nothing was stored. ``revision`` is where it is now (None: deleted)."""

    revision: int | None


@dataclass(frozen=True)
class Duplicate:
    """This delivery was stored before: nothing was stored now; ``replies`` are the
    ones sent back then."""

    replies: list[ReplyRow] = field(default_factory=list)


TurnOutcome = Committed | Conflict | Duplicate
