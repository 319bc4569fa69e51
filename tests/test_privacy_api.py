"""The admins' privacy API with real data: an admin exports and erases a person by
email; a researcher, a reviewer and a viewer are refused (403), and so is a call
without a key (401); the audit names the admin's account, never the person."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from starlette.testclient import TestClient

from bot.service.console.permissions import Role, key_scopes_for
from journeyline.web.app import create_app
from storage.privacy_models import ErasureRecord
from tests.console_support import ConsoleApp, console_app
from tests.privacy_support import ERIN, build_world, needles_in_database

pytestmark = pytest.mark.parametrize("blank_db_url", ["sqlite"], indirect=True)


@pytest.fixture
def app(db_url: str, tmp_path: Path) -> Iterator[ConsoleApp]:
    settings = {"data_dir": tmp_path / "data", "rate_limit_per_token": 1000}
    with console_app(db_url, settings=settings) as made:
        build_world(made.runtime, data_dir=tmp_path / "data", out=tmp_path / "map")
        yield made


def _key(app: ConsoleApp, role: Role) -> dict[str, str]:
    user = app.user(f"{role.value}@example.com", role.value)
    key = app.service.api_keys.create(user, name="privacy", scopes=key_scopes_for(role))
    return {"Authorization": f"Bearer {key.token}"}


def test_only_an_admin_may_export_or_erase(app: ConsoleApp) -> None:
    client = TestClient(create_app(app.runtime, console=app.service))
    query = {"email": ERIN.email}
    assert client.get("/api/v1/participants/export", params=query).status_code == 401
    assert client.post("/api/v1/participants/erase", json=query).status_code == 401
    for role in (Role.RESEARCHER, Role.REVIEWER, Role.VIEWER):
        headers = _key(app, role)
        refused = client.get("/api/v1/participants/export", params=query, headers=headers)
        assert refused.status_code == 403, role
        assert "personal-data:manage" in refused.json()["error"]["message"]
        erase = client.post("/api/v1/participants/erase", json=query, headers=headers)
        assert erase.status_code == 403, role
    assert needles_in_database(app.runtime.sessions, ERIN) != []
    admin = _key(app, Role.ADMIN)
    # An admin's key whose owner is made a researcher loses the power with the role.
    demoted = app.user("demoted@example.com", "admin")
    key = app.service.api_keys.create(demoted, name="k", scopes=key_scopes_for(Role.ADMIN))
    app.service.accounts.set_role(demoted, "researcher")
    refused = client.post(
        "/api/v1/participants/erase", json=query, headers={"Authorization": f"Bearer {key.token}"}
    )
    assert refused.status_code == 403
    assert "may not export or erase a customer's data" in refused.json()["error"]["message"]

    nobody = client.get("/api/v1/participants/export", headers=admin)
    assert nobody.status_code == 400 and "Say whom" in nobody.json()["error"]["message"]
    exported = client.get("/api/v1/participants/export", params=query, headers=admin)
    assert exported.status_code == 200
    assert {p["campaign"] for p in exported.json()["participants"]} == {"alpha", "beta"}

    # The console has the map in its cache, her words in it.
    shown = client.get("/api/v1/maps/1", headers=admin)
    assert shown.status_code == 200 and ERIN.words[0] in shown.text

    erased = client.post("/api/v1/participants/erase", json=query, headers=admin)
    assert erased.status_code == 200, erased.text
    body = erased.json()
    assert body["counts"]["participants"] == 3 and body["retired_runs"] == [1]
    assert [m["email"] for m in body["matched"]] == [ERIN.email] * 3
    assert needles_in_database(app.runtime.sessions, ERIN) == []
    # The retired map is gone from the console too, cache and all.
    assert client.get("/api/v1/maps/1", headers=admin).status_code == 404
    assert client.get("/api/v1/maps", headers=admin).json() == {"series": []}
    with app.runtime.sessions() as session:
        audit = session.scalar(select(ErasureRecord))
        assert audit is not None and audit.erasure_id == body["erasure_id"]
        assert audit.actor.startswith("account:")
    again = client.post("/api/v1/participants/erase", json=query, headers=admin)
    assert again.status_code == 404
    assert again.json()["error"]["code"] == "not_found"
