"""Synthetic interviews with known journey stages and pains, stored through storage.queries."""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy.orm import Session

from storage import queries
from storage.models import Campaign

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
    person = queries.get_or_create_participant(
        session, campaign=campaign, external_id=participant, attributes=attributes or {}
    )
    interview = queries.create_interview(
        session,
        campaign=campaign,
        participant=person,
        channel="web",
        status="completed",
        engine_state={},
    )
    interview.consent = True
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
