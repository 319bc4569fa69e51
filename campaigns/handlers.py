"""Which function runs which kind of job."""

from __future__ import annotations

from campaigns.retention_job import RETENTION, RetentionJobs
from campaigns.scheduler import Claim, Handler
from campaigns.sends import SEND, Sends
from campaigns.waves import START, WaveStarts


def handlers(
    *, sends: Sends, waves: WaveStarts, retention: RetentionJobs | None = None
) -> dict[str, Handler]:
    """The scheduler's job kinds: ``wave.start``, ``invitation.send`` and, with
    ``retention``, ``retention.daily``."""

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

    kinds: dict[str, Handler] = {START: start_wave, SEND: send}
    if retention is not None:
        kinds[RETENTION] = retention.handler()
    return kinds
