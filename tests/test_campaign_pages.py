"""The console's campaign pages through the app (SQLite and PostgreSQL): create with the
problems shown next to their fields, read, edit, close and reopen, try the interview;
what a viewer sees; and the open link's kind pages for a closed campaign, one not open
yet and a full quota cell."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from starlette.testclient import TestClient

from bot.service.campaign_settings import SettingsForm
from journeyline.web.app import create_app
from storage import queries
from tests.console_support import ConsoleApp, console_app, sign_in
from tests.synthesis_data import add_journey

GUIDE = 'extends: support_journey\ntexts:\n  problem: "What went wrong, <b>really</b>?"\n'
FORM = {
    "name": "Support <i>Q4</i>",
    "slug": "q4",
    "company": "Northwind",
    "guide": GUIDE,
    "languages": "en, de",
    "time_zone": "Europe/Berlin",
    "starts_at": "",
    "ends_at": "2030-12-24T18:00",
    "target_completes": "30",
    "quotas": "plan=basic: 20\nplan=pro: 1",
    "saturation_n": "10",
    "open_link": "on",
}


@pytest.fixture
def app(db_url: str) -> Iterator[ConsoleApp]:
    with console_app(db_url) as made:
        made.user("rita@example.com", "researcher")
        made.user("vera@example.com", "viewer")
        yield made


def _signed_in(app: ConsoleApp, email: str) -> tuple[TestClient, str]:
    client = app.client()
    return client, sign_in(client, email)


def _error_of(html: str, field: str) -> str:
    found = re.search(rf'<p class="field-error" id="{field}-error">([^<]*)</p>', html)
    assert found, f"no error next to {field}"
    return found.group(1)


def test_a_researcher_creates_edits_closes_and_reopens_a_campaign(app: ConsoleApp) -> None:
    client, csrf = _signed_in(app, "rita@example.com")
    page = client.get("/app/campaigns/new")
    assert page.status_code == 200 and 'name="csrf_token"' in page.text

    wrong = {**FORM, "name": "", "time_zone": "Mars/Base", "quotas": "plan basic", "slug": "Q 4"}
    refused = client.post("/app/campaigns", data={**wrong, "csrf_token": csrf})
    assert refused.status_code == 400
    assert _error_of(refused.text, "name") == "Give the campaign a name."
    assert "Mars/Base" in _error_of(refused.text, "time_zone")
    assert "attribute=value: number" in _error_of(refused.text, "quotas")
    assert "invalid slug" in _error_of(refused.text, "slug").lower()
    # Typed values come back (escaped), and each bad field says so to assistive tech.
    assert 'id="name" name="name" type="text" maxlength="200" required value=""' in refused.text
    assert re.search(
        r'id="time_zone"[^>]*aria-describedby="time_zone-help time_zone-error"', refused.text
    )
    assert "plan basic</textarea>" in refused.text
    assert client.post("/app/campaigns", data=FORM).status_code == 403  # no CSRF token

    made = client.post("/app/campaigns", data={**FORM, "csrf_token": csrf})
    assert (
        made.status_code == 303
        and made.headers["location"] == "/app/campaigns/q4?done=campaign-created"
    )
    shown = client.get("/app/campaigns/q4").text
    assert "Support &lt;i&gt;Q4&lt;/i&gt;" in shown and "<i>Q4</i>" not in shown
    assert "24 Dec 2030, 18:00 Europe/Berlin" in shown
    assert "0 of 20" in shown and "0 of 1" in shown
    assert "http://testserver/c/q4" in shown
    # Every form of the page carries the session's CSRF token (the preview's too).
    forms = re.findall(r"<form method=\"post\".*?</form>", shown, flags=re.S)
    assert len(forms) == 3 and all(f'value="{csrf}"' in form for form in forms)
    listed = client.get("/app/campaigns").text
    assert "Support &lt;i&gt;Q4&lt;/i&gt;" in listed and ">open</span>" in listed

    edit = client.get("/app/campaigns/q4/edit").text
    assert "2030-12-24T18:00" in edit and "plan=pro: 1" in edit
    assert "&lt;b&gt;really&lt;/b&gt;" in edit  # the guide as typed, escaped
    saved = client.post(
        "/app/campaigns/q4/edit",
        data={**FORM, "name": "Support Q4", "target_completes": "0", "csrf_token": csrf},
    )
    assert saved.status_code == 400
    assert "from 1 to" in _error_of(saved.text, "target_completes")
    saved = client.post(
        "/app/campaigns/q4/edit", data={**FORM, "name": "Support Q4", "csrf_token": csrf}
    )
    assert saved.status_code == 303

    closed = client.post("/app/campaigns/q4/close", data={"csrf_token": csrf})
    assert closed.headers["location"] == "/app/campaigns/q4?done=campaign-closed"
    page_after = client.get(closed.headers["location"]).text
    assert "Closed by a researcher." in page_after and ">Reopen</button>" in page_after
    assert "closed</span>" in client.get("/app/campaigns").text
    reopened = client.post("/app/campaigns/q4/reopen", data={"csrf_token": csrf})
    assert reopened.headers["location"] == "/app/campaigns/q4?done=campaign-reopened"
    assert ">Close</button>" in client.get("/app/campaigns/q4").text


def test_reopening_past_the_end_date_is_refused_with_the_reason(app: ConsoleApp) -> None:
    client, csrf = _signed_in(app, "rita@example.com")
    client.post("/app/campaigns", data={**FORM, "ends_at": "2026-12-01T10:30", "csrf_token": csrf})
    app.clock.advance(minutes=45)  # 10:45 in Berlin
    page = client.get("/app/campaigns/q4").text
    assert "has passed" in page and ">Reopen</button>" in page
    refused = client.post("/app/campaigns/q4/reopen", data={"csrf_token": csrf})
    assert refused.status_code == 409
    assert "The campaign stays closed. Its end date has passed" in refused.text


def test_trying_the_interview_chats_with_the_draft_and_goes_back_to_it(app: ConsoleApp) -> None:
    client, csrf = _signed_in(app, "rita@example.com")
    first = client.post("/app/campaigns/preview", data={**FORM, "csrf_token": csrf})
    assert first.status_code == 200
    assert "Your answers are stored" in first.text and 'value="yes"' in first.text
    second = client.post(
        "/app/campaigns/preview", data={**FORM, "csrf_token": csrf, "choice": "yes"}
    )
    assert "What went wrong, &lt;b&gt;really&lt;/b&gt;?" in second.text
    assert '<input type="hidden" name="said" value="choice:yes">' in second.text
    third = client.post(
        "/app/campaigns/preview",
        data={**FORM, "csrf_token": csrf, "said": ["choice:yes"], "message": "<script>x</script>"},
    )
    assert "&lt;script&gt;x&lt;/script&gt;" in third.text and "<script>x" not in third.text
    assert "And what was the first thing you did about it?" in third.text
    with app.runtime.sessions() as session:
        assert queries.get_campaign_by_slug(session, "q4") is None  # nothing stored
        assert queries.list_interviews(session) == []
    back = client.post("/app/campaigns/draft", data={**FORM, "csrf_token": csrf})
    assert back.status_code == 200 and "plan=pro: 1</textarea>" in back.text
    broken = client.post(
        "/app/campaigns/preview", data={**FORM, "guide": "extends: [", "csrf_token": csrf}
    )
    assert broken.status_code == 400 and "not valid YAML" in _error_of(broken.text, "guide")


def test_a_viewer_reads_campaigns_but_changes_nothing(app: ConsoleApp) -> None:
    app.service.campaign_admin.create("q4", SettingsForm(name="Support Q4"))
    client, csrf = _signed_in(app, "vera@example.com")
    listed = client.get("/app/campaigns").text
    assert "Support Q4" in listed and "New campaign" not in listed
    shown = client.get("/app/campaigns/q4").text
    assert "Support Q4" in shown and ">Edit<" not in shown and ">Close</button>" not in shown
    assert client.post("/app/campaigns/q4/close", data={"csrf_token": csrf}).status_code == 403
    assert client.get("/app/campaigns/nope").status_code == 404


# --- the open link ---------------------------------------------------------------------


def _open_link_app(app: ConsoleApp) -> TestClient:
    return TestClient(create_app(app.runtime, console=app.service), follow_redirects=False)


def test_the_open_link_is_kind_to_people_it_turns_away(app: ConsoleApp) -> None:
    admin = app.service.campaign_admin
    admin.create("q4", SettingsForm(name="Support Q4", open_link=True, quotas="plan=pro: 1"))
    web = _open_link_app(app)
    welcome = web.get("/c/q4?plan=pro&name=<b>x</b>")
    assert welcome.status_code == 200
    # Only the quota attribute is carried to the start, never anything else typed.
    assert '<input type="hidden" name="plan" value="pro">' in welcome.text
    assert "name=" not in welcome.text.split("start-form", 1)[1].split("</form>")[0].replace(
        'name="plan"', ""
    )
    started = web.post("/c/q4", data={"plan": "pro", "role": "admin"})
    assert started.status_code == 303
    with app.runtime.sessions.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q4")
        assert campaign is not None
        (interview,) = campaign.interviews
        assert interview.participant is not None
        assert interview.participant.attributes == {"plan": "pro"}
        interview.status = "completed"

    full = web.get("/c/q4?plan=pro")
    assert full.status_code == 410 and "Thank you, we have heard enough" in full.text
    assert web.post("/c/q4", data={"plan": "pro"}).status_code == 410
    assert web.get("/c/q4?plan=basic").status_code == 200  # not a cell: welcome
    assert web.get("/c/q4").status_code == 200

    admin.close("q4")
    closed = web.get("/c/q4")
    assert closed.status_code == 410 and "This study has closed" in closed.text
    assert "error" not in closed.text.lower()
    refused = web.post("/c/q4")
    assert refused.status_code == 410 and "This study has closed" in refused.text
    api = web.post("/api/v1/interviews", json={"campaign": "q4"})
    assert api.status_code == 410 and api.json()["error"]["code"] == "study_closed"


def test_an_open_link_before_its_start_says_when_it_opens(app: ConsoleApp) -> None:
    form = SettingsForm(name="Later", open_link=True, starts_at="2030-01-05 10:00")
    app.service.campaign_admin.create("later", form)
    page = _open_link_app(app).get("/c/later")
    assert page.status_code == 403
    assert (
        "This study has not started yet" in page.text and "5 January 2030 at 10:00 UTC" in page.text
    )


def test_a_personal_link_of_a_closed_campaign_shows_the_closed_page(app: ConsoleApp) -> None:
    app.service.campaign_admin.create("q4", SettingsForm(name="Support Q4"))
    web = _open_link_app(app)
    from bot.service.interviews import InterviewService
    from bot.service.links import Links

    links = Links(app.runtime.sessions, InterviewService(app.runtime.sessions))
    token = links.create_invite(campaign_slug="q4", participant_external_id="p1")
    with app.runtime.sessions.begin() as session:
        campaign = queries.get_campaign_by_slug(session, "q4")
        assert campaign is not None
        add_journey(session, campaign=campaign, steps=[], participant="other")
    app.service.campaign_admin.close("q4")
    page = web.get(f"/i/{token}")
    assert page.status_code == 410 and "This study has closed" in page.text
