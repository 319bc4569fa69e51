"""Interviews for the review workspace's tests: a campaign on the default guide's stage
frame, stories that make every lane (waits, call-backs, transfers, a step the frame has
no words for, improvements), participants with names and emails, and one customer whose
words carry HTML, script, Markdown, bidi controls and personal data."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from bot.service.campaigns import create_campaign
from storage import queries
from storage.models import Campaign
from synthesis.pipeline import analyse, map_of
from synthesis.runs import SavedRun, match_series, save_run
from tests.synthesis_data import StepSpec, add_journey

SLUG = "support-q4"
# What a hostile or careless customer may type: markup, a script, Markdown, right-to-left
# override and isolate controls, an email and a phone number.
EVIL_TEXT = (
    "I called <b>support</b><script>alert('x')</script> **twice** [link](javascript:alert(1)) "
    "\u202eevil\u202c \u2067isolated\u2069 mail me at jane.doe@example.com or +44 20 7946 0958"
)
EVIL_CHANNEL = "phone"
EVIL_EMAIL = "jane.doe@example.com"
EVIL_PHONE = "+44 20 7946 0958"
PARTICIPANT_EMAIL = "customer{n}@example.org"


@dataclass(frozen=True)
class Story:
    steps: list[StepSpec]
    improvement: str


WAITER = Story(
    [
        StepSpec(
            "I noticed a double charge on my statement.",
            "none",
            2,
            5,
            thinking="That can't be right.",
        ),
        StepSpec("I rang their helpline.", "phone", 2, 5, ("agent",)),
        StepSpec(
            "On hold for forty minutes.",
            "phone",
            1,
            40,
            (),
            ("long_wait",),
            "forty minutes of hold music",
            "Why is this so slow?",
        ),
        StepSpec(
            "The agent asked for my account number and looked into it.",
            "phone",
            3,
            10,
            ("agent",),
            thinking="At last someone is listening.",
        ),
        StepSpec(
            "They said they would call me back, and I waited three days.",
            "none",
            1,
            4320,
            (),
            ("no_follow_up",),
            "nobody called back",
        ),
        StepSpec("They refunded the charge.", "email", 4, 2),
    ],
    "Answer the phone faster, nobody wants to wait on hold.",
)
CHATTER = Story(
    [
        StepSpec(
            "I saw the app charged me twice for one order.", "none", 2, 2, thinking="Not again."
        ),
        StepSpec("I opened the live chat in the app.", "live_chat", 3, 5),
        StepSpec(
            "The chat agent transferred me to billing.",
            "live_chat",
            2,
            15,
            ("agent",),
            ("transferred",),
            "passed between two teams",
        ),
        StepSpec("Billing refunded it the same day.", "email", 4, 1),
    ],
    "Call back when you promise to call back.",
)
DEPOT = Story(
    [
        StepSpec("I noticed the parcel never arrived.", "none", 2, 1),
        StepSpec(
            "Drove to the depot with my passport photocopy.",
            "in_person",
            2,
            90,
            (),
            ("unresolved",),
            "the depot was closed",
        ),
        StepSpec("They refunded me.", "email", 4, 1),
    ],
    "Let me fix it online without driving anywhere.",
)
STORIES = (WAITER, CHATTER, DEPOT)


def make_campaign(session: Session, slug: str = SLUG, name: str = "Support Q4") -> Campaign:
    return create_campaign(session, slug=slug, name=name)


def add_interviews(
    session: Session, *, campaign: Campaign, count: int, start: int = 0, evil: bool = False
) -> list[str]:
    """``count`` finished interviews (participants ``p{start}``...), the stories in turn;
    with ``evil`` the first one's first step is :data:`EVIL_TEXT`."""
    ids: list[str] = []
    for n in range(start, start + count):
        story = STORIES[n % len(STORIES)]
        steps = list(story.steps)
        if evil and n == start:
            first = steps[0]
            # "I called support": a phone contact, as its words say.
            steps[0] = StepSpec(
                EVIL_TEXT, EVIL_CHANNEL, first.feeling, first.minutes, thinking=first.thinking
            )
        participant = f"p{n}"
        ids.append(
            add_journey(
                session,
                campaign=campaign,
                steps=steps,
                participant=participant,
                resolved="yes" if n % 4 else "no",
                effort=3 + n % 5,
                attributes={"plan": "business" if n % 2 else "consumer"},
                improvement=story.improvement,
            )
        )
        queries.get_or_create_participant(
            session,
            campaign=campaign,
            external_id=participant,
            display_name=f"Customer {n}",
            email=PARTICIPANT_EMAIL.format(n=n),
        )
    return ids


def synthesize_run(sessions: sessionmaker[Session], slug: str = SLUG) -> SavedRun:
    """Synthesize the campaign's map and store it as the next run of its series, as
    ``journeyline synthesize`` does (ids matched first, opportunities too)."""
    with sessions() as session:
        analysis = analyse(session, campaign_slug=slug)
        series = match_series(session, map_of(analysis))
    journey_map = map_of(analysis.with_ids(series.journey_map))
    with sessions.begin() as session:
        return save_run(session, journey_map, matched=series)


def seeded(sessions: sessionmaker[Session], *, count: int = 9, evil: bool = True) -> SavedRun:
    """A campaign with ``count`` interviews and its first stored run."""
    with sessions.begin() as session:
        add_interviews(session, campaign=make_campaign(session), count=count, evil=evil)
    return synthesize_run(sessions)


def add_more(sessions: sessionmaker[Session], *, count: int, start: int) -> list[str]:
    with sessions.begin() as session:
        campaign = queries.get_campaign_by_slug(session, SLUG)
        assert campaign is not None
        return add_interviews(session, campaign=campaign, count=count, start=start)


def import_records(*, count: int, start: int = 0, evil: bool = False) -> list[dict[str, object]]:
    """The same interviews as :func:`add_interviews`, as ``journeyline import`` lines."""
    records: list[dict[str, object]] = []
    for n in range(start, start + count):
        story = STORIES[n % len(STORIES)]
        steps: list[dict[str, object]] = []
        for index, spec in enumerate(story.steps):
            step: dict[str, object] = {
                "doing": EVIL_TEXT if evil and n == start and index == 0 else spec.text,
                "channel": EVIL_CHANNEL if evil and n == start and index == 0 else spec.channel,
                "feeling": spec.feeling,
            }
            if spec.minutes is not None:
                step["duration_minutes"] = spec.minutes
            if spec.people:
                step["people"] = list(spec.people)
            if spec.pains:
                step["pains"] = list(spec.pains)
            if spec.pain_text:
                step["pain_text"] = spec.pain_text
            if spec.thinking:
                step["thinking"] = spec.thinking
            steps.append(step)
        records.append(
            {
                "external_id": f"import-{n}",
                "participant": {
                    "id": f"p{n}",
                    "name": f"Customer {n}",
                    "email": PARTICIPANT_EMAIL.format(n=n),
                },
                "attributes": {"plan": "business" if n % 2 else "consumer"},
                "steps": steps,
                "resolved": "yes" if n % 4 else "no",
                "effort": 3 + n % 5,
                "improvement": story.improvement,
            }
        )
    return records
