"""The reads and writes the interview service needs.

Every function takes the ``Session`` first and never commits: the caller owns the
transaction, so one chat turn (inbound message, facts, replies) is stored atomically.
Functions that create rows flush, so generated ids are available straight away.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import CursorResult, delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from storage.models import (
    Campaign,
    Interview,
    Invite,
    Message,
    Participant,
    StepRecord,
)

__all__ = [
    "DuplicateSlug",
    "StepRecordData",
    "add_message",
    "count_messages",
    "create_campaign",
    "create_interview",
    "create_invite",
    "delete_campaign_interviews",
    "find_inbound",
    "find_open_slack_interview",
    "find_slack_participant",
    "get_campaign_by_slug",
    "get_interview",
    "get_interview_by_token",
    "get_invite",
    "get_or_create_participant",
    "latest_question",
    "latest_uninterviewed_slack_participant",
    "list_campaigns",
    "list_interviews",
    "lock_participant_interviews",
    "redact_inbound_except",
    "replace_step_records",
    "replies_to",
    "save_steps",
    "step_data",
    "transcript",
]

INBOUND = "in"
OUTBOUND = "out"


class DuplicateSlug(ValueError):
    """A campaign with this slug already exists."""

    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"a campaign with slug {slug!r} already exists")


@dataclass(frozen=True)
class StepRecordData:
    """One journey step as the engine understood it; the input of ``replace_step_records``.

    Mirrors the ``step_records`` columns (without ids). List fields are tuples so the
    value stays immutable; they are stored as JSON lists.
    """

    ordinal: int
    doing: str
    channel: str | None = None
    channel_text: str | None = None
    feeling: int | None = None
    thinking: str | None = None
    duration_minutes: int | None = None
    duration_text: str | None = None
    people: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    people_tools_text: str | None = None
    pains: tuple[str, ...] = ()
    pain_text: str | None = None
    source_message_ids: tuple[int, ...] = field(default=())
    # How each fact came to be known (fact -> said / confirmed / inferred / corrected).
    provenance: dict[str, str] = field(default_factory=dict)


def step_data(record: StepRecord) -> StepRecordData:
    """The stored step ``record`` as a :class:`StepRecordData` (e.g. to rebuild state)."""
    return StepRecordData(
        ordinal=record.ordinal,
        doing=record.doing,
        channel=record.channel,
        channel_text=record.channel_text,
        feeling=record.feeling,
        thinking=record.thinking,
        duration_minutes=record.duration_minutes,
        duration_text=record.duration_text,
        people=tuple(record.people),
        tools=tuple(record.tools),
        people_tools_text=record.people_tools_text,
        pains=tuple(record.pains),
        pain_text=record.pain_text,
        source_message_ids=tuple(record.source_message_ids),
        provenance=dict(record.provenance or {}),
    )


# --- campaigns -------------------------------------------------------------------------


def get_campaign_by_slug(session: Session, slug: str) -> Campaign | None:
    """The campaign with ``slug``, or ``None``."""
    return session.scalar(select(Campaign).where(Campaign.slug == slug))


def list_campaigns(session: Session) -> list[Campaign]:
    """All campaigns, oldest first."""
    return list(session.scalars(select(Campaign).order_by(Campaign.id)))


def create_campaign(
    session: Session,
    *,
    slug: str,
    name: str,
    guide_name: str,
    guide_version: str,
    guide_source: str,
    consent_text: str,
    open_link: bool = False,
) -> Campaign:
    """Create and flush a campaign; raise :class:`DuplicateSlug` if ``slug`` is taken.

    The up-front check gives the common case a clean error; the unique constraint (caught
    inside a savepoint, so the caller's transaction survives) covers a concurrent insert.
    """
    if get_campaign_by_slug(session, slug) is not None:
        raise DuplicateSlug(slug)
    campaign = Campaign(
        slug=slug,
        name=name,
        guide_name=guide_name,
        guide_version=guide_version,
        guide_source=guide_source,
        consent_text=consent_text,
        open_link=open_link,
    )
    try:
        with session.begin_nested():
            session.add(campaign)
    except IntegrityError as exc:
        raise DuplicateSlug(slug) from exc
    return campaign


# --- participants ----------------------------------------------------------------------


def get_or_create_participant(
    session: Session,
    *,
    campaign: Campaign,
    external_id: str | None,
    display_name: str | None = None,
    email: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> Participant:
    """The campaign's participant with ``external_id``, created (and flushed) if missing.

    ``external_id=None`` means an anonymous visitor: a new participant every time.
    For an existing participant, a given ``display_name``/``email`` replaces the stored
    one and ``attributes`` are merged over the stored ones (newest information wins);
    ``None`` leaves a field alone.
    """
    if external_id is not None:
        existing = _find_participant(session, campaign_id=campaign.id, external_id=external_id)
        if existing is not None:
            _refresh_participant(
                existing, display_name=display_name, email=email, attributes=attributes
            )
            return existing
    try:
        with session.begin_nested():
            # Built inside the savepoint: begin_nested() autoflushes, and a participant
            # already attached to the campaign but not yet added would trigger a warning.
            participant = Participant(
                campaign=campaign,
                external_id=external_id,
                display_name=display_name,
                email=email,
                attributes=dict(attributes or {}),
            )
            session.add(participant)
    except IntegrityError:
        # Another transaction created the same participant after our lookup: use theirs.
        existing = _find_participant(session, campaign_id=campaign.id, external_id=external_id)
        if existing is None:
            raise
        _refresh_participant(
            existing, display_name=display_name, email=email, attributes=attributes
        )
        return existing
    return participant


def _find_participant(
    session: Session, *, campaign_id: int, external_id: str | None
) -> Participant | None:
    return session.scalar(
        select(Participant).where(
            Participant.campaign_id == campaign_id, Participant.external_id == external_id
        )
    )


def _refresh_participant(
    participant: Participant,
    *,
    display_name: str | None,
    email: str | None,
    attributes: Mapping[str, Any] | None,
) -> None:
    if display_name is not None:
        participant.display_name = display_name
    if email is not None:
        participant.email = email
    if attributes:
        # A new dict, because JSON columns do not notice in-place changes.
        participant.attributes = {**participant.attributes, **attributes}


# --- interviews ------------------------------------------------------------------------


def create_interview(
    session: Session,
    *,
    campaign: Campaign,
    participant: Participant | None,
    channel: str,
    status: str,
    engine_state: Mapping[str, Any],
) -> Interview:
    """Create and flush an interview (``public_id`` generated, ``revision`` 0)."""
    interview = Interview(
        campaign=campaign,
        participant=participant,
        channel=channel,
        status=status,
        engine_state=dict(engine_state),
    )
    session.add(interview)
    session.flush()
    return interview


def get_interview(
    session: Session, public_id: str, *, for_update: bool = False
) -> Interview | None:
    """The interview with ``public_id``, or ``None``.

    ``for_update=True`` locks the row until the transaction ends (``SELECT ... FOR
    UPDATE`` on PostgreSQL), so two deliveries of a turn for the same interview run one
    after the other, and reloads it even if the session already held a copy. On SQLite
    nothing extra is emitted: every transaction already holds the write lock (BEGIN
    IMMEDIATE, see ``storage.engines``).
    """
    statement = select(Interview).where(Interview.public_id == public_id)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.scalar(statement)


def list_interviews(
    session: Session,
    *,
    campaign_slug: str | None = None,
    status: str | None = None,
    limit: int | None = None,
) -> list[Interview]:
    """Interviews, newest first, optionally only one campaign's and/or one status."""
    statement = select(Interview).order_by(Interview.started_at.desc(), Interview.id.desc())
    if campaign_slug is not None:
        statement = statement.join(Interview.campaign).where(Campaign.slug == campaign_slug)
    if status is not None:
        statement = statement.where(Interview.status == status)
    if limit is not None:
        statement = statement.limit(limit)
    return list(session.scalars(statement))


def replace_step_records(
    session: Session, *, interview: Interview, steps: Sequence[StepRecordData]
) -> None:
    """Make the interview's stored steps exactly ``steps``, then flush.

    Steps are matched by ordinal: an existing ordinal is updated in place (its row id
    stays, so anything pointing at it stays valid), a new ordinal is inserted, and stored
    ordinals missing from ``steps`` are deleted. Raises ``ValueError`` for an ordinal
    below 1 or given twice.
    """
    by_ordinal: dict[int, StepRecordData] = {}
    for step in steps:
        if step.ordinal < 1:
            raise ValueError(f"step ordinals are 1-based, got {step.ordinal}")
        if step.ordinal in by_ordinal:
            raise ValueError(f"step ordinal {step.ordinal} given twice")
        by_ordinal[step.ordinal] = step
    existing = {record.ordinal: record for record in interview.steps}
    records: list[StepRecord] = []
    for ordinal in sorted(by_ordinal):
        record = existing.get(ordinal) or StepRecord(ordinal=ordinal)
        _copy_step(by_ordinal[ordinal], record)
        records.append(record)
    # Assigning the collection orphans the rows left out, and delete-orphan deletes them.
    interview.steps = records
    session.flush()


def save_steps(
    session: Session,
    *,
    interview_id: int,
    changed: Sequence[StepRecordData],
    removed: Sequence[int] = (),
) -> None:
    """Write only what a turn changed: upsert ``changed`` by ordinal, delete ``removed``.

    The per-message path uses this instead of :func:`replace_step_records` so a turn
    touches one or two rows, not every step of the interview, while it holds the
    database's write lock. Does not flush.
    """
    if removed:
        session.execute(
            delete(StepRecord).where(
                StepRecord.interview_id == interview_id, StepRecord.ordinal.in_(list(removed))
            )
        )
    if not changed:
        return
    ordinals = [data.ordinal for data in changed]
    stored = {
        record.ordinal: record
        for record in session.scalars(
            select(StepRecord).where(
                StepRecord.interview_id == interview_id, StepRecord.ordinal.in_(ordinals)
            )
        )
    }
    for data in changed:
        record = stored.get(data.ordinal)
        if record is None:
            record = StepRecord(interview_id=interview_id, ordinal=data.ordinal)
            session.add(record)
        _copy_step(data, record)


def _copy_step(data: StepRecordData, record: StepRecord) -> None:
    record.doing = data.doing
    record.channel = data.channel
    record.channel_text = data.channel_text
    record.feeling = data.feeling
    record.thinking = data.thinking
    record.duration_minutes = data.duration_minutes
    record.duration_text = data.duration_text
    record.people = list(data.people)
    record.tools = list(data.tools)
    record.people_tools_text = data.people_tools_text
    record.pains = list(data.pains)
    record.pain_text = data.pain_text
    record.source_message_ids = list(data.source_message_ids)
    record.provenance = dict(data.provenance)


# --- messages --------------------------------------------------------------------------


def find_inbound(session: Session, *, interview_id: int, channel_message_id: str) -> Message | None:
    """The inbound message the channel already delivered with this id, or ``None``.

    This is the idempotency check for retried webhooks and double clicks.
    """
    return session.scalar(
        select(Message).where(
            Message.interview_id == interview_id,
            Message.direction == INBOUND,
            Message.channel_message_id == channel_message_id,
        )
    )


def replies_to(session: Session, message_id: int) -> list[Message]:
    """The outbound replies stored for inbound message ``message_id``, in sending order."""
    return list(
        session.scalars(
            select(Message)
            .where(Message.in_reply_to_id == message_id, Message.direction == OUTBOUND)
            .order_by(Message.id)
        )
    )


def add_message(
    session: Session,
    *,
    interview: Interview,
    direction: str,
    text: str,
    slot: str | None = None,
    choice: str | None = None,
    choices: Sequence[Mapping[str, str]] | None = None,
    items: Sequence[str] | None = None,
    channel_message_id: str | None = None,
    in_reply_to: Message | None = None,
    flush: bool = True,
) -> Message:
    """Store one message (``direction`` ``"in"`` or ``"out"``) and flush so its id is set.

    ``flush=False`` leaves the insert to the next flush (the commit), for messages whose
    id is not needed at once, such as the bot's replies.

    A duplicate inbound ``channel_message_id`` for the same interview raises
    ``IntegrityError`` at this flush; call :func:`find_inbound` first (after locking the
    interview) to treat a redelivery as a no-op instead.
    """
    if direction not in (INBOUND, OUTBOUND):
        raise ValueError(f"direction must be 'in' or 'out', not {direction!r}")
    message = Message(
        interview=interview,
        direction=direction,
        text=text,
        slot=slot,
        choice=choice,
        choices=None if choices is None else [dict(c) for c in choices],
        items=None if items is None else list(items),
        channel_message_id=channel_message_id,
        in_reply_to=in_reply_to,
    )
    session.add(message)
    if flush:
        session.flush()
    return message


def transcript(session: Session, interview_id: int) -> list[Message]:
    """Every message of the interview (by its numeric ``id``), in the order stored."""
    return list(
        session.scalars(
            select(Message).where(Message.interview_id == interview_id).order_by(Message.id)
        )
    )


def count_messages(
    session: Session, *, interview_id: int | None = None, direction: str | None = None
) -> int:
    """How many messages exist, optionally of one interview and/or one direction."""
    statement = select(func.count(Message.id))
    if interview_id is not None:
        statement = statement.where(Message.interview_id == interview_id)
    if direction is not None:
        statement = statement.where(Message.direction == direction)
    return session.scalar(statement) or 0


def redact_inbound_except(session: Session, *, interview: Interview, keep_message_id: int) -> int:
    """Blank every inbound message of ``interview`` except ``keep_message_id``.

    For a declined consent: what the customer typed before saying no must not be kept.
    Sets ``text=""`` and ``redacted=True``; returns how many messages were newly
    redacted (already-redacted ones are not counted, so a repeat call returns 0).
    Quick-reply values (``choice``) and channel ids stay: they are not the customer's
    words and the ids keep redeliveries idempotent.
    """
    result = session.execute(
        update(Message)
        .where(
            Message.interview_id == interview.id,
            Message.direction == INBOUND,
            Message.id != keep_message_id,
            Message.redacted.is_(False),
        )
        .values(text="", redacted=True)
        .execution_options(synchronize_session="fetch")
    )
    # DML statements return a CursorResult; Session.execute is typed for the general case.
    return cast("CursorResult[Any]", result).rowcount


def delete_campaign_interviews(session: Session, *, campaign_slug: str) -> int:
    """Delete every interview of a campaign (with its messages and steps); return how many.

    For throw-away campaigns such as the demo; participants stay.
    """
    campaign = get_campaign_by_slug(session, campaign_slug)
    if campaign is None:
        return 0
    interviews = list(
        session.scalars(select(Interview).where(Interview.campaign_id == campaign.id))
    )
    for interview in interviews:
        session.delete(interview)
    session.flush()
    return len(interviews)


# --- web links -------------------------------------------------------------------------


def create_invite(
    session: Session, *, campaign: Campaign, participant: Participant | None, token_hash: str
) -> Invite:
    """Store a personal link (only the token's hash) and flush."""
    invite = Invite(campaign=campaign, participant=participant, token_hash=token_hash)
    session.add(invite)
    session.flush()
    return invite


def get_invite(session: Session, token_hash: str, *, for_update: bool = False) -> Invite | None:
    """The invite whose token hashes to ``token_hash`` (locked with ``for_update``)."""
    statement = select(Invite).where(Invite.token_hash == token_hash)
    if for_update:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.scalar(statement)


def get_interview_by_token(session: Session, token_hash: str) -> Interview | None:
    """The interview opened by the token that hashes to ``token_hash``."""
    return session.scalar(select(Interview).where(Interview.access_token_hash == token_hash))


# --- slack -----------------------------------------------------------------------------


def find_open_slack_interview(
    session: Session,
    *,
    team_id: str,
    user_id: str,
    finished_statuses: Collection[str],
    for_update: bool = False,
) -> Interview | None:
    """The most recently active Slack interview of ``user_id`` in workspace ``team_id``
    whose status is not one of ``finished_statuses``, or ``None``.

    ``for_update`` locks the interview row, like :func:`get_interview`.
    """
    statement = (
        select(Interview)
        .join(Interview.participant)
        .where(
            Participant.slack_team_id == team_id,
            Participant.slack_user_id == user_id,
            Interview.channel == "slack",
            Interview.status.not_in(list(finished_statuses)),
        )
        .order_by(Interview.updated_at.desc(), Interview.id.desc())
        .limit(1)
    )
    if for_update:
        statement = statement.with_for_update(of=Interview).execution_options(
            populate_existing=True
        )
    return session.scalar(statement)


def latest_uninterviewed_slack_participant(
    session: Session, *, team_id: str, user_id: str
) -> Participant | None:
    """The newest participant record of this Slack user that has no interview yet (an
    invitation not taken up), or ``None``."""
    return session.scalar(
        select(Participant)
        .where(
            Participant.slack_team_id == team_id,
            Participant.slack_user_id == user_id,
            ~Participant.interviews.any(),
        )
        .order_by(Participant.id.desc())
        .limit(1)
    )


def find_slack_participant(
    session: Session, *, campaign_id: int, team_id: str, user_id: str
) -> Participant | None:
    """The campaign's oldest participant with this Slack workspace and user id."""
    return session.scalar(
        select(Participant)
        .where(
            Participant.campaign_id == campaign_id,
            Participant.slack_team_id == team_id,
            Participant.slack_user_id == user_id,
        )
        .order_by(Participant.id)
        .limit(1)
    )


def latest_question(session: Session, *, interview_id: int) -> Message | None:
    """The interview's newest outbound message that asks something (has a slot)."""
    return session.scalar(
        select(Message)
        .where(
            Message.interview_id == interview_id,
            Message.direction == OUTBOUND,
            Message.slot.is_not(None),
        )
        .order_by(Message.id.desc())
        .limit(1)
    )


def lock_participant_interviews(session: Session, *, participant: Participant) -> list[Interview]:
    """Lock ``participant``'s row until the transaction ends and return its interviews,
    oldest first, so two concurrent "start an interview for them" queue instead of both
    creating one (``SELECT ... FOR UPDATE`` on PostgreSQL; SQLite already serialises)."""
    session.execute(
        select(Participant.id).where(Participant.id == participant.id).with_for_update()
    )
    return list(
        session.scalars(
            select(Interview)
            .where(Interview.participant_id == participant.id)
            .order_by(Interview.id)
            .execution_options(populate_existing=True)
        )
    )
