"""The journeyline web app on a throw-away database, for benchmarks that drive whole
interviews through its JSON API (``bench.interview_driver``), and what it stored.

``interview_api()`` opens the real FastAPI app (``journeyline.web.app.create_app``) on
SQLite in a temporary folder, or on a fresh schema of a PostgreSQL server, behind
Starlette's ``TestClient``: the same routes, validation and serialisation as over HTTP,
without a server process or a port. It runs offline (no language model key), so a run
is deterministic. ``InterviewApi.stored`` reads back the steps and the moment of truth
through ``storage.queries``, as plain values a scorer can keep after the session ends.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.engine import make_url

from bench.web_load import postgres_schema
from bot.service.campaigns import create_campaign
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage import queries
from storage.models import StepRecord

# The facts a provenance may be stored for, once steps carry one (issue 15).
PROVENANCE_FACTS = ("channel", "feeling", "duration_minutes", "people", "tools", "pains")


@dataclass(frozen=True)
class StoredStep:
    """One stored journey step, as the scorer needs it."""

    ordinal: int
    doing: str
    channel: str | None
    channel_text: str | None
    feeling: int | None
    duration_minutes: int | None
    duration_text: str | None
    pains: tuple[str, ...]
    pain_text: str | None
    # The provenance kinds (said, confirmed, inferred, corrected) of the step's stored
    # facts; None while storage keeps no provenance.
    provenance: tuple[str, ...] | None = None


@dataclass(frozen=True)
class StoredInterview:
    interview_id: str
    status: str
    steps: tuple[StoredStep, ...]
    moment_of_truth: str | None
    moment_of_truth_step: int | None
    resolved: str | None = None


@dataclass
class InterviewApi:
    """The app behind a test client, and the campaigns it has made so far."""

    client: TestClient
    runtime: Runtime
    database: str
    _campaigns: dict[str, str] = field(default_factory=dict)

    def campaign_for(self, company: str) -> str:
        """The slug of an open-link campaign naming ``company`` (made on first use), so
        the bot's questions name the company the customer talks about."""
        slug = self._campaigns.get(company)
        if slug is None:
            slug = f"bench-{len(self._campaigns) + 1}"
            with self.runtime.sessions.begin() as session:
                create_campaign(
                    session, slug=slug, name=f"Bench: {company}", open_link=True, company=company
                )
            self._campaigns[company] = slug
        return slug

    def stored(self, interview_id: str) -> StoredInterview:
        """What the interview with public id ``interview_id`` has stored now."""
        with self.runtime.sessions() as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None:
                raise LookupError(f"interview {interview_id} is not stored")
            return StoredInterview(
                interview_id=interview_id,
                status=interview.status,
                steps=tuple(_stored_step(record) for record in interview.steps),
                moment_of_truth=interview.moment_of_truth,
                moment_of_truth_step=interview.moment_of_truth_step,
                resolved=interview.resolved,
            )


@contextlib.contextmanager
def interview_api(*, postgres_url: str | None = None) -> Iterator[InterviewApi]:
    """The app on a throw-away database: SQLite in a temporary folder, or a fresh schema
    on the PostgreSQL server at ``postgres_url`` (dropped afterwards)."""
    with contextlib.ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="interview-api-")))
        url = None if postgres_url is None else stack.enter_context(postgres_schema(postgres_url))
        runtime = open_runtime(_settings(folder, url), migrate=True)
        stack.callback(runtime.close)
        # As a context manager the client runs the app's lifespan (thread pools, warm-up).
        client = stack.enter_context(TestClient(create_app(runtime)))
        backend = make_url(runtime.settings.resolved_database_url()).get_backend_name()
        yield InterviewApi(client=client, runtime=runtime, database=backend)


def _settings(folder: Path, database_url: str | None) -> Settings:
    values: dict[str, Any] = {
        # No .env of the caller's folder and no model key: the run must be offline and
        # the same on every machine.
        "_env_file": None,
        "llm_api_key": None,
        "data_dir": folder,
        "database_url": database_url,
        # One simulated customer answers with no think time: limits would only stall it.
        "rate_limit_per_client": 0,
        "rate_limit_per_token": 0,
        # Every simulated customer starts from the same address: no start budgets (0 = off).
        "open_starts_per_client_per_hour": 0,
        "open_starts_per_campaign_per_hour": 0,
        "open_starts_per_hour": 0,
    }
    return Settings(**values)


def _stored_step(record: StepRecord) -> StoredStep:
    return StoredStep(
        ordinal=record.ordinal,
        doing=record.doing,
        channel=record.channel,
        channel_text=record.channel_text,
        feeling=record.feeling,
        duration_minutes=record.duration_minutes,
        duration_text=record.duration_text,
        pains=tuple(record.pains),
        pain_text=record.pain_text,
        provenance=_provenance(record),
    )


def _provenance(record: StepRecord) -> tuple[str, ...] | None:
    """The provenance kinds stored with a step, or None when there is no such column.

    Steps carry no provenance yet; issue 15 adds it, in a shape not decided here. So it
    is read by name, as one mapping (``provenance``: fact -> kind, or -> kinds for a
    list fact) or as a column per fact (``channel_provenance``, ...).
    """
    if hasattr(record, "provenance"):
        whole = record.provenance
        values = list(whole.values()) if isinstance(whole, dict) else []
        return tuple(kind for value in values for kind in _kinds(value))
    names = [f"{fact}_provenance" for fact in PROVENANCE_FACTS]
    present = [name for name in names if hasattr(record, name)]
    if not present:
        return None
    return tuple(kind for name in present for kind in _kinds(getattr(record, name)))


def _kinds(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [item for item in value if isinstance(item, str)]
    return []
