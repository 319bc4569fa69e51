"""The chat turn's statements, built with SQLAlchemy Core from the models.

Built once per database (``build_statements`` takes that database's ``insert``, which
carries its spelling of ON CONFLICT) and compiled by the database's module
(``sqlite``, ``postgresql``). Parameters are named ``bindparam``s; the values of a
column's type are bound by that type's own processor (JSON, the UTC timestamps).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    bindparam,
    case,
    delete,
    false,
    func,
    literal,
    null,
    select,
    update,
)
from sqlalchemy import text as sql_text
from sqlalchemy.sql.elements import ClauseElement, ColumnElement
from sqlalchemy.types import UserDefinedType

from storage.models import Campaign, Interview, LlmCall, Message, StartCounter, StepRecord
from storage.queries import INBOUND, OUTBOUND

INBOUND_ONLY = Message.direction == INBOUND
# The partial unique index's own predicate, spelled as in the model (ON CONFLICT names an
# index by its columns and predicate).
INBOUND_INDEX_WHERE = sql_text(f"direction = '{INBOUND}'")


class JsonText(UserDefinedType[str]):
    """A JSON column's value given as JSON text already (pydantic writes an engine state
    in one step, faster than a dict through ``json.dumps``): bound as it is."""

    cache_ok = True

    def get_col_spec(self, **_: Any) -> str:
        return "JSON"


# The step columns a turn writes, besides the key (interview_id, ordinal).
STEP_COLUMNS = (
    "doing",
    "channel",
    "channel_text",
    "feeling",
    "thinking",
    "duration_minutes",
    "duration_text",
    "people",
    "tools",
    "people_tools_text",
    "pains",
    "pain_text",
    "source_message_ids",
    "provenance",
)
# The interview columns a turn writes, as ``InterviewUpdate`` names them.
INTERVIEW_COLUMNS = (
    "status",
    "consent",
    "hear_back",
    "problem",
    "moment_of_truth",
    "moment_of_truth_step",
    "resolved",
    "effort",
    "improvement",
    "anything_else",
    "extra_answers",
)
MODEL_CALL_COLUMNS = (
    "purpose",
    "prompt_version",
    "model",
    "outcome",
    "tokens_in",
    "tokens_out",
    "latency_ms",
    "cost_usd",
    "error",
)
INBOUND_VALUES = ("interview_id", "text", "choice", "slot", "channel_message_id", "created_at")


@dataclass(frozen=True)
class Statement:
    """A statement and the parameters each execution supplies."""

    clause: ClauseElement
    parameters: tuple[str, ...]


def _params(*names: str) -> dict[str, Any]:
    return {name: bindparam(name) for name in names}


def _inbound_insert(insert: Callable[..., Any]) -> Any:
    # A redelivery hits the partial unique index on inbound (interview_id,
    # channel_message_id): nothing is inserted and no id comes back.
    return insert(Message).on_conflict_do_nothing(
        index_elements=[Message.interview_id, Message.channel_message_id],
        index_where=INBOUND_INDEX_WHERE,
    )


def build_statements(insert: Callable[..., Any]) -> dict[str, Statement]:
    """Every statement of the turn store, by name. ``insert``: the database's
    ``insert`` (``sqlalchemy.dialects.sqlite.insert`` or the PostgreSQL one)."""
    statements = {
        "load": Statement(
            select(
                Interview.id,
                Interview.public_id,
                Interview.revision,
                Interview.status,
                Interview.engine_state,
                Interview.consent,
                Interview.completed_at,
                Interview.access_token_hash,
                Campaign.guide_source,
                Campaign.consent_text,
                _inbound(func.count(Message.id)),
                _inbound(func.coalesce(func.sum(func.length(Message.text)), 0)),
            )
            .join(Campaign, Campaign.id == Interview.campaign_id)
            .where(Interview.public_id == bindparam("public_id")),
            ("public_id",),
        ),
        "campaign": Statement(
            select(
                Campaign.id,
                Campaign.open_link,
                Campaign.guide_source,
                Campaign.consent_text,
                Campaign.status,
                Campaign.starts_at,
                Campaign.ends_at,
            ).where(Campaign.slug == bindparam("slug")),
            ("slug",),
        ),
        # SQLite only: BEGIN IMMEDIATE already holds the database's write lock.
        "revision": Statement(
            select(Interview.revision).where(Interview.id == bindparam("interview_id")),
            ("interview_id",),
        ),
        "insert_inbound": Statement(
            _inbound_insert(insert)
            .values(direction=INBOUND, redacted=False, **_params(*INBOUND_VALUES))
            .returning(Message.id),
            INBOUND_VALUES,
        ),
        "find_inbound": Statement(
            select(Message.id).where(
                Message.interview_id == bindparam("interview_id"),
                INBOUND_ONLY,
                Message.channel_message_id == bindparam("channel_message_id"),
            ),
            ("interview_id", "channel_message_id"),
        ),
        "replies_to": Statement(
            select(
                Message.text,
                Message.slot,
                Message.choices,
                Message.items,
                Message.understood,
                Message.also_asks,
            )
            .where(Message.in_reply_to_id == bindparam("message_id"), Message.direction == OUTBOUND)
            .order_by(Message.id),
            ("message_id",),
        ),
        "insert_interview": Statement(
            insert(Interview)
            .values(
                engine_state=bindparam("engine_state", type_=JsonText()),
                extra_answers=literal({}, Interview.extra_answers.type),
                hear_back=literal(False),
                revision=0,
                **_params(
                    "public_id",
                    "campaign_id",
                    "participant_id",
                    "channel",
                    "status",
                    "started_at",
                    "updated_at",
                    "access_token_hash",
                ),
            )
            .returning(Interview.id),
            (
                "public_id",
                "campaign_id",
                "participant_id",
                "channel",
                "status",
                "engine_state",
                "started_at",
                "updated_at",
                "access_token_hash",
            ),
        ),
        "update_interview": Statement(
            update(Interview)
            .where(Interview.id == bindparam("interview_id"))
            .values(
                engine_state=bindparam("engine_state", type_=JsonText()),
                consent_at=_first(Interview.consent_at, "consent_at"),
                completed_at=_first(Interview.completed_at, "completed_at"),
                updated_at=bindparam("updated_at"),
                revision=bindparam("revision"),
                **_params(*INTERVIEW_COLUMNS),
            ),
            (
                "interview_id",
                "engine_state",
                "consent_at",
                "completed_at",
                "updated_at",
                "revision",
                *INTERVIEW_COLUMNS,
            ),
        ),
        "upsert_step": _upsert_step(insert),
        "take_start": _take_start(insert),
        "prune_start_counters": Statement(
            delete(StartCounter).where(StartCounter.window_start <= bindparam("cutoff")),
            ("cutoff",),
        ),
        "delete_step": Statement(
            delete(StepRecord).where(
                StepRecord.interview_id == bindparam("interview_id"),
                StepRecord.ordinal == bindparam("ordinal"),
            ),
            ("interview_id", "ordinal"),
        ),
        "redact_inbound_except": Statement(
            update(Message)
            .where(
                Message.interview_id == bindparam("interview_id"),
                INBOUND_ONLY,
                Message.id != bindparam("keep_message_id"),
                Message.redacted == false(),
            )
            .values(text="", redacted=True),
            ("interview_id", "keep_message_id"),
        ),
        "insert_model_call": Statement(
            insert(LlmCall)
            .inline()
            .values(**_params("interview_id", "created_at", *MODEL_CALL_COLUMNS)),
            ("interview_id", "created_at", *MODEL_CALL_COLUMNS),
        ),
    }
    reply_values = (
        "interview_id",
        "text",
        "slot",
        "choices",
        "items",
        "understood",
        "also_asks",
        "in_reply_to_id",
        "created_at",
    )
    # inline(): no RETURNING of the new id unless asked for (PostgreSQL would add one).
    reply = (
        insert(Message)
        .inline()
        .values(
            direction=OUTBOUND,
            choice=null(),
            channel_message_id=null(),
            redacted=False,
            **_params(*reply_values),
        )
    )
    statements["insert_reply"] = Statement(reply, reply_values)
    statements["insert_reply_returning"] = Statement(reply.returning(Message.id), reply_values)
    return statements


def claim_statement(insert: Callable[..., Any]) -> Statement:
    """PostgreSQL: lock the interview's row and store the message only if the revision
    is the one the turn was computed on, in one statement (one round trip, its BEGIN
    included). Returns the revision now and the new message's id (NULL: a redelivery,
    or another revision). FOR UPDATE waits for another turn's lock, then reads the row
    as that turn left it."""
    locked = (
        select(Interview.revision)
        .where(Interview.id == bindparam("interview_id"))
        .with_for_update()
        .cte("locked")
    )
    values = select(
        bindparam("message_interview_id", type_=Message.interview_id.type),
        literal(INBOUND, Message.direction.type),
        bindparam("text", type_=Message.text.type),
        bindparam("choice", type_=Message.choice.type),
        bindparam("slot", type_=Message.slot.type),
        bindparam("channel_message_id", type_=Message.channel_message_id.type),
        false(),
        bindparam("created_at", type_=Message.created_at.type),
    ).where(locked.c.revision == bindparam("expected_revision"))
    inserted = (
        _inbound_insert(insert)
        .from_select(
            [
                Message.interview_id,
                Message.direction,
                Message.text,
                Message.choice,
                Message.slot,
                Message.channel_message_id,
                Message.redacted,
                Message.created_at,
            ],
            values,
        )
        .returning(Message.id)
        .cte("inserted")
    )
    clause = select(locked.c.revision, select(inserted.c.id).scalar_subquery()).select_from(locked)
    return Statement(
        clause,
        (
            "interview_id",
            "message_interview_id",
            "text",
            "choice",
            "slot",
            "channel_message_id",
            "created_at",
            "expected_revision",
        ),
    )


def _inbound(aggregate: ColumnElement[Any]) -> Any:
    """``aggregate`` over the loaded interview's customer messages: the per-interview caps
    start from these, read once per interview (the cache keeps them up to date)."""
    return (
        select(aggregate)
        .where(Message.interview_id == Interview.id, INBOUND_ONLY)
        .scalar_subquery()
    )


def _take_start(insert: Callable[..., Any]) -> Statement:
    """Count one start under ``key``: a new window (count 1) when the stored one began
    at or before ``cutoff``, else one more in it. Returns the window's start and count;
    a count over the budget is the caller's to refuse (rolling the increment back). The
    row's lock makes concurrent starts of one budget count one after the other."""
    now = bindparam("now", type_=StartCounter.window_start.type)
    stale = StartCounter.window_start <= bindparam("cutoff", type_=StartCounter.window_start.type)
    upsert = insert(StartCounter).values(key=bindparam("key"), window_start=now, count=1)
    upsert = upsert.on_conflict_do_update(
        index_elements=[StartCounter.key],
        set_={
            "window_start": case((stale, now), else_=StartCounter.window_start),
            "count": case((stale, 1), else_=StartCounter.count + 1),
        },
    ).returning(StartCounter.window_start, StartCounter.count)
    return Statement(upsert, ("key", "now", "cutoff"))


def _first(column: Any, name: str) -> ColumnElement[Any]:
    """The column's stored value if it has one, else the parameter (set once)."""
    return func.coalesce(column, bindparam(name, type_=column.type))


def _upsert_step(insert: Callable[..., Any]) -> Statement:
    names = ("interview_id", "ordinal", *STEP_COLUMNS)
    upsert = insert(StepRecord).inline().values(**_params(*names))
    upsert = upsert.on_conflict_do_update(
        index_elements=[StepRecord.interview_id, StepRecord.ordinal],
        set_={name: upsert.excluded[name] for name in STEP_COLUMNS},
    )
    return Statement(upsert, names)
