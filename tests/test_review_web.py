"""Map pages through the real ASGI app (SQLite and PostgreSQL): the maps list, a map page
with its lanes and links to evidence and transcripts, customer text shown as text in
every view, personal data masked for viewers, and pages that do not exist."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape

import pytest
from starlette.testclient import TestClient

from synthesis.runs import SavedRun
from tests.console_support import ConsoleApp, console_app, sign_in
from tests.review_data import EVIL_EMAIL, EVIL_PHONE, seeded

SCRIPT = "<script>alert('x')</script>"


@dataclass
class Mapped:
    app: ConsoleApp
    run: SavedRun

    def signed_in(self, role: str) -> TestClient:
        client = self.app.client()
        email = f"{role}-{id(client)}@example.com"
        self.app.user(email, role)
        sign_in(client, email)
        return client


@pytest.fixture
def mapped(db_url: str) -> Iterator[Mapped]:
    with console_app(db_url) as app:
        yield Mapped(app=app, run=seeded(app.runtime.sessions))


def _links(html: str, prefix: str) -> list[str]:
    return [
        unescape(h) for h in re.findall(r'href="([^"]+)"', html) if unescape(h).startswith(prefix)
    ]


def _no_live_markup(html: str) -> None:
    """The customer's markup arrives escaped, never as elements or a live script."""
    assert SCRIPT not in html and "<b>support</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in html
    assert "**twice** [link](javascript:alert(1))" in html  # Markdown stays as typed
    assert 'href="javascript' not in html
    assert "\u202e" not in html and "\u2067" not in html  # bidi controls made visible
    assert "⟦U+202E⟧evil⟦U+202C⟧" in html


def test_the_maps_list_and_a_map_page_link_every_count_and_quote(mapped: Mapped) -> None:
    client = mapped.signed_in("reviewer")
    listing = client.get("/app/maps")
    assert listing.status_code == 200 and "Support Q4" in listing.text
    assert f"/app/maps/{mapped.run.id}" in listing.text
    page = client.get(f"/app/maps/{mapped.run.id}")
    assert page.status_code == 200
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    assert 'aria-current="page">Maps<' in html
    for stage in mapped.run.journey_map.stages:
        assert f'id="stage-{stage.id}"' in html and stage.name in unescape(html)
    evidence = _links(html, f"/app/maps/{mapped.run.id}/evidence/")
    transcripts = _links(html, f"/app/maps/{mapped.run.id}/interviews/")
    assert len(evidence) > 20 and len(transcripts) > 10
    # Every link of the page opens.
    for link in sorted(set(evidence))[:40] + sorted(set(transcripts))[:5]:
        assert client.get(link.split("#")[0]).status_code == 200, link
    _no_live_markup(html)


def test_customer_text_is_text_in_the_evidence_and_the_transcript(mapped: Mapped) -> None:
    client = mapped.signed_in("reviewer")
    run = mapped.run.id
    evidence = client.get(f"/app/maps/{run}/evidence/map/all")
    assert evidence.status_code == 200
    _no_live_markup(evidence.text)
    evil_interview = mapped.run.journey_map.interview_ids[0]
    transcript = client.get(f"/app/maps/{run}/interviews/{evil_interview}")
    assert transcript.status_code == 200
    _no_live_markup(transcript.text)
    assert EVIL_EMAIL in transcript.text and "customer0@example.org" in transcript.text
    assert re.search(r'<li id="m\d+" class="msg msg--in">', transcript.text)


def test_a_viewer_reads_the_map_with_personal_data_masked_everywhere(mapped: Mapped) -> None:
    client = mapped.signed_in("viewer")
    run = mapped.run.id
    evil_interview = mapped.run.journey_map.interview_ids[0]
    pages = [
        client.get(f"/app/maps/{run}"),
        client.get(f"/app/maps/{run}/evidence/map/all"),
        client.get(f"/app/maps/{run}/evidence/stage/reach_out"),
        client.get(f"/app/maps/{run}/interviews/{evil_interview}"),
    ]
    for page in pages:
        assert page.status_code == 200
        assert EVIL_EMAIL not in page.text and EVIL_PHONE not in page.text
        assert "customer0@example.org" not in page.text and "Customer 0" not in page.text
        assert "masked for your role" in page.text or "hidden for your role" in page.text
    assert "[email]" in pages[3].text


def test_pages_that_do_not_exist_say_so(mapped: Mapped) -> None:
    client = mapped.signed_in("viewer")
    run = mapped.run.id
    for path in (
        f"/app/maps/{run + 50}",
        f"/app/maps/{run}/evidence/stage/no-such-stage",
        f"/app/maps/{run}/evidence/nonsense/x",
        f"/app/maps/{run}/evidence/theme/wait?theme=99",
        f"/app/maps/{run}/interviews/not-an-interview",
    ):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "Back to maps" in response.text
    assert client.get(f"/app/maps/{run}/evidence/stage/wait?feeling=9").status_code == 422
