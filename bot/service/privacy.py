"""A person's rights over what journeyline stored about them: export it, erase it.

``PersonalData`` is the one door for the CLI (`journeyline participants export|erase`)
and the console's admin API. A person is found by participant id, email or Slack user
id, in every campaign (``storage.people``). An erasure deletes their rows
(``storage.erasure``), retires the synthesis runs that read their interviews, deletes
the files those runs wrote and the invitation emails in the outbox folder, and records
an audit row holding no personal data. On SQLite the deletes run with ``PRAGMA
secure_delete`` (freed bytes are overwritten with zeros), the database is then rebuilt
with ``VACUUM`` (older versions of rewritten rows, such as the engine state a turn
replaces, linger in free space otherwise) and the write-ahead log checkpointed and
truncated, so the file on disk no longer holds their words.
"""

from __future__ import annotations

import glob
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.engines import write_session
from storage.erasure import OutputFiles, erase_person
from storage.people import Match, NoOneAsked, Person, Who, find_person, on_suppression_list
from storage.personal_export import export_person
from storage.privacy_models import ErasureRecord
from storage.scheduler_models import Suppression
from storage.secure_delete import compact, secure_deletes
from storage.types import utcnow

log = logging.getLogger(__name__)
CLI_ACTOR = "cli"


class NobodyFound(LookupError):
    """No participant matches the lookup."""


@dataclass(frozen=True)
class ErasureReport:
    """What an erasure did. ``matches`` are the rows that were the person (shown to the
    one who asked for it, never stored); ``counts`` rows per table, as in the audit."""

    erasure_id: str
    erased_at: datetime
    actor: str
    matches: tuple[Match, ...]
    counts: dict[str, int]
    retired_runs: list[int]
    files_deleted: list[str]
    kept_suppressions: int
    # SQLite: whether the write-ahead log was emptied after the rebuild (a reader can
    # keep it from being); None on PostgreSQL.
    log_emptied: bool | None = None


def account_actor(user_id: int) -> str:
    """The audit's name for a console account."""
    return f"account:{user_id}"


class PersonalData:
    """Export and erasure over one database.

    ``outbox_file`` maps an email's Message-ID to the ``.eml`` file the outbox wrote for
    it (None: no outbox, e.g. SMTP only); ``clock`` gives aware UTC datetimes.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        outbox_file: Callable[[str], Path] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._outbox_file = outbox_file
        self._clock = clock

    def find(self, who: Who) -> Person:
        with self._sessions() as session:
            return find_person(session, who)

    def export(self, who: Who) -> dict[str, Any]:
        """Everything stored about ``who`` as one JSON-ready document; `NobodyFound`."""
        with self._sessions() as session:
            person = find_person(session, who)
            if not person.found:
                raise NobodyFound(f"no participant matches {who.describe()}")
            document = export_person(session, person, now=self._clock())
        document["asked_for"] = who.describe()
        return document

    def erase(self, who: Who, *, actor: str) -> ErasureReport:
        """Erase ``who`` everywhere (see the module); `NobodyFound` when nobody matches,
        which is also what a retried erasure gets: nothing is done twice."""
        erasure_id = secrets.token_hex(16)
        now = self._clock()
        with write_session(self._sessions) as session, secure_deletes(session):
            person = find_person(session, who)
            if not person.found:
                raise NobodyFound(f"no participant matches {who.describe()}")
            erased = erase_person(session, person, erasure_id=erasure_id, now=now)
            # Files first, inside the transaction: if deleting them fails the rows
            # stay, and a retry finds the person and the files again. Suppression
            # entries are kept (an opt-out outlives the erasure) and reported.
            files = self._delete_files(erased.output_files, erased.email_message_ids)
            counts = {name: n for name, n in sorted(erased.counts.items()) if n}
            counts["files_deleted"] = len(files)
            session.add(
                ErasureRecord(erasure_id=erasure_id, erased_at=now, actor=actor, counts=counts)
            )
            kept = int(
                session.scalar(
                    select(func.count()).select_from(Suppression).where(on_suppression_list(person))
                )
                or 0
            )
        engine = self._engine()
        emptied = compact(engine) if engine is not None else None
        log.info("erasure %s by %s: %s", erasure_id, actor, counts)
        return ErasureReport(
            erasure_id=erasure_id,
            erased_at=now,
            actor=actor,
            matches=person.matches,
            counts=counts,
            retired_runs=erased.retired_runs,
            files_deleted=files,
            kept_suppressions=kept,
            log_emptied=emptied,
        )

    def _engine(self) -> Engine | None:
        bind = self._sessions.kw.get("bind")
        return bind if isinstance(bind, Engine) else None

    def _delete_files(self, outputs: list[OutputFiles], message_ids: list[str]) -> list[str]:
        deleted: list[str] = []
        for output in outputs:
            folder = Path(output.folder)
            for name in output.files:
                deleted += _unlink(folder / name)
        if self._outbox_file is not None:
            for message_id in message_ids:
                if "@" in message_id:
                    deleted += _unlink(self._outbox_file(message_id))
                    continue
                # A close-the-loop send keeps the Message-ID's left part only; the
                # sender's domain was added when it was written ("jl.loop.3.7@acme.com").
                named = self._outbox_file(f"{message_id}@domain")
                stem = named.name.removesuffix("domain.eml")
                for path in named.parent.glob(f"{glob.escape(stem)}*.eml"):
                    deleted += _unlink(path)
        return deleted


def _unlink(path: Path) -> list[str]:
    if path.is_symlink() or path.is_file():
        path.unlink()
        return [str(path)]
    return []


__all__ = [
    "CLI_ACTOR",
    "ErasureReport",
    "NoOneAsked",
    "NobodyFound",
    "PersonalData",
    "Who",
    "account_actor",
]
