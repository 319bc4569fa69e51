"""Frame maps from stored interviews (SQLite and PostgreSQL): stages from the guide's
frame in journey order, loops, emerging stages, the doing / thinking / opportunity lanes,
every pain tag counted, finished interviews only by default, date windows, stable ids,
verbatim quotes and byte-identical output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from storage.models import Campaign, Message
from synthesis.id_matching import stabilise_ids
from synthesis.model import JourneyMap, Quote
from synthesis.observations import Selection
from synthesis.pipeline import synthesize
from synthesis.render_json import render_json
from tests.synthesis_data import StepSpec, add_journey

SLUG = "framed"


@dataclass(frozen=True)
class Step:
    text: str
    channel: str | None = None
    pains: tuple[str, ...] = ()
    thinking: str | None = None
    feeling: int | None = 3


def add_story(
    session: Session,
    campaign: Campaign,
    participant: str,
    steps: list[Step],
    *,
    improvement: str | None = None,
    status: str = "completed",
    started_at: datetime | None = None,
) -> str:
    """An interview told as the bot stores it: each step's story and its thinking in
    their own messages, and the improvement answer in one more."""
    return add_journey(
        session,
        campaign=campaign,
        participant=participant,
        steps=[
            StepSpec(s.text, s.channel, s.feeling, pains=s.pains, thinking=s.thinking or "")
            for s in steps
        ],
        improvement=improvement,
        status=status,
        started_at=started_at,
    )


WAITER = [
    Step("I noticed a double charge on my statement.", "none", thinking="That can't be right."),
    Step("I rang their helpline.", "phone"),
    Step("On hold for forty minutes.", "phone", ("long_wait",), "Why is this so slow?"),
    Step(
        "The agent asked for my account number and looked into it.",
        "phone",
        thinking="At last someone is listening.",
    ),
    Step("They said they would call me back, and I waited three days.", "none", ("no_follow_up",)),
    Step("They refunded the charge.", "email", feeling=4),
]


@pytest.fixture
def campaign(session_factory: sessionmaker[Session]) -> Campaign:
    with session_factory.begin() as session:
        return create_campaign(session, slug=SLUG, name="Framed")


def stored(session_factory: sessionmaker[Session], **options: object) -> JourneyMap:
    with session_factory() as session:
        return synthesize(session, campaign_slug=SLUG, **options)  # type: ignore[arg-type]


def fill(session_factory: sessionmaker[Session], campaign: Campaign, count: int = 6) -> list[str]:
    ids = []
    with session_factory.begin() as session:
        campaign = session.merge(campaign)
        for n in range(count):
            ids.append(
                add_story(
                    session,
                    campaign,
                    f"p{n}",
                    WAITER,
                    improvement=(
                        "Answer the phone faster, nobody wants to wait on hold."
                        if n % 2 == 0
                        else "Call back when you promise to call back."
                    ),
                )
            )
    return ids


def test_the_stages_are_the_guides_frame_in_journey_order(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign)
    journey_map = stored(session_factory)
    assert [s.id for s in journey_map.stages] == [
        "notice",
        "reach_out",
        "wait",
        "explain",
        "resolve",
    ]
    assert journey_map.stages[0].name == "Noticing the problem"
    assert all(s.frame_stage == s.id and s.description for s in journey_map.stages)
    wait = journey_map.stages[2]
    assert wait.step_count == 12 and wait.comebacks == 6  # waited, explained, waited again
    assert {s.ordinal for s in wait.steps} == {3, 5}


def test_every_pain_tag_is_counted_in_its_point_and_its_stage(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign, count=3)
    with session_factory.begin() as session:
        add_story(
            session,
            session.merge(campaign),
            "both",
            [
                Step("I noticed the bill was wrong."),
                Step(
                    "Called, then transferred and on hold for an hour.",
                    "phone",
                    ("transferred", "long_wait"),
                ),
            ],
        )
    journey_map = stored(session_factory)
    by_label = {p.label: p for p in journey_map.pain_points}
    transferred, waited = by_label["Transferred"], by_label["Long wait"]
    assert transferred.interviews == 1 and waited.interviews == 4
    tagged_in_stages = {
        c.value: sum(x.count for s in journey_map.stages for x in s.pains if x.value == c.value)
        for s in journey_map.stages
        for c in s.pains
    }
    assert tagged_in_stages["long_wait"] == waited.evidence
    assert tagged_in_stages["transferred"] == transferred.evidence


def test_unfinished_interviews_are_left_out_unless_asked_for_and_the_map_says_so(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign, count=2)
    with session_factory.begin() as session:
        add_story(session, session.merge(campaign), "half", WAITER[:2], status="active")
    default = stored(session_factory)
    assert default.interview_count == 2 and default.interviews_included == "completed"
    everything = stored(session_factory, selection=Selection(include_partial=True))
    assert everything.interview_count == 3
    assert everything.interviews_included == "all" and everything.partial_interviews == 1


def test_a_date_window_keeps_the_interviews_started_inside_it(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    with session_factory.begin() as session:
        merged = session.merge(campaign)
        old = add_story(session, merged, "q3", WAITER, started_at=datetime(2026, 8, 1, tzinfo=UTC))
        new = add_story(session, merged, "q4", WAITER, started_at=datetime(2026, 11, 1, tzinfo=UTC))
    q4 = stored(session_factory, selection=Selection(since=datetime(2026, 10, 1, tzinfo=UTC)))
    q3 = stored(
        session_factory,
        selection=Selection(
            since=datetime(2026, 7, 1, tzinfo=UTC), until=datetime(2026, 10, 1, tzinfo=UTC)
        ),
    )
    assert q4.interview_ids == [new] and q3.interview_ids == [old]
    assert q4.since == "2026-10-01T00:00:00+00:00" and q4.until is None


def test_thinking_and_opportunity_lanes_quote_stored_messages_verbatim(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign, count=12)
    journey_map = stored(session_factory)
    wait = next(s for s in journey_map.stages if s.id == "wait")
    assert wait.thinking and wait.thinking[0].label == "Why is this so slow"
    assert wait.doing
    labels = sorted(o.label for o in journey_map.opportunities)
    assert len(labels) == 2 and any("Answer the phone faster" in label for label in labels)
    assert all(o.interviews == 6 for o in journey_map.opportunities)
    with session_factory() as session:
        inbound = {
            (m.id, m.text)
            for m in session.scalars(select(Message).where(Message.direction == "in"))
        }
    quotes = all_quotes(journey_map)
    assert quotes and all((q.message_id, q.text) in inbound for q in quotes)


def test_an_opportunity_points_to_the_pains_its_customers_had(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    with session_factory.begin() as session:
        merged = session.merge(campaign)
        for n in range(6):
            add_story(
                session,
                merged,
                f"w{n}",
                [
                    Step("I noticed my internet was down."),
                    Step("I phoned them."),
                    Step("On hold for an hour.", "phone", ("long_wait",)),
                ],
                improvement="Pick up the phone faster.",
            )
        for n in range(6):
            add_story(
                session,
                merged,
                f"c{n}",
                [
                    Step("I noticed my internet was down."),
                    Step("I phoned them."),
                    Step("They were rude and dismissive.", "phone", ("unempathetic_agent",)),
                ],
                improvement="Train your staff to be polite.",
            )
    journey_map = stored(session_factory)
    pain_id = {p.label: p.id for p in journey_map.pain_points}
    linked = {o.label: o.pain_points for o in journey_map.opportunities}
    assert linked["Pick up the phone faster"] == [pain_id["Long wait"]]
    assert linked["Train your staff to be polite"] == [pain_id["Unempathetic agent"]]


def test_steps_the_frame_has_no_words_for_are_proposed_as_an_emerging_stage(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    with session_factory.begin() as session:
        merged = session.merge(campaign)
        for n in range(5):
            add_story(
                session,
                merged,
                f"e{n}",
                [
                    Step("I noticed the parcel never arrived."),
                    Step("Drove to the depot with my passport photocopy."),
                    Step("They refunded me."),
                ],
            )
    journey_map = stored(session_factory)
    assert len(journey_map.emerging_stages) == 1
    emerging = journey_map.emerging_stages[0]
    assert emerging.interviews == 5 and emerging.step_count == 5
    assert emerging.name.startswith("Drove to the depot")
    assert {s.ordinal for s in emerging.steps} == {2}


def test_frame_ids_stay_put_across_runs_and_discovery_stays_available(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign)
    first = stored(session_factory)
    again, _, _ = stabilise_ids(first, previous=first)
    assert [s.id for s in again.stages] == [s.id for s in first.stages]
    discovered = stored(session_factory, discover=True)
    assert all(s.id.startswith("S") and s.frame_stage is None for s in discovered.stages)


def test_the_same_input_gives_byte_identical_json(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    fill(session_factory, campaign, count=8)
    assert render_json(stored(session_factory)) == render_json(stored(session_factory))


def all_quotes(journey_map: JourneyMap) -> list[Quote]:
    quotes: list[Quote] = []
    for stage in journey_map.stages:
        quotes += stage.quotes + [q for t in stage.thinking for q in t.quotes]
    for point in journey_map.pain_points:
        quotes += point.quotes
    for opportunity in journey_map.opportunities:
        quotes += opportunity.quotes
    for emerging in journey_map.emerging_stages:
        quotes += emerging.quotes
    return quotes


def test_two_waves_match_stages_by_frame_and_pains_by_meaning(
    session_factory: sessionmaker[Session], campaign: Campaign
) -> None:
    """Last quarter and this quarter as two campaigns: a pain point's id is its rank in
    each map, so the diff must pair them by meaning, and compare shares."""
    from synthesis.diff import diff_maps

    rude = Step("The agent was rude and dismissive.", "phone", ("unempathetic_agent",), feeling=1)
    with session_factory.begin() as session:
        merged = session.merge(campaign)
        for n in range(4):
            add_story(session, merged, f"q3-{n}", WAITER)
        later = create_campaign(session, slug="framed-q4", name="Framed Q4")
        for n in range(4):
            add_story(session, later, f"q4-{n}", [*WAITER[:3], rude, *WAITER[3:]])
    with session_factory() as session:
        q3 = synthesize(session, campaign_slug=SLUG)
        q4 = synthesize(session, campaign_slug="framed-q4")
    q4_ids = {p.label: p.id for p in q4.pain_points}
    assert q4_ids["Long wait"] != {p.label: p.id for p in q3.pain_points}["Long wait"]
    diff = diff_maps(q3, q4, waves=True)
    pains = {c.name: c for c in diff.pain_points}
    assert pains["Long wait"].status == "same" and pains["Long wait"].before == 4
    assert pains["Unempathetic agent"].status == "new"
    assert pains["Unempathetic agent"].evidence is not None
    assert pains["Unempathetic agent"].evidence.text == "The agent was rude and dismissive."
    stages = {c.id: c for c in diff.stages}
    assert stages["wait"].status == "same" and stages["wait"].before == 4
