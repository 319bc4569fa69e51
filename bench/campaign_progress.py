"""The console's progress and participants pages at 10,000 participants.

Run: ``.venv/bin/python -m bench.campaign_progress [--participants 10000] [--repeat 20]
[--database-url postgresql+psycopg://127.0.0.1:5432/bench_progress]``

A database (SQLite in a temporary folder by default, or an empty PostgreSQL database
made for it: ``createdb bench_progress``) gets one campaign with ``--participants``
people (two attributes), an email wave started by the scheduler's own wave start (one
invitation each), most of them sent, 40% opened, and their interviews in every state
with the question each unfinished one was asked last. Then, ``--repeat`` times each:

- ``Progress.progress`` (what the progress page and its JSON poll ask: the funnel per
  wave, channel and attribute value, drop-off per question, median time to complete),
  counted in SQL;
- ``Participants.page`` (one page of 100 participants with their status, and the
  count per status);
- the baseline, in the same run: ``Participants.funnel``, which reads every
  participant's status in Python (what the CLI's ``invites waves`` does).

Prints p50 / p95 / max per call and the ratio to the baseline.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from bot.service.campaigns import create_campaign
from bot.service.invitations import Invitations
from bot.service.link_tokens import LinkTokens
from bot.service.participants import Participants
from bot.service.progress import Progress
from campaigns.waves import WaveStarts
from journeyline.runtime import open_runtime
from journeyline.settings import Settings
from storage.models import Interview, Message
from storage.scheduler_models import Invitation

CAMPAIGN = "bench-progress"
TOKENS = LinkTokens(secret=b"bench", public_url="https://research.example.com")
SLOTS = ("consent", "problem", "step", "channel", "feeling", "pain", "resolved", "effort")


def fill(settings: Settings, count: int) -> None:
    runtime = open_runtime(settings, migrate=True)
    sessions = runtime.sessions
    try:
        with sessions.begin() as session:
            create_campaign(session, slug=CAMPAIGN, name="Bench", company="Northwind")
        rows = [
            f"p{n}@example.com,Person {n},{random.choice(['free', 'pro', 'team'])},"
            f"{random.choice(['emea', 'amer', 'apac'])}"
            for n in range(count)
        ]
        text = "email,name,plan,region\n" + "\n".join(rows) + "\n"
        started = time.perf_counter()
        report = Participants(sessions).import_csv(campaign_slug=CAMPAIGN, text=text)
        assert report.added == count, report.problems[:3]
        print(f"imported {count} participants in {time.perf_counter() - started:.1f} s")
        wave = Invitations(sessions).schedule_wave(
            campaign_slug=CAMPAIGN, channel="email", at=datetime.now(UTC), rate_per_second=100
        )
        WaveStarts(sessions, tokens=TOKENS).start(wave.id)
        now = datetime.now(UTC)
        rng = random.Random(7)
        with sessions.begin() as session:
            session.execute(
                update(Invitation)
                .where(Invitation.participant_id % 20 != 0)
                .values(status="sent", sent_at=now)
            )
            people = [i.participant_id for i in session.query(Invitation).all()]
            opened = rng.sample(people, int(len(people) * 0.4))
            for n, person in enumerate(opened):
                begun = now - timedelta(minutes=rng.randint(30, 5000))
                kind = n % 10
                status = (
                    "completed" if kind < 6 else "declined" if kind == 6 else
                    "active" if kind < 9 else "awaiting_consent"
                )  # fmt: skip
                interview = Interview(
                    campaign_id=1,
                    participant_id=person,
                    channel="web",
                    status=status,
                    consent=None if status == "awaiting_consent" else status != "declined",
                    started_at=begun,
                    updated_at=begun,
                    completed_at=begun + timedelta(minutes=rng.randint(4, 40))
                    if status == "completed"
                    else None,
                )
                session.add(interview)
                if status in ("active", "awaiting_consent"):
                    session.flush()
                    slot = "consent" if status == "awaiting_consent" else rng.choice(SLOTS[1:])
                    session.add(
                        Message(
                            interview_id=interview.id, direction="out", text="?", slot=slot,
                            created_at=begun,
                        )
                    )  # fmt: skip
        print(f"filled: {len(opened)} interviews")
    finally:
        runtime.close()


def timed(call: Callable[[], object], repeat: int) -> list[float]:
    call()  # warm: the first call compiles statements and fills caches
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        call()
        times.append(time.perf_counter() - started)
    return times


def report(name: str, times: list[float], baseline: float | None = None) -> float:
    ordered = sorted(times)
    p50 = statistics.median(ordered)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    ratio = f"  ({p50 / baseline:.2f} x the baseline)" if baseline else ""
    print(
        f"{name:<44} p50 {p50 * 1000:7.1f} ms  p95 {p95 * 1000:7.1f} ms  "
        f"max {ordered[-1] * 1000:7.1f} ms{ratio}"
    )
    return p50


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(data_dir=Path(folder), database_url=args.database_url)
        fill(settings, args.participants)
        runtime = open_runtime(settings, migrate=False)
        try:
            participants = Participants(runtime.sessions)
            progress = Progress(runtime.sessions)
            print(f"{args.participants} participants, {runtime.engine.dialect.name}:")
            base = report(
                "baseline: Participants.funnel (Python)",
                timed(
                    lambda: participants.funnel(campaign_slug=CAMPAIGN), max(3, args.repeat // 4)
                ),
            )
            report(
                "Progress.progress (whole campaign)",
                timed(lambda: progress.progress(campaign_slug=CAMPAIGN), args.repeat),
                base,
            )
            report(
                "Progress.progress (split by plan)",
                timed(
                    lambda: progress.progress(campaign_slug=CAMPAIGN, attribute="plan"),
                    args.repeat,
                ),
                base,
            )
            report(
                "Participants.page (first 100)",
                timed(lambda: participants.page(campaign_slug=CAMPAIGN), args.repeat),
                base,
            )
            report(
                "Participants.page (page 90, status sent)",
                timed(
                    lambda: participants.page(campaign_slug=CAMPAIGN, status="sent", offset=5000),
                    args.repeat,
                ),
                base,
            )
        finally:
            runtime.close()


if __name__ == "__main__":
    main()
