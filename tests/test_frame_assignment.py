"""Steps placed in the guide's stage frame: by words, facts and journey order, with loops,
deterministically; and the frame itself as guide data (extends, removal, validation)."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from bot.conversation.guide import GuideError, load_guide, load_guide_text, resolved_guide_yaml
from bot.conversation.map_frame import MapFrame
from synthesis.frame_assignment import cue_hits, place_in_frame
from synthesis.observations import StepObservation
from synthesis.text_cleaning import clean_for_matching

FRAME = load_guide().map
assert FRAME is not None


def journey(
    interview: str,
    *steps: str,
    channels: tuple[str | None, ...] = (),
    pains: tuple[tuple[str, ...], ...] = (),
) -> list[StepObservation]:
    last = len(steps) - 1
    return [
        StepObservation(
            interview_id=interview,
            ordinal=i + 1,
            doing=text,
            text=text,
            channel=channels[i] if i < len(channels) else None,
            feeling=None,
            duration_minutes=None,
            pains=pains[i] if i < len(pains) else (),
            pain_text=None,
            people=(),
            tools=(),
            position=0.5 if last == 0 else i / last,
            moment_of_truth=False,
            moment_of_truth_text=None,
            resolved=None,
            effort=None,
        )
        for i, text in enumerate(steps)
    ]


def placed(observations: list[StepObservation]) -> list[str]:
    assert FRAME is not None
    ids = [stage.id for stage in FRAME.stages]
    return [ids[i] for i in place_in_frame(observations, FRAME).labels.tolist()]


def test_a_plain_journey_goes_through_the_frame_in_order() -> None:
    steps = journey(
        "j1",
        "My broadband stopped working on Sunday night.",
        "I restarted the router and read their help pages.",
        "I rang the helpline.",
        "I was on hold for 50 minutes.",
        "The agent asked for my account details and ran a line test.",
        "She transferred me to the technical team.",
        "An engineer came out and replaced the faulty socket.",
        "I left them a two-star review.",
    )
    assert placed(steps) == [
        "notice",
        "self_serve",
        "reach_out",
        "wait",
        "explain",
        "handoff",
        "resolve",
        "after",
    ]


def test_a_journey_may_loop_back_to_a_stage_that_repeats() -> None:
    steps = journey(
        "j2",
        "I saw a charge I didn't recognise on my statement.",
        "I called their customer service number.",
        "I waited on hold for twenty minutes.",
        "I explained the charge to the agent and she looked into my account.",
        "She said someone would get back to me within 48 hours, and I waited a week.",
        "Then they refunded the charge.",
    )
    assert placed(steps) == ["notice", "reach_out", "wait", "explain", "wait", "resolve"]


def test_facts_decide_when_words_do_not() -> None:
    # "Then the same thing" says nothing ("again" would say chasing: a follow-up cue); its
    # stored pain says it was passed on.
    words = ("I noticed the parcel never arrived.", "I phoned them.", "Then the same thing.")
    plain = journey("j3", *words)
    tagged = journey("j3", *words, pains=((), (), ("transferred",)))
    assert placed(tagged)[2] == "handoff"
    assert placed(plain)[2] != "handoff"


def test_a_good_feeling_tips_a_close_call_towards_the_fix() -> None:
    # "Sorted through it" reads as explaining or as the fix; a 5 says it was the fix.
    steps = journey(
        "j7",
        "I noticed a double charge.",
        "I rang them.",
        "The agent sorted through it with me.",
        "I left a review.",
    )
    felt = [dataclasses.replace(o, feeling=f) for o, f in zip(steps, (2, 2, 5, 4), strict=True)]
    low = [dataclasses.replace(o, feeling=f) for o, f in zip(steps, (2, 2, 2, 4), strict=True)]
    assert placed(felt)[2] == "resolve"
    assert placed(low)[2] == "explain"


def test_a_step_that_took_days_is_read_as_waiting() -> None:
    steps = journey(
        "j8",
        "My boiler broke.",
        "I rang them.",
        "I sent the forms and they processed them.",
        "It worked again.",
    )
    quick = [dataclasses.replace(o, duration_minutes=20) for o in steps]
    days = [dataclasses.replace(o, duration_minutes=4320 if o.ordinal == 3 else 20) for o in steps]
    assert placed(quick)[2] == "explain"
    assert placed(days)[2] == "wait"


def test_position_breaks_ties_between_journeys_worded_alike() -> None:
    first = journey("j4", "I checked my account.", "Called them.", "They fixed it.")
    placements = placed(first)
    assert placements[0] in {"notice", "self_serve"}
    assert placements[-1] == "resolve"


def test_placement_is_deterministic_and_independent_of_other_journeys_order() -> None:
    a = journey("a", "I noticed the bill was wrong.", "I called them.", "They refunded me.")
    b = journey("b", "The app crashed.", "I searched the FAQ.", "I gave up and switched bank.")
    assert placed(a + b) == placed(a + b)
    assert placed(b + a) == placed(b) + placed(a)


def test_steps_with_no_word_evidence_are_low_fit() -> None:
    assert FRAME is not None
    steps = journey(
        "j5", "I noticed the bill was wrong.", "Purple elephants danced.", "They refunded me."
    )
    result = place_in_frame(steps, FRAME)
    assert result.low_fit().tolist() == [False, True, False]


def test_cues_match_whole_words_and_stars_match_endings() -> None:
    assert cue_hits("They transferred me", ["transfer*"]) == 1
    assert cue_hits("the household bill", ["hold", "on hold"]) == 0
    assert cue_hits("I was on  hold", ["on hold"]) == 1
    assert cue_hits("read the help pages", ["Help page*"]) == 1
    assert cue_hits("read the help page", ["help pages"]) == 0
    assert cue_hits("hold, hold and hold again", ["hold", "again", "waited"]) == 2


def test_cleaning_drops_handles_links_references_and_signatures_not_words() -> None:
    text = "@AcmeHelp my order #A12345 never arrived 😡 https://x.co/abc\n-- Sam"
    assert clean_for_matching(text) == "my order never arrived"
    assert clean_for_matching("Sent it to help@acme.com. Sent from my iPhone") == "sent it to ."
    assert clean_for_matching("Order A123456: call 0800 123 4567") == "order : call"
    assert clean_for_matching("Form 1099-C was wrong") == "form 1099-c was wrong"


# --- the frame as guide data ----------------------------------------------------------


def test_the_default_guide_frame_is_in_journey_order() -> None:
    assert FRAME is not None
    ids = [stage.id for stage in FRAME.stages]
    assert ids[0] == "notice" and ids[-1] == "after"
    positions = [stage.position for stage in FRAME.stages]
    assert positions == sorted(positions)


def test_a_campaign_guide_renames_one_stage_adds_one_and_drops_one(tmp_path: Path) -> None:
    custom = tmp_path / "guide.yaml"
    custom.write_text(
        "extends: support_journey\n"
        "map:\n"
        "  stages:\n"
        "    wait:\n"
        "      name: En attente\n"
        "    after: null\n"
        "    store_visit:\n"
        "      name: Visiting a store\n"
        "      description: The customer goes to a shop.\n"
        "      position: 0.32\n"
        "      cues: [store, shop]\n",
        encoding="utf-8",
    )
    guide = load_guide(custom)
    assert guide.map is not None
    by_id = {stage.id: stage for stage in guide.map.stages}
    assert by_id["wait"].name == "En attente"
    assert by_id["wait"].cues == FRAME.stage("wait").cues  # type: ignore[union-attr]
    assert "after" not in by_id
    ids = [stage.id for stage in guide.map.stages]
    assert ids.index("store_visit") == ids.index("reach_out") + 1
    # Stored with the campaign and read back the same.
    assert load_guide_text(resolved_guide_yaml(guide)).map == guide.map


@pytest.mark.parametrize(
    ("stages", "problem"),
    [
        ("    notice: {name: N, description: D, position: 2}\n", "position"),
        ("    Bad-Id: {name: N, description: D, position: 0}\n", "lower_snake_case"),
        ("    notice: {name: N, description: D, position: 0, channels: [fax]}\n", "fax"),
        ("    notice: {name: N, description: D, position: 0, feelings: [6]}\n", "feelings"),
        (
            "    notice: {name: N, description: D, position: 0, min_duration_minutes: 0}\n",
            "min_duration_minutes",
        ),
    ],
)
def test_a_bad_frame_names_the_field(tmp_path: Path, stages: str, problem: str) -> None:
    custom = tmp_path / "guide.yaml"
    custom.write_text(f"extends: support_journey\nmap:\n  stages:\n{stages}", encoding="utf-8")
    with pytest.raises(GuideError, match=problem):
        load_guide(custom)


def test_a_frame_needs_two_stages() -> None:
    with pytest.raises(ValueError, match="at least 2"):
        MapFrame.model_validate(
            {"stages": {"only": {"name": "Only", "description": "d", "position": 0}}}
        )


def test_removing_the_facts_keeps_the_order_of_a_worded_journey() -> None:
    steps = journey(
        "j6",
        "I noticed a double charge.",
        "I emailed support.",
        "No reply for two weeks.",
        "They refunded it.",
        channels=("none", "email", "none", "email"),
    )
    bare = [dataclasses.replace(o, channel=None) for o in steps]
    assert placed(steps) == placed(bare) == ["notice", "reach_out", "wait", "resolve"]
