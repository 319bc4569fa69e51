"""Issue 16: with a language model configured, steps are placed in the stage frame with its
advice, under the analyst's rules: redacted words, checked answers, the spending cap,
and the offline placement whenever a call fails."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.guide import load_guide
from bot.conversation.map_frame import MapFrame
from bot.service.campaigns import create_campaign
from fakes.openai_chat import FakeChatServer
from storage.llm_calls import CallRow
from storage.models import LlmCall
from synthesis.analyst import MAX_PLACED_STEPS, PLACEMENT_BATCH, Analyst, StagePlacements
from synthesis.frame_assignment import place_in_frame
from synthesis.model import JourneyMap
from synthesis.observations import StepObservation, load_observations
from tests.cli_support import use_temp_data_dir
from tests.synthesis_data import add_standard_interviews, make_campaign
from tests.test_llm_e2e import server

__all__ = ["server"]  # the fake model server fixture, used by name

FRAME = load_guide().map
assert FRAME is not None


def _frame() -> MapFrame:
    assert FRAME is not None
    return FRAME


def _observations(session_factory: sessionmaker[Session], count: int = 12) -> list[StepObservation]:
    with session_factory.begin() as session:
        add_standard_interviews(session, campaign=make_campaign(session), count=count)
    with session_factory() as session:
        return load_observations(session, campaign_slug="synth")


def _record(outcome: str = "ok", cost: float = 0.01) -> CallRow:
    return CallRow(
        purpose="place_steps",
        prompt_version="analyst@1.1",
        model="fake",
        outcome=outcome,
        tokens_in=10,
        tokens_out=10,
        latency_ms=1.0,
        cost_usd=cost,
    )


class ScriptedCall:
    """A structured call that places every step it is sent in one stage (or fails)."""

    def __init__(self, stage: str, *, fail: bool = False, cost: float = 0.01) -> None:
        self.stage, self.fail, self.cost = stage, fail, cost
        self.payloads: list[dict[str, Any]] = []

    def __call__(self, *, purpose: str, prompt_version: str, system: str, user: str, schema: Any):  # type: ignore[no-untyped-def]
        import json

        payload = json.loads(user)
        self.payloads.append(payload)
        if self.fail:
            return None, _record("error", 0.0)
        steps = [s["id"] for j in payload["journeys"] for s in j["steps"]]
        answer = StagePlacements.model_validate(
            {"placements": [{"step": sid, "stage": self.stage} for sid in steps]}
        )
        return answer, _record(cost=self.cost)


def _empty_map() -> JourneyMap:
    return JourneyMap(
        campaign="x", embedder="tfidf", seed=0, interview_count=0, step_count=0, interview_ids=[]
    )


def _analyst(call: ScriptedCall, *, max_usd: float = 1.0) -> Analyst:
    return Analyst(
        call, model_name="fake", redact=lambda text: text.replace("@", "[at]"), max_usd=max_usd
    )


def test_advice_decides_a_step_the_words_leave_open() -> None:
    frame = _frame()
    lone = StepObservation(
        interview_id="x",
        ordinal=1,
        doing="something happened",
        text="something happened",
        channel=None,
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
    offline = place_in_frame([lone], frame)
    target = next(s for s in frame.stages if frame.stages.index(s) != int(offline.labels[0]))
    advised = place_in_frame([lone], frame, {0: target.id})
    assert frame.stages[int(advised.labels[0])].id == target.id
    # An id the frame does not have changes nothing.
    assert (place_in_frame([lone], frame, {0: "nowhere"}).labels == offline.labels).all()


def test_whole_journeys_are_sent_redacted_in_batches(
    session_factory: sessionmaker[Session],
) -> None:
    observations = _observations(session_factory, count=30)
    call = ScriptedCall("wait")
    advice = _analyst(call).place_steps(observations, _frame())
    assert advice == dict.fromkeys(range(len(observations)), "wait")
    assert len(call.payloads) > 1
    for payload in call.payloads:
        steps = [s for j in payload["journeys"] for s in j["steps"]]
        assert len(steps) <= PLACEMENT_BATCH
        assert [s["id"] for s in payload["stages"]] == [s.id for s in _frame().stages]
        assert all("@" not in s["did"] for s in steps)
    # A journey is never split across calls: the model sees each one in order.
    seen = [[s["id"] for s in j["steps"]] for p in call.payloads for j in p["journeys"]]
    by_interview: dict[str, list[str]] = {}
    for row, o in enumerate(observations):
        by_interview.setdefault(o.interview_id, []).append(str(row))
    assert sorted(seen) == sorted(by_interview.values())


def test_a_failed_call_leaves_the_offline_placement(
    session_factory: sessionmaker[Session],
) -> None:
    observations = _observations(session_factory)
    analyst = _analyst(ScriptedCall("wait", fail=True))
    assert analyst.place_steps(observations, _frame()) == {}


def test_the_spending_cap_stops_placement_and_counts_for_the_naming_after(
    session_factory: sessionmaker[Session],
) -> None:
    observations = _observations(session_factory, count=45)
    call = ScriptedCall("wait", cost=0.6)
    analyst = _analyst(call, max_usd=1.0)
    advice = analyst.place_steps(observations, _frame())
    assert len(call.payloads) == 2  # the third batch would start over the cap
    assert 0 < len(advice) < len(observations) <= MAX_PLACED_STEPS
    # The naming after it finds the run's budget spent: it stays offline, and says so.
    named = analyst.analyse(_empty_map(), customer_texts={})
    assert named.journey_map.analysis is not None
    assert [c.outcome for c in named.calls][:3] == ["ok", "ok", "over_budget"]


def test_synthesize_with_a_model_places_steps_and_records_the_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FakeChatServer
) -> None:
    from typer.testing import CliRunner

    from journeyline.cli.main import app
    from journeyline.runtime import open_runtime
    from journeyline.settings import load_settings

    use_temp_data_dir(tmp_path, monkeypatch)
    monkeypatch.setenv("JOURNEYLINE_LLM_API_KEY", "test")
    monkeypatch.setenv("JOURNEYLINE_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("COLUMNS", "200")
    rt = open_runtime(load_settings())
    with rt.sessions.begin() as session:  # a campaign with the default guide's stage frame
        add_standard_interviews(session, campaign=create_campaign(session, slug="synth", name="S"))
    rt.close()
    runner = CliRunner()
    result = runner.invoke(app, ["synthesize", "--campaign", "synth", "--out", str(tmp_path / "m")])
    assert result.exit_code == 0, result.output
    rt = open_runtime(load_settings())
    with rt.sessions() as session:
        purposes = [r.purpose for r in session.scalars(select(LlmCall)).all()]
    rt.close()
    assert "place_steps" in purposes and "analyse_stages" in purposes
    offline = runner.invoke(
        app, ["synthesize", "--campaign", "synth", "--no-analyst", "--out", str(tmp_path / "o")]
    )
    assert offline.exit_code == 0, offline.output
