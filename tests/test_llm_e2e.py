"""Whole interviews through the real ``openai`` client against a local OpenAI-compatible
server, on SQLite and PostgreSQL: the model listens, and every failure (timeout, 429,
500, malformed or invalid output) falls back to the offline turn with nothing lost."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import InterviewStatus, Slot
from bot.llm import model_listener
from bot.llm.calls import Outcome
from bot.llm.chat_model import ModelConfig, chat_model
from bot.llm.interviewer import Interviewer
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.service.results import TurnResult
from bot.service.turns import ERROR_REPLY
from fakes.openai_chat import PROBE, FakeChatServer, fake_chat_server
from storage import llm_calls as llm_storage
from storage import queries
from storage.models import Interview, LlmCall, Message
from tests.cli_support import seed_standard_interviews, use_temp_data_dir

CAMPAIGN = "llm-campaign"
ENGLISH_STEPS = [
    "called them, sat on hold 40 minutes, furious",
    "then they emailed me a refund form",
    "I tried their chat, the bot kept looping",
    "a manager finally fixed it on the phone",
]
FRENCH_STEPS = ["J'ai appelé le service client, j'étais très en colère", "c'était tout"]
ENGLISH = {
    Slot.PROBLEM: "My broadband was charged twice, call me on +44 7700 900123",
    Slot.THINKING: "why is this so hard, email me at ana@example.com",
    Slot.DURATION: "about 40 minutes",
    Slot.PEOPLE_TOOLS: "an agent and my bill",
    Slot.PAIN: "the wait",
    Slot.MOMENT_OF_TRUTH: "when the agent promised a callback",
    Slot.IMPROVEMENT: "a callback",
}
FRENCH = {
    Slot.PROBLEM: "J'ai été facturé deux fois pour mon forfait",
    Slot.THINKING: "je me suis dit que c'était pas normal",
    Slot.DURATION: "une heure",
    Slot.PEOPLE_TOOLS: "un conseiller",
    Slot.PAIN: "je devais tout répéter",
    Slot.MOMENT_OF_TRUTH: "quand le conseiller a dit non",
    Slot.IMPROVEMENT: "un rappel",
}


@pytest.fixture
def server() -> Iterator[FakeChatServer]:
    with fake_chat_server(slow_seconds=1.5) as fake:
        yield fake


def listening_service(
    session_factory: sessionmaker[Session], server: FakeChatServer, *, max_usd: float = 1.0
) -> InterviewService:
    with session_factory.begin() as session:
        if queries.get_campaign_by_slug(session, CAMPAIGN) is None:
            create_campaign(session, slug=CAMPAIGN, name="LLM", company="Northwind")
    model = chat_model(
        ModelConfig(model="gpt-test", api_key="test", base_url=server.base_url, timeout_seconds=1.0)
    )
    return model_listener.listening_service(
        session_factory,
        interviewer=Interviewer(model, model_name="gpt-test"),
        max_usd_per_interview=max_usd,
    )


def run_interview(
    service: InterviewService, answers: dict[Slot, str], steps: list[str], *, max_turns: int = 120
) -> tuple[str, list[TurnResult]]:
    """Tell ``steps`` (then click "that was the last step"), answer other questions with
    ``answers`` or their first button, and a follow-up question with a fuller answer."""
    result = service.start_interview(campaign_slug=CAMPAIGN, channel="test")
    interview_id, turns, told = result.interview_id, [], 0
    for n in range(max_turns):
        if result.status == InterviewStatus.COMPLETED:
            break
        question = result.replies[-1]
        slot = question.slot
        values = [c.value for c in question.choices]
        text: str | None = None
        choice: str | None = None
        if question.text == PROBE:  # the model's follow-up question
            text = "I used the chat on their website for ages"
        elif slot in (Slot.STEP, Slot.NEXT_STEP) and told < len(steps):
            text, told = steps[told], told + 1
        elif slot == Slot.NEXT_STEP:
            choice = "last"
        elif slot in answers:
            text = answers[Slot(slot)]
        elif values:
            choice = "2" if "2" in values else values[0]
        else:
            text = "nothing else"
        result = service.handle_message(
            interview_id=interview_id, text=text or "", choice=choice, channel_message_id=f"m{n}"
        )
        turns.append(result)
        assert result.replies, "every turn is answered"
        assert all(r.text != ERROR_REPLY for r in result.replies)
    assert result.status == InterviewStatus.COMPLETED, [r.replies[-1].text for r in turns[-3:]]
    return interview_id, turns


def inbound_count(session_factory: sessionmaker[Session], interview_id: str) -> int:
    with session_factory() as session:
        interview = session.scalars(
            select(Interview).where(Interview.public_id == interview_id)
        ).one()
        return (
            session.scalar(
                select(func.count())
                .select_from(Message)
                .where(Message.interview_id == interview.id, Message.direction == "in")
            )
            or 0
        )


def calls_of(session_factory: sessionmaker[Session], interview_id: str) -> list[str]:
    with session_factory() as session:
        interview = queries.get_interview(session, interview_id)
        assert interview is not None
        return [c.outcome for c in llm_storage.interview_calls(session, interview_id=interview.id)]


def test_whole_interview_through_the_openai_client(
    session_factory: sessionmaker[Session], server: FakeChatServer
) -> None:
    service = listening_service(session_factory, server)
    interview_id, turns = run_interview(service, ENGLISH, ENGLISH_STEPS)
    assert inbound_count(session_factory, interview_id) == len(turns)
    outcomes = calls_of(session_factory, interview_id)
    assert outcomes and set(outcomes) == {Outcome.OK}
    assert len(outcomes) == len(server.requests)
    sent = " ".join(str(r["messages"]) for r in server.requests)
    assert "7700 900123" not in sent and "ana@example.com" not in sent
    assert "[phone]" in sent and "[email]" in sent
    # The model's acknowledgement reached the customer; the stored transcript keeps
    # what the customer wrote, unredacted.
    assert any(r.text == "Thanks, that helps me picture it." for t in turns for r in t.replies)
    with session_factory() as session:
        interview = queries.get_interview(session, interview_id)
        assert interview is not None
        texts = [m.text for m in queries.transcript(session, interview.id)]
    assert ENGLISH[Slot.PROBLEM] in texts


def test_failures_fall_back_offline_and_are_recorded(
    session_factory: sessionmaker[Session], server: FakeChatServer
) -> None:
    server.script = ["timeout", 429, 500, "malformed", "garbage", "invalid"]
    service = listening_service(session_factory, server)
    interview_id, turns = run_interview(service, ENGLISH, ENGLISH_STEPS)
    assert inbound_count(session_factory, interview_id) == len(turns)
    outcomes = calls_of(session_factory, interview_id)
    assert outcomes[:6] == [
        Outcome.TIMEOUT,
        Outcome.RATE_LIMITED,
        Outcome.HTTP_ERROR,
        Outcome.INVALID_OUTPUT,  # tool arguments that are not JSON
        Outcome.INVALID_OUTPUT,  # a body that is not JSON at all
        Outcome.INVALID_OUTPUT,  # JSON outside the schema
    ]
    assert set(outcomes[6:]) == {Outcome.OK}


def test_redelivery_makes_no_second_call(
    session_factory: sessionmaker[Session], server: FakeChatServer
) -> None:
    service = listening_service(session_factory, server)
    started = service.start_interview(campaign_slug=CAMPAIGN, channel="test")
    iid = started.interview_id
    service.handle_message(interview_id=iid, choice="yes", channel_message_id="c1")
    first = service.handle_message(interview_id=iid, text="charged twice", channel_message_id="p1")
    again = service.handle_message(interview_id=iid, text="charged twice", channel_message_id="p1")
    assert again.duplicate and again.replies == first.replies
    assert len(server.requests) == 1
    assert inbound_count(session_factory, iid) == 2


def test_an_interview_in_french_is_answered_in_french(
    session_factory: sessionmaker[Session], server: FakeChatServer
) -> None:
    service = listening_service(session_factory, server)
    interview_id, turns = run_interview(service, FRENCH, FRENCH_STEPS)
    after_first_french = turns[2:]  # consent click, then the first French answer
    assert all(r.text.startswith("(fr) ") for t in after_first_french for r in t.replies)
    assert all(
        c.label.startswith("(fr) ")
        for t in after_first_french
        for r in t.replies
        for c in r.choices
    )
    with session_factory() as session:
        interview = queries.get_interview(session, interview_id)
        assert interview is not None
        stored = [m.text for m in queries.transcript(session, interview.id) if m.direction == "out"]
    assert stored[-1].startswith("(fr) ")  # the transcript shows what the customer was sent


def test_spending_cap_sends_the_rest_of_the_interview_offline(
    session_factory: sessionmaker[Session], server: FakeChatServer
) -> None:
    # One call (about 900 tokens, ~$0.00015) is over the cap.
    service = listening_service(session_factory, server, max_usd=0.0001)
    interview_id, turns = run_interview(service, ENGLISH, ENGLISH_STEPS)
    outcomes = calls_of(session_factory, interview_id)
    assert outcomes[0] == Outcome.OK
    assert set(outcomes[1:]) == {Outcome.OVER_BUDGET}
    assert len(server.requests) == 1
    assert inbound_count(session_factory, interview_id) == len(turns)


def test_the_runtime_listens_only_when_a_key_is_configured(tmp_path: Path) -> None:
    from journeyline.runtime import open_runtime
    from journeyline.settings import Settings

    offline = open_runtime(Settings(data_dir=tmp_path))
    assert not offline.service.listens
    offline.close()
    online = open_runtime(
        Settings(data_dir=tmp_path, llm_api_key="k", llm_base_url="http://127.0.0.1:9/v1")
    )
    assert online.service.listens
    online.close()


def test_llm_usage_command_reports_calls_and_spend(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FakeChatServer
) -> None:
    from typer.testing import CliRunner

    from journeyline.cli.main import app
    from journeyline.runtime import open_runtime
    from journeyline.settings import load_settings

    use_temp_data_dir(tmp_path, monkeypatch)
    runner = CliRunner()
    off = runner.invoke(app, ["llm", "usage"])
    assert off.exit_code == 0 and "The language model is off" in off.output
    monkeypatch.setenv("JOURNEYLINE_LLM_API_KEY", "test")
    monkeypatch.setenv("JOURNEYLINE_LLM_BASE_URL", server.base_url)
    server.script = [500]
    rt = open_runtime(load_settings())
    with rt.sessions.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name="LLM", company="Northwind")
    assert rt.service.listens
    run_interview(rt.service, ENGLISH, ENGLISH_STEPS)
    rt.close()
    result = runner.invoke(app, ["llm", "usage"])
    assert result.exit_code == 0, result.output
    assert "listen" in result.output and "http_error" in result.output
    assert "1 fell back offline" in result.output


def test_synthesize_with_the_analyst_names_the_map_and_records_its_calls(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, server: FakeChatServer
) -> None:
    import json

    from typer.testing import CliRunner

    from fakes.openai_chat import INVENTED_QUOTE
    from journeyline.cli.main import app
    from journeyline.runtime import open_runtime
    from journeyline.settings import load_settings

    use_temp_data_dir(tmp_path, monkeypatch)
    monkeypatch.setenv("JOURNEYLINE_LLM_API_KEY", "test")
    monkeypatch.setenv("JOURNEYLINE_LLM_BASE_URL", server.base_url)
    monkeypatch.setenv("COLUMNS", "200")
    seed_standard_interviews()
    runner = CliRunner()
    out = tmp_path / "map"
    args = ["synthesize", "--campaign", "synth", "--out", str(out), "--stages", "3"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "named by gpt-4o-mini (3 calls, 0 failed" in result.output
    written = json.loads((out / "map.json").read_text(encoding="utf-8"))
    assert all(s["name"].startswith("Stage about ") for s in written["stages"])
    assert all(p["label"].startswith("Trouble with ") for p in written["pain_points"])
    assert written["summary"].startswith("Most customers")
    assert written["analysis"]["dropped_quotes"] == len(written["stages"])
    assert INVENTED_QUOTE not in (out / "map.html").read_text(encoding="utf-8")
    usage = runner.invoke(app, ["llm", "usage"])
    assert "analyse_stages" in usage.output and "analyse_summary" in usage.output
    rt = open_runtime(load_settings())
    with rt.sessions() as session:
        rows = session.scalars(select(LlmCall).where(LlmCall.run_id == "1")).all()
        assert sorted(r.purpose for r in rows) == [
            "analyse_pains",
            "analyse_stages",
            "analyse_summary",
        ]
    rt.close()
    offline = runner.invoke(app, [*args, "--no-analyst", "--out", str(tmp_path / "plain")])
    assert offline.exit_code == 0 and "named by" not in offline.output
