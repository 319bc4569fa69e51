"""A realistic data set about two people for the privacy tests: two campaigns, each
person a participant of both (same email), interviews answered through the real web
JSON API with their email, phone number and words of their own, an email invitation
written to the outbox by the scheduler, a helpdesk case that invites Erin again (a
third participant row, a queued send job), a Slack delivery, model-call records, a
synthesis run written to an output folder in every format with personal data, and a
reviewer's pin of one of Erin's quotes.

``build_world`` returns where everything is; ``needles_in_*`` search every column of
every table (from the metadata), and every file under a folder, for a person's marks.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.service.links import Links
from bot.service.privacy import PersonalData
from bot.service.review.evidence import Filters
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from bot.service.triggers import ClosedCase, Triggers
from campaigns.outbox import file_name
from journeyline.cli.synthesize import Written, synthesize_to
from journeyline.runtime import Runtime
from journeyline.web.app import create_app
from storage import llm_calls as llm_storage
from storage.llm_calls import CallRow
from storage.models import Base, Interview, Participant
from storage.slack_deliveries import SlackDeliveryStore
from tests.scheduler_support import TOKENS, make_campaign, scheduling, token_of

ALPHA, BETA = "alpha", "beta"


@dataclass(frozen=True)
class Someone:
    """A customer and the marks their data leaves: email, phone, words of their own."""

    key: str
    name: str
    email: str
    phone: str
    words: tuple[str, str]
    slack_user: str

    @property
    def marks(self) -> tuple[str, ...]:
        """What they typed and what the researcher imported about them."""
        return (self.email, self.phone, *self.words)

    @property
    def needles(self) -> tuple[str, ...]:
        """What a search looks for: the marks, and the phone number without spaces."""
        return (*self.marks, self.phone.replace(" ", ""))


ERIN = Someone(
    key="erin",
    name="Erin Quillfeather",
    email="erin.quillfeather@example.org",
    phone="+44 7700 900461",
    words=("zorbleflax", "quindlewump"),
    slack_user="U0ERINQ",
)
OTTO = Someone(
    key="otto",
    name="Otto Brambleworth",
    email="otto.brambleworth@example.net",
    phone="+44 7700 900982",
    words=("snorkelbey", "pelliwinkle"),
    slack_user="U0OTTOB",
)


def answers(person: Someone) -> dict[str, list[str]]:
    """What ``person`` types for each question: their own words in every story."""
    first, second = person.words
    return {
        "consent": ["yes"],
        "problem": [
            f"My {first} router was charged twice; reach me at {person.email} or {person.phone}"
        ],
        "step": [f"I called them about the {first} bill and waited on hold for 40 minutes"],
        "channel": ["phone"],
        "feeling": ["pretty bad", "2"],
        "thinking": [f"why is the {second} refund so hard"],
        "duration": ["about 20 minutes"],
        "people_tools": ["an agent on the phone"],
        "pain": [f"the long wait for the {second} refund"],
        "next_step": [
            f"they emailed me the {second} refund two days later",
            "that was the last step",
        ],
        "moment_of_truth": [f"when the {second} refund email finally came"],
        "resolved": ["yes"],
        "effort": ["5"],
        "improvement": [f"call me back on {person.phone} instead of hold music"],
        "anything_else": [f"no, thanks from {person.name}"],
    }


def csv_of(*people: Someone) -> str:
    lines = ["external_id,email,name,language,time_zone,phone,slack_user_id"]
    lines += [
        f"{p.key},{p.email},{p.name},en,Europe/London,{p.phone},{p.slack_user}" for p in people
    ]
    return "\n".join(lines) + "\n"


def interview_by_api(client: TestClient, token: str, person: Someone) -> tuple[str, str]:
    """Answer a whole interview through the JSON API (as the web chat does); the
    interview's public id and the secret that opens it."""
    started = client.post("/api/v1/interviews", json={"invite_token": token})
    assert started.status_code in (200, 201), started.text
    body: dict[str, Any] = started.json()
    interview_id, secret = body["interview_id"], body["token"]
    pending = body["pending"][-1] if body["pending"] else None
    typed = answers(person)
    asked: dict[str, int] = {}
    for n in range(60):
        if body["status"] in ("completed", "declined") or pending is None:
            break
        slot = pending.get("slot") or ""
        choices = [c["value"] for c in pending.get("choices") or []]
        if slot in typed:
            seen = asked.get(slot, 0)
            asked[slot] = seen + 1
            message = {"text": typed[slot][min(seen, len(typed[slot]) - 1)], "choice": None}
        elif choices:
            wanted = "yes" if "yes" in choices else choices[0]
            message = {"text": wanted, "choice": wanted}
        else:
            message = {"text": "skip", "choice": None}
        turn = client.post(
            f"/api/v1/interviews/{interview_id}/messages",
            json={**message, "client_message_id": f"{person.key}-{n}"},
            headers={"Authorization": f"Bearer {secret}"},
        )
        assert turn.status_code == 200, turn.text
        body = turn.json()
        replies = body["replies"]
        pending = replies[-1] if replies and replies[-1].get("slot") else None
    assert body["status"] == "completed", body
    return str(interview_id), str(secret)


