"""`bench.interview_accuracy`: the driver takes tiny hand-written interviews through the web
API and lines stored steps up with labelled ones; the scoring counts what it should."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bench import interview_accuracy
from bench.interview_api import InterviewApi, StoredInterview, StoredStep, interview_api
from bench.interview_driver import (
    DrivenInterview,
    Ending,
    Question,
    Sent,
    drive_interview,
    joined_answers,
)
from bench.interview_scoring import Scores, duration_right, score_interview
from bench.scripted_interviews import ScriptedInterview, StepLabels
from bot.conversation.vocabulary import Slot


def _step(step: str, labels: dict[str, Any], **answers: str) -> dict[str, Any]:
    defaults = {
        "step": step,
        "channel": "Phone",
        "feeling": "2",
        "thinking": "I just wanted it sorted.",
        "duration": "about 30 minutes",
        "people_tools": "an agent",
        "pain": "nothing really",
    }
    full_labels = {"pains": [], "people": [], "tools": [], "stage": "reach_out", **labels}
    return {"answers": {**defaults, **answers}, "labels": full_labels}


def _interview(
    steps: list[dict[str, Any]], *, ending: str, moment: int | None = 1
) -> ScriptedInterview:
    return ScriptedInterview.model_validate(
        {
            "id": "tiny",
            "domain": "telecom",
            "style": "plain",
            "company": "Acme Broadband",
            "problem": "My internet kept dropping every evening.",
            "steps": steps,
            "ending": ending,
            "moment_of_truth": {"answer": f"Step {moment}", "step": moment},
            "resolved": {"answer": "Yes", "label": "yes"},
            "effort": {"answer": "4", "label": 4},
            "improvement": "Shorter hold times.",
            "anything_else": "No, that's all.",
        }
    )


PHONE = {"channel": "phone", "feeling": 2, "duration_minutes": 30}
TWO_STEPS = [
    _step("I called their support line on the phone.", PHONE),
    _step(
        "Then I sent them an email with the details.",
        {"channel": "email", "feeling": 3, "duration_minutes": 10},
        channel="Email",
        feeling="3",
        duration="10 minutes",
    ),
]


@pytest.fixture(scope="module")
def api() -> Iterator[InterviewApi]:
    with interview_api() as opened:
        yield opened


def _drive(api: InterviewApi, scripted: ScriptedInterview, ending: Ending) -> DrivenInterview:
    campaign = api.campaign_for(scripted.company)
    return drive_interview(api.client, scripted, ending, campaign=campaign)


def test_clicking_the_ending_stores_the_labelled_steps_in_line(api: InterviewApi) -> None:
    scripted = _interview(TWO_STEPS, ending="That was the last step.")
    driven = _drive(api, scripted, "click")
    assert driven.status == "completed"
    assert driven.slots_asked[:3] == ["consent", "problem", "step"]
    assert driven.slots_asked[-1] == "anything_else"
    # Steps 1 and 2 came from labelled steps 0 and 1; the click came at "step 3".
    assert driven.told == {1: 0, 2: 1, 3: None}
    assert driven.messages_sent == len(driven.questions) >= driven.distinct_questions
    clicked = [m for m in driven.sent if m.question.slot == Slot.NEXT_STEP and m.choice]
    # The end button that says how it ended: the script's "resolved" label, in one tap.
    assert [m.choice for m in clicked] == [f"last:{scripted.resolved.label}"]
    assert "resolved" not in driven.slots_asked
    stored = api.stored(driven.interview_id)
    assert stored.resolved == scripted.resolved.label
    assert [s.ordinal for s in stored.steps] == [1, 2]
    scores = Scores()
    score_interview(scores, scripted, driven, stored)
    assert scores.exact_step_count.hits == 1
    assert scores.facts["channel"].stored.hits == 2
    assert scores.moment_of_truth.hits == 1


def test_a_typed_ending_that_becomes_steps_is_counted_apart(api: InterviewApi) -> None:
    ending = "Then I drove to their shop in town and bought a new router myself."
    scripted = _interview(TWO_STEPS[:1], ending=ending)
    driven = _drive(api, scripted, "typed")
    stored = api.stored(driven.interview_id)
    assert len(stored.steps) > 1  # the ending's words were taken for more steps
    assert driven.label_of(1) == 0
    assert all(driven.label_of(s.ordinal) is None for s in stored.steps[1:])
    scores = Scores()
    score_interview(scores, scripted, driven, stored)
    assert scores.exact_step_count.hits == 0
    assert scores.steps_from_no_label == len(stored.steps) - 1
    assert scores.labelled_steps == 1 and scores.steps_not_stored == 0
    assert scores.facts["channel"].stored.total == 1  # extra steps have nothing to score


def _asked(*questions: tuple[str, int | None]) -> list[Sent]:
    return [Sent(Question(slot=slot, step=step, text="?"), "answer") for slot, step in questions]


def _stored_step(ordinal: int, **facts: Any) -> StoredStep:
    values: dict[str, Any] = {
        "doing": f"step {ordinal}",
        "channel": None,
        "channel_text": None,
        "feeling": None,
        "duration_minutes": None,
        "duration_text": None,
        "pains": (),
        "pain_text": None,
        **facts,
    }
    return StoredStep(ordinal=ordinal, **values)


def test_scoring_counts_first_answers_asked_guessed_pains_and_lost_steps() -> None:
    scripted = _interview(
        [
            _step("one", {**PHONE, "duration_minutes": 60, "pains": ["long_wait", "transferred"]}),
            _step("two", {"channel": "email", "feeling": None, "duration_minutes": 10}),
            _step(
                "three",
                {
                    "channel": "live_chat",
                    "feeling": 5,
                    "duration_minutes": 100,
                    "pains": ["unresolved"],
                },
            ),
        ],
        ending="That was it.",
        moment=2,
    )
    # Step 1: channel guessed; step 2: channel asked twice, duration guessed; the bot
    # closed the steps when the customer told the third labelled step.
    sent = _asked(
        ("consent", None),
        ("problem", None),
        ("step", 1),
        ("feeling", 1),
        ("duration", 1),
        ("next_step", 2),
        ("channel", 2),
        ("channel", 2),
        ("feeling", 2),
        ("next_step", 3),
    )
    driven = DrivenInterview("id", "tiny", "click", "completed", sent, {1: 0, 2: 1, 3: 2})
    stored = StoredInterview(
        interview_id="id",
        status="completed",
        steps=(
            _stored_step(
                1, channel="phone", feeling=1, duration_minutes=74, pains=("long_wait", "bot_loop")
            ),
            _stored_step(2, channel="email", feeling=3, duration_minutes=15, pains=("unresolved",)),
        ),
        moment_of_truth="the second one",
        moment_of_truth_step=2,
        resolved="partly",
    )
    scores = Scores()
    score_interview(scores, scripted, driven, stored)

    def rates(fact: str) -> list[tuple[int, int]]:
        f = scores.facts[fact]
        return [(r.hits, r.total) for r in (f.stored, f.first_answer, f.asked, f.guessed)]

    assert rates("channel") == [(2, 3), (1, 3), (1, 1), (1, 1)]
    assert rates("feeling") == [(1, 3), (1, 3), (1, 2), (0, 0)]  # null label, 3 stored: wrong
    assert rates("duration") == [(2, 3), (2, 3), (1, 1), (1, 1)]  # 74 for 60, 15 for 10
    pains = scores.pains
    assert (pains.true_positives, pains.false_positives, pains.false_negatives) == (1, 1, 2)
    assert pains.unlabelled_keys == 1  # bot_loop: not in the labels' keys, not scored
    assert pains.f1 == pytest.approx(0.4)
    assert (scores.moment_of_truth.hits, scores.exact_step_count.hits) == (1, 0)
    assert (scores.resolved.hits, scores.resolved.total) == (0, 1)  # "partly" for "yes"
    assert (scores.steps_not_stored, scores.steps_from_no_label) == (1, 0)
    assert (scores.asked_twice, scores.messages, scores.questions) == (1, [10], [9])
    assert not scores.provenance_stored
    assert {m.kind for m in scores.misses} == {
        "channel",
        "feeling",
        "pains",
        "step count",
        "step not stored",
        "resolved",
    }


@pytest.mark.parametrize(
    ("label", "stored", "right"),
    [
        (60, 75, True),
        (60, 76, False),
        (10, 15, True),
        (10, 16, False),
        (None, None, True),
        (None, 5, False),
        (30, None, False),
    ],
)
def test_duration_is_right_within_a_quarter_or_five_minutes(
    label: int | None, stored: int | None, right: bool
) -> None:
    labels = StepLabels(
        channel="phone",
        feeling=None,
        duration_minutes=label,
        pains=[],
        people=[],
        tools=[],
        stage="wait",
    )
    step = _step("x", labels.model_dump())
    scripted = _interview([step], ending="That was it.")
    assert duration_right(_stored_step(1, duration_minutes=stored), scripted.steps[0]) is right


def test_the_command_prints_one_table(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "tiny.jsonl"
    path.write_text(_interview(TWO_STEPS, ending="That was it.").model_dump_json() + "\n")
    assert interview_accuracy.main([str(path), "--show-errors", "2"]) == 0
    out = capsys.readouterr().out
    assert "interviews: 1, labelled steps: 2" in out
    assert "ending: click" in out and "ending: typed" in out and "ending: both" in out
    assert "provenance of 20 stored facts" in out and "said" in out
    row = next(line for line in out.splitlines() if line.startswith("exact step count"))
    assert row.split()[3:] == ["100.0%", "1/1", "100.0%", "1/1", "100.0%", "2/2"]


def test_a_message_asking_two_questions_is_answered_with_both_in_one_message() -> None:
    assert joined_answers(["Phone", "about 20 minutes"]) == "Phone, about 20 minutes"
    assert joined_answers(["Rang them.", "Ages!"]) == "Rang them. Ages!"
    assert joined_answers(["", "2 days"]) == "2 days"
    paired = Question(slot="channel", step=1, text="?", also="duration")
    assert paired.slots == ("channel", "duration")
    assert Question(slot="feeling", step=1, text="?").slots == ("feeling",)
