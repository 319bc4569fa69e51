"""Share links and downloads of a curated map (issue 18, item 5), on SQLite and
PostgreSQL, through the whole app: a reviewer makes a link in the console, anyone opens
it without signing in and sees the map redacted; revoked, expired and unknown links are
one and the same 404; downloads keep personal data only for roles that may see it and
ask for it."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from bot.service.review.sharing import ShareConfig, ShareLinks, ShareRefused, fresh_token
from bot.web.share import NOT_FOUND_TITLE
from journeyline.web.app import create_app
from tests.console_support import Clock, ConsoleApp, console_app, csrf_of, sign_in
from tests.review_data import EVIL_EMAIL, EVIL_PHONE, seeded
from tests.test_map_documents import pdf_text

LINK = re.compile(r'<code id="new-link-value">(http://testserver/share/([A-Za-z0-9_-]{43}))</code>')


@dataclass
class Shared:
    app: ConsoleApp
    client: TestClient
    run_id: int
    stage_names: list[str]
    review: ReviewService
    # The links' own clock: moving it expires links, not the console's sessions.
    clock: Clock


@pytest.fixture
def shared(db_url: str) -> Iterator[Shared]:
    with console_app(db_url, settings={"share_link_max_days": 60}) as app:
        saved = seeded(app.runtime.sessions, count=6, evil=True)
        web = create_app(app.runtime, console=app.service)
        # The links' clock is the test's, so a link can be made to expire.
        sharing = web.state.sharing
        clock = Clock()
        sharing.links = ShareLinks(
            app.runtime.sessions,
            review=sharing.exports.review,
            config=sharing.links.config,
            clock=clock,
        )
        yield Shared(
            app=app,
            client=TestClient(web, follow_redirects=False),
            run_id=saved.id,
            stage_names=[s.name for s in saved.journey_map.stages],
            review=sharing.exports.review,
            clock=clock,
        )


def _make_link(s: Shared, *, days: str = "", note: str = "") -> tuple[str, str, dict[str, str]]:
    """Make a link through the console's form; (url, token, the form sent)."""
    page = s.client.get(f"/app/maps/{s.run_id}/shares")
    assert page.status_code == 200, page.text
    token = re.search(r'name="token" value="([^"]+)"', page.text)
    assert token is not None
    form = {"csrf_token": csrf_of(page.text), "token": token.group(1), "days": days, "note": note}
    made = s.client.post(f"/app/maps/{s.run_id}/shares", data=form)
    assert made.status_code == 200, made.text
    found = LINK.search(made.text)
    assert found is not None, made.text
    return found.group(1), found.group(2), form


def _visit(s: Shared, path: str) -> tuple[int, str, dict[str, str]]:
    visitor = TestClient(s.client.app, follow_redirects=False)  # no cookies: not signed in
    response = visitor.get(path)
    return response.status_code, response.text, dict(response.headers)


