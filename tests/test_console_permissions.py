"""Role x route: every registered console route (/app/...) and console API route
(/api/v1/..., but the interview API, which its interview's own token guards) is called
by every role and by an anonymous visitor, and must be allowed exactly when the
permission table says so.

A new route without a permission rule fails here; so does one missing from the bodies
and parameters below (which makes whoever adds a route think about who may call it).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.routing import APIRoute, iter_route_contexts
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import TestClient

from bot.service.campaign_settings import SettingsForm
from bot.service.campaigns import create_campaign
from bot.service.console.permissions import Action, Role, allowed, key_scopes_for
from bot.service.console.sessions import csrf_token
from bot.service.invitations import Invitations
from bot.service.participants import Participants
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from bot.service.review.sharing import ShareLinks, fresh_token
from bot.service.review.workspace import make_workspace
from bot.web.console import cookies
from bot.web.console.guard import PUBLIC, route_rule
from fakes.oidc import running_provider
from journeyline.web.app import create_app
from storage.models import Interview
from storage.workspace_models import MapApproval
from tests.console_support import PASSWORD, ConsoleApp, console_app, csrf_of
from tests.review_data import seeded

# Guarded by the interview's own secret token (tests/test_web_api.py), not by roles.
INTERVIEW_TOKEN_ROUTES = {
    ("POST", "/api/v1/interviews"),
    ("GET", "/api/v1/interviews/{interview_id}"),
    ("POST", "/api/v1/interviews/{interview_id}/messages"),
}
CONSOLE_PREFIXES = ("/app", "/api/v1")
NEW_PASSWORD = "a brand new password 7"
# Who may call what, written out here independently of the routes' own declarations: a
# route whose declared rule differs (or that is missing here) fails the walk.
SIGNED_IN = Action.OWN_ACCOUNT.value
EXPECTED_RULES: dict[tuple[str, str], str] = {
    ("GET", "/app/sign-in"): PUBLIC,
    ("POST", "/app/sign-in"): PUBLIC,
    ("POST", "/app/sign-out"): SIGNED_IN,
    ("GET", "/app/reset/{token}"): PUBLIC,
    ("POST", "/app/reset/{token}"): PUBLIC,
    ("GET", "/app/sso/start"): PUBLIC,
    ("GET", "/app/sso/callback"): PUBLIC,
    ("GET", "/app"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/campaigns"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/campaigns/{slug}"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/campaigns/new"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns"): Action.CAMPAIGNS_WRITE.value,
    ("GET", "/app/campaigns/{slug}/edit"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/{slug}/edit"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/{slug}/close"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/{slug}/reopen"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/preview"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/draft"): Action.CAMPAIGNS_WRITE.value,
    ("GET", "/app/account"): SIGNED_IN,
    ("POST", "/app/account/password"): SIGNED_IN,
    ("POST", "/app/account/sign-out-everywhere"): SIGNED_IN,
    ("POST", "/app/account/api-keys"): SIGNED_IN,
    ("POST", "/app/account/api-keys/{key_id}/revoke"): SIGNED_IN,
    ("GET", "/app/users"): Action.USERS_MANAGE.value,
    ("POST", "/app/users"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/role"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/disable"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/enable"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/password"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/reset-link"): Action.USERS_MANAGE.value,
    ("POST", "/app/users/{user_id}/sign-out"): Action.USERS_MANAGE.value,
    ("GET", "/api/v1/campaigns"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/maps"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}/evidence/{kind}/{item_id}"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}/interviews/{interview_id}"): Action.MAPS_READ.value,
    ("GET", "/app/maps/diff"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}/cells/{kind}/{item_id}"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}/history"): Action.MAPS_READ.value,
    ("POST", "/app/maps/{run_id}/edits"): Action.MAPS_REVIEW.value,
    ("POST", "/app/maps/{run_id}/edits/{edit_id}/undo"): Action.MAPS_REVIEW.value,
    ("GET", "/api/v1/maps"): Action.MAPS_READ.value,
    ("GET", "/api/v1/maps/{run_id}"): Action.MAPS_READ.value,
    ("POST", "/api/v1/maps/{run_id}/edits"): Action.MAPS_REVIEW.value,
    ("GET", "/app/maps/{run_id}/export/{name}"): Action.MAPS_READ.value,
    ("GET", "/app/maps/{run_id}/shares"): Action.MAPS_SHARE.value,
    ("POST", "/app/maps/{run_id}/shares"): Action.MAPS_SHARE.value,
    ("POST", "/app/maps/{run_id}/shares/{share_id}/revoke"): Action.MAPS_SHARE.value,
    ("GET", "/api/v1/participants/export"): Action.PERSONAL_DATA_MANAGE.value,
    ("POST", "/api/v1/participants/erase"): Action.PERSONAL_DATA_MANAGE.value,
    # The review workspace (issue 18): discussion, review status, actions, the loop.
    ("GET", "/app/mentions"): Action.MAPS_READ.value,
    ("POST", "/app/maps/{run_id}/threads"): Action.MAPS_REVIEW.value,
    ("POST", "/app/maps/{run_id}/threads/{thread_id}/comments"): Action.MAPS_REVIEW.value,
    ("POST", "/app/maps/{run_id}/threads/{thread_id}/status"): Action.MAPS_REVIEW.value,
    ("POST", "/app/maps/{run_id}/status"): Action.MAPS_REVIEW.value,
    ("GET", "/app/maps/{run_id}/actions"): Action.MAPS_READ.value,
    ("POST", "/app/maps/{run_id}/actions"): Action.MAPS_REVIEW.value,
    ("GET", "/app/maps/{run_id}/actions/{action_id}"): Action.MAPS_READ.value,
    ("POST", "/app/maps/{run_id}/actions/{action_id}"): Action.MAPS_REVIEW.value,
    ("POST", "/app/maps/{run_id}/actions/{action_id}/loop"): Action.MAPS_REVIEW.value,
    # Sending reaches customers through the campaign's channels: campaign work.
    ("POST", "/app/maps/{run_id}/actions/{action_id}/loop/send"): Action.CAMPAIGNS_WRITE.value,
    ("GET", "/app/campaigns/{slug}/participants"): Action.CAMPAIGNS_READ.value,
    ("POST", "/app/campaigns/{slug}/participants"): Action.CAMPAIGNS_WRITE.value,
    ("GET", "/app/campaigns/{slug}/participants/{participant_id}"): Action.CAMPAIGNS_READ.value,
    ("POST", "/app/campaigns/{slug}/participants/{participant_id}/revoke"): (
        Action.CAMPAIGNS_WRITE.value
    ),
    ("GET", "/app/campaigns/{slug}/invitations"): Action.CAMPAIGNS_READ.value,
    ("POST", "/app/campaigns/{slug}/invitations"): Action.CAMPAIGNS_WRITE.value,
    ("POST", "/app/campaigns/{slug}/invitations/{wave_id}/revoke"): Action.CAMPAIGNS_WRITE.value,
    # The links open interviews in the participants' names.
    ("GET", "/app/campaigns/{slug}/invitations/links.csv"): Action.CAMPAIGNS_WRITE.value,
    ("GET", "/app/campaigns/{slug}/progress"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/campaigns/{slug}/progress.json"): Action.CAMPAIGNS_READ.value,
    ("GET", "/app/campaigns/{slug}/progress.csv"): Action.CAMPAIGNS_READ.value,
    ("POST", "/api/v1/campaigns/{slug}/participants"): Action.CAMPAIGNS_WRITE.value,
}
# What each unsafe route is sent: a request its permitted callers would really make.
BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/app/sign-in"): {"email": "{email}", "password": PASSWORD},
    ("POST", "/app/sign-out"): {},
    ("POST", "/app/reset/{token}"): {"password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
    ("POST", "/app/account/password"): {
        "current": PASSWORD,
        "new": NEW_PASSWORD,
        "confirm": NEW_PASSWORD,
    },
    ("POST", "/app/account/sign-out-everywhere"): {},
    ("POST", "/app/account/api-keys"): {"name": "walk", "scope": "campaigns:read"},
    ("POST", "/app/account/api-keys/{key_id}/revoke"): {},
    ("POST", "/app/users"): {"email": "new-{n}@example.com", "role": "viewer"},
    ("POST", "/app/users/{user_id}/role"): {"role": "reviewer"},
    ("POST", "/app/users/{user_id}/disable"): {},
    ("POST", "/app/users/{user_id}/enable"): {},
    ("POST", "/app/users/{user_id}/password"): {},
    ("POST", "/app/users/{user_id}/reset-link"): {},
    ("POST", "/app/users/{user_id}/sign-out"): {},
    ("POST", "/app/campaigns"): {
        "slug": "walk-new-{n}",
        "name": "Walk {n}",
        "guide": "extends: support_journey",
        "languages": "en",
        "time_zone": "UTC",
        "quotas": "plan=basic: 2",
    },
    ("POST", "/app/campaigns/{slug}/edit"): {
        "name": "Walk {n}, renamed",
        "guide": "extends: support_journey",
        "languages": "en",
        "time_zone": "Europe/Berlin",
        "target_completes": "5",
    },
    ("POST", "/app/campaigns/{slug}/close"): {},
    ("POST", "/app/campaigns/{slug}/reopen"): {},
    ("POST", "/app/campaigns/preview"): {"guide": "extends: support_journey", "choice": "yes"},
    ("POST", "/app/campaigns/draft"): {"name": "Draft {n}", "guide": "extends: support_journey"},
    # A reviewer renames a stage of the walk's map, on the layer version of the moment.
    ("POST", "/app/maps/{run_id}/edits"): {
        "version": "{version}",
        "kind": "rename",
        "target_kind": "stage",
        "target_id": "{item_id}",
        "name": "walk {n}",
        "reason": "the walk",
    },
    ("POST", "/app/maps/{run_id}/edits/{edit_id}/undo"): {"version": "{version}"},
    # A share link of the walk's map, made with the token a fresh form carries.
    ("POST", "/app/maps/{run_id}/shares"): {"token": "{share_token}", "days": "7", "note": "walk"},
    ("POST", "/app/maps/{run_id}/shares/{share_id}/revoke"): {},
    ("POST", "/api/v1/maps/{run_id}/edits"): {
        "version": "{version}",
        "kind": "rename",
        "target_kind": "stage",
        "target_id": "{item_id}",
        "payload": {"name": "walk {n}"},
        "reason": "the walk",
    },
    # Nobody by this address: an admin's call gets as far as the lookup (404).
    ("POST", "/api/v1/participants/erase"): {"email": "nobody-{n}@example.com"},
    ("POST", "/app/maps/{run_id}/threads"): {
        "cell_kind": "stage",
        "cell_id": "{item_id}",
        "lane": "feeling",
        "body": "walk {n}",
        "request_key": "walk-{n}",
    },
    ("POST", "/app/maps/{run_id}/threads/{thread_id}/comments"): {
        "body": "reply {n}",
        "request_key": "reply-{n}",
    },
    ("POST", "/app/maps/{run_id}/threads/{thread_id}/status"): {"status": "resolved"},
    # Every call finds the map a draft: putting it in review is open to maps:review.
    ("POST", "/app/maps/{run_id}/status"): {"expected": "draft", "to": "in_review"},
    ("POST", "/app/maps/{run_id}/actions"): {
        "source_kind": "pain",
        "source_id": "{pain_id}",
        "title": "walk {n}",
        "owner": "{user_id}",
        "request_key": "action-{n}",
    },
    ("POST", "/app/maps/{run_id}/actions/{action_id}"): {
        "version": "{action_version}",
        "title": "walk {n}",
        "status": "in_progress",
        "owner": "{user_id}",
    },
    ("POST", "/app/maps/{run_id}/actions/{action_id}/loop"): {"draft": "1"},
    # Its callers find the action done, the message drafted and the map approved.
    ("POST", "/app/maps/{run_id}/actions/{action_id}/loop/send"): {},
    ("POST", "/app/campaigns/{slug}/participants"): {
        "text": "email,plan\nwalk-{n}@example.com,pro\n"
    },
    ("POST", "/app/campaigns/{slug}/participants/{participant_id}/revoke"): {},
    ("POST", "/app/campaigns/{slug}/invitations"): {
        "channel": "email",
        "at": "2030-01-01T09:00",
        "time_zone": "Europe/Berlin",
        "rate": "10/s",
        "remind_after_days": "3",
        "max_reminders": "1",
    },
    ("POST", "/app/campaigns/{slug}/invitations/{wave_id}/revoke"): {},
    ("POST", "/api/v1/campaigns/{slug}/participants"): {
        "participants": [{"email": "api-walk@example.com", "attributes": {"plan": "pro"}}],
        "invitation": {"channel": "email", "delay_minutes": 30},
    },
}
# What an allowed call answers (default 200, 201 or 303). The SSO callback without a
# sign-in begun in this browser is refused by the flow itself, not by the guard; a
# sign-in by someone without an account is a 400 with the form again.
ALLOWED_STATUSES: dict[tuple[str, str], set[int]] = {
    ("GET", "/app/sso/callback"): {400},
    ("POST", "/app/sign-in"): {303, 400},
    # Called without saying whom (400), or for nobody (404): past the guard either way.
    ("GET", "/api/v1/participants/export"): {400},
    ("POST", "/api/v1/participants/erase"): {404},
}
DEFAULT_ALLOWED = {200, 201, 303}
PRINCIPALS: list[Role | None] = [None, *Role]


def console_routes(routes: list[Any]) -> list[tuple[str, str, APIRoute]]:
    """(method, path, route) of every console route of the app, included routers' too
    (FastAPI keeps an included router as one entry: iter_route_contexts unfolds it)."""
    found = []
    for context in iter_route_contexts(routes):
        route, path = context.original_route, context.path or ""
        if not isinstance(route, APIRoute) or not path.startswith(CONSOLE_PREFIXES):
            continue
        for method in sorted((context.methods or set()) - {"HEAD"}):
            if (method, path) not in INTERVIEW_TOKEN_ROUTES:
                found.append((method, path, route))
    return found


@dataclass
class Walk:
    app: ConsoleApp
    client: TestClient
    routes: list[tuple[str, str, APIRoute]]
    counter: Iterator[int]
    # A stored map the map routes are called on.
    map_values: dict[str, Any]


@pytest.fixture
def walk(db_url: str) -> Iterator[Walk]:
    with running_provider() as provider:
        settings = {
            # The links CSV needs the link secret (else a file in the data folder).
            "link_secret": "walk-link-secret",
            "oidc_issuer": provider.issuer,
            "oidc_client_id": provider.client_id,
            "oidc_client_secret": provider.client_secret,
        }
        with console_app(db_url, settings=settings) as app:
            app.user("root@example.com", "admin")  # so no change ever hits "the last admin"
            saved = seeded(app.runtime.sessions, count=3, evil=False)
            people = _campaign_with_a_wave(app)
            web = create_app(app.runtime, console=app.service)
            client = TestClient(web, follow_redirects=False)
            yield Walk(
                app=app,
                client=client,
                routes=console_routes(web.routes),
                counter=itertools.count(1),
                map_values={
                    "run_id": saved.id,
                    "name": "whiteboard-csv",
                    "kind": "stage",
                    "item_id": saved.journey_map.stages[0].id,
                    "interview_id": saved.journey_map.interview_ids[0],
                    "pain_id": saved.journey_map.pain_points[0].id,
                    **people,
                },
            )


def _campaign_with_a_wave(app: ConsoleApp) -> dict[str, Any]:
    """A campaign with a participant and a wave, for the participants, invitations and
    progress routes."""
    sessions = app.runtime.sessions
    with sessions.begin() as session:
        create_campaign(session, slug="walk", name="The walk", company="Northwind")
    return _one_person_and_a_wave(sessions, "walk", "ana@example.com")


def _one_person_and_a_wave(
    sessions: sessionmaker[Session], slug: str, email: str
) -> dict[str, Any]:
    """``slug`` with one participant and a link wave; the route values naming them."""
    Participants(sessions).import_csv(campaign_slug=slug, text=f"email\n{email}\n")
    wave = Invitations(sessions).schedule_wave(
        campaign_slug=slug, channel="link", at=datetime(2030, 1, 1, tzinfo=UTC)
    )
    (person,) = Participants(sessions).statuses(campaign_slug=slug)
    return {"slug": slug, "participant_id": person.id, "wave_id": wave.id}


pytestmark = pytest.mark.parametrize("blank_db_url", ["sqlite"], indirect=True)


def test_every_console_route_has_the_rule_this_test_expects_and_a_body(walk: Walk) -> None:
    missing_rule = [f"{m} {p}" for m, p, route in walk.routes if route_rule(route) is None]
    assert missing_rule == [], "routes without a permission rule (see bot.web.console.guard)"
    declared = {(m, p): route_rule(route) for m, p, route in walk.routes}
    assert declared == EXPECTED_RULES
    unsafe = {(m, p) for m, p, _ in walk.routes if m != "GET"}
    assert unsafe - set(BODIES) == set(), "unsafe routes the walk does not know how to call"
    assert set(BODIES) - unsafe == set(), "bodies of routes that no longer exist"


def _expected(rule: str, role: Role | None) -> bool:
    return rule == PUBLIC or (role is not None and allowed(role, Action(rule)))


def _call(walk: Walk, method: str, path: str, role: Role | None) -> tuple[int, str]:
    """Call one route as ``role`` (None: anonymous) in fresh state; (status, location)."""
    app, service, n = walk.app, walk.app.service, next(walk.counter)
    client = walk.client
    client.cookies.clear()
    target = app.user(f"target-{n}@example.com", "researcher")
    actor_email = f"{role.value if role else 'nobody'}-{n}@example.com"
    headers: dict[str, str] = {}
    _draft_again(walk)
    values = {
        "user_id": target,
        "token": service.accounts.make_reset_link(target, created_by=None),
        "key_id": 0,
        **walk.map_values,
        **_fresh_edit(walk, n),
        **_fresh_campaign(walk, n),
        **_fresh_share(walk),
        **_fresh_workspace(walk, n, path),
    }
    if role is None:
        csrf = csrf_of(client.get("/app/sign-in").text)  # the pre-session token
    else:
        actor = app.user(actor_email, role.value)
        values["key_id"] = service.api_keys.create(
            actor, name="k", scopes=["campaigns:read"]
        ).key.id
        session = service.sessions.start(
            actor, method="password", client_address="testclient", user_agent=None
        ).token
        client.cookies.set(cookies.SESSION, session)
        csrf = csrf_token(session)
        if path.startswith("/api/"):
            key = service.api_keys.create(actor, name="all", scopes=key_scopes_for(role))
            client.cookies.clear()
            headers["Authorization"] = f"Bearer {key.token}"
    url = path.format(**values)
    if method == "GET":
        response = client.request(method, url, headers=headers)
    elif path.startswith("/api/"):
        body = _filled(BODIES[(method, path)], email=actor_email, n=n, **values)
        if "version" in body:
            body["version"] = int(body["version"])
        response = client.request(method, url, json=body, headers=headers)
    else:
        body = _filled(BODIES[(method, path)], email=actor_email, n=n, **values)
        response = client.request(method, url, data={**body, "csrf_token": csrf}, headers=headers)
    return response.status_code, response.headers.get("location", "")


def _filled(body: dict[str, Any], **values: Any) -> dict[str, Any]:
    """``body`` with ``{name}`` placeholders filled in (nested dicts too)."""
    return {
        name: value.format(**values)
        if isinstance(value, str)
        else _filled(value, **values)
        if isinstance(value, dict)
        else value
        for name, value in body.items()
    }


def _fresh_campaign(walk: Walk, n: int) -> dict[str, Any]:
    """A campaign of its own for each call (one call may close what the next reads), with
    a participant and a wave for the participants and invitations routes."""
    slug = walk.app.service.campaign_admin.create(
        f"walk-{n}", SettingsForm(name=f"Walk {n}", quotas="plan=pro: 1")
    )
    return _one_person_and_a_wave(walk.app.runtime.sessions, slug, f"ana-{n}@example.com")


def _fresh_edit(walk: Walk, n: int) -> dict[str, Any]:
    """An active edit of the walk's map to undo, and the layer's version after it."""
    review = ReviewService(walk.app.runtime.sessions)
    run_id = walk.map_values["run_id"]
    version = review.layers.read(review.library.run(run_id).info).version
    made = review.edit(
        run_id,
        editor=Editor(user_id=None, name="the walk"),
        expected=version,
        kind="rename",
        target_kind="stage",
        target_id=walk.map_values["item_id"],
        payload={"name": f"before call {n}"},
        reason="to be undone",
    )
    return {"edit_id": made.id, "version": made.version}


def _fresh_share(walk: Walk) -> dict[str, Any]:
    """A share link of the walk's map to revoke, and a token for a new one."""
    review = ReviewService(walk.app.runtime.sessions)
    made = ShareLinks(walk.app.runtime.sessions, review=review).create(
        walk.map_values["run_id"], token=fresh_token(), editor=Editor(user_id=None, name="walk")
    )
    return {"share_id": made.link.id, "share_token": fresh_token()}


