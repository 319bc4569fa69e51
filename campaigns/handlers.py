"""Which function runs which kind of job."""

from __future__ import annotations

from campaigns import loop_sends, mention_emails
from campaigns.loop_sends import LoopSends
from campaigns.mention_emails import MentionEmails
from campaigns.scheduler import Claim, Handler
from campaigns.sends import SEND, Sends
from campaigns.waves import START, WaveStarts


def handlers(
    *,
    sends: Sends,
    waves: WaveStarts,
    loops: LoopSends | None = None,
    mentions: MentionEmails | None = None,
) -> dict[str, Handler]:
    """The scheduler's job kinds: ``wave.start`` and ``invitation.send``; with
    ``loops`` and ``mentions``, ``loop.send`` (closing the loop) and ``mention.email``."""

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