def test_a_share_link_is_made_opened_redacted_and_revoked(shared: Shared) -> None:
    s = shared
    s.app.user("rev@example.com", "reviewer")
    sign_in(s.client, "rev@example.com")
    _url, token, form = _make_link(s, note="for the <b>support leads</b>")
    # The same form sent again (a retry, a double click) makes no second link.
    again = s.client.post(f"/app/maps/{s.run_id}/shares", data=form)
    assert LINK.search(again.text) and LINK.search(again.text).group(2) == token  # type: ignore[union-attr]
    listed = s.client.get(f"/app/maps/{s.run_id}/shares").text
    assert len(re.findall(r'id="share-\d+"', listed)) == 1 and "active" in listed
    assert token not in listed  # shown once, never again

    status, page, headers = _visit(s, f"/share/{token}")
    assert status == 200
    policy = headers["content-security-policy"]
    assert policy.startswith("default-src 'none'; style-src 'sha256-")
    assert "frame-ancestors 'none'" in policy and "script-src" not in policy
    assert headers["x-robots-tag"].startswith("noindex") and headers["cache-control"] == "no-store"
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert all(name in page for name in s.stage_names)
    assert "Shared read-only</b> by rev@example.com" in page
    assert "for the &lt;b&gt;support leads&lt;/b&gt;" in page
    # The customer who wrote markup, a script, bidi controls, an email and a phone number.
    assert "twice" in page and "&lt;script&gt;" in page and "<script" not in page
    assert EVIL_EMAIL not in page and EVIL_PHONE not in page and "[email]" in page
    assert "\u202e" not in page and "/app/maps" not in page  # no way into the console

    pdf = TestClient(s.client.app).get(f"/share/{token}/map.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.headers["x-robots-tag"].startswith("noindex")
    text = pdf_text(pdf.content)
    assert EVIL_EMAIL not in text and "Shared read-only by rev@example.com" in " ".join(
        text.split()
    )

    link_id = int(re.search(r'id="share-(\d+)"', listed).group(1))  # type: ignore[union-attr]
    revoke = s.client.post(
        f"/app/maps/{s.run_id}/shares/{link_id}/revoke", data={"csrf_token": form["csrf_token"]}
    )
    assert revoke.status_code == 303
    assert "revoked" in s.client.get(revoke.headers["location"]).text
    revoked = _visit(s, f"/share/{token}")
    unknown = _visit(s, f"/share/{fresh_token()}")
    garbage = _visit(s, "/share/not-a-token")
    assert revoked[0] == unknown[0] == garbage[0] == 404
    assert revoked[1] == unknown[1] == garbage[1] and NOT_FOUND_TITLE in unknown[1]
    assert _visit(s, f"/share/{token}/map.pdf")[0] == 404
    # Revoking again changes nothing.
    again_revoke = s.client.post(
        f"/app/maps/{s.run_id}/shares/{link_id}/revoke", data={"csrf_token": form["csrf_token"]}
    )
    assert again_revoke.status_code == 303


def test_links_expire_and_keep_within_the_longest_lifetime(shared: Shared) -> None:
    s = shared
    s.app.user("res@example.com", "researcher")
    sign_in(s.client, "res@example.com")
    _, token, _ = _make_link(s, days="2")
    assert _visit(s, f"/share/{token}")[0] == 200
    s.clock.advance(days=2, seconds=-1)
    assert _visit(s, f"/share/{token}")[0] == 200
    s.clock.advance(seconds=1)
    assert _visit(s, f"/share/{token}")[0] == 404
    assert "expired" in s.client.get(f"/app/maps/{s.run_id}/shares").text
    _, default, _ = _make_link(s)  # 30 days unless asked
    links = ShareLinks(s.app.runtime.sessions, review=s.review, clock=s.clock)
    assert links.open(default) is not None
    s.clock.advance(days=30)
    assert links.open(default) is None
    page = s.client.get(f"/app/maps/{s.run_id}/shares")
    refused = s.client.post(
        f"/app/maps/{s.run_id}/shares",
        data={"csrf_token": csrf_of(page.text), "token": fresh_token(), "days": "61"},
    )
    assert refused.status_code == 400 and "from 1 to 60 days, not 61" in refused.text


def test_the_service_refuses_forged_tokens_and_foreign_revocations(shared: Shared) -> None:
    links = ShareLinks(
        shared.app.runtime.sessions,
        review=shared.review,
        config=ShareConfig(default_days=3, max_days=5),
    )
    who = Editor(user_id=None, name="someone")
    with pytest.raises(ShareRefused, match="broken"):
        links.create(shared.run_id, token="a" * 10, editor=who)
    with pytest.raises(ShareRefused, match="1 to 5 days"):
        links.create(shared.run_id, token=fresh_token(), editor=who, days=6)
    made = links.create(shared.run_id, token=fresh_token(), editor=who)
    assert made.link.expires_at - made.link.created_at == timedelta(days=3)
    assert links.create(shared.run_id, token=made.token, editor=who).link == made.link
    with pytest.raises(ShareRefused, match="no such share link"):
        links.revoke(shared.run_id + 1, made.link.id, editor=who)
    assert links.open(made.token) is not None


def test_the_share_route_is_rate_limited(db_url: str) -> None:
    with console_app(db_url, settings={"rate_limit_per_token": 3}) as app:
        client = TestClient(create_app(app.runtime, console=app.service))
        token = fresh_token()
        statuses = [client.get(f"/share/{token}").status_code for _ in range(4)]
        assert statuses == [404, 404, 404, 429]


def _whiteboard(client: TestClient, run_id: int, query: str = "") -> tuple[int, str]:
    response = client.get(f"/app/maps/{run_id}/export/whiteboard-csv{query}")
    return response.status_code, response.text


def test_downloads_keep_personal_data_only_when_allowed_and_asked(shared: Shared) -> None:
    s = shared
    curated = s.review.journey_map(s.run_id, personal=True)
    assert any(EVIL_EMAIL in q.text for st in curated.stages for q in st.quotes[:3])
    s.app.user("viewer@example.com", "viewer")
    s.app.user("reviewer@example.com", "reviewer")
    sign_in(s.client, "viewer@example.com")
    status, board = _whiteboard(s.client, s.run_id)
    assert status == 200 and EVIL_EMAIL not in board and "[email]" in board
    rows = list(csv.reader(io.StringIO(board, newline="")))
    assert rows[0][1:] == [f"{n}. {name}" for n, name in enumerate(s.stage_names, start=1)]
    assert _whiteboard(s.client, s.run_id, "?personal=true")[0] == 403
    pdf = s.client.get(f"/app/maps/{s.run_id}/export/pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    assert 'filename="journey-map-support-q4-run' in pdf.headers["content-disposition"]
    png = s.client.get(f"/app/maps/{s.run_id}/export/png")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    assert s.client.get(f"/app/maps/{s.run_id}/export/docx").status_code == 404
    assert s.client.get(f"/app/maps/{s.run_id}/shares").status_code == 403  # viewers don't share
    s.client.cookies.clear()
    sign_in(s.client, "reviewer@example.com")
    status, board = _whiteboard(s.client, s.run_id)
    assert status == 200 and EVIL_EMAIL not in board  # redacted unless asked for
    status, board = _whiteboard(s.client, s.run_id, "?personal=true")
    assert status == 200 and EVIL_EMAIL in board
    page = s.client.get(f"/app/maps/{s.run_id}").text
    assert f'href="/app/maps/{s.run_id}/export/pdf"' in page
    assert f'href="/app/maps/{s.run_id}/shares"' in page and "?personal=true" in page
