"""Saturation: how many new pain points each further interview added, in interview order.

A pain point is *new* at the first interview (in the map's interview order, which is the
order interviews were stored) that has one of its steps. When the last several interviews
added nothing new, the campaign has probably heard what it is going to hear.
"""

from __future__ import annotations

from collections.abc import Sequence

from synthesis.model import PainPoint, Saturation, SaturationPoint

WINDOW = 10


def saturation(
    interview_ids: Sequence[str], points: Sequence[PainPoint], *, window: int = WINDOW
) -> Saturation:
    """The saturation curve of ``points`` over ``interview_ids`` (in that order); the
    statement reports the last ``window`` interviews (fewer when there are fewer)."""
    position = {interview_id: i for i, interview_id in enumerate(interview_ids)}
    first_heard: dict[int, list[str]] = {}
    for point in points:
        seen = [position[ref.interview_id] for ref in point.steps if ref.interview_id in position]
        if seen:
            first_heard.setdefault(min(seen), []).append(point.id)
    curve: list[SaturationPoint] = []
    cumulative = 0
    for i, interview_id in enumerate(interview_ids):
        new = first_heard.get(i, [])
        cumulative += len(new)
        curve.append(
            SaturationPoint(
                index=i + 1, interview_id=interview_id, new_pain_points=new, cumulative=cumulative
            )
        )
    n = len(interview_ids)
    shown = min(window, n)
    new_in_window = sum(len(p.new_pain_points) for p in curve[n - shown :])
    last_new = max((p.index for p in curve if p.new_pain_points), default=0)
    return Saturation(
        interviews=n,
        pain_points=cumulative,
        points=curve,
        window=shown,
        new_in_window=new_in_window,
        interviews_since_last_new=n - last_new,
        statement=_statement(n=n, shown=shown, new=new_in_window, last_new=last_new),
    )


def _statement(*, n: int, shown: int, new: int, last_new: int) -> str:
    if n == 0:
        return "No interviews yet."
    if last_new == 0:
        return f"None of the {n} interviews reported a pain point."
    if shown == n:
        return (
            f"Only {n} interviews so far (the last new pain point came with interview "
            f"{last_new}): too few to tell whether the campaign has heard enough."
        )
    last = "The last interview" if shown == 1 else f"The last {shown} interviews"
    points = "pain point" if new == 1 else "pain points"
    return (
        f"{last} added {new} new {points} (the last new one came with interview {last_new} of {n})."
    )
