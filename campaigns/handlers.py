"""Which function runs which kind of job."""

from __future__ import annotations

from datetime import datetime

from bot.service.campaign_states import CLOSED_NOTICE, STOP_CHECK
from campaigns import loop_sends, mention_emails
from campaigns.closed_notices import ClosedNotices
from campaigns.loop_sends import LoopSends
from campaigns.mention_emails import MentionEmails
from campaigns.retention_job import RETENTION, RetentionJobs
from campaigns.scheduler import Claim, Handler
from campaigns.sends import SEND, Sends
from campaigns.stop_rules import StopRules
from campaigns.waves import START, WaveStarts


def handlers(
    *,
    sends: Sends,
    waves: WaveStarts,
    stop_rules: StopRules | None = None,
    notices: ClosedNotices | None = None,
    retention: RetentionJobs | None = None,
    loops: LoopSends | None = None,
    mentions: MentionEmails | None = None,
) -> dict[str, Handler]:
    """The scheduler's job kinds: ``wave.start`` and ``invitation.send``; with
    ``stop_rules`` and ``notices``, ``campaign.stop_check`` and ``campaign.closed_notice``;
    with ``retention``, ``retention.daily``; with ``loops`` and ``mentions``, ``loop.send``
    (closing the loop) and ``mention.email``."""

    def start_wave(claim: Claim) -> None:
        waves.start(int(claim.job.payload["wave"]), claim=claim)

    def send(claim: Claim) -> None:
        job = claim.job
        sends.send(
            invitation_id=int(job.payload["invitation"]),
            number=int(job.payload["number"]),
            last_attempt=job.attempts >= job.max_attempts,
            claim=claim,
        )

    found: dict[str, Handler] = {START: start_wave, SEND: send}
    if stop_rules is not None:

        def check(claim: Claim) -> None:
            payload = claim.job.payload
            stop_rules.check(
                int(payload["campaign"]),
                chain=str(payload["generation"]),
                due=datetime.fromisoformat(str(payload["due"])),
                claim=claim,
            )

        found[STOP_CHECK] = check
    if notices is not None:

        def notify(claim: Claim) -> None:
            payload = claim.job.payload
            notices.send(
                int(payload["campaign"]),
                closed_at=str(payload["closed_at"]),
                redrive=claim.job.attempts > 1,
                claim=claim,
            )

        found[CLOSED_NOTICE] = notify
    if retention is not None:
        found[RETENTION] = retention.handler()
    if loops is not None:

        def send_loop(claim: Claim) -> None:
            job = claim.job
            loops.send(
                send_id=int(job.payload["send"]),
                last_attempt=job.attempts >= job.max_attempts,
                claim=claim,
            )

        found[loop_sends.KIND] = send_loop
    if mentions is not None:

        def email_mention(claim: Claim) -> None:
            mentions.send(mention_id=int(claim.job.payload["mention"]), claim=claim)

        found[mention_emails.KIND] = email_mention
    return found