def _draft_again(walk: Walk) -> None:
    """The walk's map back to a draft (a call may have put it in review or approved it)."""
    with walk.app.runtime.sessions.begin() as session:
        session.execute(delete(MapApproval).where(MapApproval.run_id == walk.map_values["run_id"]))


def _fresh_workspace(walk: Walk, n: int, path: str) -> dict[str, Any]:
    """A thread and an action on the walk's map; for the send route, the action done, its
    message drafted and the map approved (what its permitted callers find)."""
    sessions = walk.app.runtime.sessions
    workspace = make_workspace(sessions, review=ReviewService(sessions), email_mentions=False)
    run_id, editor = walk.map_values["run_id"], Editor(user_id=None, name="the walk")
    owner = walk.app.user(f"owner-{n}@example.com", "reviewer")
    thread = workspace.discussion.start(
        run_id, editor=editor, cell_kind="stage", cell_id=walk.map_values["item_id"], lane="",
        body="walk", request_key=f"walk-thread-{n}",
    )  # fmt: skip
    action = workspace.actions.create(
        run_id, editor=editor, source_kind="pain", source_id=walk.map_values["pain_id"],
        title="walk", owner_id=owner, due_on="", pains=[], request_key=f"walk-action-{n}",
    )  # fmt: skip
    if path.endswith("/loop/send"):
        # Someone behind the action asked to hear back, so there is someone to send to.
        with sessions.begin() as session:
            session.execute(update(Interview).values(hear_back=True))
        action = workspace.actions.change(
            run_id, action.id, expected=action.version, title="walk", owner_id=owner,
            status="done", due_on="", pains=[],
        )  # fmt: skip
        workspace.loop.draft(run_id, action.id, editor=editor)
        for frm, to in (("draft", "in_review"), ("in_review", "approved")):
            workspace.approvals.move(
                run_id, editor=editor, expected=frm, to=to, reason="", may=lambda _: True
            )
    return {"thread_id": thread.id, "action_id": action.id, "action_version": action.version}


