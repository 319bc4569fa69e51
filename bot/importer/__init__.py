"""Import interviews done elsewhere: JSON lines in, stored interviews out.

Each line is one interview (see docs/import-format.md): structured steps, or plain
question/answer turns that go through the bot's answer handling. Lines are read, checked
and stored in batches; a bad line is reported with its number and skipped, and every
stored interview is complete (its participant, messages, steps and provenance are
written in the same transaction). An external id imported before is skipped when the
record is unchanged and reported when it differs, so re-running an import is safe.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from pydantic import ValidationError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.guide import Guide
from bot.importer.plan import RecordError, content_hash, plan_interview
from bot.importer.records import ImportRecord, describe_errors
from bot.importer.transcript_turns import TurnError
from bot.service.campaign_guides import guide_for
from storage import queries
from storage.imports import NewInterview, imported_hashes, insert_interviews

__all__ = ["ImportReport", "RecordProblem", "UndecodableLine", "import_lines", "read_lines"]

BATCH = 500


@dataclass(frozen=True)
class RecordProblem:
    line: int
    external_id: str | None
    message: str


@dataclass
class ImportReport:
    lines: int = 0
    imported: list[str] = field(default_factory=list)  # new interview ids
    unchanged: int = 0
    problems: list[RecordProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Planned:
    line: int
    interview: NewInterview


def import_lines(
    sessions: sessionmaker[Session],
    lines: Iterable[str],
    *,
    campaign_slug: str | None,
    source: str | None = None,
    batch_size: int = BATCH,
    on_line: Callable[[int, int], None] | None = None,
) -> ImportReport:
    """Import JSON lines (blank lines and lines starting with ``//`` are skipped).

    ``campaign_slug`` is the campaign of records that name none (a record's ``campaign``
    wins). ``source`` (e.g. the file name) is stored with each interview. ``on_line`` is
    called after each batch with (lines done, bytes done), for a progress bar.
    """
    report = ImportReport()
    campaigns: dict[str, tuple[int, Guide] | None] = {}
    seen: dict[tuple[int, str], str] = {}
    done_bytes = 0
    numbered = enumerate(lines, start=1)
    while chunk := list(islice(numbered, batch_size)):
        planned: list[_Planned] = []
        with sessions() as session:
            for number, line in chunk:
                done_bytes += len(line.encode("utf-8"))
                item = _plan_line(session, number, line, campaign_slug, campaigns, report)
                if item is not None:
                    planned.append(item)
        fresh = _drop_known(sessions, planned, seen, report)
        _store(sessions, fresh, source, report)
        report.lines = chunk[-1][0]
        if on_line is not None:
            on_line(report.lines, done_bytes)
    return report


def _plan_line(
    session: Session,
    number: int,
    line: str,
    default_campaign: str | None,
    campaigns: dict[str, tuple[int, Guide] | None],
    report: ImportReport,
) -> _Planned | None:
    text = line.strip()
    if not text or text.startswith("//"):
        return None

    def problem(message: str, external_id: str | None = None) -> None:
        report.problems.append(RecordProblem(number, external_id, message))

    if isinstance(line, UndecodableLine):
        problem(line.problem)
        return None

    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        problem(f"not valid JSON ({error.msg} at column {error.colno})")
        return None
    if not isinstance(raw, dict):
        problem("not a JSON object")
        return None
    external_id = raw.get("external_id") if isinstance(raw.get("external_id"), str) else None
    try:
        record = ImportRecord.model_validate(raw)
    except ValidationError as error:
        problem(describe_errors(error.errors()), external_id)
        return None
    slug = record.campaign or default_campaign
    if slug is None:
        problem("no campaign: give --campaign or a 'campaign' field", external_id)
        return None
    if slug not in campaigns:
        found = queries.get_campaign_by_slug(session, slug)
        campaigns[slug] = None if found is None else (found.id, guide_for(found))
    campaign = campaigns[slug]
    if campaign is None:
        problem(f"no campaign with slug {slug!r} (see `journeyline campaigns list`)", external_id)
        return None
    try:
        interview = plan_interview(
            record, campaign_id=campaign[0], guide=campaign[1], record_hash=content_hash(raw)
        )
    except (RecordError, TurnError) as error:
        problem(str(error), external_id)
        return None
    return _Planned(number, interview)


def _drop_known(
    sessions: sessionmaker[Session],
    planned: list[_Planned],
    seen: dict[tuple[int, str], str],
    report: ImportReport,
) -> list[_Planned]:
    """Drop records imported before (unchanged: counted; changed: reported)."""
    stored: dict[tuple[int, str], str] = {}
    with sessions() as session:
        for campaign_id in {p.interview.campaign_id for p in planned}:
            ids = [
                p.interview.external_id for p in planned if p.interview.campaign_id == campaign_id
            ]
            found = imported_hashes(session, campaign_id=campaign_id, external_ids=ids)
            stored.update({(campaign_id, k): v for k, v in found.items()})
    fresh: list[_Planned] = []
    for item in planned:
        key = (item.interview.campaign_id, item.interview.external_id)
        before = seen.get(key) or stored.get(key)
        if before is None:
            seen[key] = item.interview.content_hash
            fresh.append(item)
        elif before == item.interview.content_hash:
            report.unchanged += 1
        else:
            report.problems.append(
                RecordProblem(
                    item.line,
                    item.interview.external_id,
                    "already imported with different content; skipped (the stored "
                    "interview is kept)",
                )
            )
    return fresh


def _store(
    sessions: sessionmaker[Session],
    planned: list[_Planned],
    source: str | None,
    report: ImportReport,
) -> None:
    if not planned:
        return
    try:
        with sessions.begin() as session:
            report.imported += insert_interviews(
                session, [p.interview for p in planned], source=source
            )
        return
    except SQLAlchemyError:
        if len(planned) == 1:
            raise
    # Something in the batch failed (e.g. the same record imported concurrently): store
    # one record per transaction so only the failing ones are skipped.
    for item in planned:
        try:
            with sessions.begin() as session:
                report.imported += insert_interviews(session, [item.interview], source=source)
        except SQLAlchemyError as error:
            reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
            report.problems.append(
                RecordProblem(item.line, item.interview.external_id, f"not stored: {reason}")
            )


class UndecodableLine(str):
    """A line of the file that is not UTF-8: its text as far as it decodes, and why not.
    It is reported with its number like any bad line, and the import goes on."""

    problem: str


def read_lines(path: str) -> Iterator[str]:
    """The file's lines, each decoded as UTF-8 on its own (a BOM at the start is
    dropped): a line that does not decode comes as an `UndecodableLine`, so one bad
    byte costs one line, not the rest of the file."""
    with open(path, "rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as error:
                line = UndecodableLine(raw.decode("utf-8", errors="replace"))
                line.problem = (
                    f"not UTF-8 (byte 0x{raw[error.start]:02x} at column {error.start + 1}); "
                    "save the file as UTF-8"
                )
                yield line
