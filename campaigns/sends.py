"""Sending one invitation or reminder, once.

Three short transactions around the one thing that leaves the building:

1. With the invitation's row locked: decide whether the message is still wanted (not
   revoked, not suppressed, not started, not expired, the campaign not closed, the
   person's quota cell not full: then it is held back), record it in the ledger as
   ``sending`` with its Message-ID fixed, and reserve a moment under the wave's rate.
2. Outside any transaction: wait for that moment, then send (SMTP, outbox or Slack).
3. Record it ``sent``, and in the same commit queue the next reminder (a job with a
   unique key, so it is queued once however often this runs).

The job that runs this is leased (``storage.jobs``): only a worker that died lets
another take it, and that one finds the ledger row in ``sending`` and re-drives it (see
``campaigns.outbox``, ``campaigns.smtp`` and ``campaigns.slack_invitations`` for what a
re-drive does on each channel).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Protocol
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import FINISHED_STATUSES
from bot.service.access_tokens import hash_token
from bot.service.campaign_guides import guide_for
from bot.service.campaign_states import Availability, availability
from bot.service.email_templates import Wording, default_wording, render
from bot.service.link_tokens import LINK, LinkSecretChanged, LinkTokens
from bot.service.quotas import full_cell_for
from campaigns.delivery_errors import NotSent, PermanentFailure
from campaigns.email_message import Sender, compose, message_id
from campaigns.scheduler import Claim
from campaigns.slack_invitations import SlackInvitations
from storage import invitations as store
from storage import jobs
from storage.engines import write_session
from storage.scheduler_models import Invitation, InvitationWave
from storage.types import utcnow

log = logging.getLogger(__name__)

SEND = "invitation.send"
STARTED = "already started"
STUDY_CLOSED = "the study has closed"
# A template changed mid-wave reaches every worker's messages within this many seconds.
TEMPLATE_SECONDS = 30.0


class EmailTransport(Protocol):
    def send(self, message: EmailMessage, *, redrive: bool) -> str: ...

    def close(self) -> None: ...


@dataclass(frozen=True)
class _Plan:
    """What step 1 decided: the message to send, and when."""

    invitation_id: int
    number: int
    channel: str
    slot: datetime
    redrive: bool
    message_id: str
    email: EmailMessage | None
    slack_user: str | None
    campaign_name: str
    campaign_slug: str
    opt_out_link: str
    expires: str | None
    # What step 3 needs of the wave and the link, so it reads nothing again.
    invite_id: int | None
    expire_after_seconds: int | None
    next_reminder_after: int | None


def send_job_key(invitation_id: int, number: int) -> str:
    return f"invitation:{invitation_id}:{number}"


class Sends:
    """Sends invitations and reminders through one worker's transports."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tokens: LinkTokens,
        sender: Sender,
        email: EmailTransport,
        slack: SlackInvitations | None = None,
        clock: Callable[[], datetime] = utcnow,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._sender = sender
        self._email = email
        self._slack = slack
        self._clock = clock
        self._sleep = sleep
        self._wordings: dict[tuple[int, str], tuple[float, Wording]] = {}

    def close(self) -> None:
        self._email.close()
        if self._slack is not None:
            self._slack.close()

    def send(
        self, *, invitation_id: int, number: int, last_attempt: bool, claim: Claim | None = None
    ) -> None:
        """Send message ``number`` (0: the invitation, n: reminder n) of the invitation
        if it is still wanted. Raises to have the job retried (``last_attempt``: no
        retry follows, so the invitation is marked failed instead). ``claim``: the job,
        marked done in the transaction that records the outcome."""
        slack_user = self._slack_user(invitation_id) if self._slack is not None else None
        plan = self._prepare(invitation_id, number, slack_user, claim)
        if plan is None:
            return
        wait = (plan.slot - self._clock()).total_seconds()
        if wait > 0:
            self._sleep(wait)
        try:
            detail = self._deliver(plan)
        except PermanentFailure as error:
            self._failed(plan, str(error), retry=False, claim=claim)
            return
        except NotSent as error:
            self._failed(plan, str(error), retry=not last_attempt, claim=claim)
            if last_attempt:
                return
            raise
        except Exception as error:
            # Unknown whether it went out: the ledger stays "sending", so the next try
            # is a re-drive. Only when none follows is the invitation given up.
            if last_attempt:
                self._failed(plan, f"{type(error).__name__}: {error}", retry=False, claim=claim)
                return
            raise
        self._sent(plan, detail, claim)

    # --- step 1 -------------------------------------------------------------------------

    def _slack_user(self, invitation_id: int) -> str | None:
        """The Slack user id of a Slack invitation's participant, looked up by email
        when the list gave none (a Web API call, so outside any transaction)."""
        assert self._slack is not None
        with self._sessions() as session:
            invitation = store.get_invitation(session, invitation_id)
            if invitation is None or invitation.channel != "slack":
                return None
            person = invitation.participant
            user, email = person.slack_user_id, person.slack_email or person.email
        try:
            return self._slack.user_id(user_id=user, email=email)
        except PermanentFailure:
            return None  # step 1 reports the missing user

    def _prepare(
        self, invitation_id: int, number: int, slack_user: str | None, claim: Claim | None
    ) -> _Plan | None:
        now = self._clock()
        with write_session(self._sessions) as session:
            invitation = store.get_invitation(session, invitation_id, for_update=True, loaded=True)
            if invitation is None:
                if claim is not None:
                    claim.finish(session, now=now)
                return None
            wave = invitation.wave
            reason = self._unwanted(session, invitation, wave, number, now, slack_user)
            if reason == STARTED and store.was_sending(
                session, invitation_id=invitation.id, number=number
            ):
                # A worker died with this message in "sending", and the person has since
                # opened the interview: it had gone out.
                store.end_message(
                    session, invitation_id=invitation.id, number=number, state=store.SENT,
                    now=now, detail="went out before a crash: the person started",
                )  # fmt: skip
                if number == 0:
                    invitation.status = store.SENT
                    invitation.sent_at = now
                if claim is not None:
                    claim.finish(session, now=now)
                return None
            if reason is not None:
                store.end_message(
                    session, invitation_id=invitation.id, number=number, state=store.SKIPPED,
                    now=now, detail=reason,
                )  # fmt: skip
                if number == 0 and invitation.status == store.PENDING:
                    invitation.status = store.SKIPPED
                    invitation.last_error = reason
                if claim is not None:
                    claim.finish(session, now=now)
                return None
            entry = store.begin_message(
                session,
                invitation_id=invitation.id,
                number=number,
                message_id=message_id(
                    invitation_id=invitation.id,
                    number=number,
                    salt=invitation.link_salt,
                    domain=self._sender.domain,
                ),
                now=now,
            )
            if entry.state != store.SENDING:
                if claim is not None:
                    claim.finish(session, now=now)
                return None  # sent, skipped or failed before: nothing to do
            if invitation.channel == "slack" and slack_user is not None and self._slack:
                person = invitation.participant
                person.slack_user_id = slack_user
                # So the Start button finds this participant (bot.service.starts).
                person.slack_team_id = self._slack.team_id()
            plan = self._plan(
                session, invitation, wave, number, entry.message_id, entry.redrive, now
            )
            # Last, so the wave's row (shared by every worker) is locked only until the
            # commit, not while the message is composed.
            slot = store.reserve_send_slot(
                session,
                wave_id=wave.id,
                now=now,
                interval=timedelta(seconds=1 / wave.rate_per_second),
            )
            return replace(plan, slot=slot)

    def _unwanted(
        self,
        session: Session,
        invitation: Invitation,
        wave: InvitationWave,
        number: int,
        now: datetime,
        slack_user: str | None,
    ) -> str | None:
        """Why the message is no longer wanted, or None."""
        if invitation.status == store.REVOKED or wave.state == store.REVOKED:
            return "revoked"
        person = invitation.participant
        if store.any_suppressed(
            session,
            emails=[(person.email or "").lower(), person.slack_email or ""],
            slack_users=[person.slack_user_id or "", slack_user or ""],
        ):
            return "suppressed"
        if store.has_started(session, participant_id=person.id, finished=FINISHED_STATUSES):
            return STARTED
        campaign = wave.campaign
        if availability(campaign, now) is Availability.CLOSED:
            return STUDY_CLOSED
        cell = full_cell_for(session, campaign, person.attributes)
        if cell is not None:
            # Held back: the cell has all the completed interviews it wanted.
            return f"held: the quota {cell.label} is full ({cell.completed} of {cell.target})"
        if number > 0:
            if invitation.status != store.SENT:
                return f"the invitation was not sent ({invitation.status})"
            invite = invitation.invite
            if invite is not None and invite.expires_at is not None and invite.expires_at <= now:
                return "the link has expired"
        if invitation.channel == "email" and not person.email:
            return "no email address"
        if invitation.channel == "slack" and self._slack is not None and slack_user is None:
            # Without a Slack client the send fails as NotSent and is retried later.
            return "no Slack user with this id or email"
        return None

    def _plan(
        self,
        session: Session,
        invitation: Invitation,
        wave: InvitationWave,
        number: int,
        fixed_id: str,
        redrive: bool,
        now: datetime,
    ) -> _Plan:
        invite = invitation.invite
        if (
            invite is None
            or hash_token(self._tokens.token(invitation.link_salt, LINK)) != invite.token_hash
        ):
            raise LinkSecretChanged
        campaign = invitation.wave.campaign
        company = guide_for(campaign).company
        expires_at = invite.expires_at
        if number == 0 and wave.expire_after_seconds:
            expires_at = now + timedelta(seconds=wave.expire_after_seconds)
        expires = None if expires_at is None else _local(expires_at, wave.time_zone)
        opt_out = self._tokens.opt_out_link(invitation.link_salt)
        person = invitation.participant
        email = None
        if invitation.channel == "email":
            kind = "invitation" if number == 0 else "reminder"
            wording = self._wording(session, campaign.id, kind)
            rendered = render(
                wording,
                {
                    "name": person.display_name or "",
                    "campaign": campaign.name,
                    "company": company,
                    "link": self._tokens.interview_link(invitation.link_salt),
                    "opt_out_link": opt_out,
                    "expires": expires or "",
                    "reminder": number,
                    "sender": self._sender.name,
                },
            )
            email = compose(
                rendered=rendered,
                sender=self._sender,
                to_address=person.email or "",
                to_name=person.display_name,
                message_id=fixed_id,
                opt_out_link=opt_out,
                now=now,
            )
        return _Plan(
            invitation_id=invitation.id,
            number=number,
            channel=invitation.channel,
            slot=now,
            redrive=redrive,
            message_id=fixed_id,
            email=email,
            slack_user=person.slack_user_id,
            campaign_name=campaign.name,
            campaign_slug=campaign.slug,
            opt_out_link=opt_out,
            expires=expires,
            invite_id=invite.id,
            expire_after_seconds=wave.expire_after_seconds,
            next_reminder_after=(
                wave.remind_after_seconds if number < wave.max_reminders else None
            ),
        )

    def _wording(self, session: Session, campaign_id: int, kind: str) -> Wording:
        """The campaign's template of ``kind``, or the built-in one; read at most every
        ``TEMPLATE_SECONDS`` per worker (a wave sends thousands with the same one)."""
        key = (campaign_id, kind)
        cached = self._wordings.get(key)
        if cached is not None and cached[0] > time.monotonic():
            return cached[1]
        custom = store.get_template(session, campaign_id=campaign_id, kind=kind)
        wording = (
            default_wording(kind)
            if custom is None
            else Wording(custom.subject, custom.body_text, custom.body_html)
        )
        self._wordings[key] = (time.monotonic() + TEMPLATE_SECONDS, wording)
        return wording

    # --- step 2 -------------------------------------------------------------------------

    def _deliver(self, plan: _Plan) -> str:
        if plan.email is not None:
            return self._email.send(plan.email, redrive=plan.redrive)
        if plan.channel == "slack" and self._slack is not None and plan.slack_user:
            return self._slack.post(
                user_id=plan.slack_user,
                campaign_name=plan.campaign_name,
                campaign_slug=plan.campaign_slug,
                invitation_id=plan.invitation_id,
                number=plan.number,
                opt_out_link=plan.opt_out_link,
                expires=plan.expires,
                redrive=plan.redrive,
            )
        raise NotSent(f"no transport for {plan.channel} invitations is configured")

    # --- step 3 -------------------------------------------------------------------------

    def _sent(self, plan: _Plan, detail: str, claim: Claim | None) -> None:
        now = self._clock()
        expires_at = (
            now + timedelta(seconds=plan.expire_after_seconds)
            if plan.number == 0 and plan.expire_after_seconds
            else None
        )
        with write_session(self._sessions) as session:
            if claim is not None:
                claim.finish(session, now=now)
            store.record_sent(
                session,
                invitation_id=plan.invitation_id,
                number=plan.number,
                now=now,
                detail=detail,
                invite_id=plan.invite_id,
                expires_at=expires_at,
            )
            if plan.next_reminder_after:
                jobs.enqueue(
                    session,
                    kind=SEND,
                    key=send_job_key(plan.invitation_id, plan.number + 1),
                    run_at=now + timedelta(seconds=plan.next_reminder_after),
                    now=now,
                    payload={"invitation": plan.invitation_id, "number": plan.number + 1},
                )

    def _failed(self, plan: _Plan, reason: str, *, retry: bool, claim: Claim | None = None) -> None:
        now = self._clock()
        with write_session(self._sessions) as session:
            if claim is not None and not retry:
                claim.finish(session, now=now)
            invitation = store.get_invitation(
                session, plan.invitation_id, for_update=True, loaded=True
            )
            assert invitation is not None
            store.end_message(
                session, invitation_id=invitation.id, number=plan.number,
                state=store.RETRY if retry else store.FAILED, now=now, detail=reason,
            )  # fmt: skip
            invitation.last_error = reason[:500]
            if not retry and plan.number == 0:
                invitation.status = store.FAILED
        log.warning(
            "invitation %s message %s not sent: %s%s",
            plan.invitation_id, plan.number, reason, " (will retry)" if retry else "",
        )  # fmt: skip


def _local(moment: datetime, zone: str) -> str:
    local = moment.astimezone(ZoneInfo(zone))
    return f"{local:%d %B %Y, %H:%M} ({zone})"