@dataclass
class World:
    runtime: Runtime
    data_dir: Path
    outbox: Path
    out: Path
    written: Written
    interviews: dict[str, list[str]]  # person key -> interview public ids
    secrets: dict[str, str]  # interview public id -> the secret that opens it
    client: TestClient

    @property
    def sessions(self) -> sessionmaker[Session]:
        return self.runtime.sessions

    def privacy(self) -> PersonalData:
        return PersonalData(self.sessions, outbox_file=lambda mid: self.outbox / file_name(mid))

    def database_folder(self) -> Path | None:
        """The SQLite file's folder (None on PostgreSQL): its bytes are searched too."""
        url = make_url(self.runtime.settings.resolved_database_url())
        if url.get_backend_name() != "sqlite":
            return None
        return Path(url.database or "").parent


def build_world(runtime: Runtime, *, data_dir: Path, out: Path) -> World:
    """Both people in both campaigns (see the module); an email invitation to each in
    ``alpha`` sent to ``data_dir/outbox`` and answered through its link, a personal
    link in ``beta``; a Slack delivery and model calls; a synthesis of ``alpha`` written
    to ``out`` in every format with personal data."""
    sessions = runtime.sessions
    outbox = data_dir / "outbox"
    make_campaign(sessions, ALPHA)
    make_campaign(sessions, BETA)
    world = scheduling(sessions, outbox=outbox)
    for slug in (ALPHA, BETA):
        report = world.participants.import_csv(campaign_slug=slug, text=csv_of(ERIN, OTTO))
        assert report.ok and report.added == 2, report
    world.invitations.schedule_wave(
        campaign_slug=ALPHA, channel="email", at=datetime.now(UTC), rate_per_second=100
    )
    world.run()
    emails = sorted(outbox.glob("*.eml"))
    assert len(emails) == 2
    client = TestClient(create_app(runtime))
    interviews: dict[str, list[str]] = {ERIN.key: [], OTTO.key: []}
    secrets: dict[str, str] = {}
    links = Links(sessions, runtime.service)
    for person in (ERIN, OTTO):
        (email,) = [e for e in emails if person.email in e.read_text(errors="replace")]
        link = next(line for line in _plain_lines(email) if "/i/" in line)
        for token in (
            token_of(link.strip()),
            links.create_invite(campaign_slug=BETA, participant_external_id=person.key),
        ):
            public_id, secret = interview_by_api(client, token, person)
            interviews[person.key].append(public_id)
            secrets[public_id] = secret
    # A helpdesk case of Erin's in beta: a participant row of its own (same email) and an
    # invitation whose send job waits an hour.
    triggers = Triggers(sessions, tokens=TOKENS)
    triggers.configure(campaign_slug=BETA, cooldown_days=0)
    case = ClosedCase(case_id="CASE-4711", closed_at=datetime.now(UTC), email=ERIN.email)
    assert triggers.case_closed(campaign_slug=BETA, case=case).outcome == "scheduled"
    store = SlackDeliveryStore(runtime.engine)
    for person in (ERIN, OTTO):
        claimed = store.claim(
            key=f"event:T0TEAM:Ev{person.key}",
            customer=f"T0TEAM:{person.slack_user}",
            payload={"kind": "message", "text": f"hello about my {person.words[0]} bill"},
            now=datetime.now(UTC),
        )
        assert claimed is not None
        store.finish(claimed.id, now=datetime.now(UTC))  # handled, as the Slack worker does
    with sessions.begin() as session:
        for person in (ERIN, OTTO):
            for public_id in interviews[person.key]:
                interview = session.scalar(
                    select(Interview).where(Interview.public_id == public_id)
                )
                assert interview is not None
                llm_storage.record_calls(
                    session,
                    calls=[
                        CallRow("listen", "listen/1", "fake-model", "ok", 120, 30, 210.0, 0.001)
                    ],
                    interview_id=interview.id,
                )
    written = synthesize_to(sessions, campaign=ALPHA, out=out, include_personal_data=True)
    _pin_a_quote_of(sessions, written, interviews[ERIN.key][0])
    return World(
        runtime=runtime,
        data_dir=data_dir,
        outbox=outbox,
        out=out,
        written=written,
        interviews=interviews,
        secrets=secrets,
        client=client,
    )


