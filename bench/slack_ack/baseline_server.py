"""The benchmark's baseline in a process of its own: a bare Bolt app that verifies each
Slack request and acks it, nothing else, served by uvicorn like journeyline.

    python -m bench.slack_ack.baseline_server --slack-api URL --port N
"""

from __future__ import annotations

import argparse

import uvicorn
from fastapi import FastAPI, Request, Response
from slack_bolt import Ack, App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.concurrency import run_in_threadpool

from bot.slack.web_client import make_client
from fakes.slack import BOT_TOKEN, SIGNING_SECRET


def baseline_app(slack_api: str) -> FastAPI:
    """The least a Bolt app can do on the same stack: verify, ack, nothing else."""
    bolt = App(
        client=make_client(token=BOT_TOKEN, base_url=slack_api),
        signing_secret=SIGNING_SECRET,
        process_before_response=True,
    )

    @bolt.event("message")
    def only_ack(ack: Ack) -> None:
        ack()

    app = FastAPI()

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.post("/slack/events")
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        response = await run_in_threadpool(bolt.dispatch, to_bolt_request(request, body))
        return to_starlette_response(response)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--slack-api", required=True)
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    uvicorn.run(baseline_app(args.slack_api), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
