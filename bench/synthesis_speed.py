"""Synthesis speed: generated interviews in the database -> the finished journey map.

Run: ``.venv/bin/python -m bench.synthesis_speed [--sizes 1000 10000 50000] [--postgres [URL]]``

For each size a fresh database (a SQLite file in a temporary folder, or a fresh
PostgreSQL schema) is filled with generated interviews through the importer's bulk path
(``storage.imports.insert_interviews``), then a *separate* subprocess runs the synthesis
from the database to the finished map and stores the run, so its peak memory
(``ru_maxrss``) is the synthesis's alone. Per size it prints the wall time of every
pipeline stage, the total, the time per 1,000 interviews relative to the smallest size
(1.0 = exactly linear) and the peak memory.

The generated interviews are varied on purpose: six kinds of step (noticing, searching
the help centre, contacting by phone / chat / email / social, being transferred, chasing,
the outcome), each written from verb, object and detail parts into thousands of distinct
sentences, with 2-7 steps per interview, pains tagged and in free text, feelings,
durations, people and tools, and a plan attribute for segments.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from threadpoolctl import threadpool_limits  # type: ignore[import-untyped]

from bot.service.campaigns import create_campaign
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.imports import NewInterview, NewMessage, insert_interviews
from storage.migrate import upgrade
from storage.queries import StepRecordData

DEFAULT_SIZES = (1000, 10000, 50000)
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
CAMPAIGN = "speed"
BATCH = 1000

# (texts, channel choices, feeling range, minutes range, pain tags, pain texts)
_KINDS: dict[str, dict[str, Any]] = {
    "notice": {
        "verbs": ["noticed", "spotted", "saw", "realised there was", "found"],
        "objects": [
            "a double charge",
            "a duplicate payment",
            "a strange fee",
            "my parcel had not arrived",
            "the internet kept dropping",
            "my card was blocked",
            "the app would not log me in",
            "a wrong amount",
        ],
        "details": [
            "on my statement",
            "on the monthly bill",
            "this morning",
            "after the update",
            "when I checked my account",
            "on the tracking page",
            "",
        ],
        "channels": ["none"],
        "feelings": (1, 3),
        "minutes": (1, 10),
        "pains": ["billing_error", "slow_delivery", "wrong_item"],
        "pain_texts": ["nobody told me", "it was the second time", "no warning at all"],
    },
    "search": {
        "verbs": ["searched", "looked through", "read", "checked", "went through"],
        "objects": ["the help centre", "the FAQ", "the community forum", "the website"],
        "details": ["for an answer", "but found nothing useful", "for a phone number", ""],
        "channels": ["help_center", "website", "community_forum"],
        "feelings": (2, 3),
        "minutes": (5, 30),
        "pains": ["unclear_info", "hard_to_reach"],
        "pain_texts": ["the articles were out of date", "the number was hidden"],
    },
    "contact": {
        "verbs": ["called", "rang", "phoned", "chatted with", "emailed", "messaged", "tweeted"],
        "objects": ["support", "customer service", "the helpline", "an agent", "the bank"],
        "details": [
            "and waited on hold",
            "and explained everything",
            "and got a ticket number",
            "and the bot kept looping",
            "twice",
            "",
        ],
        "channels": ["phone", "live_chat", "email", "chatbot", "social_media"],
        "feelings": (1, 3),
        "minutes": (5, 90),
        "pains": ["long_wait", "bot_loop", "repeat_explanation", "unempathetic_agent"],
        "pain_texts": [
            "on hold for forty minutes",
            "the bot did not understand me",
            "I had to explain it all again",
            "the agent was rude",
        ],
    },
    "transfer": {
        "verbs": ["was transferred to", "got passed to", "was bounced to", "was sent to"],
        "objects": ["billing", "another department", "technical support", "a supervisor"],
        "details": ["and started over", "who asked for my details again", "", "after a wait"],
        "channels": ["phone", "live_chat"],
        "feelings": (1, 2),
        "minutes": (5, 60),
        "pains": ["transferred", "repeat_explanation", "identity_verification_hassle"],
        "pain_texts": ["third transfer in a row", "security questions all over again"],
    },
    "chase": {
        "verbs": ["chased", "followed up with", "wrote again to", "reminded"],
        "objects": ["support", "them", "the complaints team", "the agent"],
        "details": ["after a week", "because nobody replied", "by email", "on twitter", ""],
        "channels": ["email", "phone", "social_media"],
        "feelings": (1, 2),
        "minutes": (5, 20),
        "pains": ["no_follow_up", "broken_promise"],
        "pain_texts": ["they promised a callback that never came", "still no answer"],
    },
    "outcome": {
        "verbs": ["got", "finally received", "was sent", "ended up with"],
        "objects": ["a refund", "a replacement", "an apology", "a credit on my account"],
        "details": ["a week later", "by email", "and it was sorted", "but only partly", ""],
        "channels": ["email", "none", "mobile_app"],
        "feelings": (3, 5),
        "minutes": (1, 5),
        "pains": ["unresolved"],
        "pain_texts": ["only half of it was refunded"],
    },
}
_JOURNEYS = [
    ["notice", "contact", "outcome"],
    ["notice", "search", "contact", "outcome"],
    ["notice", "contact", "transfer", "outcome"],
    ["notice", "search", "contact", "transfer", "chase", "outcome"],
    ["notice", "contact", "chase", "contact", "outcome"],
    ["notice", "search", "contact", "transfer", "chase", "contact", "outcome"],
    ["notice", "contact"],
]
_PEOPLE = ["agent", "supervisor", "technician", "my partner"]
_TOOLS = ["bank app", "statement", "router", "order number", "invoice"]


def generate(rng: random.Random, campaign_id: int, n: int) -> NewInterview:
    """One varied interview (deterministic for the generator's state)."""
    kinds = rng.choice(_JOURNEYS)
    messages: list[NewMessage] = []
    steps: list[StepRecordData] = []
    for ordinal, kind in enumerate(kinds, start=1):
        spec = _KINDS[kind]
        doing = " ".join(
            w
            for w in (
                rng.choice(spec["verbs"]),
                rng.choice(spec["objects"]),
                rng.choice(spec["details"]),
            )
            if w
        )
        messages.append(NewMessage("out", "What happened next?", "next_step"))
        messages.append(NewMessage("in", doing, "next_step"))
        sources = [len(messages) - 1]
        pains: tuple[str, ...] = ()
        pain_text = None
        if rng.random() < 0.45:
            pains = (rng.choice(spec["pains"]),)
            if rng.random() < 0.6:
                pain_text = rng.choice(spec["pain_texts"])
                messages.append(NewMessage("out", "What got in the way?", "pain"))
                messages.append(NewMessage("in", pain_text, "pain"))
                sources.append(len(messages) - 1)
        steps.append(
            StepRecordData(
                ordinal=ordinal,
                doing=doing,
                channel=rng.choice(spec["channels"]),
                feeling=rng.randint(*spec["feelings"]),
                duration_minutes=rng.randint(*spec["minutes"]),
                people=(rng.choice(_PEOPLE),) if kind in ("contact", "transfer") else (),
                tools=(rng.choice(_TOOLS),) if rng.random() < 0.3 else (),
                pains=pains,
                pain_text=pain_text,
                source_message_ids=tuple(sources),
            )
        )
    return NewInterview(
        campaign_id=campaign_id,
        external_id=f"gen-{n}",
        content_hash=uuid.uuid4().hex,
        engine_state={},
        messages=messages,
        steps=steps,
        participant_external_id=f"p{n}",
        attributes={"plan": rng.choice(["consumer", "business"])},
        moment_of_truth="when they finally answered",
        moment_of_truth_step=rng.randint(1, len(steps)),
        resolved=rng.choice(["yes", "partly", "no"]),
        effort=rng.randint(1, 7),
    )


def import_record(item: NewInterview, n: int) -> dict[str, Any]:
    """The generated interview as an import record (docs/import-format.md): even ``n``
    as question/answer turns, odd ``n`` as structured steps."""
    if n % 2:
        return {
            "external_id": item.external_id,
            "participant": {"id": item.participant_external_id},
            "attributes": dict(item.attributes),
            "steps": [
                {
                    "doing": s.doing,
                    "channel": s.channel,
                    "feeling": s.feeling,
                    "duration_minutes": s.duration_minutes,
                    "people": list(s.people),
                    "tools": list(s.tools),
                    "pains": list(s.pains),
                    "pain_text": s.pain_text,
                }
                for s in item.steps
            ],
            "resolved": item.resolved,
            "effort": item.effort,
        }
    turns = [{"question": "What did you need help with?", "answer": "I was charged twice"}]
    for step in item.steps:
        turns.append({"question": "What happened next?", "answer": step.doing})
        turns.append({"question": "How did you feel?", "answer": str(step.feeling)})
        if step.pain_text:
            turns.append({"question": "What got in the way?", "answer": step.pain_text})
    turns.append({"question": "Was it resolved?", "answer": item.resolved or "no"})
    return {"external_id": item.external_id, "attributes": dict(item.attributes), "turns": turns}


def write_jsonl(path: Path, size: int, *, seed: int = 0) -> None:
    """Write ``size`` generated interviews as an import file."""
    rng = random.Random(seed)
    with path.open("w", encoding="utf-8") as handle:
        for n in range(size):
            record = import_record(generate(rng, 0, n), n)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def fill(url: str, size: int, *, seed: int = 0) -> float:
    """Migrate the database at ``url`` and store ``size`` generated interviews; seconds."""
    started = time.perf_counter()
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    try:
        with sessions.begin() as session:
            campaign_id = create_campaign(session, slug=CAMPAIGN, name="Speed").id
        rng = random.Random(seed)
        for start in range(0, size, BATCH):
            batch = [generate(rng, campaign_id, n) for n in range(start, min(size, start + BATCH))]
            with sessions.begin() as session:
                insert_interviews(session, batch, source="bench")
    finally:
        engine.dispose()
    return time.perf_counter() - started


def synthesize_once(url: str) -> dict[str, Any]:
    """Run in the measuring subprocess: time every stage; peak memory of this process."""
    from synthesis.pipeline import synthesize
    from synthesis.runs import save_run

    engine = make_engine(url)
    sessions = make_session_factory(engine)
    marks: list[tuple[str, float]] = []
    started = time.perf_counter()
    # One native thread, as `journeyline synthesize` runs it (see its synthesize_to).
    with threadpool_limits(limits=1), sessions() as session:
        journey_map = synthesize(
            session,
            campaign_slug=CAMPAIGN,
            on_step=lambda name: marks.append((name, time.perf_counter())),
        )
    finished = time.perf_counter()
    with sessions.begin() as session:
        save_run(session, journey_map, elapsed_seconds=finished - started)
    stored = time.perf_counter()
    engine.dispose()
    stages: dict[str, float] = {}
    previous = started
    for name, at in marks:
        stages[name] = at - previous
        previous = at
    stages["store run"] = stored - finished
    return {
        "interviews": journey_map.interview_count,
        "steps": journey_map.step_count,
        "stages": len(journey_map.stages),
        "pain_points": len(journey_map.pain_points),
        "seconds": finished - started,
        "per_stage": stages,
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _database(size: int, folder: Path, postgres: str | None) -> tuple[str, Any]:
    if postgres is None:
        return sqlite_url_for_dir(folder / f"n{size}"), None
    schema = f"bench_speed_{uuid.uuid4().hex[:12]}"
    admin = make_engine(postgres)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = make_url(postgres).update_query_dict({"options": f"-csearch_path={schema}"})

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return url.render_as_string(hide_password=False), drop


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_POSTGRES_URL, default=None)
    parser.add_argument(
        "--write-jsonl",
        metavar="PATH",
        type=Path,
        help="only write the first size's interviews as an import file (for `journeyline import`)",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)  # internal: the subprocess
    args = parser.parse_args(argv)
    if args.write_jsonl:
        write_jsonl(args.write_jsonl, args.sizes[0])
        return
    if args.measure:
        print(json.dumps(synthesize_once(args.measure)))
        return
    rows = []
    with tempfile.TemporaryDirectory(prefix="synthesis-speed-") as folder:
        for size in args.sizes:
            url, cleanup = _database(size, Path(folder), args.postgres)
            try:
                fill_seconds = fill(url, size)
                print(f"  {size} interviews stored in {fill_seconds:.1f} s", file=sys.stderr)
                output = subprocess.run(
                    [sys.executable, "-m", "bench.synthesis_speed", "--measure", url],
                    check=True,
                    capture_output=True,
                    text=True,
                    env={**os.environ, "PYTHONHASHSEED": "0"},
                ).stdout
                rows.append(json.loads(output.strip().splitlines()[-1]))
            finally:
                if cleanup is not None:
                    cleanup()
    print_table(rows, database="PostgreSQL" if args.postgres else "SQLite")


def print_table(rows: list[dict[str, Any]], *, database: str) -> None:
    stage_names = list(rows[0]["per_stage"]) if rows else []
    header = ["interviews", "steps", "stages", "pains", *stage_names, "total s", "s/1k", "x"]
    header.append("peak MB")
    print(f"\nSynthesis from {database} to the finished map (seconds per stage)\n")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    base = rows[0]["seconds"] / rows[0]["interviews"] * 1000 if rows else 1.0
    for row in rows:
        per_k = row["seconds"] / row["interviews"] * 1000
        cells = [
            str(row["interviews"]),
            str(row["steps"]),
            str(row["stages"]),
            str(row["pain_points"]),
            *(f"{row['per_stage'][name]:.2f}" for name in stage_names),
            f"{row['seconds']:.1f}",
            f"{per_k:.2f}",
            f"{per_k / base:.2f}",
            f"{row['peak_mb']:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")
    print(
        "\n`total s` is the synthesis (every stage but `store run`); `x` is its time per "
        "1,000 interviews relative to the first size (1.00 = linear)."
    )


if __name__ == "__main__":
    main()
