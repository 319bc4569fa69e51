"""Retention on SQLite and PostgreSQL: a campaign's transcripts go the given number of
days after its interviews ended (messages, free text, engine state, Slack deliveries),
the anonymous step facts stay and a new map still counts every step; a dry run changes
nothing; other campaigns are untouched; the scheduler runs it daily, once."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.retention import Retention
from campaigns.retention_job import RETENTION, RetentionJobs, next_run
from campaigns.scheduler import Worker
from journeyline.cli.synthesize import synthesize_to
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from storage.models import Campaign, Interview, Message, SlackEvent, StepRecord
from storage.scheduler_models import ScheduledJob
from tests.privacy_support import ALPHA, BETA, ERIN, OTTO, World, build_world

FACTS = ("ordinal", "channel", "feeling", "duration_minutes", "people", "tools", "pains")


@pytest.fixture
def runtime(db_url: str, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        rate_limit_per_client=0,
        rate_limit_per_token=1000,
        public_url="https://research.example.com",
    )
    opened = open_runtime(settings, migrate=False)
    yield opened
    opened.close()


@pytest.fixture
def world(runtime: Runtime, tmp_path: Path) -> World:
    return build_world(runtime, data_dir=tmp_path / "data", out=tmp_path / "map")


class Clock:
    def __init__(self) -> None:
        self.now = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.now


def _campaign_rows(sessions: sessionmaker[Session], slug: str) -> dict[str, Any]:
    with sessions() as session:
        ids = list(
            session.scalars(
                select(Interview.id)
                .join(Campaign)
                .where(Campaign.slug == slug)
                .order_by(Interview.id)
            )
        )
        interviews = [session.get(Interview, i) for i in ids]
        steps = session.scalars(
            select(StepRecord).where(StepRecord.interview_id.in_(ids)).order_by(StepRecord.id)
        ).all()
        return {
            "messages": session.scalar(
                select(func.count()).select_from(Message).where(Message.interview_id.in_(ids))
            ),
            "facts": [(*(getattr(s, f) for f in FACTS), s.provenance) for s in steps],
            "texts": [(s.doing, s.thinking, s.pain_text, s.duration_text) for s in steps],
            "answers": [(i.problem, i.improvement, i.engine_state) for i in interviews if i],
            "deleted_at": [i.transcript_deleted_at for i in interviews if i],
        }


def _slack_events(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(SlackEvent)) or 0)


def test_transcripts_go_after_the_retention_and_the_step_facts_stay(
    world: World, tmp_path: Path
) -> None:
    clock = Clock()
    retention = Retention(world.sessions, clock=clock)
    retention.set_days(ALPHA, 30)
    alpha, beta = _campaign_rows(world.sessions, ALPHA), _campaign_rows(world.sessions, BETA)
    assert alpha["messages"] > 20 and all(doing for doing, *_ in alpha["texts"])
    assert _slack_events(world.sessions) == 2

    clock.now += timedelta(days=29)
    assert retention.run().campaigns == []
    clock.now += timedelta(days=2)
    planned = retention.run(dry_run=True)
    assert planned.dry_run and planned.interviews == 2
    assert planned.messages == alpha["messages"] and planned.campaigns[0].slack_events == 2
    assert _campaign_rows(world.sessions, ALPHA) == alpha  # a dry run changes nothing

    done = retention.run()
    assert (done.interviews, done.messages) == (2, alpha["messages"])
    after = _campaign_rows(world.sessions, ALPHA)
    assert after["messages"] == 0
    assert after["facts"] == alpha["facts"]  # channel, feeling, duration, pains, provenance
    assert set(after["texts"]) == {("", None, None, None)}
    assert {(problem, improvement) for problem, improvement, _ in after["answers"]} == {
        (None, None)
    }
    words = [*ERIN.marks, *OTTO.marks]
    assert not [w for *_, state in after["answers"] for w in words if w in str(state)]
    assert {state["status"] for *_, state in after["answers"]} == {"completed"}
    assert all(at == clock.now for at in after["deleted_at"])
    assert _slack_events(world.sessions) == 0
    # Beta keeps its transcripts (no retention), Erin's words in them included.
    assert _campaign_rows(world.sessions, BETA) == beta
    assert any(ERIN.words[0] in str(a) for a in beta["answers"])
    # Nothing is done twice.
    assert retention.run().campaigns == []
    # The customer's link still opens the finished interview: no transcript, no error.
    public_id = world.interviews[ERIN.key][0]
    opened = world.client.get(
        f"/api/v1/interviews/{public_id}",
        headers={"Authorization": f"Bearer {world.secrets[public_id]}"},
    )
    assert opened.status_code == 200, opened.text
    assert opened.json()["status"] == "completed" and opened.json()["messages"] == []
    # A new map still counts every step of the campaign.
    again = synthesize_to(world.sessions, campaign=ALPHA, out=tmp_path / "again", formats=["json"])
    assert again.maps.overall.step_count == len(alpha["facts"])
    assert again.maps.overall.interview_count == 2


def test_retention_settings_are_checked(world: World) -> None:
    retention = Retention(world.sessions)
    with pytest.raises(ValueError, match="1 to 36500 days"):
        retention.set_days(ALPHA, 0)
    retention.set_days(ALPHA, None)
    with world.sessions() as session:
        campaign = session.scalar(select(Campaign).where(Campaign.slug == ALPHA))
        assert campaign is not None and campaign.retention_days is None


def test_the_scheduler_runs_retention_daily_and_once(world: World) -> None:
    clock = Clock()
    retention = Retention(world.sessions, clock=clock)
    retention.set_days(ALPHA, 1)
    jobs = RetentionJobs(world.sessions, retention=retention, clock=clock)
    assert jobs.ensure_scheduled() is True
    assert jobs.ensure_scheduled() is False  # one per day, however many processes ask
    worker = Worker(world.sessions, {RETENTION: jobs.handler()}, name="test", clock=clock)
    worker.run_until_idle()
    assert [j.state for j in _retention_jobs(world.sessions)] == ["queued"]  # due at 03:00
    first = next_run(clock.now)
    clock.now = first + timedelta(days=1)  # the interviews ended more than a day before
    worker.run_until_idle()
    assert _campaign_rows(world.sessions, ALPHA)["messages"] == 0
    queued = _retention_jobs(world.sessions)
    assert [j.state for j in queued] == ["done", "queued"]
    assert queued[1].run_at == next_run(clock.now) > clock.now


def _retention_jobs(sessions: sessionmaker[Session]) -> list[ScheduledJob]:
    with sessions() as session:
        return list(
            session.scalars(
                select(ScheduledJob).where(ScheduledJob.kind == RETENTION).order_by(ScheduledJob.id)
            )
        )
