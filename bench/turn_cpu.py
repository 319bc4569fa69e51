"""CPU per chat turn, in process: where a turn's time goes, without HTTP or a load client.

Run: ``.venv/bin/python -m bench.turn_cpu [--interviews 200] [--postgres [URL]] [--profile]``

The demo personas answer whole interviews through ``InterviewService.handle_message``
(the call every channel makes), one turn at a time on one thread, on a fresh SQLite file
(or a fresh PostgreSQL schema). Each turn is timed in CPU (``time.process_time``) and
wall time, the response JSON included. The baseline, in the same run on the same kind of
database file, is what ``bench/web_baseline.py`` does per request: one INSERT and COMMIT
through ``sqlite3`` with journeyline's connection settings. ``--profile`` prints the
top of a cProfile of the turns (times inflated by the profiler; shares are what count).

The figures are a diagnosis for ``bench/web_load/``, whose ratio is the target: there
the same turn also pays for HTTP, and the server's one interpreter is shared with it.
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import pstats
import random
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bench.web_baseline import BUSY_TIMEOUT_MS
from bench.web_load import postgres_schema
from bot.conversation.messages import Reply
from bot.service.campaigns import create_campaign
from bot.service.interviews import InterviewService
from bot.web.schemas import turn_json
from journeyline.demo.personas import PERSONAS
from journeyline.demo.simulator import SimulatedCustomer
from journeyline.runtime import make_service
from journeyline.settings import Settings
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade

CAMPAIGN = "turn-cpu"
DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WARM_UP_INTERVIEWS = 20


@dataclass
class Conversation:
    interview_id: str
    customer: SimulatedCustomer
    replies: Sequence[Reply]


@dataclass
class Timing:
    turns: int = 0
    cpu: float = 0.0
    wall: float = 0.0

    def per_turn_ms(self) -> tuple[float, float]:
        return 1000 * self.cpu / max(1, self.turns), 1000 * self.wall / max(1, self.turns)


def open_conversations(service: InterviewService, count: int, seed: int) -> list[Conversation]:
    rng = random.Random(seed)
    conversations = []
    for n in range(count):
        started = service.start_anonymous(
            campaign_slug=CAMPAIGN, channel="web", access_token_hash=None
        )
        customer = SimulatedCustomer(PERSONAS[n % len(PERSONAS)], rng=random.Random(rng.random()))
        conversations.append(Conversation(started.interview_id, customer, started.pending))
    return conversations


def run_turns(service: InterviewService, conversations: list[Conversation]) -> Timing:
    """Every conversation to its end, round-robin (as concurrent customers would)."""
    timing = Timing()
    active = list(conversations)
    while active:
        still = []
        for conversation in active:
            message = conversation.customer.next_message(conversation.replies)
            message = message or conversation.customer.resume()
            if message is None:
                continue
            cpu, wall = time.process_time(), time.perf_counter()
            result = service.handle_message(
                interview_id=conversation.interview_id,
                text=message.text or "",
                choice=message.choice,
                channel_message_id=f"web:{uuid.uuid4().hex}",
            )
            turn_json(result)
            timing.cpu += time.process_time() - cpu
            timing.wall += time.perf_counter() - wall
            timing.turns += 1
            conversation.replies = result.replies
            if not result.finished:
                still.append(conversation)
        active = still
    return timing


def baseline(path: Path, turns: int) -> Timing:
    """`turns` times what bench/web_baseline.py does per request."""
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute(
        "CREATE TABLE messages (id INTEGER PRIMARY KEY, interview_id TEXT NOT NULL,"
        " client_message_id TEXT NOT NULL, text TEXT NOT NULL, choice TEXT)"
    )
    timing = Timing(turns=turns)
    cpu, wall = time.process_time(), time.perf_counter()
    for n in range(turns):
        connection.execute("BEGIN IMMEDIATE")
        connection.execute(
            "INSERT INTO messages (interview_id, client_message_id, text, choice)"
            " VALUES (?, ?, ?, ?)",
            (f"b{n // 30}", uuid.uuid4().hex, "I called them and waited 20 minutes", None),
        )
        connection.execute("COMMIT")
    timing.cpu, timing.wall = time.process_time() - cpu, time.perf_counter() - wall
    connection.close()
    return timing


def open_service(
    url: str, campaign_name: str
) -> tuple[InterviewService, sessionmaker[Session], Engine]:
    """The service on the database at `url`, migrated, with the open-link campaign."""
    upgrade(url)
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    with sessions.begin() as session:
        create_campaign(session, slug=CAMPAIGN, name=campaign_name, open_link=True)
    service = make_service(Settings(database_url=url), sessions=sessions, engine=engine)
    return service, sessions, engine


@contextlib.contextmanager
def database(folder: Path, postgres_url: str | None) -> Iterator[str]:
    if postgres_url is None:
        yield sqlite_url_for_dir(folder)
        return
    with postgres_schema(postgres_url) as url:
        yield url


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--interviews", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--postgres", nargs="?", const=DEFAULT_POSTGRES_URL, default=None)
    parser.add_argument("--profile", action="store_true", help="print the top of a cProfile")
    args = parser.parse_args(argv)
    with (
        tempfile.TemporaryDirectory(prefix="turn-cpu-") as folder,
        database(Path(folder), args.postgres) as url,
    ):
        service, _, engine = open_service(url, "Turn CPU")
        run_turns(service, open_conversations(service, WARM_UP_INTERVIEWS, args.seed + 1))
        conversations = open_conversations(service, args.interviews, args.seed)
        profiler = cProfile.Profile() if args.profile else None
        if profiler is not None:
            profiler.enable()
        ours = run_turns(service, conversations)
        if profiler is not None:
            profiler.disable()
        engine.dispose()
        bare = baseline(Path(folder) / "baseline.db", ours.turns)
    name = "PostgreSQL" if args.postgres else "SQLite"
    ours_cpu, ours_wall = ours.per_turn_ms()
    bare_cpu, bare_wall = bare.per_turn_ms()
    print(f"turn cpu: {args.interviews} interviews, {ours.turns} turns, journeyline on {name}")
    print(f"{'':28}{'journeyline':>12}{'baseline':>12}{'ratio':>9}")
    for label, mine, theirs in (
        ("CPU per turn ms", ours_cpu, bare_cpu),
        ("wall per turn ms", ours_wall, bare_wall),
    ):
        print(f"  {label:26}{mine:12.3f}{theirs:12.3f}{mine / theirs:8.1f}x")
    print("baseline: one sqlite3 INSERT + COMMIT per turn (bench/web_baseline.py's database work)")
    if profiler is not None:
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


if __name__ == "__main__":
    main()
