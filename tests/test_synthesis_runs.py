"""Stored synthesis runs: parameters kept, ids stable across re-runs, diffs (SQLite, PostgreSQL)."""

from __future__ import annotations

from datetime import UTC

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.queries import get_campaign_by_slug
from synthesis.diff import diff_maps
from synthesis.id_matching import stabilise_ids
from synthesis.model import JourneyMap
from synthesis.pipeline import synthesize
from synthesis.runs import (
    SavedRun,
    latest_run_ids,
    list_run_infos,
    load_run,
    save_run,
)
from tests.synthesis_data import add_interview, add_standard_interviews, make_campaign

BILLING_TEXTS = [
    "noticed a double charge on my card statement",
    "spotted a duplicate charge on my monthly bill",
    "realised there was a strange extra charge on my bank statement",
    "noticed a strange extra charge on my monthly bill",
]


def _seed(sessions: sessionmaker[Session]) -> None:
    with sessions.begin() as session:
        add_standard_interviews(session, campaign=make_campaign(session))


def _run(sessions: sessionmaker[Session], **kwargs: object) -> SavedRun:
    with sessions() as session:
        journey_map = synthesize(session, campaign_slug="synth", **kwargs)  # type: ignore[arg-type]
    with sessions.begin() as session:
        return save_run(session, journey_map, elapsed_seconds=1.5, parameters={"note": "t"})


def _add_billing_interviews(sessions: sessionmaker[Session], count: int = 4) -> None:
    """Interviews like the standard ones whose first step also reports a billing error."""
    with sessions.begin() as session:
        campaign = get_campaign_by_slug(session, "synth")
        assert campaign is not None
        for n in range(count):
            add_interview(
                session,
                campaign=campaign,
                texts=[
                    BILLING_TEXTS[n % len(BILLING_TEXTS)],
                    "called support and waited on hold for ages",
                    "got the refund email a week later",
                ],
                stages=[0, 1, 2],
                pains={
                    0: (("billing_error",), "they billed me twice for one month"),
                    1: (("long_wait",), "on hold for forty minutes"),
                },
                participant=f"billing{n}",
            )


def _ids(journey_map: JourneyMap) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {s.name: s.id for s in journey_map.stages},
        {p.label: p.id for p in journey_map.pain_points},
    )


