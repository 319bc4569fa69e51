"""Synthetic interviews with known journey stages and pains, stored through storage.queries."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from storage import queries
from storage.models import Campaign, Interview

# Each stage's answers are built from its own words, so (almost) every answer is distinct,
# as real ones are, while a stage's answers share what makes them that stage.
NOTICE = [
    f"{verb} a {kind} charge on my {paper}"
    for verb in ("noticed", "spotted", "realised there was")
    for kind in ("double", "duplicate", "strange extra")
    for paper in ("bank statement", "monthly bill", "card statement")
]
CONTACT = [
    f"{verb} {whom} and {wait}"
    for verb in ("called", "rang", "phoned")
    for whom in ("support", "the helpline", "customer service")
    for wait in ("sat on hold", "waited on hold for ages", "was stuck on hold")
]
RESOLVE = [
    f"{start} refund {what} {end}"
    for start in ("got the", "finally received the", "an email with the")
    for what in ("confirmation email", "email", "notice by email")
    for end in ("and the money was back", "a week later", "so it was sorted")
]
STAGE_TEXTS = [NOTICE, CONTACT, RESOLVE]
STAGE_CHANNELS = ["none", "phone", "email"]
STAGE_FEELINGS = [2, 1, 4]


@dataclass(frozen=True)
class StoredStep:
    interview_id: str
    ordinal: int
    stage: int


def make_campaign(session: Session, slug: str = "synth") -> Campaign:
    return queries.create_campaign(
        session,
        slug=slug,
        name="Synthetic",
        guide_name="support_journey",
        guide_version="1",
        guide_source="{}",
        consent_text="ok",
    )


def _completed_interview(
    session: Session,
    *,
    campaign: Campaign,
    participant: str | None,
    attributes: dict[str, str] | None,
    status: str = "completed",
) -> Interview:
    """A consented web interview of ``participant``, completed unless ``status`` says
    otherwise (steps added by the caller)."""
    person = queries.get_or_create_participant(
        session, campaign=campaign, external_id=participant, attributes=attributes or {}
    )
    interview = queries.create_interview(
        session,
        campaign=campaign,
        participant=person,
        channel="web",
        status=status,
        engine_state={},
    )
    interview.consent = True
    return interview


def add_interview(
    session: Session,
    *,
    campaign: Campaign,
    texts: list[str],
    stages: list[int],
    pains: dict[int, tuple[tuple[str, ...], str]] | None = None,
    attributes: dict[str, str] | None = None,
    resolved: str = "yes",
    participant: str | None = None,
) -> list[StoredStep]:
    """One completed interview whose step i says ``texts[i]`` (stage ``stages[i]``);
    ``pains[i] = (tags, pain text)`` adds a pain message to step i."""
    interview = _completed_interview(
        session, campaign=campaign, participant=participant, attributes=attributes
    )
    steps: list[queries.StepRecordData] = []
    stored: list[StoredStep] = []
    for index, (text, stage) in enumerate(zip(texts, stages, strict=True)):
        ordinal = index + 1
        message = queries.add_message(session, interview=interview, direction="in", text=text)
        ids = [message.id]
        tags, pain_text = (pains or {}).get(index, ((), ""))
        if pain_text:
            pain_message = queries.add_message(
                session, interview=interview, direction="in", text=f"Honestly: {pain_text}!"
            )
            ids.append(pain_message.id)
        steps.append(
            queries.StepRecordData(
                ordinal=ordinal,
                doing=text,
                channel=STAGE_CHANNELS[stage],
                feeling=STAGE_FEELINGS[stage],
                duration_minutes=(5, 40, 2)[stage] + index,
                people=("agent",) if stage == 1 else (),
                tools=("bank app",) if stage == 0 else (),
                pains=tags,
                pain_text=pain_text or None,
                source_message_ids=tuple(ids),
            )
        )
        stored.append(StoredStep(interview.public_id, ordinal, stage))
    queries.replace_step_records(session, interview=interview, steps=steps)
    interview.moment_of_truth = "when they finally picked up"
    interview.moment_of_truth_step = 2 if len(texts) >= 2 else 1
    interview.resolved = resolved
    interview.effort = 5
    return stored


def add_standard_interviews(
    session: Session, *, campaign: Campaign, count: int = 12, seed: int = 1
) -> list[StoredStep]:
    """``count`` three-step interviews (notice -> phone -> refund email). Every one has a
    long wait at the phone step; every third is also transferred (at the phone step,
    unresolved); every fourth reports an untagged crash at the first step. Odd ones are
    ``plan=business``, even ones ``plan=consumer``."""
    rng = random.Random(seed)
    stored: list[StoredStep] = []
    for n in range(count):
        texts = [rng.choice(options) for options in STAGE_TEXTS]
        pains: dict[int, tuple[tuple[str, ...], str]] = {
            1: (("long_wait",), "on hold for forty minutes")
        }
        if n % 3 == 0:
            pains[1] = (("long_wait", "transferred"), "on hold for forty minutes")
            pains[2] = (("transferred",), "passed between three departments")
        if n % 4 == 0:
            pains[0] = ((), "the upload page crashed twice")
        stored += add_interview(
            session,
            campaign=campaign,
            texts=texts,
            stages=[0, 1, 2],
            pains=pains,
            attributes={"plan": "business" if n % 2 else "consumer"},
            resolved="no" if n % 3 == 0 else "yes",
            participant=f"p{n}",
        )
    return stored


@dataclass(frozen=True)
class StepSpec:
    """One step of a hand-written journey (for metrics with known answers)."""

    text: str
    channel: str | None
    feeling: int | None = 3
    minutes: int | None = None
    people: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    pain_text: str = ""
    thinking: str = ""
    # How each fact was learnt (fact -> said / confirmed / inferred / corrected).
    provenance: tuple[tuple[str, str], ...] = ()


def add_journey(
    session: Session,
    *,
    campaign: Campaign,
    steps: list[StepSpec],
    participant: str,
    resolved: str | None = "yes",
    effort: int | None = None,
    attributes: dict[str, str] | None = None,
    improvement: str | None = None,
    status: str = "completed",
    started_at: datetime | None = None,
) -> str:
    """An interview (completed unless ``status`` says otherwise) with exactly these steps;
    returns its public id. Each step is told in one message (and its pain and its
    thinking, if any, in one more each); ``improvement`` is answered in a last one."""
    interview = _completed_interview(
        session, campaign=campaign, participant=participant, attributes=attributes, status=status
    )
    if started_at is not None:
        interview.started_at = started_at
    records: list[queries.StepRecordData] = []
    for ordinal, spec in enumerate(steps, start=1):
        ids = [queries.add_message(session, interview=interview, direction="in", text=spec.text).id]
        for said in (spec.pain_text, spec.thinking):
            if said:
                ids.append(
                    queries.add_message(session, interview=interview, direction="in", text=said).id
                )
        records.append(
            queries.StepRecordData(
                ordinal=ordinal,
                doing=spec.text,
                channel=spec.channel,
                feeling=spec.feeling,
                duration_minutes=spec.minutes,
                people=spec.people,
                tools=(),
                pains=spec.pains,
                pain_text=spec.pain_text or None,
                thinking=spec.thinking or None,
                source_message_ids=tuple(ids),
                provenance=dict(spec.provenance),
            )
        )
    queries.replace_step_records(session, interview=interview, steps=records)
    if improvement:
        queries.add_message(session, interview=interview, direction="in", text=improvement)
        interview.improvement = improvement
    interview.resolved = resolved
    interview.effort = effort
    return interview.public_id


def add_metric_journeys(session: Session, *, campaign: Campaign) -> list[str]:
    """Four journeys whose metrics are known (see tests/test_synthesis_outputs.py):

    A: none -> phone (agent) -> phone "transferred" (billing team) -> email; yes, effort 6
    B: chatbot -> live chat (agent) -> phone (agent, tagged transferred); no, effort 7
    C: email -> email, no durations; partly, no effort
    D: one no-contact step; outcome unknown, effort 2, no plan attribute
    """
    a = add_journey(
        session,
        campaign=campaign,
        participant="a",
        resolved="yes",
        effort=6,
        attributes={"plan": "business"},
        steps=[
            StepSpec("noticed a strange charge on my bill", "none", 2, 5),
            StepSpec("called support about it", "phone", 1, 30, ("agent",)),
            StepSpec("they transferred me to billing", "phone", 2, 20, ("billing team",)),
            StepSpec("got a refund email", "email", 4, 2),
        ],
    )
    b = add_journey(
        session,
        campaign=campaign,
        participant="b",
        resolved="no",
        effort=7,
        attributes={"plan": "consumer"},
        steps=[
            StepSpec("asked the chatbot", "chatbot", 2, 10),
            StepSpec("chatted with an agent", "live_chat", 3, 15, ("agent",)),
            StepSpec(
                "called them",
                "phone",
                2,
                25,
                ("Agent",),
                ("transferred",),
                "sent from one team to the next",
            ),
        ],
    )
    c = add_journey(
        session,
        campaign=campaign,
        participant="c",
        resolved="partly",
        effort=None,
        attributes={"plan": "consumer"},
        steps=[
            StepSpec("emailed them", "email", 3, None),
            StepSpec("emailed them again", "email", 3, None),
        ],
    )
    d = add_journey(
        session,
        campaign=campaign,
        participant="d",
        resolved=None,
        effort=2,
        steps=[StepSpec("noticed it and let it go", "none", 3, 1)],
    )
    return [a, b, c, d]
