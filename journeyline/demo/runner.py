"""Run the demo customers through the real service and storage, then summarise.

The demo is the README's main job: it proves the whole path (engine, understanding,
service, database) on the embedded default with no keys, and leaves interviews behind
that `journeyline interviews ...` can show and export.
"""

from __future__ import annotations

import random
import statistics
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.messages import Inbound
from bot.conversation.vocabulary import InterviewStatus
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.results import TurnResult
from journeyline.demo.personas import PERSONAS, Persona
from journeyline.demo.simulator import SimulatedCustomer
from storage import queries, synthesis_runs

DEMO_CAMPAIGN = "demo"
DEMO_COMPANY = "Northwind"


@dataclass
class DemoSummary:
    campaign: str
    interview_ids: list[str] = field(default_factory=list)
    statuses: Counter[str] = field(default_factory=Counter)
    messages_sent: int = 0
    steps: int = 0
    complete_steps: int = 0  # steps with both a channel and a feeling
    interviews_with_two_full_steps: int = 0
    channels: Counter[str] = field(default_factory=Counter)
    pains: Counter[str] = field(default_factory=Counter)
    feelings: list[int] = field(default_factory=list)
    resolved: Counter[str] = field(default_factory=Counter)
    efforts: list[int] = field(default_factory=list)
    removed_previous: int = 0

    @property
    def completed(self) -> int:
        return self.statuses[InterviewStatus.COMPLETED]

    @property
    def mean_feeling(self) -> float | None:
        return statistics.fmean(self.feelings) if self.feelings else None

    @property
    def mean_effort(self) -> float | None:
        return statistics.fmean(self.efforts) if self.efforts else None


def ensure_demo_campaign(sessions: sessionmaker[Session], *, guide: str) -> None:
    with sessions.begin() as session:
        if queries.get_campaign_by_slug(session, DEMO_CAMPAIGN) is None:
            create_campaign(
                session,
                slug=DEMO_CAMPAIGN,
                name="Demo: last support experience",
                guide=guide,
                company=DEMO_COMPANY,
                open_link=True,
            )


def run_demo(
    service: InterviewService,
    sessions: sessionmaker[Session],
    *,
    guide: str,
    personas: Sequence[Persona] = PERSONAS,
    seed: int = 7,
    fresh: bool = True,
    on_interview: Callable[[Persona, TurnResult], None] | None = None,
) -> DemoSummary:
    """Interview every persona through `service`; return what was stored.

    `fresh` first removes the demo campaign's earlier interviews, so repeated demos do
    not pile up. `on_interview` is called after each interview (progress bars).
    """
    ensure_demo_campaign(sessions, guide=guide)
    summary = DemoSummary(campaign=DEMO_CAMPAIGN)
    if fresh:
        with sessions.begin() as session:
            summary.removed_previous = queries.delete_campaign_interviews(
                session, campaign_slug=DEMO_CAMPAIGN
            )
            campaign = queries.get_campaign_by_slug(session, DEMO_CAMPAIGN)
            if campaign is not None:  # the map series restarts with the interviews
                synthesis_runs.delete_campaign_runs(session, campaign_id=campaign.id)
    for index, persona in enumerate(personas):
        result, sent = interview_persona(service, persona, rng=random.Random(seed + index))
        summary.interview_ids.append(result.interview_id)
        summary.messages_sent += sent
        if on_interview is not None:
            on_interview(persona, result)
    _collect(summary, sessions)
    return summary


def interview_persona(
    service: InterviewService, persona: Persona, *, rng: random.Random
) -> tuple[TurnResult, int]:
    """One simulated customer, start to finish. Returns the last turn and messages sent."""
    result = service.start_interview(
        campaign_slug=DEMO_CAMPAIGN,
        channel="demo",
        participant_external_id=f"demo-{persona.name}",
        participant_attributes=dict(persona.attributes),
        display_name=persona.name,
    )
    customer = SimulatedCustomer(persona, rng=rng)
    replies = result.replies
    sent = 0
    while True:
        message: Inbound | None = customer.next_message(replies)
        if message is None:
            message = customer.resume()  # after a pause; None once finished
            if message is None:
                return result, sent
        result = service.handle_message(
            interview_id=result.interview_id,
            text=message.text,
            choice=message.choice,
            channel_message_id=f"demo-{sent}",
        )
        sent += 1
        replies = result.replies


def _collect(summary: DemoSummary, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        for interview_id in summary.interview_ids:
            interview = queries.get_interview(session, interview_id)
            if interview is None:  # pragma: no cover - just stored
                continue
            summary.statuses[interview.status] += 1
            full = 0
            for step in interview.steps:
                summary.steps += 1
                if step.channel:
                    summary.channels[step.channel] += 1
                if step.feeling is not None:
                    summary.feelings.append(step.feeling)
                if step.channel and step.feeling is not None:
                    full += 1
                summary.pains.update(step.pains)
            summary.complete_steps += full
            summary.interviews_with_two_full_steps += full >= 2
            if interview.resolved:
                summary.resolved[interview.resolved] += 1
            if interview.effort is not None:
                summary.efforts.append(interview.effort)
