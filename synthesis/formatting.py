"""Numbers as people read them, shared by the renderers."""

from __future__ import annotations

from collections.abc import Callable, Mapping

HOUR = 60
DAY = 24 * HOUR


def human_minutes(minutes: float | None) -> str:
    """``45`` -> ``45 min``, ``150`` -> ``2.5 h``, ``9390`` -> ``6.5 days``; None -> ``-``.
    Support journeys run from minutes on hold to weeks of waiting: one unit would hide one
    end or the other."""
    if minutes is None:
        return "-"
    if minutes < 2 * HOUR:
        return f"{minutes:.0f} min"
    if minutes < 2 * DAY:
        return f"{minutes / HOUR:.1f} h"
    return f"{minutes / DAY:.1f} days"


def provenance_shares(counts: Mapping[str, int], *, word: Callable[[str], str] = str) -> str:
    """How a map's step facts were learnt, as shares: "72% said, 18% inferred" (each kind
    written by ``word``, e.g. escaped for Markdown); "" without facts."""
    total = sum(counts.values())
    if not total:
        return ""
    return ", ".join(f"{n / total:.0%} {word(kind)}" for kind, n in counts.items())
