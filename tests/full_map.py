"""A journey map with every part filled in, and the same map with its text replaced.

The output tests need each renderer to meet every field: a map the pipeline drew from the
standard synthetic interviews (SQLite, a folder of its own), segmented by plan, with the
parts that only some maps have (an analyst's summaries, emerging stages, opportunities,
thinking themes) filled in by hand where the data left them empty.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from pathlib import Path
from typing import Any

from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade
from synthesis.model import Analysis, EmergingStage, JourneyMap, Opportunity, Theme
from synthesis.pipeline import analyse
from synthesis.segments import split_by
from tests.synthesis_data import StepSpec, add_journey, add_standard_interviews, make_campaign


def full_map(folder: Path) -> JourneyMap:
    """The overall map (with its segment comparison) of a fresh database in ``folder``."""
    url = sqlite_url_for_dir(folder)
    upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            campaign = make_campaign(session)
            add_standard_interviews(session, campaign=campaign, count=8)
            add_journey(
                session,
                campaign=campaign,
                participant="thinker",
                attributes={"plan": "business"},
                improvement="a callback instead of hold music",
                steps=[
                    StepSpec("called support", "phone", 1, 30, ("agent",), ("long_wait",),
                             "on hold for ages", "why is this so hard"),
                ],
            )  # fmt: skip
        with sessions() as session:
            analysis = analyse(session, campaign_slug="synth")
        overall = split_by(analysis, "plan").overall
    finally:
        engine.dispose()
    return _complete(overall)


def _complete(m: JourneyMap) -> JourneyMap:
    """``m`` with every optional part present at least once."""
    quote = m.stages[0].quotes[0]
    theme = Theme(label="theme", steps=1, interviews=1, quotes=[quote])
    stages = [
        s.model_copy(
            update={
                "summary": s.summary or "summary",
                "description": s.description or "description",
                "doing": s.doing or "doing",
                "thinking": s.thinking or [theme],
            }
        )
        for s in m.stages
    ]
    points = [p.model_copy(update={"summary": p.summary or "summary"}) for p in m.pain_points]
    emerging = m.emerging_stages or [
        EmergingStage(
            id="E1",
            name="emerging",
            step_count=1,
            interviews=1,
            interview_share=0.1,
            median_position=0.5,
            placed_in=[m.stages[0].id],
            quotes=[quote],
            steps=[],
        )
    ]
    opportunities = m.opportunities or [
        Opportunity(
            id="O1",
            label="opportunity",
            interviews=1,
            interview_share=0.1,
            pain_points=[m.pain_points[0].id],
            stages=[m.stages[0].id],
            quotes=[quote],
            interview_ids=[quote.interview_id],
        )
    ]
    analysis = m.analysis or Analysis(
        model="model",
        prompt_version="1",
        calls=1,
        failed_calls=0,
        cost_usd=0.0,
        dropped_quotes=0,
        named_stages=1,
        titled_pain_points=1,
    )
    return m.model_copy(
        update={
            "stages": stages,
            "pain_points": points,
            "emerging_stages": emerging,
            "opportunities": opportunities,
            "analysis": analysis,
            "summary": m.summary or "summary",
            "summary_quotes": m.summary_quotes or [quote],
            "since": "2026-01-01T00:00:00",
            "until": "2027-01-01T00:00:00",
        }
    )


def replace_text(
    m: JourneyMap, text: str, *, keep: Collection[str] = (), keys: bool = True
) -> JourneyMap:
    """``m`` with every string value replaced by ``text``, except those under the field
    names in ``keep``; with ``keys``, the keys of the map's own dicts (the segment, say)
    too, so ids, names and attribute values all carry ``text``."""

    def walk(value: Any, key: str | None, change: Callable[[str], str]) -> Any:
        if isinstance(value, str):
            return value if key in keep else change(value)
        if isinstance(value, list):
            return [walk(item, key, change) for item in value]
        if isinstance(value, dict):
            return {k: walk(v, k, change) for k, v in value.items()}
        return value

    data = walk(m.model_dump(mode="python"), None, lambda _s: text)
    if keys and data.get("segment"):
        data["segment"] = {text: text}
    return JourneyMap.model_validate(data)
