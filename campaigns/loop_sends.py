"""Delivering one person's copy of a "here is what we changed" message, once.

The same three steps as an invitation (``campaigns.sends``): with the send's row locked,
decide it is still wanted (not sent before, the person not suppressed, an address for
the channel) and mark it ``sending`` with its Message-ID fixed; deliver outside any
transaction; record it ``sent`` and finish the job in one commit. A worker that died
mid-send leaves ``sending``: the next try re-drives (the outbox finds the file by its
Message-ID, Slack finds the DM by its metadata), so nobody gets it twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaign_guides import guide_for
from bot.service.email_templates import RenderedEmail
from bot.service.link_tokens import LinkTokens
from bot.service.review.job_kinds import LOOP_SEND
from campaigns.delivery_errors import NotSent, PermanentFailure
from campaigns.email_message import Sender, compose
from campaigns.scheduler import Claim
from campaigns.sends import EmailTransport
from campaigns.slack_invitations import SlackInvitations
from storage import invitations
from storage import map_actions as store
from storage.engines import write_session
from storage.models import Campaign, Participant
from storage.scheduler_models import Invitation
from storage.types import utcnow
from storage.workspace_models import LoopMessage, MapAction

log = logging.getLogger(__name__)
KIND = LOOP_SEND


@dataclass(frozen=True)
class _Plan:
    send_id: int
    redrive: bool
    email: EmailMessage | None
    slack_user: str | None
    slack_email: str | None
    text: str
    key: str


class LoopSends:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        sender: Sender,
        email: EmailTransport,
        tokens: LinkTokens | None = None,
        slack: SlackInvitations | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._email = email
        self._tokens = tokens
        self._slack = slack
        self._clock = clock

    def send(self, *, send_id: int, last_attempt: bool, claim: Claim | None = None) -> None:
        """Deliver send ``send_id`` if it is still wanted; raises to be retried."""
        plan = self._prepare(send_id, claim)
        if plan is None:
            return
        try:
            detail = self._deliver(plan)
        except PermanentFailure as error:
            self._end(plan.send_id, store.FAILED, str(error), claim)
            return
        except NotSent as error:
            if last_attempt:
                self._end(plan.send_id, store.FAILED, str(error), claim)
                return
            raise
        except Exception as error:
            if last_attempt:
                self._end(plan.send_id, store.FAILED, f"{type(error).__name__}: {error}", claim)
                return
            raise
        self._end(plan.send_id, store.SENT, detail, claim)

    def _prepare(self, send_id: int, claim: Claim | None) -> _Plan | None:
        now = self._clock()
        with write_session(self._sessions) as session:
            send = store.get_send(session, send_id, for_update=True)
            if send is None or send.state in (store.SENT, store.SKIPPED, store.FAILED):
                if claim is not None:
                    claim.finish(session, now=now)
                return None
            person = session.get(Participant, send.participant_id)
            message = session.get(LoopMessage, send.loop_message_id)
            assert person is not None and message is not None
            reason = self._unwanted(session, person, send.channel)
            if reason is not None:
                send.state, send.detail, send.updated_at = store.SKIPPED, reason, now
                if claim is not None:
                    claim.finish(session, now=now)
                return None
            redrive = send.state == store.SENDING
            send.state, send.updated_at = store.SENDING, now
            action = session.get(MapAction, message.action_id)
            campaign = session.get(Campaign, action.campaign_id) if action else None
            company = guide_for(campaign).company if campaign is not None else ""
            text = _text(message, company)
            email = None
            if send.channel == "email":
                email = compose(
                    rendered=RenderedEmail(message.subject, text, None),
                    sender=self._sender,
                    to_address=person.email or "",
                    to_name=person.display_name,
                    message_id=f"<{send.message_id}@{self._sender.domain}>",
                    opt_out_link=self._opt_out(session, person.id),
                    now=now,
                )
            return _Plan(
                send_id=send.id,
                redrive=redrive,
                email=email,
                slack_user=person.slack_user_id,
                slack_email=person.slack_email or person.email,
                text=f"{message.subject}\n\n{text}",
                key=send.message_id,
            )

    def _unwanted(self, session: Session, person: Participant, channel: str) -> str | None:
        if invitations.any_suppressed(
            session,
            emails=[(person.email or "").lower(), (person.slack_email or "").lower()],
            slack_users=[person.slack_user_id or ""],
        ):
            return "suppressed"
        if channel == "email" and not person.email:
            return "no email address"
        if channel == "slack" and not (person.slack_user_id or person.slack_email):
            return "no Slack user"
        if channel not in ("email", "slack"):
            return "no email or Slack address"
        return None

    def _opt_out(self, session: Session, participant_id: int) -> str | None:
        """The opt-out link of the person's latest invitation (people who came by the
        open link have none)."""
        if self._tokens is None:
            return None
        salt = session.scalar(
            select(Invitation.link_salt)
            .where(Invitation.participant_id == participant_id)
            .order_by(Invitation.id.desc())
            .limit(1)
        )
        return None if salt is None else self._tokens.opt_out_link(salt)

    def _deliver(self, plan: _Plan) -> str:
        if plan.email is not None:
            return self._email.send(plan.email, redrive=plan.redrive)
        if self._slack is None:
            raise NotSent("no Slack client is configured (JOURNEYLINE_SLACK_BOT_TOKEN)")
        user = self._slack.user_id(user_id=plan.slack_user, email=plan.slack_email)
        return self._slack.post_note(
            user_id=user, text=plan.text, key=plan.key, redrive=plan.redrive
        )

    def _end(self, send_id: int, state: str, detail: str, claim: Claim | None) -> None:
        now = self._clock()
        with write_session(self._sessions) as session:
            send = store.get_send(session, send_id, for_update=True)
            if send is not None:
                send.state, send.detail, send.updated_at = state, detail[:500], now
            if claim is not None:
                claim.finish(session, now=now)
        if state != store.SENT:
            log.warning("closing-the-loop send %s: %s (%s)", send_id, state, detail)


def _text(message: LoopMessage, company: str) -> str:
    who = company or "us"
    why = f"You get this because you asked {who} to tell you what changes after your interview."
    return f"{message.body.rstrip()}\n\n--\n{why}\n"
