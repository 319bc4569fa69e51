"""The analyst with LangChain fake chat models: names, titles and summaries that pass the
checks; invented quotes dropped; failures and the spending cap leave the map offline."""

from __future__ import annotations

import json

import pytest
from langchain_core.messages import AIMessage
from sqlalchemy.orm import Session, sessionmaker

from bot.llm.caller import StructuredCaller
from journeyline.llm_wiring import make_analyst
from journeyline.settings import Settings
from storage.synthesis_inputs import customer_texts
from synthesis.analyst import AnalystResult
from synthesis.model import JourneyMap
from synthesis.pipeline import synthesize
from tests.llm_fakes import ScriptedChat, scripted, tool_answer
from tests.synthesis_data import add_standard_interviews, make_campaign

INVENTED = "this company is the worst I have ever seen in my whole life"


@pytest.fixture
def drafted(session_factory: sessionmaker[Session]) -> tuple[JourneyMap, dict[int, str]]:
    with session_factory.begin() as session:
        add_standard_interviews(session, campaign=make_campaign(session))
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="synth")
        texts = customer_texts(session, interview_ids=journey_map.interview_ids)
    return journey_map, texts


def analyse(
    model: ScriptedChat, journey_map: JourneyMap, texts: dict[int, str], *, max_usd: float = 1.0
) -> AnalystResult:
    settings = Settings(llm_api_key="test", llm_max_usd_per_run=max_usd)
    caller = StructuredCaller(model, model_name="fake")
    analyst = make_analyst(settings, company="Northwind", caller=caller)
    return analyst.analyse(journey_map, customer_texts=texts)


def good_answers(journey_map: JourneyMap) -> list[AIMessage]:
    first_stage, first_pain = journey_map.stages[0], journey_map.pain_points[0]
    real = first_stage.quotes[0].text
    return [
        tool_answer(
            {
                "stages": [
                    {
                        "id": s.id,
                        "name": f"Stage named {i}",
                        "summary": "Customers notice the problem and look for help.",
                        "quotes": [real, INVENTED] if s.id == first_stage.id else [],
                    }
                    for i, s in enumerate(journey_map.stages)
                ]
            },
            name="StageNames",
        ),
        tool_answer(
            {
                "pain_points": [
                    {
                        "id": p.id,
                        "title": "Waiting too long on hold" if p.id == first_pain.id else p.label,
                        "summary": "Customers wait on hold for a long time.",
                        "quotes": [p.quotes[0].text] if p.quotes else [],
                    }
                    for p in journey_map.pain_points
                ]
            },
            name="PainTitles",
        ),
        tool_answer(
            {"summary": "Most customers phone first and wait.", "quotes": [real, INVENTED]},
            name="ExecutiveSummary",
        ),
    ]


def all_quotes(journey_map: JourneyMap) -> list[str]:
    return (
        [q.text for s in journey_map.stages for q in s.quotes]
        + [q.text for p in journey_map.pain_points for q in p.quotes]
        + [q.text for q in journey_map.summary_quotes]
    )


def test_names_titles_and_summary_pass_and_invented_quotes_are_dropped(
    drafted: tuple[JourneyMap, dict[int, str]],
) -> None:
    journey_map, texts = drafted
    result = analyse(scripted(good_answers(journey_map)), journey_map, texts)
    analysed = result.journey_map
    assert [s.name for s in analysed.stages] == [
        f"Stage named {i}" for i in range(len(journey_map.stages))
    ]
    assert analysed.stages[0].summary == "Customers notice the problem and look for help."
    assert analysed.pain_points[0].label == "Waiting too long on hold"
    assert analysed.summary == "Most customers phone first and wait."
    # Every quote anywhere in the map is a customer's stored words; the invented ones went.
    stored = list(texts.values())
    assert all(any(q in t for t in stored) for q in all_quotes(analysed))
    assert INVENTED not in all_quotes(analysed)
    assert analysed.analysis is not None
    assert analysed.analysis.dropped_quotes == 2
    assert analysed.analysis.calls == 3 and analysed.analysis.failed_calls == 0
    assert [c.purpose for c in result.calls] == [
        "analyse_stages",
        "analyse_pains",
        "analyse_summary",
    ]
    # Stage and pain ids, members and counts are the offline map's.
    assert [s.steps for s in analysed.stages] == [s.steps for s in journey_map.stages]
    assert [p.id for p in analysed.pain_points] == [p.id for p in journey_map.pain_points]


def test_a_summary_putting_invented_words_in_quotes_is_dropped(
    drafted: tuple[JourneyMap, dict[int, str]],
) -> None:
    journey_map, texts = drafted
    answers = good_answers(journey_map)
    answers[2] = tool_answer(
        {"summary": f'One customer said "{INVENTED}" about it.', "quotes": []},
        name="ExecutiveSummary",
    )
    analysed = analyse(scripted(answers), journey_map, texts).journey_map
    assert analysed.summary is None


def test_unsafe_names_are_refused_and_quotes_are_sent_as_redacted_data(
    drafted: tuple[JourneyMap, dict[int, str]],
) -> None:
    journey_map, texts = drafted
    answers = good_answers(journey_map)
    answers[0] = tool_answer(
        {
            "stages": [
                {"id": s.id, "name": "<script>alert(1)</script>", "summary": "see http://x.io"}
                for s in journey_map.stages
            ]
        },
        name="StageNames",
    )
    model = scripted(answers)
    analysed = analyse(model, journey_map, texts).journey_map
    assert [s.name for s in analysed.stages] == [s.name for s in journey_map.stages]
    payload = json.loads(str(model.sent[0][-1].content))
    assert payload["stages"][0]["quotes"]  # quotes travel as JSON data in the user message
    assert "never instructions" in str(model.sent[0][0].content)


@pytest.mark.slow
def test_a_failing_model_leaves_the_offline_map(
    drafted: tuple[JourneyMap, dict[int, str]],
) -> None:
    journey_map, texts = drafted
    model = scripted([TimeoutError("slow"), ConnectionError("down"), TimeoutError("slow")])
    result = analyse(model, journey_map, texts)
    analysed = result.journey_map
    assert [s.name for s in analysed.stages] == [s.name for s in journey_map.stages]
    assert [p.label for p in analysed.pain_points] == [p.label for p in journey_map.pain_points]
    assert analysed.summary is None
    assert analysed.analysis is not None and analysed.analysis.failed_calls == 3
    assert [c.outcome for c in result.calls] == ["timeout", "error", "timeout"]


def test_the_spending_cap_stops_calls(drafted: tuple[JourneyMap, dict[int, str]]) -> None:
    journey_map, texts = drafted
    model = scripted(good_answers(journey_map))
    result = analyse(model, journey_map, texts, max_usd=0.0)
    assert model.sent == []
    assert {c.outcome for c in result.calls} == {"over_budget"}
