"""journeyline's Slack endpoint in a process of its own, with every turn slowed down.

Run by the benchmark (``bench.slack_ack``) so it can send the process SIGTERM or kill
it outright; not meant to be run by hand:

    python -m bench.slack_ack.server --database URL --slack-api URL --port N
        [--turn-seconds 5] [--campaign bench]

It serves the same FastAPI app as ``journeyline serve`` (uvicorn, which drains on
SIGTERM and then runs the app's shutdown: the Slack bot's graceful close), with the
engine wrapped in a sleep, as a slow language model would make it.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import uvicorn

from bot.conversation import engine
from bot.conversation.engine import EngineResult
from bot.conversation.guide import Guide
from bot.conversation.messages import Inbound
from bot.conversation.state import InterviewState
from bot.service.interviews import InterviewService
from fakes.slack import BOT_TOKEN, SIGNING_SECRET
from journeyline.runtime import Runtime
from journeyline.settings import Settings
from journeyline.web.app import create_app
from storage.engines import make_engine, make_read_session_factory, make_session_factory


def slow_turns(seconds: float) -> Callable[[InterviewState, Inbound, Guide], EngineResult]:
    """The engine, taking ``seconds`` longer per turn."""

    def handle(state: InterviewState, inbound: Inbound, guide: Guide) -> EngineResult:
        time.sleep(seconds)
        return engine.handle(state, inbound, guide)

    return handle


def build(args: argparse.Namespace) -> Runtime:
    db = make_engine(args.database)
    sessions = make_session_factory(db)
    settings = Settings(
        data_dir=Path(args.data_dir),
        database_url=args.database,
        slack_bot_token=BOT_TOKEN,
        slack_signing_secret=SIGNING_SECRET,
        slack_api_url=args.slack_api,
        slack_campaign=args.campaign,
    )
    service = InterviewService(
        sessions,
        read_sessions=make_read_session_factory(db),
        handler=slow_turns(args.turn_seconds),
    )
    return Runtime(settings=settings, engine=db, sessions=sessions, service=service)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--slack-api", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--turn-seconds", type=float, default=5.0)
    parser.add_argument("--campaign", default="bench")
    args = parser.parse_args()
    runtime = build(args)
    try:
        uvicorn.run(
            create_app(runtime),
            host="127.0.0.1",
            port=args.port,
            log_level="warning",
            # Longer than the bot's own close, so the close is never cut short.
            timeout_graceful_shutdown=60,
        )
    finally:
        runtime.close()


if __name__ == "__main__":
    main()
