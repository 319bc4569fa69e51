"""The words researchers schedule with: a local time in a time zone, a sending rate
("50/s", "300/min"), a span ("3d", "12h"). Each parser raises ``ValueError`` with a
message that says what it expected."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_SPAN = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|d|w)\s*$", re.IGNORECASE)
_SPAN_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_RATE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(s|sec|m|min|h)\s*$", re.IGNORECASE)
_LOCAL_FORMATS = ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d")


def time_zone(name: str) -> ZoneInfo:
    """The IANA time zone ``name`` (e.g. ``Europe/Berlin``)."""
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin or UTC"
        ) from None


def local_time(text: str, zone: str, *, now: datetime) -> datetime:
    """``text`` (``2026-12-10 09:00``, or ``now``) read as wall-clock time in ``zone``,
    as an aware UTC datetime. A time that does not exist there (skipped by a daylight
    saving change) is refused rather than guessed."""
    tz = time_zone(zone)
    if text.strip().lower() == "now":
        return now.astimezone(UTC)
    for fmt in _LOCAL_FORMATS:
        try:
            naive = datetime.strptime(text.strip(), fmt)
        except ValueError:
            continue
        aware = naive.replace(tzinfo=tz)
        # Round trip through UTC: a time in a DST gap comes back different.
        if aware.astimezone(UTC).astimezone(tz).replace(tzinfo=None) != naive:
            raise ValueError(f"{text!r} does not exist in {zone} (a daylight saving change)")
        return aware.astimezone(UTC)
    raise ValueError(f"cannot read the time {text!r}: write it as 2026-12-10 09:00, or now")


def span(text: str) -> timedelta:
    """``3d``, ``12h``, ``30min``, ``2w`` as a ``timedelta`` (at least one second)."""
    match = _SPAN.match(text)
    if not match:
        raise ValueError(f"cannot read the span {text!r}: write e.g. 3d, 12h, 30min or 2w")
    seconds = float(match.group(1)) * _SPAN_UNITS[match.group(2).lower()]
    if seconds < 1:
        raise ValueError(f"the span {text!r} is shorter than a second")
    return timedelta(seconds=seconds)


def rate(text: str) -> float:
    """``50/s``, ``300/min``, ``1000/h`` as messages per second (more than zero)."""
    match = _RATE.match(text)
    if not match:
        raise ValueError(f"cannot read the rate {text!r}: write e.g. 50/s, 300/min or 1000/h")
    per = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600}[match.group(2).lower()]
    value = float(match.group(1)) / per
    if value <= 0:
        raise ValueError(f"the rate {text!r} sends nothing")
    return value
