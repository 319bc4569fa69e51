"""The review workspace around a map, through the console's forms (SQLite and
PostgreSQL): discussion threads on cells with @mentions, replies, resolve and reopen;
the review status of a version (draft, in review, approved; approved is read-only to
curation until reopened); actions on pain points and opportunities. Threads and actions
stay on their cells after re-synthesis."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from sqlalchemy import func, select
from starlette.testclient import TestClient

from storage.workspace_models import MapAction, MapComment, MapMention
from synthesis.runs import SavedRun
from tests.console_support import ConsoleApp, console_app, sign_in
from tests.review_data import add_more, seeded, synthesize_run

EVIL_COMMENT = "<script>alert(1)</script> **bold** @rae look at the wait"


@dataclass
class Mapped:
    app: ConsoleApp
    run: SavedRun

    def signed_in(self, role: str, name: str | None = None) -> tuple[TestClient, str]:
        client = self.app.client()
        email = f"{name or role}@example.com"
        self.app.user(email, role)
        return client, sign_in(client, email)

    def count(self, model: Any) -> int:
        with self.app.runtime.sessions() as session:
            return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.fixture
def mapped(db_url: str) -> Iterator[Mapped]:
    with console_app(db_url) as app:
        yield Mapped(app=app, run=seeded(app.runtime.sessions))


def _field(html: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', html)
    assert found, f"no {name} in the page"
    return unescape(found.group(1))


def _post(client: TestClient, url: str, csrf: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf, **fields})


def _first_pain(mapped: Mapped) -> str:
    return mapped.run.journey_map.pain_points[0].id


def test_a_thread_on_a_lane_with_a_mention_a_reply_resolve_and_reopen(mapped: Mapped) -> None:
    rae, _ = mapped.signed_in("reviewer", "rae")
    client, csrf = mapped.signed_in("researcher", "sam")
    run = mapped.run.id
    cell = client.get(f"/app/maps/{run}/cells/stage/wait")
    assert cell.status_code == 200 and "Start a discussion" in cell.text
    key = _field(cell.text, "request_key")
    form = {
        "cell_kind": "stage", "cell_id": "wait", "lane": "feeling", "body": EVIL_COMMENT,
        "request_key": key, "back": f"/app/maps/{run}/cells/stage/wait",
    }  # fmt: skip
    first = _post(client, f"/app/maps/{run}/threads", csrf, **form)
    assert first.status_code == 303 and "#thread-" in first.headers["location"]
    again = _post(client, f"/app/maps/{run}/threads", csrf, **form)  # a double click
    assert again.status_code == 303 and mapped.count(MapComment) == 1
    page = client.get(f"/app/maps/{run}/cells/stage/wait")
    assert "&lt;script&gt;alert(1)&lt;/script&gt; **bold**" in page.text
    assert "<script>alert(1)" not in page.text
    wait = next(s.name for s in mapped.run.journey_map.stages if s.id == "wait")
    assert f"On the stage “{wait}”, Feeling lane" in unescape(page.text)
    assert "mentions rae@example.com" in page.text
    thread_id = int(re.search(r'id="thread-(\d+)"', page.text).group(1))  # type: ignore[union-attr]
    reply = _post(
        client, f"/app/maps/{run}/threads/{thread_id}/comments", csrf,
        body="Second thought", request_key="r-1", back=f"/app/maps/{run}/cells/stage/wait",
    )  # fmt: skip
    assert reply.status_code == 303
    resolved = _post(client, f"/app/maps/{run}/threads/{thread_id}/status", csrf, status="resolved")
    assert resolved.status_code == 303
    page = client.get(f"/app/maps/{run}/cells/stage/wait")
    assert "Resolved by sam@example.com" in page.text and "Second thought" in page.text
    _post(client, f"/app/maps/{run}/threads/{thread_id}/status", csrf, status="open")
    map_page = client.get(f"/app/maps/{run}")
    assert "1 open discussion" in map_page.text
    # The mentioned reviewer finds it under Mentions (new, then seen).
    assert "Mentions (1)" in rae.get("/app/maps").text  # the menu counts unseen ones
    mentions = rae.get("/app/mentions")
    assert mentions.status_code == 200 and ">new<" in mentions.text
    assert "&lt;script&gt;" in mentions.text and f"#thread-{thread_id}" in mentions.text
    seen = rae.get("/app/mentions").text
    assert ">new<" not in seen and "Mentions (" not in seen


def test_an_unknown_mention_is_refused_and_nothing_is_stored(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("reviewer", "rae")
    mapped.app.user("ana@example.com", "viewer")
    run = mapped.run.id
    refused = _post(
        client, f"/app/maps/{run}/threads", csrf, cell_kind="stage", cell_id="wait",
        body="@nobody and @ana@example.com, see <this>", request_key="k1",
    )  # fmt: skip
    assert refused.status_code == 400
    assert "nobody in the console is called @nobody" in unescape(refused.text)
    assert "see &lt;this&gt;" in refused.text  # the comment is kept, escaped
    assert mapped.count(MapComment) == 0
    ok = _post(
        client, f"/app/maps/{run}/threads", csrf, cell_kind="stage", cell_id="wait",
        body="@ana@example.com see this", request_key="k2",
    )  # fmt: skip
    assert ok.status_code == 303 and mapped.count(MapMention) == 1
    missing = _post(
        client, f"/app/maps/{run}/threads", csrf, cell_kind="stage", cell_id="nope",
        body="hello", request_key="k3",
    )  # fmt: skip
    assert missing.status_code == 400


def test_threads_and_actions_stay_on_their_cells_after_resynthesis(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("reviewer", "rae")
    run, pain = mapped.run.id, _first_pain(mapped)
    _post(
        client, f"/app/maps/{run}/threads", csrf, cell_kind="pain", cell_id=pain,
        body="Is this the same as the hold music?", request_key="t1",
    )  # fmt: skip
    cell = client.get(f"/app/maps/{run}/cells/pain/{pain}")
    # The form offers the signed-in reviewer as the owner.
    me = re.search(r'<option value="(\d+)" selected>rae@example.com<', cell.text)
    assert me is not None
    created = _post(
        client, f"/app/maps/{run}/actions", csrf, source_kind="pain", source_id=pain,
        title="Call back instead of hold music", owner=me.group(1),
        due_on="2027-01-31", request_key=_field(cell.text, "request_key"),
    )  # fmt: skip
    assert created.status_code == 303, created.text
    add_more(mapped.app.runtime.sessions, count=3, start=20)
    later = synthesize_run(mapped.app.runtime.sessions).id
    assert later != run
    page = client.get(f"/app/maps/{later}/cells/pain/{pain}")
    assert "Is this the same as the hold music?" in page.text
    assert "Call back instead of hold music" in page.text
    actions = client.get(f"/app/maps/{later}/actions")
    assert "Call back instead of hold music" in actions.text and "2027-01-31" in actions.text


def test_actions_filters_and_a_stale_change_is_refused(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("admin", "ada")
    owner = mapped.app.user("olu@example.com", "researcher")
    run, pain = mapped.run.id, _first_pain(mapped)
    opportunity = mapped.run.journey_map.opportunities[0].id
    for n, (kind, cell) in enumerate((("pain", pain), ("opportunity", opportunity))):
        response = _post(
            client, f"/app/maps/{run}/actions", csrf, source_kind=kind, source_id=cell,
            title=f"Action {n} <i>", owner=str(owner), request_key=f"a{n}",
        )  # fmt: skip
        assert response.status_code == 303, response.text
    assert mapped.count(MapAction) == 2
    everything = client.get(f"/app/maps/{run}/actions")
    assert "Action 0 &lt;i&gt;" in everything.text and "Action 1" in everything.text
    by_pain = client.get(f"/app/maps/{run}/actions", params={"pain": pain})
    assert "Action 0" in by_pain.text and "Action 1 " not in by_pain.text
    done = client.get(f"/app/maps/{run}/actions", params={"status": "done"})
    assert "No action matches these filters." in done.text
    with mapped.app.runtime.sessions() as session:
        action_id = session.scalars(select(MapAction.id).order_by(MapAction.id)).first()
    page = client.get(f"/app/maps/{run}/actions/{action_id}")
    version = _field(page.text, "version")
    change = {"version": version, "title": "Done now", "status": "done", "owner": str(owner)}
    assert _post(client, f"/app/maps/{run}/actions/{action_id}", csrf, **change).status_code == 303
    stale = _post(client, f"/app/maps/{run}/actions/{action_id}", csrf, **change)
    assert stale.status_code == 409 and "changed this action meanwhile" in stale.text
    assert "Done now" in client.get(f"/app/maps/{run}/actions", params={"status": "done"}).text
    bad = _post(
        client, f"/app/maps/{run}/actions", csrf, source_kind="pain", source_id=pain,
        title="x", owner="99999", request_key="a9",
    )  # fmt: skip
    assert bad.status_code == 400 and "Choose an owner" in bad.text


def test_approval_makes_the_version_read_only_until_reopened(mapped: Mapped) -> None:
    researcher, rcsrf = mapped.signed_in("researcher", "sam")
    reviewer, csrf = mapped.signed_in("reviewer", "rae")
    run = mapped.run.id
    status = f"/app/maps/{run}/status"
    # A researcher puts it in review but may not approve.
    assert _post(researcher, status, rcsrf, expected="draft", to="in_review").status_code == 303
    refused = _post(researcher, status, rcsrf, expected="in_review", to="approved")
    assert refused.status_code == 403 and "may not approve" in refused.text
    assert _post(reviewer, status, csrf, expected="in_review", to="approved").status_code == 303
    page = reviewer.get(f"/app/maps/{run}")
    assert (
        'class="status status--approved">Approved<' in page.text and "rae@example.com" in page.text
    )
    assert "Reopen as a draft" in page.text
    edit = _post(
        reviewer, f"/app/maps/{run}/edits", csrf, version="0", kind="rename", target_kind="stage",
        target_id="wait", name="On hold", reason="customers call it that",
    )  # fmt: skip
    assert edit.status_code == 400 and "approved, so it is read-only" in edit.text
    assert "Rename and describe" not in reviewer.get(f"/app/maps/{run}/cells/stage/wait").text
    # The API for scripts refuses it too.
    owner = mapped.app.user("script@example.com", "reviewer")
    key = mapped.app.service.api_keys.create(owner, name="s", scopes=["maps:review"]).token
    api = mapped.app.client().post(
        f"/api/v1/maps/{run}/edits",
        json={"version": 0, "kind": "rename", "target_kind": "stage", "target_id": "wait",
              "payload": {"name": "On hold"}, "reason": "script"},
        headers={"Authorization": f"Bearer {key}"},
    )  # fmt: skip
    assert api.status_code == 400 and "read-only" in api.json()["error"]["message"]
    # Twice from the same page: the second finds it moved on.
    stale = _post(reviewer, status, csrf, expected="in_review", to="approved")
    assert stale.status_code == 409
    no_reason = _post(reviewer, status, csrf, expected="approved", to="draft")
    assert no_reason.status_code == 400 and "Say why" in no_reason.text
    reopened = _post(reviewer, status, csrf, expected="approved", to="draft", reason="new wave")
    assert reopened.status_code == 303
    edit = _post(
        reviewer, f"/app/maps/{run}/edits", csrf, version="0", kind="rename", target_kind="stage",
        target_id="wait", name="On hold", reason="customers call it that",
    )  # fmt: skip
    assert edit.status_code == 303
    history = unescape(reviewer.get(f"/app/maps/{run}/history").text)
    assert "reopened as a draft" in history and "“new wave”" in history
    assert "approved" in history and "put in review" in history


VIEWER_POSTS: tuple[tuple[str, dict[str, str]], ...] = (
    ("threads", {"cell_kind": "stage", "cell_id": "wait", "body": "hi"}),
    ("threads/1/comments", {"body": "hi"}),
    ("threads/1/status", {"status": "resolved"}),
    ("status", {"expected": "draft", "to": "in_review"}),
    ("actions", {"source_kind": "pain", "source_id": "x", "title": "t"}),
    ("actions/1", {"version": "1", "title": "t", "status": "done"}),
    ("actions/1/loop", {"draft": "1"}),
    ("actions/1/loop/send", {}),
)


@pytest.mark.parametrize(("role", "path", "form"), [
    *(("viewer", path, form) for path, form in VIEWER_POSTS),
    ("reviewer", "actions/1/loop/send", {}),
])  # fmt: skip
def test_roles_that_may_not_are_refused(
    mapped: Mapped, role: str, path: str, form: dict[str, str]
) -> None:
    client, csrf = mapped.signed_in(role)
    response = _post(client, f"/app/maps/{mapped.run.id}/{path}", csrf, **form)
    assert response.status_code == 403, (role, path, response.status_code)


@pytest.mark.parametrize("role", ["admin", "researcher", "reviewer", "viewer"])
def test_every_role_reads_the_workspace_pages(mapped: Mapped, role: str) -> None:
    client, _ = mapped.signed_in(role)
    run = mapped.run.id
    for path in (f"/app/maps/{run}", f"/app/maps/{run}/actions", "/app/mentions",
                 f"/app/maps/{run}/history", f"/app/maps/{run}/cells/stage/wait"):  # fmt: skip
        response = client.get(path)
        assert response.status_code == 200, (role, path)
    cell = client.get(f"/app/maps/{run}/cells/stage/wait").text
    assert ("Start a discussion" in cell) == (role != "viewer")
