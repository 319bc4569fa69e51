"""Emailing a console user who was @mentioned in a map's discussion (a scheduler job,
once per mention: the Message-ID is the mention's, so the outbox writes it once and a
re-drive after a crash finds it)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.email_templates import RenderedEmail
from bot.service.review.job_kinds import MENTION_EMAIL
from campaigns.email_message import Sender, compose
from campaigns.scheduler import Claim
from campaigns.sends import EmailTransport
from storage import discussion as store
from storage.engines import write_session
from storage.models import Campaign
from storage.types import utcnow

KIND = MENTION_EMAIL


class MentionEmails:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        sender: Sender,
        email: EmailTransport,
        link_base: str,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._sender = sender
        self._email = email
        self._link_base = link_base.rstrip("/")
        self._clock = clock

    def send(self, *, mention_id: int, claim: Claim | None = None) -> None:
        """Email the mention to the user it names (nothing for a mention deleted since,
        or a user disabled since)."""
        with self._sessions() as session:
            found = store.get_mention(session, mention_id)
            if found is None or found[3].disabled_at is not None:
                message = None
            else:
                mention, comment, thread, user = found
                campaign = session.get(Campaign, thread.campaign_id)
                where = f"/app/maps/{thread.run_id}/cells/{thread.cell_kind}/{thread.cell_id}"
                text = (
                    f"{comment.author_name} mentioned you in a discussion on the journey map "
                    f"{campaign.name if campaign else ''} ({thread.cell_kind} {thread.cell_id}"
                    f"{', ' + thread.lane + ' lane' if thread.lane else ''}):\n\n"
                    f"{comment.body}\n\n"
                    f"Reply in the console: {self._link_base}{where}#thread-{thread.id}\n"
                    f"All your mentions: {self._link_base}/app/mentions\n"
                )
                message = compose(
                    rendered=RenderedEmail(
                        f"{comment.author_name} mentioned you on a journey map", text, None
                    ),
                    sender=self._sender,
                    to_address=user.email,
                    to_name=user.display_name,
                    message_id=f"<jl.mention.{mention.id}@{self._sender.domain}>",
                    opt_out_link=None,
                    now=self._clock(),
                )
        if message is not None:
            redrive = claim is not None and claim.job.attempts > 1
            self._email.send(message, redrive=redrive)
        if claim is not None:
            with write_session(self._sessions) as session:
                claim.finish(session, now=self._clock())
