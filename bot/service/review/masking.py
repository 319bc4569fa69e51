"""Customers' personal data, masked for console roles that may not see it.

Who may see it is the permission table's ``personal-data:read``
(``bot.service.console.permissions``); this module only does the masking. Emails, phone
numbers, card numbers and IBANs in customers' words are replaced by placeholders
(``[email]``, ``[phone]``: ``bot.understanding.personal_data``, the same redaction that
guards what is sent to a language model), everywhere a customer's words reach a page: quotes, the
doing and thinking lanes, names and labels made of their words, moments of truth, and
transcripts. The participant's name, email and ids are not shown at all.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

from bot.understanding.personal_data import redact
from synthesis.curation.apply import Curated
from synthesis.model import (
    EmergingStage,
    JourneyMap,
    MomentOfTruth,
    Opportunity,
    PainPoint,
    Quote,
    Stage,
    Theme,
)

# Customer texts repeat across a map (a quote in a stage and in a pain point): each is
# redacted once.
_CACHE_SIZE = 20_000


@lru_cache(maxsize=_CACHE_SIZE)
def mask_text(text: str) -> str:
    """``text`` with personal data replaced by placeholders."""
    return redact(text).text


def mask_text_of(text: str, names: frozenset[str]) -> str:
    """``text`` masked, and the names of its writer (``given_names`` over all their
    texts) wherever they appear, not only where the text introduces them."""
    return redact(text, names=names).text if names else mask_text(text)


def _optional(text: str | None) -> str | None:
    return None if text is None else mask_text(text)


def _quotes(quotes: list[Quote]) -> list[Quote]:
    return [q.model_copy(update={"text": mask_text(q.text)}) for q in quotes]


def _theme(theme: Theme) -> Theme:
    return theme.model_copy(
        update={"label": mask_text(theme.label), "quotes": _quotes(theme.quotes)}
    )


def _moment(moment: MomentOfTruth) -> MomentOfTruth:
    return moment.model_copy(update={"text": _optional(moment.text)})


def _stage(stage: Stage) -> Stage:
    return stage.model_copy(
        update={
            # A frame stage's name is the guide's, a discovered one's the customers' words.
            "name": stage.name if stage.frame_stage else mask_text(stage.name),
            "keywords": [mask_text(k) for k in stage.keywords],
            "doing": _optional(stage.doing),
            "thinking": [_theme(t) for t in stage.thinking],
            "quotes": _quotes(stage.quotes),
            "moments_of_truth": [_moment(m) for m in stage.moments_of_truth],
            "people": [c.model_copy(update={"value": mask_text(c.value)}) for c in stage.people],
            "tools": [c.model_copy(update={"value": mask_text(c.value)}) for c in stage.tools],
            "summary": _optional(stage.summary),
        }
    )


def _pain(point: PainPoint) -> PainPoint:
    return point.model_copy(
        update={
            "label": mask_text(point.label),
            "keywords": [mask_text(k) for k in point.keywords],
            "quotes": _quotes(point.quotes),
            "summary": _optional(point.summary),
        }
    )


def _opportunity(item: Opportunity) -> Opportunity:
    return item.model_copy(update={"label": mask_text(item.label), "quotes": _quotes(item.quotes)})


def _emerging(item: EmergingStage) -> EmergingStage:
    return item.model_copy(update={"name": mask_text(item.name), "quotes": _quotes(item.quotes)})


def mask_map(journey_map: JourneyMap) -> JourneyMap:
    """A copy of the map with every customer text masked (ids, counts and shares as
    they were)."""
    return journey_map.model_copy(
        update={
            "stages": [_stage(s) for s in journey_map.stages],
            "pain_points": [_pain(p) for p in journey_map.pain_points],
            "opportunities": [_opportunity(o) for o in journey_map.opportunities],
            "emerging_stages": [_emerging(e) for e in journey_map.emerging_stages],
            "summary": _optional(journey_map.summary),
            "summary_quotes": _quotes(journey_map.summary_quotes),
        }
    )


def mask_curated(curated: Curated) -> Curated:
    """The curated map and its rejected cells with customer texts masked."""
    return replace(
        curated,
        journey_map=mask_map(curated.journey_map),
        rejected_pains=[_pain(p) for p in curated.rejected_pains],
        rejected_opportunities=[_opportunity(o) for o in curated.rejected_opportunities],
        rejected_emerging=[_emerging(e) for e in curated.rejected_emerging],
    )
