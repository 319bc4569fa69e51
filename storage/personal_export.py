"""Everything stored about one person (found by ``storage.people``) as plain data, for
an access request: their participant rows, interviews with messages, steps (with
provenance) and model calls, personal links, invitations with the messages sent,
Slack deliveries, consent choices, the suppression entries of their addresses, and the
stored maps that read their interviews.

Rows are exported column by column from the table's metadata, so a column added later
is exported too. Secrets are left out: hashes of link tokens and the salts links are
derived from open nothing for the person and are not about them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from storage.erasure import slack_events_of
from storage.models import (
    Campaign,
    Interview,
    Invite,
    LlmCall,
    Message,
    Participant,
    SlackEvent,
    StepRecord,
    SynthesisRun,
)
from storage.people import Person, on_suppression_list
from storage.scheduler_models import Invitation, InvitationMessage, Suppression

SECRET_COLUMNS = frozenset({"access_token_hash", "token_hash", "optout_token_hash", "link_salt"})
EXPORT_FORMAT = "journeyline-personal-data/1"


def export_person(session: Session, person: Person, *, now: datetime) -> dict[str, Any]:
    """One JSON-ready document of everything stored about ``person``."""
    interviews = person.interview_ids
    campaigns = {
        c.id: c
        for c in session.scalars(select(Campaign).where(Campaign.id.in_(person.campaign_ids)))
    }
    slugs = {cid: c.slug for cid, c in campaigns.items()}
    messages = _grouped(session, Message.__table__, "interview_id", interviews)
    steps = _grouped(session, StepRecord.__table__, "interview_id", interviews)
    calls = _grouped(session, LlmCall.__table__, "interview_id", interviews)
    invitation_messages = _grouped(
        session, InvitationMessage.__table__, "invitation_id", person.invitation_ids
    )
    interview_rows = _rows(session, Interview.__table__, "id", interviews)
    for row in interview_rows:
        row["campaign"] = slugs.get(row["campaign_id"])
        row["messages"] = messages.get(row["id"], [])
        row["steps"] = steps.get(row["id"], [])
        row["model_calls"] = calls.get(row["id"], [])
    invitations = _rows(session, Invitation.__table__, "id", person.invitation_ids)
    for row in invitations:
        row["messages"] = invitation_messages.get(row["id"], [])
    participants = _rows(session, Participant.__table__, "id", person.participant_ids)
    for row in participants:
        row["campaign"] = slugs.get(row["campaign_id"])
    slack = [
        _plain(SlackEvent.__table__, dict(r._mapping))
        for r in session.execute(
            select(SlackEvent.__table__).where(slack_events_of(person.slack_users))
        )
    ]
    suppressions = [
        _plain(Suppression.__table__, dict(r._mapping))
        for r in session.execute(select(Suppression.__table__).where(on_suppression_list(person)))
    ]
    return {
        "format": EXPORT_FORMAT,
        "exported_at": now.isoformat(),
        "participants": participants,
        "interviews": interview_rows,
        "consent": [
            {
                "campaign": row["campaign"],
                "interview": row["public_id"],
                "consent": row["consent"],
                "consent_at": row["consent_at"],
                "consent_text": campaigns[row["campaign_id"]].consent_text
                if row["campaign_id"] in campaigns
                else None,
            }
            for row in interview_rows
        ],
        "invites": _rows(session, Invite.__table__, "id", person.invite_ids),
        "invitations": invitations,
        "slack_events": slack,
        "suppressions": suppressions,
        "maps_quoting_them": _runs_reading(session, person, slugs),
    }


def _runs_reading(session: Session, person: Person, slugs: dict[int, str]) -> list[dict[str, Any]]:
    """The stored maps (runs) that read the person's interviews: they may quote them."""
    theirs = set(person.interview_public_ids)
    rows = session.execute(
        select(SynthesisRun.id, SynthesisRun.campaign_id, SynthesisRun.created_at)
        .add_columns(SynthesisRun.interview_ids)
        .where(SynthesisRun.campaign_id.in_(person.campaign_ids), SynthesisRun.retired_at.is_(None))
        .order_by(SynthesisRun.id)
    ).all()
    return [
        {
            "run_id": r.id,
            "campaign": slugs.get(r.campaign_id),
            "created_at": r.created_at.isoformat(),
        }
        for r in rows
        if theirs & set(r.interview_ids or ())
    ]


def _rows(session: Session, table: Any, key: str, ids: tuple[int, ...]) -> list[dict[str, Any]]:
    if not ids:
        return []
    statement = select(table).where(table.c[key].in_(ids)).order_by(table.c[key])
    return [_plain(table, dict(r._mapping)) for r in session.execute(statement)]


def _grouped(
    session: Session, table: Any, key: str, ids: tuple[int, ...]
) -> dict[int, list[dict[str, Any]]]:
    grouped: dict[int, list[dict[str, Any]]] = {}
    if not ids:
        return grouped
    primary = next(iter(table.primary_key.columns))
    statement = select(table).where(table.c[key].in_(ids)).order_by(primary)
    for r in session.execute(statement):
        row = _plain(table, dict(r._mapping))
        grouped.setdefault(row[key], []).append(row)
    return grouped


def _plain(table: Any, row: dict[str, Any]) -> dict[str, Any]:
    """The row's columns, secrets left out, datetimes as ISO 8601 text."""
    return {
        name: value.isoformat() if isinstance(value, datetime) else value
        for name, value in row.items()
        if name not in SECRET_COLUMNS and name in table.c
    }
