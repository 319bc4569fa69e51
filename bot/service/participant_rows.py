"""Reading a participant list (CSV): one checked row per person, and every problem by
line and column.

Columns (header names are matched case-insensitively, spaces and dashes read as ``_``):
``email``, ``slack_user_id``, ``slack_email``, ``name``, ``language``, ``time_zone``
and ``external_id``; every other column becomes a participant attribute (the segments
maps are split by). A row needs a way to reach the person: an email, a Slack user id or
a Slack email. A row with a problem is left out whole, never half-imported.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.service.schedule_terms import time_zone

KNOWN = ("email", "slack_user_id", "slack_email", "name", "language", "time_zone", "external_id")
ALIASES = {
    "e_mail": "email",
    "mail": "email",
    "slack_id": "slack_user_id",
    "slack_user": "slack_user_id",
    "timezone": "time_zone",
    "tz": "time_zone",
    "lang": "language",
    "id": "external_id",
    "display_name": "name",
    "full_name": "name",
}
# Deliberately simple: one @, no spaces or brackets, a dotted domain. Whether an address
# exists only its mail server knows; this catches typing and column mistakes.
_EMAIL = re.compile(
    r"^[^@\s<>(),;:\"\[\]\\]{1,64}@"
    r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_SLACK_USER = re.compile(r"^[UW][A-Z0-9]{1,20}$")
LANGUAGE_TAG = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
MAX_NAME = 200
MAX_ATTRIBUTE = 500


@dataclass(frozen=True)
class Problem:
    """Why a line was left out: the file's line number (the header is line 1), the
    column, and what is wrong."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.column}: {self.message}"


@dataclass(frozen=True)
class ParticipantRow:
    """One person from the list, checked and normalised (emails lower-case)."""

    line: int
    email: str | None = None
    slack_user_id: str | None = None
    slack_email: str | None = None
    name: str | None = None
    language: str | None = None
    time_zone: str | None = None
    external_id: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)

    def key(self) -> str:
        """The participant's external id: the list's own, else the first address."""
        if self.external_id:
            return self.external_id
        if self.email:
            return self.email
        if self.slack_user_id:
            return f"slack-user:{self.slack_user_id}"
        return f"slack-email:{self.slack_email}"


@dataclass
class ParsedList:
    rows: list[ParticipantRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


def column_name(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return ALIASES.get(name, name)


def parse_participants(text: str) -> ParsedList:
    """Every row of the CSV ``text`` either as a `ParticipantRow` or as problems.

    A person listed twice (the same email, Slack user id or Slack email) is kept at the
    first line and reported at the others.
    """
    parsed = ParsedList()
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    try:
        header = next(reader)
    except StopIteration:
        parsed.problems.append(Problem(1, "(header)", "the file is empty"))
        return parsed
    columns = [column_name(h) for h in header]
    if not {"email", "slack_user_id", "slack_email"} & set(columns):
        parsed.problems.append(
            Problem(1, "(header)", "no email, slack_user_id or slack_email column")
        )
        return parsed
    seen: dict[tuple[str, str], int] = {}
    line = 1
    for values in reader:
        start, line = line + 1, reader.line_num
        if not any(v.strip() for v in values):
            continue
        _collect(parsed, seen, _row(start, columns, values))
    return parsed


def parse_participant_items(items: Sequence[Mapping[str, Any]]) -> ParsedList:
    """The API's participants (JSON objects with the CSV's column names; an
    ``attributes`` object adds attributes) checked like a list's rows. A problem's
    ``line`` is the item's index (from 0), a duplicate names the first item's index."""
    parsed = ParsedList()
    seen: dict[tuple[str, str], int] = {}
    for index, item in enumerate(items):
        flat = {k: v for k, v in item.items() if k != "attributes"}
        flat.update(item.get("attributes") or {})
        columns = [column_name(str(k)) for k in flat]
        values = ["" if v is None else str(v) for v in flat.values()]
        _collect(parsed, seen, _row(index, columns, values), what="item")
    return parsed


def _collect(
    parsed: ParsedList,
    seen: dict[tuple[str, str], int],
    checked: tuple[ParticipantRow | None, list[Problem]],
    *,
    what: str = "line",
) -> None:
    """Keep a checked row, or its problems; a person already kept (same email, Slack
    user id or Slack email) is reported as a duplicate of the first ``what``."""
    row, problems = checked
    if row is not None:
        for kind, value in (
            ("email", row.email),
            ("slack_user_id", row.slack_user_id),
            ("slack_email", row.slack_email),
        ):
            if value is None:
                continue
            first = seen.get((kind, value))
            if first is not None:
                problems.append(Problem(row.line, kind, f"duplicate of {what} {first}"))
    if problems or row is None:
        parsed.problems.extend(problems)
        return
    for kind, value in (
        ("email", row.email),
        ("slack_user_id", row.slack_user_id),
        ("slack_email", row.slack_email),
    ):
        if value is not None:
            seen[(kind, value)] = row.line
    parsed.rows.append(row)


def _row(
    line: int, columns: list[str], values: list[str]
) -> tuple[ParticipantRow | None, list[Problem]]:
    problems: list[Problem] = []
    if len(values) > len(columns):
        problems.append(Problem(line, "(row)", f"{len(values)} values for {len(columns)} columns"))
        return None, problems
    cells = {c: v.strip() for c, v in zip(columns, values, strict=False) if c}
    known: dict[str, str | None] = {name: (cells.get(name) or None) for name in KNOWN}
    for name in ("email", "slack_email"):
        value = known[name]
        if value is not None:
            if len(value) > 320 or not _EMAIL.match(value):
                problems.append(Problem(line, name, f"not an email address: {value!r}"))
            known[name] = value.lower()
    user = known["slack_user_id"]
    if user is not None and not _SLACK_USER.match(user):
        problems.append(
            Problem(line, "slack_user_id", f"not a Slack user id (like U0123ABCD): {user!r}")
        )
    zone = known["time_zone"]
    if zone is not None:
        try:
            time_zone(zone)
        except ValueError:
            problems.append(Problem(line, "time_zone", f"unknown time zone {zone!r}"))
    language = known["language"]
    if language is not None and not LANGUAGE_TAG.match(language):
        problems.append(
            Problem(line, "language", f"not a language tag (like en or pt-BR): {language!r}")
        )
    full_name = known["name"]
    if full_name is not None and len(full_name) > MAX_NAME:
        problems.append(Problem(line, "name", f"longer than {MAX_NAME} characters"))
    if not (known["email"] or known["slack_user_id"] or known["slack_email"]):
        problems.append(
            Problem(line, "email", "no email, slack_user_id or slack_email: no way to invite")
        )
    attributes: dict[str, Any] = {}
    for column, value in cells.items():
        if column in KNOWN or not value:
            continue
        if len(value) > MAX_ATTRIBUTE:
            problems.append(Problem(line, column, f"longer than {MAX_ATTRIBUTE} characters"))
        attributes[column] = value
    if problems:
        return None, problems
    return (
        ParticipantRow(
            line=line,
            email=known["email"],
            slack_user_id=known["slack_user_id"],
            slack_email=known["slack_email"],
            name=known["name"],
            language=known["language"],
            time_zone=known["time_zone"],
            external_id=known["external_id"],
            attributes=attributes,
        ),
        [],
    )
