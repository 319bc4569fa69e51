"""Which function runs which kind of job."""

from __future__ import annotations

from campaigns.scheduler import Handler
from campaigns.sends import SEND, Sends
from campaigns.waves import START, WaveStarts
from storage.jobs import Job


def handlers(*, sends: Sends, waves: WaveStarts) -> dict[str, Handler]:
    """The scheduler's job kinds: ``wave.start`` and ``invitation.send``."""

    def start_wave(job: Job) -> None:
        waves.start(int(job.payload["wave"]))

    def send(job: Job) -> None:
        sends.send(
            invitation_id=int(job.payload["invitation"]),
            number=int(job.payload["number"]),
            last_attempt=job.attempts >= job.max_attempts,
        )

    return {START: start_wave, SEND: send}
