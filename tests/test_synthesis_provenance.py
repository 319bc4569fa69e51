"""Maps say how much of them rests on inference, and can leave inferred facts out."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from synthesis.observations import Selection
from synthesis.pipeline import synthesize
from synthesis.render_markdown import render_markdown
from tests.synthesis_data import StepSpec, add_journey, make_campaign

SAID = (("channel", "said"), ("feeling", "said"))
GUESSED = (("channel", "inferred"), ("feeling", "confirmed"), ("pains", "inferred"))


def _journeys(session_factory: sessionmaker[Session]) -> None:
    with session_factory.begin() as session:
        campaign = make_campaign(session, slug="prov")
        for n in range(4):
            add_journey(
                session,
                campaign=campaign,
                participant=f"p{n}",
                steps=[
                    StepSpec("I called them about the charge", "phone", 2, provenance=SAID),
                    StepSpec(
                        "They said they would email me and nobody did",
                        "email",
                        1,
                        pains=("no_follow_up",),
                        provenance=GUESSED,
                    ),
                ],
            )


def test_the_map_counts_its_facts_by_how_they_were_learnt(
    session_factory: sessionmaker[Session],
) -> None:
    _journeys(session_factory)
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="prov")
    assert journey_map.metrics is not None
    assert journey_map.metrics.facts_by_provenance == {"said": 8, "confirmed": 4, "inferred": 8}
    assert journey_map.facts_included == "all"
    assert "Step facts (20): 40% said, 20% confirmed, 40% inferred." in render_markdown(journey_map)


def test_inferred_facts_can_be_left_out(session_factory: sessionmaker[Session]) -> None:
    _journeys(session_factory)
    with session_factory() as session:
        journey_map = synthesize(
            session, campaign_slug="prov", selection=Selection(exclude_inferred=True)
        )
    assert journey_map.facts_included == "said_or_confirmed"
    assert journey_map.metrics is not None
    # The emailed step's channel and pain were inferred: only the call is a contact now.
    assert journey_map.metrics.facts_by_provenance == {"said": 8, "confirmed": 4}
    assert journey_map.metrics.contacts.per_journey.mean == 1
    assert journey_map.pain_points == [] or all(
        "no_follow_up" not in p.tags for p in journey_map.pain_points
    )
