"""Reviewing through the console's forms and JSON API (SQLite and PostgreSQL): rename,
move, split, decide, pin and undo by form, every change in the log with who and why; a
stale form gets 409 with the other reviewer's change and the reviewer's own edit, ready
to save again; viewers may not edit; earlier runs are read-only; versions and waves side
by side."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from typing import Any

import pytest
from starlette.testclient import TestClient

from synthesis.runs import SavedRun
from tests.console_support import ConsoleApp, console_app, sign_in
from tests.review_data import add_more, seeded, synthesize_run


@dataclass
class Mapped:
    app: ConsoleApp
    run: SavedRun

    def signed_in(self, role: str, name: str | None = None) -> tuple[TestClient, str]:
        client = self.app.client()
        email = f"{name or role}-{id(client)}@example.com"
        self.app.user(email, role)
        return client, sign_in(client, email)


@pytest.fixture
def mapped(db_url: str) -> Iterator[Mapped]:
    with console_app(db_url) as app:
        yield Mapped(app=app, run=seeded(app.runtime.sessions))


def _version(html: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', html)
    assert found, "no layer version in the page"
    return found.group(1)


def _post(client: TestClient, url: str, csrf: str, **fields: Any) -> Any:
    return client.post(url, data={"csrf_token": csrf, **fields})


def test_a_reviewer_renames_a_stage_by_form_and_the_log_says_who_and_why(
    mapped: Mapped,
) -> None:
    client, csrf = mapped.signed_in("reviewer", "rae")
    run = mapped.run.id
    cell = client.get(f"/app/maps/{run}/cells/stage/wait")
    assert cell.status_code == 200 and "Rename and describe" in cell.text
    response = _post(
        client, f"/app/maps/{run}/edits", csrf, version=_version(cell.text), kind="rename",
        target_kind="stage", target_id="wait", name="On hold <b>now</b>",
        description="Waiting for anyone", reason="customers call it that",
        back=f"/app/maps/{run}/cells/stage/wait",
    )  # fmt: skip
    assert response.status_code == 303
    assert response.headers["location"] == f"/app/maps/{run}/cells/stage/wait?done=edit-saved"
    page = client.get(f"/app/maps/{run}")
    assert "On hold &lt;b&gt;now&lt;/b&gt;" in page.text and "<b>now</b>" not in page.text
    assert ">edited<" in page.text
    history = client.get(f"/app/maps/{run}/history")
    assert history.status_code == 200
    text = unescape(history.text)
    assert "Renamed stage wait to “On hold <b>now</b>”" in text
    assert "rae-" in text and "“customers call it that”" in text


def test_move_split_pin_and_decide_from_the_evidence_and_cell_pages(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("researcher")
    run = mapped.run.id
    steps = client.get(f"/app/maps/{run}/evidence/stage/reach_out")
    assert 'form="split-form"' in steps.text and "Move the step" in steps.text
    keys = re.findall(r'name="steps" value="([^"]+)"', steps.text)
    version = _version(steps.text)
    moved = _post(
        client, f"/app/maps/{run}/edits", csrf, version=version, kind="move",
        target_kind="step", target_id=unescape(keys[0]), to="wait", reason="it is a wait",
        back=f"/app/maps/{run}/evidence/stage/reach_out",
    )  # fmt: skip
    assert moved.status_code == 303
    split = client.post(
        f"/app/maps/{run}/edits",
        data={
            "csrf_token": csrf, "version": str(int(version) + 1), "kind": "split",
            "target_kind": "stage", "target_id": "reach_out", "name": "Opening the chat",
            "reason": "a channel of its own", "steps": [unescape(k) for k in keys[1:3]],
            "back": f"/app/maps/{run}",
        },
    )  # fmt: skip
    assert split.status_code == 303
    page = client.get(f"/app/maps/{run}").text
    assert "Opening the chat" in page and "added in review" in page
    wait = client.get(f"/app/maps/{run}/evidence/stage/wait").text
    assert unescape(keys[0]).split("#")[0][:8] in wait
    assert "placed here by edit #" in wait
    quote = re.search(
        r'name="message_id" value="(\d+)">\s*<input type="hidden" name="interview_id" '
        r'value="([^"]+)">\s*<input type="hidden" name="step" value="(\d+)">',
        wait,
    )
    assert quote
    pinned = _post(
        client, f"/app/maps/{run}/edits", csrf, version=_version(wait), kind="pin",
        target_kind="stage", target_id="wait", message_id=quote.group(1),
        interview_id=quote.group(2), step=quote.group(3), reason="says it best",
        back=f"/app/maps/{run}/evidence/stage/wait",
    )  # fmt: skip
    assert pinned.status_code == 303
    assert "Key quote" in client.get(f"/app/maps/{run}").text
    pain = mapped.run.journey_map.pain_points[-1]
    cell = client.get(f"/app/maps/{run}/cells/pain/{pain.id}").text
    rejected = _post(
        client, f"/app/maps/{run}/edits", csrf, version=_version(cell), kind="decide",
        target_kind="pain", target_id=pain.id, decision="rejected", reason="a one-off",
        back=f"/app/maps/{run}/cells/pain/{pain.id}",
    )  # fmt: skip
    assert rejected.status_code == 303
    page = client.get(f"/app/maps/{run}").text
    assert "Rejected pain points (1)" in page
    assert client.get(f"/app/maps/{run}/cells/pain/{pain.id}").status_code == 200
    assert client.get(f"/app/maps/{run}/evidence/pain/{pain.id}").status_code == 200


def test_a_refused_edit_says_why_and_stores_nothing(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("reviewer")
    run = mapped.run.id
    refused = _post(
        client, f"/app/maps/{run}/edits", csrf, version="0", kind="merge",
        target_kind="stage", target_id="wait", into="wait", reason="oops",
    )  # fmt: skip
    assert refused.status_code == 400 and "cannot be merged into itself" in refused.text
    no_reason = _post(
        client, f"/app/maps/{run}/edits", csrf, version="0", kind="rename",
        target_kind="stage", target_id="wait", name="x", reason="",
        back="https://evil.example/",
    )  # fmt: skip
    assert no_reason.status_code == 400 and "Say why" in no_reason.text
    assert 'href="https://evil.example/' not in no_reason.text  # back goes to this map only
    assert "No edits yet." in client.get(f"/app/maps/{run}/history").text


def test_two_reviewers_one_gets_409_with_both_edits_kept(mapped: Mapped) -> None:
    rae, rae_csrf = mapped.signed_in("reviewer", "rae")
    sam, sam_csrf = mapped.signed_in("reviewer", "sam")
    run = mapped.run.id
    seen_by_rae = _version(rae.get(f"/app/maps/{run}/cells/stage/wait").text)
    seen_by_sam = _version(sam.get(f"/app/maps/{run}/cells/stage/wait").text)
    first = _post(
        rae, f"/app/maps/{run}/edits", rae_csrf, version=seen_by_rae, kind="rename",
        target_kind="stage", target_id="wait", name="On hold", reason="Rae's word",
    )  # fmt: skip
    assert first.status_code == 303
    second = _post(
        sam, f"/app/maps/{run}/edits", sam_csrf, version=seen_by_sam, kind="rename",
        target_kind="stage", target_id="wait", name="Stuck waiting", reason="Sam's word",
        back=f"/app/maps/{run}/cells/stage/wait",
    )  # fmt: skip
    assert second.status_code == 409
    page = unescape(second.text)
    assert "Someone else changed this map meanwhile" in page
    assert "Renamed stage wait to “On hold”" in page and "Rae's word" in page
    # Sam's edit, kept as typed, ready to save on the current version.
    assert 'value="Stuck waiting"' in page and 'value="Sam\'s word"' in page
    again = re.search(r'name="version" value="(\d+)"', second.text)
    assert again and again.group(1) == str(int(seen_by_sam) + 1)
    form = {
        name: unescape(value)
        for name, value in re.findall(r'name="(\w+)" value="([^"]*)"', second.text)
        if name not in {"csrf_token"}
    }
    saved = _post(sam, f"/app/maps/{run}/edits", sam_csrf, **form)
    assert saved.status_code == 303
    log = unescape(rae.get(f"/app/maps/{run}/history").text)
    assert "“On hold”" in log and "“Stuck waiting”" in log


def test_undo_by_form_and_a_stale_undo_is_a_conflict(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("admin")
    run = mapped.run.id
    cell = client.get(f"/app/maps/{run}/cells/stage/handoff").text
    merged = _post(
        client, f"/app/maps/{run}/edits", csrf, version=_version(cell), kind="merge",
        target_kind="stage", target_id="handoff", into="explain", reason="same thing",
    )  # fmt: skip
    assert merged.status_code == 303
    assert 'id="stage-handoff"' not in client.get(f"/app/maps/{run}").text
    history = client.get(f"/app/maps/{run}/history").text
    edit_id = re.search(r"/app/maps/\d+/edits/(\d+)/undo", history)
    assert edit_id
    stale = _post(client, f"/app/maps/{run}/edits/{edit_id.group(1)}/undo", csrf, version="0")
    assert stale.status_code == 409 and "Undo it now" in stale.text
    undone = _post(
        client, f"/app/maps/{run}/edits/{edit_id.group(1)}/undo", csrf, version="1",
        back=f"/app/maps/{run}/history",
    )  # fmt: skip
    assert undone.status_code == 303 and undone.headers["location"].endswith("done=edit-undone")
    assert 'id="stage-handoff"' in client.get(f"/app/maps/{run}").text
    assert ">undone<" in client.get(f"/app/maps/{run}/history").text


def test_viewers_read_the_review_pages_without_forms_and_may_not_post(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("viewer")
    run = mapped.run.id
    cell = client.get(f"/app/maps/{run}/cells/stage/wait")
    assert cell.status_code == 200 and "Rename and describe" not in cell.text
    assert "Your role reads maps" in cell.text
    steps = client.get(f"/app/maps/{run}/evidence/stage/wait").text
    assert "split-form" not in steps and "Move the step" not in steps
    refused = _post(
        client, f"/app/maps/{run}/edits", csrf, version="0", kind="rename",
        target_kind="stage", target_id="wait", name="x", reason="y",
    )  # fmt: skip
    assert refused.status_code == 403


def test_an_earlier_run_is_read_only_and_versions_compare_side_by_side(mapped: Mapped) -> None:
    client, csrf = mapped.signed_in("reviewer")
    first = mapped.run.id
    add_more(mapped.app.runtime.sessions, count=6, start=9)
    second = synthesize_run(mapped.app.runtime.sessions).id
    old = client.get(f"/app/maps/{first}").text
    assert "This is an earlier run" in old
    refused = _post(
        client, f"/app/maps/{first}/edits", csrf, version="0", kind="rename",
        target_kind="stage", target_id="wait", name="x", reason="y",
    )  # fmt: skip
    assert refused.status_code == 400 and f"run {second}" in refused.text
    diff = client.get(f"/app/maps/diff?before={first}&after={second}")
    assert diff.status_code == 200
    assert f"Run {first} and run {second}" in diff.text and "grew" in diff.text
    assert f"/app/maps/{first}/evidence/stage/" in diff.text
    assert f"/app/maps/{second}/evidence/stage/" in diff.text
    assert client.get("/app/maps/diff").status_code == 200  # the chooser
    history = client.get(f"/app/maps/{second}/history").text
    assert f"/app/maps/diff?before={first}&amp;after={second}" in history


def test_the_json_api_edits_with_a_version_and_answers_409_on_a_stale_one(
    mapped: Mapped,
) -> None:
    service = mapped.app.service
    run = mapped.run.id
    reviewer = mapped.app.user("api-reviewer@example.com", "reviewer")
    key = service.api_keys.create(reviewer, name="k", scopes=["maps:read", "maps:review"])
    client = mapped.app.client()
    headers = {"Authorization": f"Bearer {key.token}"}
    got = client.get(f"/api/v1/maps/{run}", headers=headers)
    assert got.status_code == 200
    body = got.json()
    assert body["version"] == 0 and body["masked"]  # the key has no personal-data:read
    assert "jane.doe@example.com" not in got.text
    edit = {
        "version": 0, "kind": "rename", "target_kind": "stage", "target_id": "wait",
        "payload": {"name": "On hold"}, "reason": "API",
    }  # fmt: skip
    made = client.post(f"/api/v1/maps/{run}/edits", json=edit, headers=headers)
    assert made.status_code == 201 and made.json()["version"] == 1
    stale = client.post(f"/api/v1/maps/{run}/edits", json=edit, headers=headers)
    assert stale.status_code == 409
    error = stale.json()["error"]
    assert error["code"] == "conflict" and error["current_version"] == 1
    assert [c["payload"]["name"] for c in error["changes_since"]] == ["On hold"]
    wrong = client.post(
        f"/api/v1/maps/{run}/edits", json={**edit, "version": 1, "target_id": "nope"},
        headers=headers,
    )  # fmt: skip
    assert wrong.status_code == 400 and wrong.json()["error"]["code"] == "edit_refused"
    after = client.get(f"/api/v1/maps/{run}", headers=headers).json()
    wait = next(s for s in after["map"]["stages"] if s["id"] == "wait")
    assert wait["name"] == "On hold" and after["review"]["edits"][0]["outcome"] == "applied"
    assert client.get(f"/api/v1/maps/{run + 9}", headers=headers).status_code == 404
    listing = client.get("/api/v1/maps", headers=headers).json()
    assert listing["series"][0]["latest_run_id"] == run
