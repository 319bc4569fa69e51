"""The console's participants, invitations and progress pages and the participants API,
through the real app (TestClient), on SQLite and PostgreSQL: the upload's report by line
and column, re-uploads that update, masking for viewers, escaping, scheduling and
revoking waves, the links and progress CSVs, and the API's per-item results,
idempotency and scopes."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from bot.service.campaigns import create_campaign
from bot.service.invitations import Invitations
from campaigns.waves import WaveStarts
from journeyline.scheduler_wiring import link_tokens
from storage.scheduler_models import Invitation, InvitationWave, ScheduledJob
from tests.console_support import ConsoleApp, console_app, sign_in
from tests.review_data import SLUG as REVIEW_SLUG
from tests.review_data import seeded

SLUG = "q4"
BASE = f"/app/campaigns/{SLUG}"
LIST = (
    "email,name,language,time_zone,plan\n"
    "ana@example.com,Ana,en,Europe/Berlin,pro\n"
    "bo@example.com,<script>alert(1)</script>,en,,free\n"
    "not-an-email,Cy,en,,pro\n"
    "dee@example.com,Dee,en,Mars/Olympus,free\n"
    "ana@example.com,Ana again,en,,pro\n"
    "out@example.com,Opted Out,en,,free\n"
)


@dataclass
class Site:
    app: ConsoleApp
    client: TestClient
    csrf: str


@pytest.fixture
def site(db_url: str) -> Iterator[Site]:
    with console_app(db_url, settings={"link_secret": "people-web-secret"}) as app:
        with app.runtime.sessions.begin() as session:
            create_campaign(session, slug=SLUG, name="Support study", company="Northwind")
        app.user("res@example.com", "researcher")
        client = app.client()
        yield Site(app=app, client=client, csrf=sign_in(client, "res@example.com"))


def _upload(site: Site, text: str) -> str:
    response = site.client.post(
        f"{BASE}/participants",
        data={"csrf_token": site.csrf},
        files={"file": ("people.csv", text.encode(), "text/csv")},
    )
    assert response.status_code == 200, response.text
    return response.text


def test_an_upload_reports_bad_rows_by_line_and_column_and_a_second_one_updates(
    site: Site,
) -> None:
    Invitations(site.app.runtime.sessions).suppress(kind="email", value="out@example.com")
    page = _upload(site, LIST)
    assert "line 4" in page and "not an email address" in page
    assert "line 5" in page and "unknown time zone" in page and "<code>time_zone</code>" in page
    assert "line 6" in page and "duplicate of line 2" in page
    assert "line 7 (out@example.com)" in page  # suppressed, named to the researcher
    # The name is shown as typed, never run.
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    listed = site.client.get(f"{BASE}/participants").text
    assert "2 participants" in listed
    again = _upload(site, "email,plan\nana@example.com,enterprise\n")
    assert '<span class="stat-value">0</span><span class="stat-label">added' in again
    assert '<span class="stat-value">1</span><span class="stat-label">updated' in again
    assert "enterprise" in site.client.get(f"{BASE}/participants").text


def test_a_large_list_is_not_refused_by_the_request_size_limit(site: Site) -> None:
    rows = "".join(f"person{n}@example.com,Person {n},pro\n" for n in range(3000))
    text = "email,name,plan\n" + rows
    assert len(text) > 65536
    page = _upload(site, text)
    assert '<span class="stat-value">3000</span><span class="stat-label">added' in page
    second = site.client.get(f"{BASE}/participants?page=2").text
    assert "Page 2 of 30" in second and "person100@example.com" in second


def test_viewers_see_masked_people_and_no_forms(site: Site) -> None:
    _upload(site, LIST)
    site.app.user("view@example.com", "viewer")
    viewer = site.app.client()
    sign_in(viewer, "view@example.com")
    page = viewer.get(f"{BASE}/participants").text
    assert "a***@example.com" in page and "ana@example.com" not in page
    assert "A***" in page and 'enctype="multipart/form-data"' not in page
    person = viewer.get(f"{BASE}/participants/1").text
    assert "ana@example.com" not in person and "Revoke" not in person
    assert viewer.get(f"{BASE}/invitations").status_code == 200
    assert viewer.get(f"{BASE}/invitations/links.csv").status_code == 403


def test_a_wave_is_scheduled_once_however_often_the_form_is_sent(site: Site) -> None:
    _upload(site, LIST)
    form = {
        "csrf_token": site.csrf, "channel": "link", "at": "2030-04-05T09:00",
        "time_zone": "Europe/Berlin", "rate": "300/min", "expire_after_days": "14",
    }  # fmt: skip
    first = site.client.post(f"{BASE}/invitations", data=form)
    assert first.headers["location"].endswith("?done=wave-scheduled")
    second = site.client.post(f"{BASE}/invitations", data=form)
    assert second.headers["location"].endswith("?done=wave-exists")
    with site.app.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvitationWave)) == 1
        wave = session.scalars(select(InvitationWave)).one()
        assert wave.rate_per_second == 5 and wave.expire_after_seconds == 14 * 86400
        assert wave.scheduled_at.isoformat() == "2030-04-05T07:00:00+00:00"  # CEST
    page = site.client.get(f"{BASE}/invitations?done=wave-exists").text
    assert "nothing new was added" in page and "Wave 1 · Links you hand out" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"time_zone": "Mars/Olympus"}, "unknown time zone"),
        ({"at": "2030-03-31T02:30"}, "daylight saving"),
        ({"rate": "fast"}, "cannot read the rate"),
        ({"channel": "pigeon"}, "unknown channel"),
        ({"at": ""}, "Choose the date and time"),
        ({"remind_after_days": "-2"}, "between 0 and 365 days"),
    ],
)
def test_a_wave_that_cannot_be_scheduled_says_why_and_keeps_the_form(
    site: Site, change: dict[str, str], message: str
) -> None:
    form = {
        "csrf_token": site.csrf, "channel": "email", "at": "2030-03-20T09:00",
        "time_zone": "Europe/Berlin", "rate": "10/s", "remind_after_days": "3",
        "max_reminders": "2", **change,
    }  # fmt: skip
    response = site.client.post(f"{BASE}/invitations", data=form)
    assert response.status_code == 400
    assert message in response.text
    assert f'value="{form["rate"]}"' in response.text  # what was typed stays
    with site.app.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(InvitationWave)) == 0


def test_revoking_a_wave_and_a_person_and_the_links_csv(site: Site) -> None:
    _upload(site, "email,name\nana@example.com,=HYPERLINK(1)\nbo@example.com,Bo\n")
    invitations = Invitations(site.app.runtime.sessions)
    wave = invitations.schedule_wave(
        campaign_slug=SLUG, channel="email", at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    revoked = site.client.post(
        f"{BASE}/invitations/{wave.id}/revoke", data={"csrf_token": site.csrf}
    )
    assert revoked.headers["location"].endswith("?done=wave-revoked")
    assert "Revoked" in site.client.get(f"{BASE}/invitations").text
    missing = site.client.post(f"{BASE}/invitations/999/revoke", data={"csrf_token": site.csrf})
    assert missing.status_code == 404
    # A link wave, started by the scheduler's wave start (run here by hand).
    links_wave = invitations.schedule_wave(
        campaign_slug=SLUG, channel="link", at=datetime(2020, 1, 1, tzinfo=UTC)
    )
    WaveStarts(site.app.runtime.sessions, tokens=link_tokens(site.app.runtime.settings)).start(
        links_wave.id
    )
    download = site.client.get(f"{BASE}/invitations/links.csv?wave={links_wave.id}")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == (
        f'attachment; filename="q4-links-wave-{links_wave.id}.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [r["email"] for r in rows] == ["ana@example.com", "bo@example.com"]
    assert rows[0]["name"] == "'=HYPERLINK(1)"  # a spreadsheet shows it, never runs it
    assert all(r["link"].startswith("http://testserver/i/") for r in rows)
    # Revoking one person: their link closes, the other's stays.
    with site.app.runtime.sessions() as session:
        ana = session.scalars(select(Invitation).where(Invitation.wave_id == links_wave.id)).first()
        assert ana is not None
        ana_id = ana.participant_id
    gone = site.client.post(f"{BASE}/participants/{ana_id}/revoke", data={"csrf_token": site.csrf})
    assert gone.headers["location"].endswith(f"/participants/{ana_id}?done=link-revoked")
    person = site.client.get(gone.headers["location"]).text
    assert "link revoked" in person and "Revoked" in person
    listed = site.client.get(f"{BASE}/participants?status=revoked").text
    assert "1 revoked" in listed


def test_the_progress_json_and_csv_count_what_the_page_shows(site: Site) -> None:
    _upload(site, "email,plan\na@example.com,pro\nb@example.com,free\nc@example.com,=1+1\n")
    page = site.client.get(f"{BASE}/progress?by=plan")
    assert page.status_code == 200
    assert 'src="/static/console-progress.js"' in page.text and "<script>" not in page.text
    data = site.client.get(f"{BASE}/progress.json?by=plan").json()
    assert data["attribute"] == "plan" and data["total"]["participants"] == 3
    (values,) = [t for t in data["tables"] if t["id"] == "values"]
    assert sorted(r["label"] for r in values["rows"]) == ["=1+1", "free", "pro"]
    download = site.client.get(f"{BASE}/progress.csv?by=plan").text
    assert "attribute:plan,'=1+1,1,0,0,0,0,0," in download
    assert site.client.get("/app/campaigns/nope/progress").status_code == 404


# --------------------------------------------------------------------------- the API


def _key(site: Site, *scopes: str) -> dict[str, str]:
    users = site.app.service.accounts.list_users()
    researcher = next(u for u in users if u.email == "res@example.com")
    made = site.app.service.api_keys.create(researcher.id, name="script", scopes=list(scopes))
    return {"Authorization": f"Bearer {made.token}"}


def test_the_api_adds_people_with_per_item_errors_and_invites_each_once(site: Site) -> None:
    headers = _key(site, "campaigns:write", "campaigns:read")
    body = {
        "participants": [
            {"email": "Ana@Example.com", "name": "Ana", "attributes": {"plan": "pro", "seats": 5}},
            {"email": "broken", "name": "B"},
            {"slack_user_id": "U0123ABCD", "time_zone": "Nowhere/Zone"},
            {"external_id": "crm-7", "email": "cy@example.com"},
            {"email": "ana@example.com", "name": "Ana twice"},
        ],
        "invitation": {"channel": "email", "delay_minutes": 90, "remind_after_hours": 72,
                       "max_reminders": 1},
    }  # fmt: skip
    first = site.client.post(f"/api/v1/campaigns/{SLUG}/participants", json=body, headers=headers)
    assert first.status_code == 200, first.text
    result = first.json()
    assert (result["added"], result["updated"], result["invalid"]) == (2, 0, 3)
    items = result["items"]
    assert items[0]["outcome"] == "added" and items[0]["invitation"] == "scheduled"
    assert items[1]["errors"] == [{"field": "email", "message": "not an email address: 'broken'"}]
    assert items[2]["errors"][0]["field"] == "time_zone"
    assert items[3]["external_id"] == "crm-7"
    assert items[4]["errors"] == [{"field": "email", "message": "duplicate of item 0"}]
    again = site.client.post(f"/api/v1/campaigns/{SLUG}/participants", json=body, headers=headers)
    assert again.json()["updated"] == 2 and again.json()["added"] == 0
    assert {i["invitation"] for i in again.json()["items"][:1]} == {"already_invited"}
    assert again.json()["wave_id"] is None
    with site.app.runtime.sessions() as session:
        assert session.scalar(select(func.count()).select_from(Invitation)) == 2
        (job_time,) = set(session.scalars(select(ScheduledJob.run_at)))
        assert (job_time - datetime.now(UTC)).total_seconds() == pytest.approx(90 * 60, abs=120)


def test_the_api_hands_out_links_and_refuses_without_the_scope(site: Site) -> None:
    body = {"participants": [{"email": "ana@example.com"}], "invitation": {"channel": "link"}}
    url = f"/api/v1/campaigns/{SLUG}/participants"
    refused = site.client.post(url, json=body, headers=_key(site, "campaigns:read"))
    assert refused.status_code == 403
    assert refused.json()["error"]["message"] == (
        "This API key does not have the campaigns:write scope."
    )
    assert site.app.client().post(url, json=body).status_code == 401  # no key
    # The console's own session may call it, with the CSRF header only.
    assert site.client.post(url, json=body).status_code == 403
    headers = _key(site, "campaigns:write")
    done = site.client.post(url, json=body, headers=headers).json()
    assert done["items"][0]["invitation"] == "sent"
    assert done["items"][0]["link"].startswith("http://testserver/i/")
    missing = site.client.post("/api/v1/campaigns/nope/participants", json=body, headers=headers)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    bad = {**body, "invitation": {"channel": "link", "max_reminders": 2, "remind_after_hours": 1}}
    refused_terms = site.client.post(url, json=bad, headers=headers)
    assert refused_terms.status_code == 422
    assert "cannot remind" in refused_terms.json()["error"]["message"]
    empty = site.client.post(url, json={"participants": []}, headers=headers)
    assert empty.status_code == 422


def test_the_api_is_in_the_openapi_schema(site: Site) -> None:
    schema = site.client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/campaigns/{slug}/participants"]["post"]
    assert operation["summary"] == "Add participants, optionally inviting them"
    assert {"401", "403", "404", "422"} <= set(operation["responses"])
    assert "idempotent" in operation["description"].lower() or "again" in operation["description"]


def test_the_saturation_curve_of_the_newest_map(site: Site) -> None:
    saved = seeded(site.app.runtime.sessions, count=3, evil=False)
    page = site.client.get(f"/app/campaigns/{REVIEW_SLUG}/progress").text
    assert f"run {saved.id}" in page
    assert '<polyline class="step" points="' in page
    assert saved.journey_map.saturation is not None
    assert saved.journey_map.saturation.statement in page


def test_the_home_links_each_campaign_to_its_pages(site: Site) -> None:
    home = site.client.get("/app").text
    for tab in ("participants", "invitations", "progress"):
        assert f'href="{BASE}/{tab}"' in home


def test_a_wave_in_each_participants_own_time(site: Site) -> None:
    form = {
        "csrf_token": site.csrf, "channel": "email", "at": "2030-05-06T09:00",
        "time_zone": "America/New_York", "rate": "5/s", "participant_time": "1",
    }  # fmt: skip
    assert site.client.post(f"{BASE}/invitations", data=form).status_code == 303
    (wave,) = Invitations(site.app.runtime.sessions).waves(campaign_slug=SLUG)
    assert wave.participant_time and wave.max_reminders == 0 and wave.expire_after is None
    page = site.client.get(f"{BASE}/invitations").text
    assert "in each participant's time" in page and "6 May 2030, 09:00" in page
    assert "America/New_York" in page and "no reminders" in page and "never expire" in page
