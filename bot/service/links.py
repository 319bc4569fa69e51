"""Personal invite links and open campaign links: secret tokens that open one interview.

Tokens carry 256 random bits and are stored only as SHA-256 hashes, so a database leak
does not leak working links. A token opens exactly one interview: the invite's first use
creates it and ties the token to it for good.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import InterviewStatus
from bot.service.access_tokens import hash_token, new_token, token_matches
from bot.service.campaign_states import refuse_unless_open
from bot.service.errors import InterviewNotFound
from bot.service.interviews import InterviewService
from bot.service.quotas import refuse_full_cell
from bot.service.results import TurnResult
from bot.service.starts import campaign_and_participant
from bot.service.transcripts import InterviewSnapshot
from storage import queries
from storage.engines import write_session
from storage.models import Interview
from storage.types import utcnow


class LinkNotFound(LookupError):
    def __init__(
        self, message: str = "this link is not valid: check that it was copied completely"
    ) -> None:
        super().__init__(message)


class LinkExpired(LinkNotFound):
    """A personal link whose invitation expired before it was opened."""

    def __init__(self) -> None:
        super().__init__("this invitation has expired")


class LinkRevoked(LinkNotFound):
    """A personal link the research team withdrew before it was opened."""

    def __init__(self) -> None:
        super().__init__("this invitation was withdrawn")


@dataclass(frozen=True)
class OpenedInterview:
    """An interview a link opened: the token (as given or newly made) and the opening turn."""

    token: str
    turn: TurnResult
    created: bool


class Links:
    """Creates invites and resolves tokens to interviews."""

    def __init__(self, sessions: sessionmaker[Session], service: InterviewService) -> None:
        self.sessions = sessions
        self._service = service

    def create_invite(
        self,
        *,
        campaign_slug: str,
        participant_external_id: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        display_name: str | None = None,
        email: str | None = None,
    ) -> str:
        """A new personal link token for a participant of the campaign."""
        token = new_token()
        with write_session(self.sessions) as session:
            campaign, participant = campaign_and_participant(
                session,
                campaign_slug=campaign_slug,
                external_id=participant_external_id,
                display_name=display_name,
                email=email,
                attributes=attributes,
            )
            queries.create_invite(
                session, campaign=campaign, participant=participant, token_hash=hash_token(token)
            )
        return token

    def open(self, token: str) -> OpenedInterview:
        """The interview behind `token`, started on the invite's first use. A first use
        raises `LinkExpired`, `LinkRevoked`, `StudyClosed`, `StudyNotOpenYet` or
        `QuotaFull` instead when so; an interview already opened always goes on."""
        digest = hash_token(token)
        with self._service.read_sessions() as session:
            # Every visit after the first only reads: no need to queue for the writer.
            known = queries.get_interview_by_token(session, digest)
            if known is not None:
                return OpenedInterview(token, _as_turn(known), created=False)
        with write_session(self.sessions) as session:
            interview = queries.get_interview_by_token(session, digest)
            if interview is not None:
                return OpenedInterview(token, _as_turn(interview), created=False)
            invite = queries.get_invite(session, digest, for_update=True)
            if invite is None:
                raise LinkNotFound
            # Only a first visit is refused: an interview already opened goes on.
            if invite.revoked_at is not None:
                raise LinkRevoked
            now = utcnow()
            if invite.expires_at is not None and invite.expires_at <= now:
                raise LinkExpired
            # A closed (or not yet open) campaign and a full quota cell turn a first
            # visit away too, politely: `StudyClosed`, `StudyNotOpenYet`, `QuotaFull`.
            campaign = invite.campaign
            refuse_unless_open(
                campaign.slug,
                status=campaign.status,
                starts_at=campaign.starts_at,
                ends_at=campaign.ends_at,
                now=now,
            )
            if invite.participant is not None:
                refuse_full_cell(session, campaign, invite.participant.attributes)
            if invite.interview is not None:  # pragma: no cover - hash lookup found it above
                return OpenedInterview(token, _as_turn(invite.interview), created=False)
            interview, replies = self._service.open_interview(
                session,
                campaign=invite.campaign,
                participant=invite.participant,
                channel="web",
                access_token_hash=digest,
            )
            invite.interview = interview
            turn = TurnResult(interview.public_id, InterviewStatus(interview.status), replies)
            return OpenedInterview(token, turn, created=True)

    def start_open_snapshot(
        self,
        campaign_slug: str,
        *,
        wait: bool = True,
        client: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> tuple[str, InterviewSnapshot]:
        """Like `start_open`, but the token and the new interview's snapshot, in one write
        transaction (the web API's start). With `wait=False`, `TurnBusy` when the
        database is being written by someone else (see `InterviewService.start_anonymous`)."""
        token = new_token()
        snapshot = self._service.start_anonymous(
            campaign_slug=campaign_slug,
            channel="web",
            access_token_hash=hash_token(token),
            wait=wait,
            client=client,
            attributes=attributes,
        )
        return token, snapshot

    def start_open(
        self,
        campaign_slug: str,
        *,
        client: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> OpenedInterview:
        """A new anonymous interview from a campaign's open link (the start page's form):
        the same start, and the same budgets, as the API's. ``attributes``: what the link
        named of the person (quota cells). Raises `CampaignNotFound`, `CampaignClosed`
        (`StudyClosed`, `StudyNotOpenYet`, `QuotaFull`) or `StartRefused`."""
        token, snapshot = self.start_open_snapshot(
            campaign_slug, client=client, attributes=attributes
        )
        turn = TurnResult(snapshot.interview_id, snapshot.status, ())
        return OpenedInterview(token, turn, created=True)

    def authorize(self, interview_id: str, token: str) -> None:
        """Raise `InterviewNotFound` unless `token` opens the interview `interview_id`."""
        with self._service.read_sessions() as session:
            interview = queries.get_interview(session, interview_id)
            expected = interview.access_token_hash if interview is not None else None
        # Same answer, and the same constant-time comparison, whatever was wrong.
        if not token_matches(token, expected):
            raise InterviewNotFound(interview_id)

    def grant(self, interview_id: str) -> str:
        """A new token for an existing interview without one (e.g. a demo interview)."""
        token = new_token()
        with write_session(self.sessions) as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None:
                raise InterviewNotFound(interview_id)
            interview.access_token_hash = hash_token(token)
        return token


def _as_turn(interview: Interview) -> TurnResult:
    return TurnResult(interview.public_id, InterviewStatus(interview.status), ())