def _pin_a_quote_of(sessions: sessionmaker[Session], written: Written, interview: str) -> None:
    """A reviewer pins one of the person's quotes as a stage's key quote."""
    assert written.saved is not None
    run_id = written.saved.id
    review = ReviewService(sessions)
    for stage in written.saved.journey_map.stages:
        page = review.evidence(
            run_id, kind="stage", item_id=stage.id, filters=Filters(), page=1, personal=True
        )
        quote = next(
            (i.quote for i in page.items if i.quote and i.quote.interview_id == interview), None
        )
        if quote is None:
            continue
        review.edit(
            run_id,
            editor=Editor(user_id=None, name="Rae Reviewer"),
            expected=review.layers.read(review.library.run(run_id).info).version,
            kind="pin",
            target_kind="stage",
            target_id=stage.id,
            payload={
                "message_id": quote.message_id,
                "interview_id": quote.interview_id,
                "step": quote.step_ordinal,
            },
            reason="her words say it best",
        )
        return
    raise AssertionError("no stage quotes the person")


def _plain_lines(email: Path) -> list[str]:
    from email import policy
    from email.parser import BytesParser

    message = BytesParser(policy=policy.default).parsebytes(email.read_bytes())
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return str(body.get_content()).splitlines()


# --------------------------------------------------------------------------- searching


def needles_in_database(sessions: sessionmaker[Session], person: Someone) -> list[str]:
    """``table.column: needle`` for every value of every column of every table (from
    the metadata) that holds one of ``person``'s marks."""
    found: list[str] = []
    with sessions() as session:
        for table in Base.metadata.sorted_tables:
            for row in session.execute(select(table)):
                for column, value in row._mapping.items():
                    text = _text(value).lower()
                    found += [
                        f"{table.name}.{column}: {needle}"
                        for needle in person.needles
                        if needle.lower() in text
                    ]
    return found


def needles_in_files(folder: Path, person: Someone) -> list[str]:
    """``path: needle`` for every file under ``folder`` whose bytes hold a mark of
    ``person`` (as UTF-8, any case)."""
    found: list[str] = []
    for path in _files(folder):
        data = path.read_bytes().lower()
        found += [
            f"{path}: {needle}" for needle in person.needles if needle.lower().encode() in data
        ]
    return found


def participant_count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return len(session.scalars(select(Participant.id)).all())


def _files(folder: Path) -> Iterator[Path]:
    if folder.exists():
        yield from (p for p in sorted(folder.rglob("*")) if p.is_file())


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)
