"""The storage check: every message acknowledged with a 200 is stored once, in order,
with the text sent; nothing else is stored."""

from __future__ import annotations

import unicodedata
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import create_engine, text

from bench.web_load.stats import Ledger

CLIENT_ID_PREFIX = "web:"  # how the API stores a client_message_id (bot/web/api.py)


@dataclass
class StorageCheck:
    interviews_opened: int = 0
    interviews_missing: int = 0
    acknowledged: int = 0
    stored: int = 0
    lost: int = 0
    duplicated: int = 0
    altered: int = 0  # stored once, but with other text than was sent
    out_of_order: int = 0  # interviews whose stored order differs from the sent order
    stored_unacknowledged: int = 0  # stored, but the client never saw its 200


INBOUND_ROWS = text(
    "SELECT i.public_id, m.channel_message_id, m.text, m.redacted "
    "FROM messages m JOIN interviews i ON i.id = m.interview_id "
    "WHERE m.direction = 'in' ORDER BY i.public_id, m.id"
)


def check_storage(database_url: str, ledger: Ledger) -> StorageCheck:
    """Compare, per interview, the messages acknowledged with what the database holds."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            interviews = set(connection.scalars(text("SELECT public_id FROM interviews")))
            stored: dict[str, list[tuple[str, str, bool]]] = defaultdict(list)
            for public_id, channel_id, body, redacted in connection.execute(INBOUND_ROWS):
                client_id = (channel_id or "").removeprefix(CLIENT_ID_PREFIX)
                stored[public_id].append((client_id, body, bool(redacted)))
    finally:
        engine.dispose()
    check = StorageCheck(interviews_opened=len(ledger.opened))
    check.interviews_missing = len(ledger.opened - interviews)
    for interview_id in set(ledger.acknowledged) | set(stored):
        compare_interview(check, ledger.acknowledged.get(interview_id, []), stored[interview_id])
    return check


def compare_interview(
    check: StorageCheck, sent: list[tuple[str, str]], stored: list[tuple[str, str, bool]]
) -> None:
    check.acknowledged += len(sent)
    check.stored += len(stored)
    rows = defaultdict(list)
    for client_id, body, redacted in stored:
        rows[client_id].append((body, redacted))
    for client_id, body in sent:
        copies = rows.get(client_id, [])
        if not copies:
            check.lost += 1
            continue
        check.duplicated += len(copies) - 1
        stored_text, redacted = copies[0]
        # A declined consent blanks what was typed before it, on purpose.
        if not redacted and stored_text != normalise(body):
            check.altered += 1
    sent_ids = [client_id for client_id, _ in sent]
    known = set(sent_ids)
    check.stored_unacknowledged += sum(len(rows[c]) for c in set(rows) - known)
    stored_order = [client_id for client_id, _, _ in stored if client_id in known]
    if list(dict.fromkeys(stored_order)) != sent_ids:
        check.out_of_order += 1


def normalise(body: str) -> str:
    # What the server does to any text before storing it (bot/conversation/sanitize.py) that matters
    # for the simulator's messages: Unicode NFC and surrounding whitespace.
    return unicodedata.normalize("NFC", body).strip()
