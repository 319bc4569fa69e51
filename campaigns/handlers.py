"""Which function runs which kind of job."""

from __future__ import annotations

from campaigns.scheduler import Claim, Handler
from campaigns.sends import SEND, Sends
from campaigns.waves import START, WaveStarts


def handlers(*, sends: Sends, waves: WaveStarts) -> dict[str, Handler]:
    """The scheduler's job kinds: ``wave.start`` and ``invitation.send``."""

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

    return {START: start_wave, SEND: send}
