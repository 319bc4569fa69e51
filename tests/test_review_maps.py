"""Stored maps through the review service (SQLite and PostgreSQL): the series, a map page,
the evidence behind every kind of cell and count, transcripts at the message, personal
data masked without ``personal``, and what is new since the previous run."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.errors import EvidenceNotFound, MapNotFound, TranscriptNotFound
from bot.service.review.evidence import Filters
from bot.service.review.service import ReviewService
from storage import queries
from storage.models import Message
from tests.review_data import (
    EVIL_EMAIL,
    EVIL_PHONE,
    EVIL_TEXT,
    SLUG,
    add_interviews,
    add_more,
    make_campaign,
    seeded,
    synthesize_run,
)


@pytest.fixture
def service(session_factory: sessionmaker[Session]) -> ReviewService:
    return ReviewService(session_factory)


def test_the_series_and_the_map_page_come_from_the_stored_run(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory)
    [series] = service.series()
    assert series.campaign == SLUG and series.campaign_name == "Support Q4"
    assert series.segment == "" and [r.id for r in series.runs] == [saved.id]
    page = service.map_page(saved.id, personal=True)
    assert page.journey_map == saved.journey_map
    assert page.is_latest and page.new_interviews == 0 and not page.masked
    assert len(page.curve.dots) == len([s for s in page.journey_map.stages if s.feeling.mean])
    wait_points = page.points_by_stage["wait"]
    assert "Long wait" in [page.pain_labels[p] for p in wait_points]
    with pytest.raises(MapNotFound):
        service.map_page(saved.id + 100, personal=True)


def test_without_personal_the_map_masks_customers_personal_data(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory)
    texts = saved.journey_map.model_dump_json()
    assert EVIL_EMAIL in texts  # the stored map quotes the customer verbatim
    masked = service.map_page(saved.id, personal=False)
    shown = masked.journey_map.model_dump_json()
    assert masked.masked
    assert EVIL_EMAIL not in shown and EVIL_PHONE not in shown
    assert "[email]" in shown and "[phone]" in shown
    # Ids, counts and frame names are as they were.
    assert [s.id for s in masked.journey_map.stages] == [s.id for s in saved.journey_map.stages]
    assert [s.name for s in masked.journey_map.stages] == [s.name for s in saved.journey_map.stages]


def test_a_stage_cell_lists_its_steps_with_their_words_and_filters_by_a_count(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory, count=9)
    reach = next(s for s in saved.journey_map.stages if s.id == "reach_out")
    page = service.evidence(
        saved.id, kind="stage", item_id="reach_out", filters=Filters(), page=1, personal=True
    )
    assert page.total == reach.step_count == len(page.items)
    assert {(i.interview_id, i.ordinal) for i in page.items} == {
        (r.interview_id, r.ordinal) for r in reach.steps
    }
    assert all(i.quote is not None and i.quote.message_id for i in page.items)
    assert EVIL_TEXT in [i.quote.text for i in page.items if i.quote]
    # Each count of the channel lane opens exactly its steps.
    for count in reach.channel_mix:
        filtered = service.evidence(
            saved.id,
            kind="stage",
            item_id="reach_out",
            filters=Filters(channel=count.value),
            page=1,
            personal=True,
        )
        assert filtered.total == count.count
        assert {i.channel or "unknown" for i in filtered.items} == {count.value}
    rated = service.evidence(
        saved.id, kind="stage", item_id="reach_out", filters=Filters(rated=True), page=1,
        personal=True,
    )  # fmt: skip
    assert rated.total == reach.feeling.rated


def test_pain_theme_emerging_opportunity_and_metrics_counts_open_their_evidence(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory, count=12)
    m = saved.journey_map
    wait = next(p for p in m.pain_points if p.label == "Long wait")
    pains = service.evidence(
        saved.id, kind="pain", item_id=wait.id, filters=Filters(), page=1, personal=True
    )
    assert pains.total == wait.evidence
    assert {i.quote.text for i in pains.items if i.quote} == {"forty minutes of hold music"}
    stage = next(s for s in m.stages if s.thinking)
    theme = service.evidence(
        saved.id, kind="theme", item_id=stage.id, theme=0, filters=Filters(), page=1,
        personal=True,
    )  # fmt: skip
    assert theme.total == stage.thinking[0].steps
    assert all(i.quote and i.quote.text for i in theme.items)
    [emerging] = m.emerging_stages
    found = service.evidence(
        saved.id, kind="emerging", item_id=emerging.id, filters=Filters(), page=1, personal=True
    )
    assert found.total == emerging.step_count
    opportunity = m.opportunities[0]
    said = service.evidence(
        saved.id, kind="opportunity", item_id=opportunity.id, filters=Filters(), page=1,
        personal=True,
    )  # fmt: skip
    assert said.by_interview and said.total == opportunity.interviews
    assert all(i.ordinal == 0 and i.quote is not None for i in said.items)
    assert m.metrics is not None
    unresolved = service.evidence(
        saved.id, kind="map", item_id="all", filters=Filters(resolved="no"), page=1,
        personal=True,
    )  # fmt: skip
    assert unresolved.by_interview and unresolved.total == m.metrics.resolution.no
    top = m.channel_paths[0]
    path = service.evidence(
        saved.id, kind="map", item_id="all", filters=Filters(path=">".join(top.path)), page=1,
        personal=True,
    )  # fmt: skip
    assert path.total == top.interviews
    unknown = service.evidence(
        saved.id, kind="map", item_id="all", filters=Filters(provenance="unknown"), page=1,
        personal=True,
    )  # fmt: skip
    assert unknown.total == m.step_count  # the test data kept no provenance
    with pytest.raises(EvidenceNotFound):
        service.evidence(
            saved.id, kind="pain", item_id="P999", filters=Filters(), page=1, personal=True
        )


def test_evidence_comes_a_page_at_a_time(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory, count=60, evil=False)
    everything = [
        service.evidence(
            saved.id, kind="map", item_id="all", filters=Filters(), page=n, personal=True
        )
        for n in (1, 2, 99)
    ]
    first, second, last = everything
    assert first.total == saved.journey_map.step_count and first.pages > 2
    assert len(first.items) == 50 and first.items[0] != second.items[0]
    assert last.page == last.pages  # past the end: the last page


def test_a_transcript_opens_at_any_message_and_only_for_the_maps_interviews(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory)
    quote = next(q for s in saved.journey_map.stages for q in s.quotes)
    view = service.transcript(saved.id, quote.interview_id, personal=True)
    by_id = {m.id: m for m in view.messages}
    assert by_id[quote.message_id].text == quote.text
    assert quote.step_ordinal in by_id[quote.message_id].steps
    assert view.participant is not None and view.participant["Email"].endswith("@example.org")
    assert {s.stage_id for s in view.steps} <= {s.id for s in saved.journey_map.stages}
    with session_factory.begin() as session:
        other = make_campaign(session, slug="other", name="Other")
        [outsider] = add_interviews(session, campaign=other, count=1)
    with pytest.raises(TranscriptNotFound):
        service.transcript(saved.id, outsider, personal=True)


def test_without_personal_the_transcript_hides_who_and_masks_their_words(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory)
    evil_interview = saved.journey_map.interview_ids[0]
    view = service.transcript(saved.id, evil_interview, personal=False)
    assert view.participant is None and view.masked
    texts = " ".join(m.text for m in view.messages)
    assert EVIL_EMAIL not in texts and "[email]" in texts and "[phone]" in texts
    page = service.evidence(
        saved.id, kind="map", item_id="all", filters=Filters(), page=1, personal=False
    )
    assert not any(EVIL_EMAIL in (i.quote.text if i.quote else "") for i in page.items)


def test_a_later_run_marks_the_interviews_and_steps_new_since_the_run_before(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    first = seeded(session_factory, count=6)
    added = add_more(session_factory, count=3, start=6)
    second = synthesize_run(session_factory)
    page = service.map_page(second.id, personal=True)
    assert page.new_interviews == 3
    assert sum(page.new_steps.get(s.id, 0) for s in page.journey_map.stages) == sum(
        1 for s in page.journey_map.stages for r in s.steps if r.interview_id in added
    )
    new_only = service.evidence(
        second.id, kind="map", item_id="all", filters=Filters(new=True), page=1, personal=True
    )
    assert {i.interview_id for i in new_only.items} == set(added)
    assert all(i.is_new for i in new_only.items)
    earlier = service.map_page(first.id, personal=True)
    assert not earlier.is_latest and earlier.series.latest.id == second.id


def test_a_masked_transcript_hides_the_customers_name_wherever_it_appears(
    session_factory: sessionmaker[Session], service: ReviewService
) -> None:
    saved = seeded(session_factory)
    public_id = saved.journey_map.interview_ids[0]
    with session_factory.begin() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        for direction, text in (
            ("in", "Hello, my name is Zelda Quark and I rang about the boiler."),
            ("out", "Thanks Zelda, that helps."),
            ("in", "Zelda here again: still nothing from them."),
        ):
            session.add(Message(interview_id=interview.id, direction=direction, text=text))
    masked = " ".join(
        m.text for m in service.transcript(saved.id, public_id, personal=False).messages
    )
    assert "Zelda" not in masked and "Quark" not in masked and "[name]" in masked
    shown = " ".join(
        m.text for m in service.transcript(saved.id, public_id, personal=True).messages
    )
    assert "Zelda here again" in shown