def test_a_run_is_stored_with_its_parameters_and_inputs(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    saved = _run(session_factory, seed=3, segment=("plan", "business"))
    assert saved.previous_run_id is None
    with session_factory() as session:
        stored = load_run(session, saved.id)
        infos = list_run_infos(session, campaign_slug="synth")
    info = stored.info
    assert info.parameters == {
        "embedder": "tfidf",
        "seed": 3,
        "stages": None,
        "segment": {"plan": "business"},
        "note": "t",
    }
    assert info.segment == "plan=business" and info.campaign == "synth"
    assert info.interview_count == 6 and info.step_count == 18
    assert info.stage_count == len(stored.journey_map.stages)
    assert info.pain_point_count == len(stored.journey_map.pain_points) > 0
    assert info.schema_version == stored.journey_map.schema_version
    assert info.code_version and info.elapsed_seconds == 1.5
    assert info.created_at.tzinfo is not None and info.created_at.utcoffset() == UTC.utcoffset(None)
    assert stored.journey_map == saved.journey_map  # the map comes back exactly
    assert len(stored.journey_map.interview_ids) == 6
    assert [i.id for i in infos] == [saved.id]


@pytest.mark.slow
def test_re_running_on_the_same_data_keeps_every_id(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    first = _run(session_factory)
    second = _run(session_factory)
    assert second.previous_run_id == first.id
    assert second.journey_map == first.journey_map
    assert second.match.fresh_stages == () and second.match.fresh_pain_points == ()
    # A different segment is a different series: its first run matches nothing.
    other = _run(session_factory, segment=("plan", "consumer"))
    assert other.previous_run_id is None
    with session_factory() as session:
        assert latest_run_ids(session, campaign_slug="synth", segment="", count=2) == [
            second.id,
            first.id,
        ]


def test_a_new_pain_gets_one_new_id_and_the_others_keep_theirs(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    # Three stages forced: the automatic choice may split a stage of the grown data, and
    # this test is about the pain points.
    first = _run(session_factory, stages=3)
    _add_billing_interviews(session_factory)
    second = _run(session_factory, stages=3)
    old_stages, old_pains = _ids(first.journey_map)
    new_stages, new_pains = _ids(second.journey_map)
    assert set(new_stages.values()) == set(old_stages.values())
    assert second.match.fresh_stages == ()
    fresh = f"P{len(old_pains) + 1}"
    assert second.match.fresh_pain_points == (fresh,)
    assert new_pains["Billing error"] == fresh
    assert new_pains["Long wait"] == old_pains["Long wait"]
    assert new_pains["Transferred"] == old_pains["Transferred"]
    # The untagged crash complaints keep their id though their keywords shift a little.
    crash = [p for p in second.journey_map.pain_points if "crashed" in p.keywords]
    assert [p.id for p in crash] == [old_pains[k] for k in old_pains if "crashed" in k]
    # Pain points name their stages by the stable stage ids.
    stage_ids = {s.id for s in second.journey_map.stages}
    assert all(set(p.stages) <= stage_ids for p in second.journey_map.pain_points)

    diff = diff_maps(first.journey_map, second.journey_map)
    status = {c.name: c.status for c in diff.pain_points}
    assert status["Billing error"] == "new" and status["Long wait"] == "grew"
    assert diff.count("new") == (0, 1) and diff.count("disappeared") == (0, 0)
    long_wait = next(c for c in diff.pain_points if c.name == "Long wait")
    assert (long_wait.before, long_wait.after, long_wait.delta) == (12, 16, 4)


def test_ids_that_disappear_are_never_reused(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    base = _run(session_factory).journey_map
    # The previous run had one more pain point, P9, that is gone now, and a counter at 10.
    gone = base.pain_points[0].model_copy(update={"id": "P9", "label": "Gone", "keywords": []})
    gone = gone.model_copy(update={"quotes": []})
    previous = base.model_copy(update={"pain_points": [*base.pain_points[1:], gone]})
    stable, counters, match = stabilise_ids(
        base, previous=previous, next_ids={"stage": 4, "pain": 10}
    )
    assert match.fresh_pain_points == ("P10",) and counters["pain"] == 11
    assert stable.pain_points[0].id == "P10"
    assert [p.id for p in stable.pain_points[1:]] == [p.id for p in base.pain_points[1:]]
    diff = diff_maps(previous, stable)
    assert [(c.id, c.status) for c in diff.pain_points if c.status != "same"] == [
        ("P10", "new"),
        ("P9", "disappeared"),
    ]


def test_stages_match_by_shared_steps_even_when_reordered_and_renamed(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    base = _run(session_factory).journey_map
    shuffled = [
        s.model_copy(update={"id": f"S{i + 1}", "name": f"renamed {i}", "keywords": []})
        for i, s in enumerate(reversed(base.stages))
    ]
    renamed = base.model_copy(update={"stages": shuffled})
    stable, _, match = stabilise_ids(renamed, previous=base)
    assert [s.id for s in stable.stages] == [s.id for s in reversed(base.stages)]
    assert match.fresh_stages == ()


def test_without_shared_interviews_stages_match_by_keywords(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    base = _run(session_factory, stages=3).journey_map
    # Same stages heard from other interviews: nothing to overlap, so keywords decide.
    moved = [
        s.model_copy(
            update={
                "id": f"S{i + 1}",
                "steps": [
                    r.model_copy(update={"interview_id": "x" + r.interview_id}) for r in s.steps
                ],
            }
        )
        for i, s in enumerate(reversed(base.stages))
    ]
    other = base.model_copy(update={"stages": moved, "interview_ids": ["x"]})
    stable, _, match = stabilise_ids(other, previous=base)
    assert [s.id for s in stable.stages] == [s.id for s in reversed(base.stages)]
    assert match.fresh_stages == ()


def test_a_run_this_version_cannot_read_is_reported_and_not_matched(
    session_factory: sessionmaker[Session],
) -> None:
    from sqlalchemy import update

    from storage.models import SynthesisRun
    from synthesis.runs import RunUnreadable

    _seed(session_factory)
    first = _run(session_factory, stages=3)
    with session_factory.begin() as session:  # as if stored by a future map schema
        session.execute(
            update(SynthesisRun).values(journey_map={"schema_version": "99"}, schema_version="99")
        )
    with session_factory() as session, pytest.raises(RunUnreadable, match="map schema 99"):
        load_run(session, first.id)
    second = _run(session_factory, stages=3)
    assert second.previous_run_id == first.id
    # Nothing to match: all ids are fresh, after the unreadable run's.
    assert second.match.kept_stages == () and second.match.fresh_stages == ("S4", "S5", "S6")
