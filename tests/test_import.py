"""`bot.importer`: JSON-lines interviews, both record shapes (SQLite, PostgreSQL)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import Slot
from bot.importer import ImportReport, import_lines
from bot.importer.transcript_turns import slot_for
from bot.service.campaigns import create_campaign
from storage import queries
from storage.models import ImportedInterview, Interview, Message, Participant, StepRecord
from synthesis.pipeline import synthesize

STRUCTURED: dict[str, Any] = {
    "external_id": "zd-1",
    "participant": {"id": "cust-1", "name": "Ana", "email": "ana@example.com"},
    "attributes": {"plan": "business", "seats": 40},
    "started_at": "2026-11-03T14:05:00Z",
    "problem": "I was charged twice",
    "steps": [
        {
            "doing": "Noticed a double charge on my statement",
            "channel": "none",
            "feeling": 2,
            "tools": ["bank app"],
        },
        {
            "doing": "Rang the helpline and waited on hold",
            "channel": "rang them",
            "feeling": "furious",
            "duration": "about 40 minutes",
            "people": ["agent"],
            "pains": ["long_wait"],
            "pain_text": "forty minutes of hold music",
            "moment_of_truth": True,
        },
        {"doing": "Got the refund by email", "channel": "email", "feeling": 4},
    ],
    "moment_of_truth": "when the agent finally picked up",
    "resolved": "yes",
    "effort": 5,
}

TURNS: dict[str, Any] = {
    "external_id": "call-7",
    "attributes": {"plan": "consumer"},
    "turns": [
        {"question": "What did you need help with?", "answer": "my broadband kept dropping"},
        {"question": "What was the first thing you did?", "answer": "checked the status page"},
        {"question": "How did you feel?", "answer": "2"},
        {
            "question": "What happened next?",
            "answer": "called them, sat on hold 40 min, furious",
        },
        {"question": "Who was involved?", "answer": "a technician and the router"},
        {"question": "What got in the way?", "answer": "they transferred me twice"},
        {"question": "And then?", "answer": "an engineer came the next day and fixed it"},
        {"question": "What was the make-or-break moment?", "answer": "when the engineer came"},
        {"question": "Was it resolved in the end?", "answer": "yes, finally"},
        {"question": "Overall, how easy was it?", "answer": "no idea really"},
    ],
}


def _campaign(sessions: sessionmaker[Session], slug: str = "ext") -> None:
    with sessions.begin() as session:
        create_campaign(session, slug=slug, name="External")


def _import(sessions: sessionmaker[Session], records: list[Any], **kwargs: Any) -> ImportReport:
    lines = [r if isinstance(r, str) else json.dumps(r) for r in records]
    return import_lines(sessions, lines, campaign_slug=kwargs.pop("campaign", "ext"), **kwargs)


def _count(sessions: sessionmaker[Session], model: Any) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _steps(sessions: sessionmaker[Session], public_id: str) -> list[StepRecord]:
    with sessions() as session:
        interview = queries.get_interview(session, public_id)
        assert interview is not None
        return list(interview.steps)


def test_structured_record_is_stored_with_its_messages(
    session_factory: sessionmaker[Session],
) -> None:
    _campaign(session_factory)
    report = _import(session_factory, [STRUCTURED], source="zendesk.jsonl")
    assert report.problems == [] and len(report.imported) == 1
    with session_factory() as session:
        interview = queries.get_interview(session, report.imported[0])
        assert interview is not None
        assert interview.status == "completed" and interview.channel == "import"
        assert interview.consent is True and interview.problem == "I was charged twice"
        assert (interview.resolved, interview.effort, interview.moment_of_truth_step) == (
            "yes",
            5,
            2,
        )
        assert interview.started_at.isoformat() == "2026-11-03T14:05:00+00:00"
        assert interview.participant is not None
        assert interview.participant.external_id == "cust-1"
        assert interview.participant.attributes == {"plan": "business", "seats": 40}
        steps = list(interview.steps)
        assert [s.channel for s in steps] == ["none", "phone", "email"]
        assert [s.feeling for s in steps] == [2, 1, 4]
        assert steps[1].duration_minutes == 40 and steps[1].channel_text == "rang them"
        assert steps[1].pains == ["long_wait"] and steps[1].people == ["agent"]
        texts = {m.id: m.text for m in interview.messages}
        assert [texts[i] for i in steps[1].source_message_ids] == [
            "Rang the helpline and waited on hold",
            "forty minutes of hold music",
        ]
        provenance = session.scalar(select(ImportedInterview))
        assert provenance is not None and provenance.external_id == "zd-1"
        assert provenance.source == "zendesk.jsonl"


def test_turns_go_through_the_bots_understanding(session_factory: sessionmaker[Session]) -> None:
    _campaign(session_factory)
    report = _import(session_factory, [TURNS])
    assert report.problems == [], report.problems
    steps = _steps(session_factory, report.imported[0])
    assert [s.doing for s in steps] == [
        "checked the status page",
        "called them, sat on hold 40 min, furious",
        "an engineer came the next day and fixed it",
    ]
    first, call, visit = steps
    assert first.feeling == 2
    # One answer fills channel, duration and feeling, exactly as in the chat.
    assert (call.channel, call.duration_minutes, call.feeling) == ("phone", 40, 1)
    assert "technician" in call.people and call.pain_text == "they transferred me twice"
    assert "transferred" in call.pains
    assert visit.channel == "in_person" or visit.channel is None
    with session_factory() as session:
        interview = queries.get_interview(session, report.imported[0])
        assert interview is not None
        assert interview.problem == "my broadband kept dropping"
        assert interview.resolved == "yes" and interview.moment_of_truth == "when the engineer came"
        assert interview.moment_of_truth_step == 3
        # An answer the bot could not read is kept in the customer's words, as in the chat.
        assert interview.effort is None
        assert interview.extra_answers == {"effort_text": "no idea really"}
        messages = list(interview.messages)
        assert [m.direction for m in messages[:2]] == ["out", "in"]
        assert messages[0].text == "What did you need help with?"
        assert len(messages) == 2 * len(TURNS["turns"])


def test_question_wording_places_each_turn() -> None:
    assert slot_for("How long did it take to resolve?") == Slot.DURATION
    assert slot_for("How did you contact them?") == Slot.CHANNEL
    assert slot_for("Was it resolved?") == Slot.RESOLVED
    assert slot_for("What would have made it better?") == Slot.IMPROVEMENT
    assert slot_for("Tell me more") == Slot.NEXT_STEP
    assert slot_for(None) == Slot.NEXT_STEP


def test_bad_lines_are_reported_by_number_and_skipped(
    session_factory: sessionmaker[Session],
) -> None:
    _campaign(session_factory)
    bad_feeling = json.loads(json.dumps(STRUCTURED))
    bad_feeling["external_id"] = "zd-2"
    bad_feeling["steps"][2]["feeling"] = 9
    bad_pain = {**TURNS, "external_id": "t-3"} | {
        "turns": [{"answer": "emailed them", "slot": "nonsense"}]
    }
    records: list[Any] = [
        STRUCTURED,  # line 1: fine
        "{not json",  # line 2
        {"external_id": "x", "steps": [{"doing": "a"}], "turns": [{"answer": "b"}]},  # 3
        "",  # 4: blank, skipped silently
        bad_feeling,  # 5
        {"steps": [{"doing": "called"}]},  # 6: no external id
        bad_pain,  # 7
        {**TURNS, "external_id": "ok-2"},  # 8: fine
        {"external_id": "c", "campaign": "nope", "steps": [{"doing": "x"}]},  # 9
        {"external_id": "p", "steps": [{"doing": "x", "pains": ["made_up"]}]},  # 10
        {"external_id": "f", "steps": [{"doing": "x", "colour": "red"}]},  # 11
    ]
    report = _import(session_factory, records, batch_size=4)
    problems = {p.line: p.message for p in report.problems}
    assert sorted(problems) == [2, 3, 5, 6, 7, 9, 10, 11]
    assert problems[2].startswith("not valid JSON")
    assert "either 'steps' or 'turns'" in problems[3]
    assert problems[5] == "steps.3.feeling: 9 is not between 1 and 5"
    assert "external_id: Field required" in problems[6]
    assert "turns.1.slot: unknown slot 'nonsense'" in problems[7]
    assert "no campaign with slug 'nope'" in problems[9]
    assert "unknown pain 'made_up'" in problems[10]
    assert "steps.1.colour: Extra inputs are not permitted" in problems[11]
    assert len(report.imported) == 2 and report.lines == 11
    # Nothing of a rejected record was stored: two interviews and only their rows.
    assert _count(session_factory, Interview) == 2
    assert _count(session_factory, ImportedInterview) == 2
    expected = len(STRUCTURED["steps"]) + 3
    assert _count(session_factory, StepRecord) == expected


def test_reimport_is_idempotent_and_changes_are_reported(
    session_factory: sessionmaker[Session],
) -> None:
    _campaign(session_factory)
    first = _import(session_factory, [STRUCTURED, TURNS])
    messages = _count(session_factory, Message)
    again = _import(session_factory, [TURNS, STRUCTURED])
    assert again.imported == [] and again.unchanged == 2 and again.problems == []
    changed = {**STRUCTURED, "effort": 2}
    third = _import(session_factory, [changed, changed])
    assert third.imported == [] and [p.line for p in third.problems] == [1, 2]
    assert "already imported with different content" in third.problems[0].message
    assert _count(session_factory, Interview) == len(first.imported) == 2
    assert _count(session_factory, Message) == messages
    # The same record twice in one file is stored once.
    twice = _import(session_factory, [{**TURNS, "external_id": "dup"}] * 2)
    assert len(twice.imported) == 1 and twice.unchanged == 1
    # The participant is reused and its attributes merged, as the chat does.
    _import(session_factory, [{**STRUCTURED, "external_id": "zd-9", "attributes": {"x": "y"}}])
    with session_factory() as session:
        people = list(
            session.scalars(select(Participant).where(Participant.external_id.is_not(None)))
        )
    assert len(people) == 1 and people[0].attributes == {"plan": "business", "seats": 40, "x": "y"}


def test_imported_interviews_are_synthesised_like_chat_ones(
    session_factory: sessionmaker[Session],
) -> None:
    _campaign(session_factory)
    records = []
    for n in range(6):
        records.append({**STRUCTURED, "external_id": f"s{n}", "participant": {"id": f"c{n}"}})
        records.append({**TURNS, "external_id": f"t{n}"})
    report = _import(session_factory, records)
    assert report.problems == [] and len(report.imported) == 12
    with session_factory() as session:
        journey_map = synthesize(session, campaign_slug="ext", seed=0)
        business = synthesize(session, campaign_slug="ext", segment=("plan", "business"))
        stored = {m.id: (m.text, m.interview.public_id) for m in session.scalars(select(Message))}
    assert journey_map.interview_count == 12 and business.interview_count == 6
    quotes = [q for s in journey_map.stages for q in s.quotes]
    quotes += [q for p in journey_map.pain_points for q in p.quotes]
    assert quotes
    for quote in quotes:
        assert stored[quote.message_id] == (quote.text, quote.interview_id)
    # Both shapes report the long wait: one pain point heard in all twelve interviews.
    long_wait = next(p for p in journey_map.pain_points if p.label == "Long wait")
    assert long_wait.interviews == 12
    quoted = {q.text for q in long_wait.quotes}
    assert "forty minutes of hold music" in quoted
    assert quoted & {"called them, sat on hold 40 min, furious", "they transferred me twice"}


def test_an_imported_interview_reads_like_a_finished_chat(
    session_factory: sessionmaker[Session],
) -> None:
    from bot.service.interviews import InterviewService

    _campaign(session_factory)
    report = _import(session_factory, [STRUCTURED, TURNS])
    service = InterviewService(session_factory)
    for public_id in report.imported:
        snapshot = service.snapshot(public_id)
        assert snapshot.status == "completed"
        assert service.pending(public_id).finished
