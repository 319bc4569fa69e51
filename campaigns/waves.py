"""Starting a wave: one invitation (with its personal link) per participant not yet
invited on the wave's channel, and one send job each, in one transaction.

Who is in the wave is decided here, at its start, so people imported after it was
scheduled are in it. Suppressed people get no send job; link waves send nothing (the
researcher exports the links), so their invitations count as handed out at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from bot.service.invitations import WAVE_START, local_start
from bot.service.link_tokens import LinkTokens, new_salt
from campaigns.scheduler import Claim
from campaigns.sends import SEND, send_job_key
from storage import invitations as store
from storage import jobs
from storage.campaign_progress import refresh_statistics
from storage.engines import write_session
from storage.types import utcnow

START = WAVE_START


class WaveStarts:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        tokens: LinkTokens,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._tokens = tokens
        self._clock = clock

    def start(self, wave_id: int, *, claim: Claim | None = None) -> int:
        """Start the wave if it is still scheduled; how many invitations it made.
        ``claim``: the job, marked done in the same transaction."""
        now = self._clock()
        with write_session(self._sessions) as session:
            if claim is not None:
                claim.finish(session, now=now)
            wave = store.get_wave(session, wave_id, for_update=True)
            if wave is None or wave.state != "scheduled":
                return 0  # revoked, or started by an earlier run of this job
            people = store.participants_to_invite(
                session, campaign_id=wave.campaign_id, channel=wave.channel
            )
            blocked = store.suppressed(
                session, kind="email", values=[(p.email or "").lower() for p in people]
            ) | store.suppressed(
                session, kind="slack", values=[p.slack_user_id or "" for p in people]
            )
            new: list[store.NewInvitation] = []
            for person in people:
                salt = new_salt()
                link_hash, optout_hash = self._tokens.hashes(salt)
                new.append(store.NewInvitation(person.id, salt, link_hash, optout_hash))
            link_wave = wave.channel == "link"
            expires = (
                now + timedelta(seconds=wave.expire_after_seconds)
                if link_wave and wave.expire_after_seconds
                else None
            )
            ids = store.add_invitations(
                session,
                wave=wave,
                invitations=new,
                now=now,
                status=store.SENT if link_wave else store.PENDING,
                expires_at=expires,
            )
            refresh_statistics(session, tables=("invites", "invitations"), rows=len(ids))
            wanted = [
                invitation_id
                for invitation_id, person in zip(ids, people, strict=True)
                if (person.email or "").lower() not in blocked
                and (person.slack_user_id or "") not in blocked
            ]
            skipped = set(ids) - set(wanted)
            if skipped:
                for invitation in store.invitations_of(
                    session, campaign_id=wave.campaign_id, wave_id=wave.id
                ):
                    if invitation.id in skipped:
                        invitation.status = store.SKIPPED
                        invitation.last_error = "suppressed"
            if not link_wave:
                zones = {p.id: p.time_zone for p in people}
                by_invitation = dict(zip(ids, (p.id for p in people), strict=True))

                def due(invitation_id: int) -> datetime:
                    if not wave.local_time:
                        return now
                    zone = zones[by_invitation[invitation_id]]
                    return max(now, local_start(wave.scheduled_at, wave.time_zone, zone))

                jobs.enqueue_many(
                    session,
                    jobs=[
                        jobs.NewJob(
                            kind=SEND,
                            key=send_job_key(invitation_id, 0),
                            run_at=due(invitation_id),
                            payload={"invitation": invitation_id, "number": 0},
                        )
                        for invitation_id in wanted
                    ],
                    now=now,
                )
            wave.state = "started"
            wave.started_at = now
            return len(ids)
