"""Review workspace at scale: a map of 10,000 interviews in the console, and 200 edits
re-applied after re-synthesis.

Run: ``.venv/bin/python -m bench.review [--interviews 10000] [--new 1000] [--edits 200]
[--requests 20]``

1. A SQLite database in a temporary folder is filled with generated interviews (the
   generator and bulk path of ``bench.synthesis_speed``) and synthesized: run 1.
2. A layer of ``--edits`` edits of every kind (``bench.review_edits``) is stored against
   run 1; a few more go through ``ReviewService.edit`` and are timed (a reviewer's save:
   the edit is tried on the map before it is stored).
3. ``--new`` more interviews arrive, run 2 is synthesized (ids matched to run 1), and a
   fresh ``ReviewService`` (nothing cached, as after a restart) re-applies the layer to
   it: timed whole and by part (the run's map, its steps' facts, applying, storing).
4. ``journeyline serve`` runs on the database; a reviewer and a viewer sign in over HTTP
   and every page of the map is requested once cold and ``--requests`` times warm:
   p50 / p95 / max per page. The console's home page, ``/app``, is the baseline in the
   same run (the machines are shared and noisy).

The targets (issue 18): p95 at most 500 ms per page; re-applying 200 edits at most 5 s.
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bench.review_edits import plan_edits
from bench.synthesis_speed import CAMPAIGN, fill, generate
from bench.web_load.servers import free_port, journeyline_env, start_server
from bot.service.console.service import ConsoleService
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from storage import queries
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.imports import insert_interviews
from synthesis.observations import StepObservation
from synthesis.pipeline import analyse, map_of
from synthesis.runs import SavedRun, match_series, save_run
from synthesis.step_index import index_of

PASSWORD = "a bench reviewer's password"
TIMED_SAVES = 5


def synthesize(url: str) -> tuple[SavedRun, float, list[StepObservation]]:
    """Synthesize and store the campaign's next run (ids matched): the run, seconds, and
    the steps synthesis read."""
    sessions = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with threadpool_limits(limits=1), sessions() as session:
        analysis = analyse(session, campaign_slug=CAMPAIGN)
        series = match_series(session, map_of(analysis))
        journey_map = map_of(analysis.with_ids(series.journey_map))
    with sessions.begin() as session:
        saved = save_run(session, journey_map, matched=series)
    return saved, time.perf_counter() - started, analysis.observations


def add_interviews(url: str, *, count: int, start: int, seed: int) -> None:
    sessions = make_session_factory(make_engine(url))
    rng = random.Random(seed)
    with sessions.begin() as session:
        campaign = queries.get_campaign_by_slug(session, CAMPAIGN)
        assert campaign is not None
        batch = [generate(rng, campaign.id, n) for n in range(start, start + count)]
        insert_interviews(session, batch, source="bench")


def store_layer(url: str, run: SavedRun, *, count: int) -> dict[str, Any]:
    """Store ``count`` planned edits of run 1 and time a few saves through the service."""
    review = ReviewService(make_session_factory(make_engine(url)))
    info = review.library.run(run.id).info
    editor = Editor(user_id=None, name="bench reviewer")
    plan = plan_edits(run.journey_map, count=count)
    for version, edit in enumerate(plan):
        review.layers.add(
            info,
            editor=editor,
            expected=version,
            kind=edit.kind,
            target_kind=edit.target_kind,
            target_id=edit.target_id,
            payload=edit.payload,
            reason="bench",
        )
    curated = review.reviewed(run.id, personal=True).curated
    saves: list[float] = []
    stage = curated.journey_map.stages[0]
    for n in range(TIMED_SAVES):
        started = time.perf_counter()
        review.edit(
            run.id,
            editor=editor,
            expected=len(plan) + n,
            kind="rename",
            target_kind="stage",
            target_id=stage.id,
            payload={"name": f"Timed save {n}"},
            reason="bench",
        )
        saves.append(time.perf_counter() - started)
    return {
        "edits": len(plan) + TIMED_SAVES,
        "kinds": {k: sum(e.kind == k for e in plan) for k in dict.fromkeys(e.kind for e in plan)},
        "apply_to_run1": curated.held(),
        "save_seconds": saves,
    }


def reapply(
    url: str, run: SavedRun, observations: list[StepObservation] | None = None
) -> dict[str, Any]:
    """Re-apply the layer to the new run in a fresh service (nothing cached), with the
    steps synthesis read (as ``journeyline synthesize`` does) or reading them from
    storage (``observations`` None, as after a restart): the whole and its parts."""
    review = ReviewService(make_session_factory(make_engine(url)))
    started = time.perf_counter()
    loaded = review.library.run(run.id)
    after_run = time.perf_counter()
    if observations is not None:
        review.library.prime(run.id, index_of(observations))
    review.library.step_index(loaded)
    after_index = time.perf_counter()
    layer = review.layers.read(loaded.info)
    review.reviewed(run.id, personal=True)
    after_apply = time.perf_counter()
    application = review.reapply(run.id)
    finished = time.perf_counter()
    return {
        "seconds": finished - started,
        "parts": {
            "load the run's map": after_run - started,
            "its steps' facts": after_index - after_run,
            f"apply {len(layer.active)} edits": after_apply - after_index,
            "report and store": finished - after_apply,
        },
        "held": application.held,
        "broken": application.broken,
        "new_interviews": application.report["new_interviews"],
    }


def sign_in(client: httpx.Client, email: str) -> None:
    page = client.get("/app/sign-in")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/app/sign-in",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 303, response.text[:500]


def time_pages(url: str, data_dir: Path, run: int, *, requests: int) -> list[dict[str, Any]]:
    """Each page once cold, then ``requests`` times warm, through a real server."""
    sessions = make_session_factory(make_engine(url))
    console = ConsoleService(sessions)
    users: dict[str, int] = {}
    for email, role in (("rae@bench.test", "reviewer"), ("vic@bench.test", "viewer")):
        user, _ = console.accounts.create(
            email=email, role=role, password=PASSWORD, must_change_password=False
        )
        users[email] = user.id
    journey_map = ReviewService(sessions).journey_map(run, personal=True)
    big = max(journey_map.stages, key=lambda s: s.step_count)
    pain = journey_map.pain_points[0]
    interview = journey_map.interview_ids[len(journey_map.interview_ids) // 2]
    pages = [
        ("console home (baseline)", "rae", "/app"),
        ("map", "rae", f"/app/maps/{run}"),
        ("map, viewer (masked)", "vic", f"/app/maps/{run}"),
        (
            f"evidence: stage of {big.step_count} steps",
            "rae",
            f"/app/maps/{run}/evidence/stage/{big.id}",
        ),
        ("evidence: page 40 of it", "rae", f"/app/maps/{run}/evidence/stage/{big.id}?page=40"),
        (
            "evidence: a channel's steps",
            "rae",
            f"/app/maps/{run}/evidence/stage/{big.id}?channel=phone",
        ),
        ("evidence: a pain point", "rae", f"/app/maps/{run}/evidence/pain/{pain.id}"),
        ("evidence: unresolved journeys", "rae", f"/app/maps/{run}/evidence/map/all?resolved=no"),
        ("transcript", "rae", f"/app/maps/{run}/interviews/{interview}"),
        ("review page of a stage", "rae", f"/app/maps/{run}/cells/stage/{big.id}"),
        ("history", "rae", f"/app/maps/{run}/history"),
        ("diff of run 1 and run 2", "rae", f"/app/maps/diff?before={run - 1}&after={run}"),
        ("API: the curated map", "rae", f"/api/v1/maps/{run}"),
    ]
    env = journeyline_env(data_dir, None)
    command = [sys.executable, "-m", "journeyline", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(free_port())]
    server = start_server("journeyline", command, env, data_dir)
    results: list[dict[str, Any]] = []
    try:
        clients = {}
        for who, email in (("rae", "rae@bench.test"), ("vic", "vic@bench.test")):
            clients[who] = httpx.Client(base_url=server.base_url, timeout=120)
            sign_in(clients[who], email)
        for label, who, path in pages:
            client = clients[who]
            if path.startswith("/api/"):
                continue  # needs a key; timed below
            timings = []
            for _ in range(requests + 1):
                started = time.perf_counter()
                response = client.get(path)
                timings.append(time.perf_counter() - started)
                assert response.status_code == 200, f"{path}: {response.status_code}"
            results.append(_row(label, timings))
        key = console.api_keys.create(
            users["rae@bench.test"],
            name="bench",
            scopes=["maps:read", "personal-data:read"],
        )
        api = httpx.Client(
            base_url=server.base_url, timeout=120, headers={"Authorization": f"Bearer {key.token}"}
        )
        timings = []
        for _ in range(requests + 1):
            started = time.perf_counter()
            response = api.get(f"/api/v1/maps/{run}")
            timings.append(time.perf_counter() - started)
            assert response.status_code == 200
        results.append(_row("API: the curated map (JSON)", timings, size=len(response.content)))
    finally:
        server.stop()
    return results


def _row(label: str, timings: Sequence[float], *, size: int | None = None) -> dict[str, Any]:
    warm = sorted(timings[1:])
    p95 = warm[min(len(warm) - 1, round(0.95 * (len(warm) - 1)))]
    return {
        "page": label,
        "cold": timings[0],
        "p50": statistics.median(warm),
        "p95": p95,
        "max": warm[-1],
        "size": size,
    }


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--interviews", type=int, default=10_000)
    parser.add_argument("--new", type=int, default=1_000)
    parser.add_argument("--edits", type=int, default=200)
    parser.add_argument("--requests", type=int, default=20)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="bench-review-") as folder:
        data_dir = Path(folder)
        url = sqlite_url_for_dir(data_dir)
        filled = fill(url, args.interviews)
        first, first_seconds, _ = synthesize(url)
        m = first.journey_map
        print(
            f"{args.interviews} interviews stored in {filled:.1f} s; run {first.id} "
            f"({m.step_count} steps, {len(m.stages)} stages, {len(m.pain_points)} pain "
            f"points) synthesized in {first_seconds:.1f} s"
        )
        layer = store_layer(url, first, count=args.edits)
        saves = layer["save_seconds"]
        kinds = ", ".join(f"{n} {k}" for k, n in layer["kinds"].items())
        print(
            f"layer: {layer['edits']} edits ({kinds}); "
            f"{layer['apply_to_run1']} of the planned apply to run {first.id}; a reviewer's save "
            f"(tried on the map, then stored): median {statistics.median(saves):.2f} s, "
            f"max {max(saves):.2f} s"
        )
        add_interviews(url, count=args.new, start=args.interviews, seed=1)
        second, second_seconds, observations = synthesize(url)
        print(f"{args.new} new interviews; run {second.id} synthesized in {second_seconds:.1f} s")
        for how, steps in (
            ("as `journeyline synthesize` does (its steps as synthesis read them)", observations),
            ("cold (its steps read from storage)", None),
        ):
            result = reapply(url, second, steps)
            parts = ", ".join(f"{name} {t:.2f} s" for name, t in result["parts"].items())
            print(
                f"re-applying the layer to run {second.id} {how}: {result['seconds']:.2f} s "
                f"(target 5 s): {parts}; {result['held']} hold, {result['broken']} no longer "
                f"hold; {result['new_interviews']} new interviews"
            )
        rows = time_pages(url, data_dir, second.id, requests=args.requests)
        base = rows[0]["p95"]
        print(
            f"\npages of run {second.id}, {args.requests} warm requests each (target p95 500 ms):"
        )
        print("| page | cold ms | p50 ms | p95 ms | max ms | p95 / home |")
        print("|---|---:|---:|---:|---:|---:|")
        for row in rows:
            print(
                f"| {row['page']} | {row['cold'] * 1000:.0f} | {row['p50'] * 1000:.0f} | "
                f"{row['p95'] * 1000:.0f} | {row['max'] * 1000:.0f} | {row['p95'] / base:.1f} |"
            )


if __name__ == "__main__":
    main()