@pytest.mark.parametrize("role", PRINCIPALS, ids=lambda r: r.value if r else "anonymous")
def test_each_role_may_call_exactly_what_the_table_allows(walk: Walk, role: Role | None) -> None:
    wrong: list[str] = []
    assert len(walk.routes) == len(EXPECTED_RULES)
    for method, path, _ in walk.routes:
        rule = EXPECTED_RULES[(method, path)]
        status, location = _call(walk, method, path, role)
        sent_to_sign_in = status == 303 and location.startswith("/app/sign-in?next=")
        if _expected(rule, role):
            ok = status in ALLOWED_STATUSES.get((method, path), DEFAULT_ALLOWED)
            ok = ok and not sent_to_sign_in
        elif role is None:
            ok = status == 401 if path.startswith("/api/") else sent_to_sign_in
        else:
            ok = status == 403
        if not ok:
            verdict = "allowed" if _expected(rule, role) else "refused"
            wrong.append(f"{method} {path} ({rule}): expected {verdict}, got {status} {location}")
    assert wrong == []


def test_every_unsafe_route_refuses_a_missing_wrong_or_foreign_csrf_token(walk: Walk) -> None:
    app, service, client = walk.app, walk.app.service, walk.client
    admin = app.user("csrf-admin@example.com", "admin")
    other = app.user("csrf-other@example.com", "admin")
    foreign = csrf_token(
        service.sessions.start(other, method="password", client_address="", user_agent=None).token
    )
    for method, path, _ in walk.routes:
        if method == "GET" or path.startswith("/api/"):
            continue
        session = service.sessions.start(
            admin, method="password", client_address="", user_agent=None
        ).token
        url = path.format(
            **{**walk.map_values, "slug": "nowhere"},
            user_id=other, key_id=1, token="t", edit_id=1, share_id=1, thread_id=1, action_id=1,
        )  # fmt: skip
        for token in (None, "", "0" * 64, foreign):
            client.cookies.clear()
            client.cookies.set(cookies.SESSION, session)
            data = {} if token is None else {"csrf_token": token}
            body = _filled(
                BODIES[(method, path)], n=0, version=0, email="x", user_id=other,
                action_version=0, share_token=fresh_token(), **walk.map_values,
            )  # fmt: skip
            response = client.request(method, url, data={**body, **data})
            assert response.status_code == 403, f"{method} {path} with {token!r}"
            assert "This form has expired" in response.text
        assert service.sessions.resolve(session) is not None  # nothing was done
