"""Journey metrics, channel paths, saturation and segments on journeys with known answers."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from synthesis.metrics import channel_paths, journey_metrics
from synthesis.model import PainPoint, StepRef
from synthesis.observations import load_observations
from synthesis.pipeline import analyse, synthesize
from synthesis.saturation import saturation
from synthesis.segments import NOT_SET, TooManySegments, folder_name, split_by
from tests.synthesis_data import (
    StepSpec,
    add_journey,
    add_metric_journeys,
    add_standard_interviews,
    make_campaign,
)


def test_journey_metrics_have_the_known_answers(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        add_metric_journeys(session, campaign=make_campaign(session))
    with session_factory() as session:
        metrics = journey_metrics(load_observations(session, campaign_slug="synth"))
    assert metrics.journeys == 4
    assert metrics.steps_per_journey.mean == 2.5 and metrics.steps_per_journey.max == 4
    # A: 5+30+20+2, B: 10+15+25, C has no durations, D: 1.
    assert metrics.total_minutes.journeys == 3 and metrics.total_minutes.median == 50
    assert (metrics.contacts.total, metrics.contacts.journeys_with) == (8, 3)
    # A: 3 contacts, B: 3, C: 2 (both email), D: none.
    assert metrics.repeat_contacts.total == 5 and metrics.repeat_contacts.share_of_journeys == 0.75
    # A: phone -> email; B: chatbot -> live chat -> phone; C stays on email.
    assert metrics.channel_switches.total == 3 and metrics.channel_switches.journeys_with == 2
    # A says "transferred me"; B is tagged.
    assert metrics.transfers.total == 2 and metrics.transfers.journeys_with == 2
    # A: agent -> billing team; B: agent -> Agent is the same person.
    assert metrics.handoffs.total == 1 and metrics.handoffs.journeys_with == 1
    r = metrics.resolution
    assert (r.answered, r.yes, r.partly, r.no, r.unknown, r.rate) == (3, 1, 1, 1, 1, 0.3333)
    e = metrics.effort
    assert (e.rated, e.mean, e.median, e.high_share) == (3, 5.0, 6.0, 0.6667)
    assert e.distribution["7"] == 1 and e.distribution["1"] == 0


def test_channel_paths_are_counted_and_ranked(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        campaign = make_campaign(session)
        ids = add_metric_journeys(session, campaign=campaign)
        for n in range(2):  # two more phone -> email journeys make it the most common path
            add_journey(
                session,
                campaign=campaign,
                participant=f"extra{n}",
                steps=[StepSpec("rang them", "phone"), StepSpec("emailed them", "email")],
            )
    with session_factory() as session:
        paths, distinct = channel_paths(load_observations(session, campaign_slug="synth"))
    assert distinct == 4
    assert [(p.path, p.interviews, p.share) for p in paths] == [
        (["phone", "email"], 3, 0.5),
        ([], 1, 0.1667),  # D never contacted anyone
        (["chatbot", "live_chat", "phone"], 1, 0.1667),
        (["email"], 1, 0.1667),  # C emailed twice: one channel, repeats collapsed
    ]
    assert paths[0].example_interview_ids[0] == ids[0]


def _point(pid: str, *interview_ids: str) -> PainPoint:
    return PainPoint(
        id=pid,
        rank=1,
        label=pid,
        tags=[],
        keywords=[],
        evidence=len(interview_ids),
        interviews=len(set(interview_ids)),
        interview_share=0.0,
        severity=0.5,
        score=0.0,
        stages=[],
        quotes=[],
        steps=[StepRef(interview_id=i, ordinal=1) for i in interview_ids],
    )


def test_saturation_counts_new_pain_points_per_interview() -> None:
    order = [f"i{n}" for n in range(15)]
    points = [_point("P1", "i0", "i3"), _point("P2", "i2"), _point("P3", "i4", "i0")]
    result = saturation(order, points)
    assert [len(p.new_pain_points) for p in result.points][:5] == [2, 0, 1, 0, 0]
    assert result.points[0].new_pain_points == ["P1", "P3"]
    assert [p.cumulative for p in result.points][-1] == 3 == result.pain_points
    assert (result.window, result.new_in_window, result.interviews_since_last_new) == (10, 0, 12)
    assert result.statement == (
        "The last 10 interviews added 0 new pain points "
        "(the last new one came with interview 3 of 15)."
    )
    late = saturation(order, [*points, _point("P4", "i14")])
    assert late.new_in_window == 1 and late.interviews_since_last_new == 0
    assert late.statement.startswith("The last 10 interviews added 1 new pain point (")
    assert "too few" in saturation(order[:4], points).statement
    assert saturation(order, []).statement == "None of the 15 interviews reported a pain point."


def test_the_map_reports_saturation_and_member_steps(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        stored = add_standard_interviews(session, campaign=make_campaign(session), count=12)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
    long_wait = journey_map.pain_points[0]
    assert long_wait.label == "Long wait" and len(long_wait.steps) == 12
    phone_steps = {(s.interview_id, s.ordinal) for s in stored if s.stage == 1}
    assert {(r.interview_id, r.ordinal) for r in long_wait.steps} == phone_steps
    sat = journey_map.saturation
    assert sat is not None
    # Interview 0 already has every kind of pain (long wait, transfer, crash).
    assert sat.points[0].cumulative == len(journey_map.pain_points) == 3
    assert sat.statement == (
        "The last 10 interviews added 0 new pain points "
        "(the last new one came with interview 1 of 12)."
    )
    assert journey_map.metrics is not None and journey_map.metrics.resolution.rate == 0.6667


def test_segments_share_stages_and_call_out_differences(
    session_factory: sessionmaker[Session],
) -> None:
    with session_factory.begin() as session:
        add_standard_interviews(session, campaign=make_campaign(session), count=12)
    with session_factory() as session:
        analysis = analyse(session, campaign_slug="synth")
    maps = split_by(analysis, "plan")
    assert [m.segment for m in maps.segments] == [{"plan": "business"}, {"plan": "consumer"}]
    business, consumer = maps.segments
    assert business.interview_count == consumer.interview_count == 6
    overall_stages = [(s.id, s.name) for s in maps.overall.stages]
    assert [(s.id, s.name) for s in business.stages] == overall_stages
    crash = next(p for p in maps.overall.pain_points if not p.tags)
    # The crash is reported in interviews 0, 4 and 8: all consumer (even) ones.
    assert crash.id in {p.id for p in consumer.pain_points}
    assert crash.id not in {p.id for p in business.pain_points}
    assert [p.rank for p in consumer.pain_points] == list(range(1, len(consumer.pain_points) + 1))
    comparison = maps.overall.comparison
    assert comparison is not None and comparison.key == "plan"
    assert [v.folder for v in comparison.values] == ["plan=business", "plan=consumer"]
    consumer_value = comparison.values[1]
    assert consumer_value.pain_shares[crash.id] == 0.5
    assert consumer_value.resolution_rate == 0.6667  # interviews 0 and 6 unresolved
    (difference,) = comparison.differences
    assert difference.metric == "pain share" and difference.subject.startswith(crash.id)
    assert (difference.high_value, difference.high, difference.low_value) == (
        "consumer",
        0.5,
        "business",
    )
    assert "50% of consumer interviews, 0% of business" in difference.text
    # Quotes of a segment come from its own interviews.
    for m in maps.segments:
        for p in m.pain_points:
            assert {q.interview_id for q in p.quotes} <= set(m.interview_ids)


def test_missing_attributes_and_too_many_values(
    session_factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    with session_factory.begin() as session:
        campaign = make_campaign(session)
        add_metric_journeys(session, campaign=campaign)
    with session_factory() as session:
        analysis = analyse(session, campaign_slug="synth", stages=2)
    maps = split_by(analysis, "plan")
    assert [next(iter((m.segment or {}).values())) for m in maps.segments] == [
        "consumer",
        NOT_SET,
        "business",
    ]
    assert folder_name("plan", NOT_SET) == "plan=not_set"
    assert folder_name("region/area", "EU west") == "region_area=EU_west"
    monkeypatch.setattr("synthesis.segments.MAX_SEGMENTS", 2)
    with pytest.raises(TooManySegments, match="'plan' has 3 values"):
        split_by(analysis, "plan")


@pytest.mark.parametrize(
    ("said", "transfer"),
    [
        ("they put me through to billing", True),
        ("got passed between three teams", True),
        ("was transferred twice", True),
        ("my email bounced", False),
        ("a week passed", False),
    ],
)
def test_what_counts_as_a_transfer(said: str, transfer: bool) -> None:
    from synthesis.metrics import is_transfer
    from synthesis.observations import StepObservation

    step = StepObservation(
        interview_id="i",
        ordinal=1,
        doing=said,
        text=said,
        channel="phone",
        feeling=None,
        duration_minutes=None,
        pains=(),
        pain_text=None,
        people=(),
        tools=(),
        position=0.5,
        moment_of_truth=False,
        moment_of_truth_text=None,
        resolved=None,
        effort=None,
    )
    assert is_transfer(step) is transfer
