"""Synthesis on synthetic interviews whose stages and pains are known (SQLite, PostgreSQL)."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score  # type: ignore[import-untyped]
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Message
from synthesis.embedders import TfidfEmbedder, UnknownEmbedder, make_embedder, normalise_text
from synthesis.model import JourneyMap
from synthesis.observations import SynthesisInputError
from synthesis.pipeline import synthesize
from synthesis.render_json import render_json
from synthesis.render_markdown import render_markdown
from tests.synthesis_data import (
    StoredStep,
    add_interview,
    add_standard_interviews,
    make_campaign,
)


def _seed(sessions: sessionmaker[Session]) -> list[StoredStep]:
    with sessions.begin() as session:
        return add_standard_interviews(session, campaign=make_campaign(session))


def _map(sessions: sessionmaker[Session], **kwargs: object) -> JourneyMap:
    with sessions() as session:
        return synthesize(session, campaign_slug="synth", **kwargs)  # type: ignore[arg-type]


def _predicted(journey_map: JourneyMap) -> dict[tuple[str, int], int]:
    return {
        (ref.interview_id, ref.ordinal): index
        for index, stage in enumerate(journey_map.stages)
        for ref in stage.steps
    }


def test_stages_are_recovered_in_journey_order(session_factory: sessionmaker[Session]) -> None:
    truth = _seed(session_factory)
    journey_map = _map(session_factory)
    predicted = _predicted(journey_map)
    assert len(predicted) == len(truth)  # every step is in exactly one stage
    labels = [predicted[(s.interview_id, s.ordinal)] for s in truth]
    assert adjusted_rand_score([s.stage for s in truth], labels) > 0.9
    # Stage i of the map holds the known stage i: the order is recovered too.
    assert labels == [s.stage for s in truth]
    first, second, third = journey_map.stages
    assert first.channel_mix[0].value == "none"
    assert second.channel_mix[0].value == "phone" and "phone" in second.keywords
    assert third.channel_mix[0].value == "email"
    assert second.feeling.mean == 1.0 and second.feeling.distribution["1"] == 12
    assert second.interview_share == 1.0 and second.people[0].value == "agent"
    assert second.duration_median_minutes == 41.0
    assert len(second.moments_of_truth) == 12
    assert [m.median_position for m in journey_map.stages] == [0.0, 0.5, 1.0]


def test_forced_stage_count_and_unknown_input(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    assert len(_map(session_factory, stages=2).stages) == 2
    with session_factory() as session, pytest.raises(SynthesisInputError, match="nope"):
        synthesize(session, campaign_slug="nope")
    with session_factory() as session, pytest.raises(UnknownEmbedder, match="tfidf"):
        synthesize(session, campaign_slug="synth", embedder="nope")


def test_same_input_gives_the_identical_map(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    first, second = _map(session_factory), _map(session_factory)
    assert render_json(first) == render_json(second)
    assert render_markdown(first) == render_markdown(second)
    data = json.loads(render_json(first))
    assert data["schema_version"] == "4"
    assert data["stages"][0]["steps"][0].keys() == {"interview_id", "ordinal"}


def test_every_quote_is_a_stored_message_verbatim(session_factory: sessionmaker[Session]) -> None:
    _seed(session_factory)
    journey_map = _map(session_factory)
    with session_factory() as session:
        stored = {m.id: (m.text, m.interview.public_id) for m in session.scalars(select(Message))}
    quotes = [q for s in journey_map.stages for q in s.quotes]
    quotes += [q for p in journey_map.pain_points for q in p.quotes]
    assert len(quotes) >= 9
    for quote in quotes:
        assert stored[quote.message_id] == (quote.text, quote.interview_id)
    # Markdown escapes every character that could start markup; read back, the words are all there.
    markdown = re.sub(r"\\(.)", r"\1", render_markdown(journey_map))
    assert all(" ".join(q.text.split()) in markdown for q in quotes)


def test_pain_points_are_ranked_by_frequency_and_severity(
    session_factory: sessionmaker[Session],
) -> None:
    _seed(session_factory)
    points = _map(session_factory).pain_points
    assert [p.label for p in points[:2]] == ["Long wait", "Transferred"]
    long_wait, transferred = points[0], points[1]
    assert long_wait.interviews == 12 and long_wait.interview_share == 1.0
    assert long_wait.stages == ["S2"] and long_wait.rank == 1 and long_wait.id == "P1"
    # Interviews 0, 3, 6, 9: tagged at the phone step (second tag, after long_wait) and at
    # the end; every tag of a step counts in its point, as it does in the stages' counts.
    assert transferred.interviews == 4 and transferred.stages == ["S2", "S3"]
    assert transferred.evidence == 8
    crash = next(p for p in points if "crashed" in p.keywords or "upload" in p.keywords)
    assert crash.tags == [] and crash.interviews == 3 and crash.stages == ["S1"]
    assert [p.rank for p in points] == list(range(1, len(points) + 1))
    assert all(a.score >= b.score for a, b in itertools.pairwise(points))
    assert all(1 <= len(p.quotes) <= 3 for p in points)
    assert "forty minutes" in long_wait.quotes[0].text


def test_segment_filter_keeps_only_that_segment(session_factory: sessionmaker[Session]) -> None:
    truth = _seed(session_factory)
    business = _map(session_factory, segment=("plan", "business"))
    assert business.segment == {"plan": "business"}
    assert business.interview_count == 6 and business.step_count == 18
    business_ids = {s.interview_id for i, s in enumerate(truth) if (i // 3) % 2 == 1}
    assert set(business.interview_ids) == business_ids
    with session_factory() as session, pytest.raises(SynthesisInputError, match="plan=nobody"):
        synthesize(session, campaign_slug="synth", segment=("plan", "nobody"))


def test_copied_answers_do_not_collapse_the_stages(
    session_factory: sessionmaker[Session],
) -> None:
    truth = _seed(session_factory)
    copied = ["same as before", "same as before", "same as before"]
    with session_factory.begin() as session:
        from storage.queries import get_campaign_by_slug

        campaign = get_campaign_by_slug(session, "synth")
        assert campaign is not None
        for n in range(40):
            add_interview(
                session,
                campaign=campaign,
                texts=[*copied[:1], "called support and sat on hold", copied[2]],
                stages=[0, 1, 2],
                participant=f"copy{n}",
            )
    journey_map = _map(session_factory)
    predicted = _predicted(journey_map)
    labels = [predicted[(s.interview_id, s.ordinal)] for s in truth]
    # The 40 identical interviews neither take over the stages nor merge the real ones.
    assert adjusted_rand_score([s.stage for s in truth], labels) > 0.9
    real_stages = set(labels)
    copies = {s.interview_id for s in truth}
    mixed = [
        ref
        for stage in journey_map.stages
        if journey_map.stages.index(stage) in real_stages
        for ref in stage.steps
        if ref.interview_id not in copies and ref.ordinal != 2
    ]
    assert mixed == []  # "same as before" never joins a real stage


def test_embedder_fits_on_distinct_texts_and_maps_synonyms() -> None:
    assert normalise_text("I rang them, then PHONED again") == "i phone them then phone again"
    texts = ["called support", "emailed the team", "used the chatbot", "went to the branch"]
    embedder = TfidfEmbedder(seed=0)
    plain = embedder.embed(texts)
    flooded = embedder.embed(texts + ["emailed the team"] * 50 + ["Emailed  the TEAM!"] * 5)
    np.testing.assert_allclose(flooded[: len(texts)], plain)
    np.testing.assert_allclose(np.linalg.norm(plain, axis=1), 1.0)
    same = make_embedder("tfidf", seed=0).embed(["rang the bank", "phoned the bank"])
    np.testing.assert_allclose(same[0], same[1])
