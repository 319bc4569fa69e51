"""The chat turn's statements in SQLAlchemy Core: the hot path of every customer message.

A turn runs a handful of small statements while it holds the interview's lock (on SQLite,
the database's write lock). Through the ORM's unit of work they cost several times the
SQL itself (identity map, change tracking, flush planning), so the service's per-message
path uses these functions on the transaction's ``Connection`` instead. They run the same
SQL on SQLite and PostgreSQL; like ``queries``, none of them commits.

Every write here bumps or checks ``interviews.revision``, the same counter the ORM's
version check uses, so ORM writers elsewhere and these statements never overwrite each
other unnoticed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Table, Text, bindparam, cast, delete, insert, select, update
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.sql import text as sql_text

from storage.models import Campaign, Interview, Message, StepRecord, new_public_id
from storage.queries import INBOUND, OUTBOUND, StepRecordData

# Declarative classes type __table__ as a FromClause; these are Tables.
_interviews: Table = Interview.__table__  # type: ignore[assignment]
_campaigns: Table = Campaign.__table__  # type: ignore[assignment]
_messages: Table = Message.__table__  # type: ignore[assignment]
_steps: Table = StepRecord.__table__  # type: ignore[assignment]

_INBOUND_ONLY = sql_text("direction = 'in'")


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


@dataclass(frozen=True)
class ReplyRow:
    """One outbound message, to store or as stored."""

    text: str
    slot: str | None
    choices: list[dict[str, str]] | None
    items: list[str] | None


_LOAD = (
    select(
        _interviews.c.id,
        _interviews.c.public_id,
        _interviews.c.revision,
        _interviews.c.status,
        _interviews.c.engine_state,
        _interviews.c.consent,
        _interviews.c.completed_at,
        _interviews.c.access_token_hash,
        _campaigns.c.guide_source,
        _campaigns.c.consent_text,
    )
    .join(_campaigns, _campaigns.c.id == _interviews.c.campaign_id)
    .where(_interviews.c.public_id == bindparam("public_id"))
)


def load_interview(connection: Connection, public_id: str, *, lock: bool) -> InterviewRow | None:
    """The interview with ``public_id`` and its campaign's guide, or ``None``.

    ``lock`` takes the interview's row lock until the transaction ends (``FOR UPDATE OF
    interviews`` on PostgreSQL; SQLite's write lock is already held, nothing is emitted).
    """
    statement = _LOAD_LOCKED if lock else _LOAD
    found = connection.execute(statement, {"public_id": public_id}).first()
    if found is None:
        return None
    return InterviewRow(
        id=found.id,
        public_id=found.public_id,
        revision=found.revision,
        status=found.status,
        engine_state=found.engine_state,
        consent=found.consent,
        completed=found.completed_at is not None,
        access_token_hash=found.access_token_hash,
        guide_source=found.guide_source,
        consent_text=found.consent_text,
    )


@dataclass(frozen=True)
class CampaignRow:
    id: int
    open_link: bool
    guide_source: str
    consent_text: str


def campaign_by_slug(connection: Connection, slug: str) -> CampaignRow | None:
    """What starting an interview needs of the campaign with ``slug``, or ``None``."""
    found = connection.execute(_CAMPAIGN, {"slug": slug}).first()
    if found is None:
        return None
    return CampaignRow(found.id, bool(found.open_link), found.guide_source, found.consent_text)


def insert_interview(
    connection: Connection,
    *,
    campaign_id: int,
    channel: str,
    status: str,
    engine_state: Mapping[str, Any],
    access_token_hash: str | None,
    now: datetime,
) -> tuple[int, str]:
    """Create an anonymous interview (no participant) at revision 0; its id and public id."""
    public_id = new_public_id()
    values = {
        "public_id": public_id,
        "campaign_id": campaign_id,
        "participant_id": None,
        "channel": channel,
        "status": status,
        "engine_state": dict(engine_state),
        "extra_answers": {},
        "started_at": now,
        "updated_at": now,
        "revision": 0,
        "access_token_hash": access_token_hash,
    }
    interview_id: int = connection.execute(_INSERT_INTERVIEW, values).scalar_one()
    return interview_id, public_id


def lock_revision(connection: Connection, interview_id: int) -> int | None:
    """Lock the interview's row (PostgreSQL; SQLite holds its write lock already) and
    return its revision, or ``None`` if it is gone. Equal to a cached revision, it
    proves the cached copy is current for the rest of the transaction."""
    revision: int | None = connection.execute(_LOCK_REVISION, {"id": interview_id}).scalar()
    return revision


def insert_inbound(
    connection: Connection,
    *,
    interview_id: int,
    text: str,
    choice: str | None,
    slot: str | None,
    channel_message_id: str,
    now: datetime,
) -> int | None:
    """Store a customer message; its id, or ``None`` when this interview already has an
    inbound message with ``channel_message_id`` (a redelivery: nothing is stored)."""
    values = {
        "interview_id": interview_id,
        "direction": INBOUND,
        "text": text,
        "choice": choice,
        "slot": slot,
        "channel_message_id": channel_message_id,
        "redacted": False,
        "created_at": now,
    }
    statement = _INSERT_INBOUND[connection.dialect.name]
    stored: int | None = connection.execute(statement, values).scalar()
    return stored


def find_inbound_id(
    connection: Connection, *, interview_id: int, channel_message_id: str
) -> int | None:
    """The id of the inbound message delivered with ``channel_message_id``, if any."""
    found: int | None = connection.execute(
        _FIND_INBOUND, {"interview_id": interview_id, "channel_message_id": channel_message_id}
    ).scalar()
    return found


def insert_replies(
    connection: Connection,
    *,
    interview_id: int,
    in_reply_to_id: int | None,
    replies: Sequence[ReplyRow],
    now: datetime,
    returning_ids: bool = False,
) -> list[int]:
    """Store the bot's replies to message ``in_reply_to_id``, in order (one statement);
    with ``returning_ids``, their ids in the same order (else an empty list)."""
    if not replies:
        return []
    rows = [
        {
            "interview_id": interview_id,
            "direction": OUTBOUND,
            "text": reply.text,
            "choice": None,
            "slot": reply.slot,
            "choices": reply.choices,
            "items": reply.items,
            "channel_message_id": None,
            "in_reply_to_id": in_reply_to_id,
            "redacted": False,
            "created_at": now,
        }
        for reply in replies
    ]
    # Inserted in list order, so ids (and the transcript order) follow the replies.
    if not returning_ids:
        connection.execute(insert(_messages), rows)
        return []
    return list(connection.execute(_INSERT_RETURNING_ID, rows).scalars())


def replies_to(connection: Connection, message_id: int) -> list[ReplyRow]:
    """The replies stored for inbound message ``message_id``, in sending order."""
    return [
        ReplyRow(text=r.text, slot=r.slot, choices=r.choices, items=r.items)
        for r in connection.execute(_REPLIES, {"message_id": message_id})
    ]


def update_interview(
    connection: Connection,
    *,
    interview_id: int,
    revision: int,
    values: Mapping[str, Any],
) -> None:
    """Write ``values`` (interview columns) and set the revision to ``revision``.

    ``engine_state``, if given, is already JSON text (pydantic writes it in one step,
    cheaper than a dict through ``json.dumps``). The caller holds the row lock and has
    checked the previous revision."""
    dialect = connection.dialect.name
    columns = tuple(values)
    statement = _UPDATES.get((dialect, columns))
    if statement is None:
        # One prepared UPDATE per set of columns (a turn writes one of a few sets).
        params: dict[str, Any] = {name: bindparam(name) for name in (*columns, "revision")}
        if "engine_state" in params:
            params["engine_state"] = _json_text("engine_state", dialect)
        statement = update(_interviews).where(_interviews.c.id == bindparam("_id")).values(params)
        _UPDATES[(dialect, columns)] = statement
    connection.execute(statement, {**values, "revision": revision, "_id": interview_id})


def _json_text(name: str, dialect: str) -> Any:
    """A parameter carrying JSON text into a JSON column (JSONB on PostgreSQL)."""
    param = bindparam(name, type_=Text())
    return cast(param, JSONB) if dialect == "postgresql" else param


def save_steps(
    connection: Connection,
    *,
    interview_id: int,
    changed: Sequence[StepRecordData],
    removed: Sequence[int] = (),
) -> None:
    """Upsert ``changed`` steps by ordinal and delete the ``removed`` ordinals."""
    if removed:
        connection.execute(
            delete(_steps).where(
                _steps.c.interview_id == interview_id, _steps.c.ordinal.in_(list(removed))
            )
        )
    if not changed:
        return
    rows = [
        {
            "interview_id": interview_id,
            "ordinal": data.ordinal,
            "doing": data.doing,
            "channel": data.channel,
            "channel_text": data.channel_text,
            "feeling": data.feeling,
            "thinking": data.thinking,
            "duration_minutes": data.duration_minutes,
            "duration_text": data.duration_text,
            "people": list(data.people),
            "tools": list(data.tools),
            "people_tools_text": data.people_tools_text,
            "pains": list(data.pains),
            "pain_text": data.pain_text,
            "source_message_ids": list(data.source_message_ids),
        }
        for data in changed
    ]
    connection.execute(_UPSERT_STEP[connection.dialect.name], rows)


def redact_inbound_except(
    connection: Connection, *, interview_id: int, keep_message_id: int
) -> None:
    """Blank every inbound message of the interview but one (see ``queries``)."""
    connection.execute(
        update(_messages)
        .where(
            _messages.c.interview_id == interview_id,
            _messages.c.direction == INBOUND,
            _messages.c.id != keep_message_id,
            _messages.c.redacted.is_(False),
        )
        .values(text="", redacted=True)
    )


# --- the statements, built once (their compiled forms are cached by SQLAlchemy) ---------

_LOAD_LOCKED = _LOAD.with_for_update(of=_interviews)

_CAMPAIGN = select(
    _campaigns.c.id, _campaigns.c.open_link, _campaigns.c.guide_source, _campaigns.c.consent_text
).where(_campaigns.c.slug == bindparam("slug"))

_INSERT_INTERVIEW = insert(_interviews).returning(_interviews.c.id)

_INSERT_RETURNING_ID = insert(_messages).returning(_messages.c.id, sort_by_parameter_order=True)

_LOCK_REVISION = (
    select(_interviews.c.revision)
    .where(_interviews.c.id == bindparam("id"))
    .with_for_update(of=_interviews)
)

_FIND_INBOUND = select(_messages.c.id).where(
    _messages.c.interview_id == bindparam("interview_id"),
    _messages.c.direction == INBOUND,
    _messages.c.channel_message_id == bindparam("channel_message_id"),
)

_REPLIES = (
    select(_messages.c.text, _messages.c.slot, _messages.c.choices, _messages.c["items"])
    .where(_messages.c.in_reply_to_id == bindparam("message_id"), _messages.c.direction == OUTBOUND)
    .order_by(_messages.c.id)
)

# ON CONFLICT is spelled the same on both databases, but SQLAlchemy keeps it in each
# dialect's own insert(). The conflict target is the partial unique index on inbound
# (interview_id, channel_message_id): a redelivery inserts nothing and returns no id.
_INSERT_INBOUND = {
    name: dialect_insert(_messages)
    .on_conflict_do_nothing(
        index_elements=[_messages.c.interview_id, _messages.c.channel_message_id],
        index_where=_INBOUND_ONLY,
    )
    .returning(_messages.c.id)
    for name, dialect_insert in (("sqlite", sqlite_insert), ("postgresql", postgresql_insert))
}


def _upsert_step(dialect_insert: Any) -> Any:
    statement = dialect_insert(_steps)
    excluded = statement.excluded
    updated = [c.name for c in _steps.columns if c.name not in ("id", "interview_id", "ordinal")]
    return statement.on_conflict_do_update(
        index_elements=[_steps.c.interview_id, _steps.c.ordinal],
        set_={name: excluded[name] for name in updated},
    )


_UPDATES: dict[tuple[str, tuple[str, ...]], Any] = {}

_UPSERT_STEP = {
    "sqlite": _upsert_step(sqlite_insert),
    "postgresql": _upsert_step(postgresql_insert),
}
