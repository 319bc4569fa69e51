"""Finding one person in storage: every participant row that is them, in any campaign,
and the ids of what hangs off those rows.

A person is asked for by participant id, email or Slack user id. The rows found first
are widened once by what they carry (the same email or Slack user in other campaigns),
so an erasure or export asked for by a participant id covers every campaign the person
took part in. Reads only; the caller owns the transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, false, func, or_, select
from sqlalchemy.orm import Session

from storage.models import Campaign, Interview, Invite, Participant
from storage.scheduler_models import Invitation, Suppression


class NoOneAsked(ValueError):
    """The lookup names nobody (no id, email or Slack user id given)."""


@dataclass(frozen=True)
class Who:
    """Whom to look for: any of a participant id, an email address, a Slack user id."""

    participant_id: int | None = None
    email: str | None = None
    slack_user_id: str | None = None

    def __post_init__(self) -> None:
        if self.participant_id is None and not self.email and not self.slack_user_id:
            raise NoOneAsked("say whom: a participant id, an email address or a Slack user id")

    def describe(self) -> str:
        parts = []
        if self.participant_id is not None:
            parts.append(f"participant {self.participant_id}")
        if self.email:
            parts.append(f"email {self.email}")
        if self.slack_user_id:
            parts.append(f"Slack user {self.slack_user_id}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Match:
    """One participant row that is the person."""

    participant_id: int
    campaign: str
    external_id: str | None
    display_name: str | None
    email: str | None
    slack_user_id: str | None
    interviews: int


@dataclass(frozen=True)
class Person:
    """What storage holds that is the person's, by id."""

    matches: tuple[Match, ...]
    participant_ids: tuple[int, ...]
    campaign_ids: tuple[int, ...]
    interview_ids: tuple[int, ...]
    interview_public_ids: tuple[str, ...]
    invite_ids: tuple[int, ...]
    invitation_ids: tuple[int, ...]
    # Lower-cased addresses and Slack (team, user) pairs; team "" when unknown.
    emails: frozenset[str] = field(default_factory=frozenset)
    slack_users: frozenset[tuple[str, str]] = field(default_factory=frozenset)

    @property
    def found(self) -> bool:
        return bool(self.participant_ids)


def find_person(session: Session, who: Who) -> Person:
    """Every participant row that is ``who`` (widened once by their emails and Slack
    users, across campaigns) and the ids of their interviews, invites and invitations.
    An empty `Person` when nobody matches."""
    first = list(session.scalars(select(Participant).where(_asked(who))))
    emails = {e.lower() for p in first for e in (p.email, p.slack_email) if e}
    users = {p.slack_user_id for p in first if p.slack_user_id}
    widened = [_by_email(emails), _by_slack_user(users)]
    rows = {p.id: p for p in first}
    for p in session.scalars(select(Participant).where(or_(*widened))):
        rows.setdefault(p.id, p)
    participants = [rows[i] for i in sorted(rows)]
    ids = tuple(p.id for p in participants)
    interviews = session.execute(
        select(Interview.id, Interview.public_id, Interview.participant_id)
        .where(Interview.participant_id.in_(ids))
        .order_by(Interview.id)
    ).all()
    interview_ids = tuple(row.id for row in interviews)
    invites = session.scalars(
        select(Invite.id).where(
            or_(Invite.participant_id.in_(ids), Invite.interview_id.in_(interview_ids))
        )
    ).all()
    invitations = session.scalars(
        select(Invitation.id).where(Invitation.participant_id.in_(ids)).order_by(Invitation.id)
    ).all()
    slugs = {
        row.id: row.slug
        for row in session.execute(
            select(Campaign.id, Campaign.slug).where(
                Campaign.id.in_({p.campaign_id for p in participants})
            )
        )
    }
    per_participant: dict[int, int] = {}
    for row in interviews:
        per_participant[row.participant_id] = per_participant.get(row.participant_id, 0) + 1
    return Person(
        matches=tuple(
            Match(
                participant_id=p.id,
                campaign=slugs.get(p.campaign_id, ""),
                external_id=p.external_id,
                display_name=p.display_name,
                email=p.email,
                slack_user_id=p.slack_user_id,
                interviews=per_participant.get(p.id, 0),
            )
            for p in participants
        ),
        participant_ids=ids,
        campaign_ids=tuple(sorted({p.campaign_id for p in participants})),
        interview_ids=interview_ids,
        interview_public_ids=tuple(row.public_id for row in interviews),
        invite_ids=tuple(sorted(set(invites))),
        invitation_ids=tuple(invitations),
        emails=frozenset(e.lower() for p in participants for e in (p.email, p.slack_email) if e),
        slack_users=frozenset(
            (p.slack_team_id or "", p.slack_user_id) for p in participants if p.slack_user_id
        ),
    )


def _asked(who: Who) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = []
    if who.participant_id is not None:
        conditions.append(Participant.id == who.participant_id)
    if who.email:
        conditions.append(_by_email({who.email.strip().lower()}))
    if who.slack_user_id:
        conditions.append(_by_slack_user({who.slack_user_id.strip()}))
    return or_(*conditions)


def _by_email(emails: set[str]) -> ColumnElement[bool]:
    if not emails:
        return false()
    return or_(
        func.lower(Participant.email).in_(emails), func.lower(Participant.slack_email).in_(emails)
    )


def _by_slack_user(users: set[str]) -> ColumnElement[bool]:
    if not users:
        return false()
    return Participant.slack_user_id.in_(users)


def on_suppression_list(person: Person) -> ColumnElement[bool]:
    """The suppression entries that name one of the person's addresses."""
    users = {user for _, user in person.slack_users}
    return or_(
        (Suppression.kind == "email") & Suppression.value.in_(person.emails),
        (Suppression.kind == "slack") & Suppression.value.in_(users),
    )
