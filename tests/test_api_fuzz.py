"""Property-based fuzzing of the JSON API from its own OpenAPI schema (issue 19, item 9):
schemathesis generates valid and invalid requests for every operation; no answer may be
a server error. Half the message posts go to a real interview with its real token, so
the turn itself (engine, understanding, storage) gets the generated text and choices,
not only the 404 of an unknown id. Bounded (``EXAMPLES`` per operation) to a few seconds.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode

from bot.service.campaigns import create_campaign
from bot.service.links import Links
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app

EXAMPLES = 60
MESSAGES = "/api/v1/interviews/{interview_id}/messages"
BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
    database=None,
)


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Runtime, str, str]]:
    data = Path(tmp_path_factory.mktemp("fuzz"))
    rt = open_runtime(
        Settings(
            data_dir=data,
            database_url=None,
            rate_limit_per_token=0,
            rate_limit_per_client=0,
            open_starts_per_client_per_hour=0,
            max_message_chars=500,
        )
    )
    with rt.sessions.begin() as session:
        create_campaign(session, slug="fuzz", name="Fuzz", open_link=True, company="Acme")
    token = Links(rt.sessions, rt.service).create_invite(
        campaign_slug="fuzz", participant_external_id="p"
    )
    opened = Links(rt.sessions, rt.service).open(token)
    yield rt, opened.turn.interview_id, token
    rt.close()


def _check(case: Any) -> None:
    case.call_and_validate(checks=[not_a_server_error])


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(
    fuzzed: tuple[Runtime, str, str], mode: GenerationMode
) -> None:
    rt, _, _ = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(rt))

    @given(schema.as_strategy(mode))
    @BOUNDED
    def every_operation(case: Any) -> None:
        _check(case)

    every_operation()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_message_to_a_real_interview_makes_a_server_error(
    fuzzed: tuple[Runtime, str, str], mode: GenerationMode
) -> None:
    rt, interview_id, token = fuzzed
    schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(rt))
    messages = schema[MESSAGES]["POST"]
    strategy = messages.as_strategy(
        mode,
        path_parameters={"interview_id": interview_id},
        headers={"Authorization": f"Bearer {token}"},
    )

    @given(strategy)
    @BOUNDED
    def real_interview(case: Any) -> None:
        _check(case)

    real_interview()
