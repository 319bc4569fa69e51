"""The bare baseline for `bench.web_load`: the cheapest honest web endpoint we could serve.

Run: ``python -m bench.web_baseline --host 127.0.0.1 --port P --workers W`` with
``WEB_BASELINE_DB=/path/baseline.db``, or with ``WEB_BASELINE_POSTGRES_URL=URL`` for the
same endpoint on PostgreSQL (one INSERT and a durable COMMIT per request, psycopg, one
connection per thread): the floor of any PostgreSQL-backed endpoint on the machine.

One POST endpoint with the same path and request shape as journeyline's message API. It
does exactly one SQLite INSERT and COMMIT per request, with the connection settings
journeyline uses (WAL, ``synchronous`` as ``WEB_BASELINE_SYNCHRONOUS``, default FULL like
journeyline's, a busy timeout, ``BEGIN IMMEDIATE``), and
returns a constant reply of a typical size. It runs under uvicorn exactly as
``journeyline serve`` does (same worker model, sync endpoint in the thread pool), so the
ratio between the two measures what journeyline adds per turn: the engine, the ORM and
the rest of the stored turn.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

DB_ENV = "WEB_BASELINE_DB"
POSTGRES_ENV = "WEB_BASELINE_POSTGRES_URL"
# Same value as storage.engines.SQLITE_BUSY_TIMEOUT_MS, so writers queue the same way.
BUSY_TIMEOUT_MS = 5000

# A constant reply shaped like one of journeyline's (a question with five quick replies),
# so the response bodies are of comparable size.
CANNED_REPLY: dict[str, Any] = {
    "status": "active",
    "replies": [
        {
            "text": "And how did you feel at that point?",
            "slot": "feeling",
            "choices": [
                {"value": str(n), "label": label}
                for n, label in enumerate(
                    ["😠 very bad", "🙁 bad", "😐 okay", "🙂 good", "😄 great"], 1
                )
            ],
            "items": [],
        }
    ],
    "duplicate": False,
    "progress": None,
}

POSTGRES_SCHEMA = """
CREATE TABLE IF NOT EXISTS baseline_messages (
    id BIGSERIAL PRIMARY KEY,
    interview_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    text TEXT NOT NULL,
    choice TEXT
)
"""

SCHEMA = """
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    interview_id TEXT NOT NULL,
    client_message_id TEXT NOT NULL,
    text TEXT NOT NULL,
    choice TEXT
)
"""


class MessageRequest(BaseModel):
    text: str | None = None
    choice: str | None = Field(None, max_length=80)
    client_message_id: str = Field(pattern=r"^[A-Za-z0-9._:\-]{1,100}$")


def _connect(path: str) -> sqlite3.Connection:
    # isolation_level=None: we issue BEGIN IMMEDIATE ourselves, as journeyline does.
    connection = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    connection.execute("PRAGMA journal_mode = WAL")
    # As journeyline (JOURNEYLINE_SQLITE_SYNCHRONOUS): the same durability, or the ratio
    # would compare a flush per commit with none.
    mode = os.environ.get("WEB_BASELINE_SYNCHRONOUS", "full").upper()
    if mode not in ("FULL", "NORMAL"):
        raise ValueError("WEB_BASELINE_SYNCHRONOUS is full or normal")
    connection.execute(f"PRAGMA synchronous = {mode}")
    return connection


def create_app(db_path: str) -> FastAPI:
    """The baseline app writing to the SQLite file at `db_path` (created if missing)."""
    _connect(db_path).execute(SCHEMA)
    # One connection per thread of the thread pool, like a connection pool without the
    # pool's bookkeeping: the cheapest correct way to use SQLite from sync endpoints.
    local = threading.local()

    def connection() -> sqlite3.Connection:
        existing: sqlite3.Connection | None = getattr(local, "connection", None)
        if existing is None:
            existing = _connect(db_path)
            local.connection = existing
        return existing

    def store(interview_id: str, body: MessageRequest) -> None:
        db = connection()
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute(
                "INSERT INTO messages (interview_id, client_message_id, text, choice) "
                "VALUES (?, ?, ?, ?)",
                (interview_id, body.client_message_id, body.text or "", body.choice),
            )
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")

    def ping() -> None:
        connection().execute("SELECT 1")

    return _endpoint_app("web load baseline", store, ping)


def create_postgres_app(conninfo: str) -> FastAPI:
    """The same endpoint storing each message in PostgreSQL at `conninfo` (a libpq URL)."""
    import psycopg  # the server extra of journeyline brings it

    with psycopg.connect(conninfo, autocommit=True) as setup:
        setup.execute(POSTGRES_SCHEMA)
    local = threading.local()

    def connection() -> psycopg.Connection[Any]:
        existing: psycopg.Connection[Any] | None = getattr(local, "connection", None)
        if existing is None:
            existing = psycopg.connect(conninfo)  # a transaction per request, then COMMIT
            local.connection = existing
        return existing

    def store(interview_id: str, body: MessageRequest) -> None:
        db = connection()
        try:
            db.execute(
                "INSERT INTO baseline_messages (interview_id, client_message_id, text, choice) "
                "VALUES (%s, %s, %s, %s)",
                (interview_id, body.client_message_id, body.text or "", body.choice),
            )
        except BaseException:
            db.rollback()
            raise
        db.commit()

    def ping() -> None:
        connection().execute("SELECT 1")
        connection().rollback()

    return _endpoint_app("web load baseline (PostgreSQL)", store, ping)


def _endpoint_app(
    title: str, store: Callable[[str, MessageRequest], None], ping: Callable[[], None]
) -> FastAPI:
    """The message endpoint and /healthz around one database's `store` and `ping`."""
    # Configured like journeyline's app (journeyline/web/app.py): no per-request check for
    # OpenTelemetry providers nobody set up.
    app = FastAPI(title=title, telemetry={"tracing": False, "metrics": False, "logs": False})

    @app.post("/api/v1/interviews/{interview_id}/messages")
    def post_message(interview_id: str, body: MessageRequest) -> JSONResponse:
        store(interview_id, body)
        return JSONResponse({"interview_id": interview_id, **CANNED_REPLY})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> JSONResponse:
        ping()
        return JSONResponse({"status": "ok"})

    return app


def app_from_environment() -> FastAPI:
    """Factory for `uvicorn --factory` worker processes."""
    postgres = os.environ.get(POSTGRES_ENV)
    if postgres:
        return create_postgres_app(postgres)
    return create_app(os.environ[DB_ENV])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    # Mirrors journeyline/cli/serve.py: one worker runs the app in-process, more use the
    # import-string factory so each worker process builds its own app.
    if args.workers == 1:
        uvicorn.run(app_from_environment(), host=args.host, port=args.port, log_level="warning")
        return
    uvicorn.run(
        "bench.web_baseline:app_from_environment",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
