"""The evidence behind a map cell: its member steps (or interviews), filtered by the
count that was clicked (a channel, a feeling, a pain tag, ...), a page at a time, each
with its customer's words verbatim and the message to open the transcript at."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Literal

from sqlalchemy.orm import Session

from bot.service.review.errors import EvidenceNotFound
from bot.service.review.masking import mask_text
from synthesis.metrics import PROVENANCE_ORDER, is_contact, is_transfer
from synthesis.model import EmergingStage, JourneyMap, Opportunity, PainPoint, Quote, StepRef
from synthesis.observations import StepObservation
from synthesis.quotes import pain_quote, step_quote, thinking_quote
from synthesis.render_html import channel_label
from synthesis.step_index import StepIndex, StepKey

CellKind = Literal["stage", "pain", "emerging", "opportunity", "theme", "map"]
CELL_KINDS: tuple[CellKind, ...] = ("stage", "pain", "emerging", "opportunity", "theme", "map")
PER_PAGE = 50
HIGH_EFFORT = 5


@dataclass(frozen=True)
class Filters:
    """Which of a cell's steps to show: all of them, or those with a fact (the count
    that was clicked). Interview-level filters (``resolved``, ``effort``, ``path``)
    list interviews."""

    channel: str | None = None
    feeling: int | None = None
    pain: str | None = None
    person: str | None = None
    tool: str | None = None
    moment: bool = False
    provenance: str | None = None
    new: bool = False
    transfer: bool = False
    contact: bool = False
    rated: bool = False
    resolved: str | None = None
    effort: str | None = None
    path: str | None = None

    def any(self) -> bool:
        return any(getattr(self, f.name) not in (None, False) for f in fields(self))

    def by_interview(self) -> bool:
        return any(v is not None for v in (self.resolved, self.effort, self.path))

    def query(self) -> dict[str, str]:
        """The filters as query parameters (for links to other pages of the list)."""
        found: dict[str, str] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if value is True:
                found[f.name] = "1"
            elif value not in (None, False):
                found[f.name] = str(value)
        return found

    def describe(self) -> list[str]:
        """The filters in words, for the page's title."""
        words: list[str] = []
        if self.channel is not None:
            words.append(f"channel: {channel_label(self.channel)}")
        if self.feeling is not None:
            words.append(f"feeling {self.feeling} of 5")
        if self.rated:
            words.append("with a feeling rating")
        if self.pain is not None:
            words.append(f"pain: {self.pain.replace('_', ' ')}")
        if self.person is not None:
            words.append(f"person: {self.person}")
        if self.tool is not None:
            words.append(f"tool or system: {self.tool}")
        if self.moment:
            words.append("named as the moment of truth")
        if self.provenance is not None:
            words.append(f"facts {self.provenance}")
        if self.transfer:
            words.append("transfers")
        if self.contact:
            words.append("contacts")
        if self.resolved is not None:
            words.append(f"resolved: {self.resolved}")
        if self.effort is not None:
            words.append("effort 5-7 (hard)" if self.effort == "high" else f"effort {self.effort}")
        if self.path is not None:
            words.append("path: " + (self.path.replace(">", " → ") or "no contact"))
        if self.new:
            words.append("new in this run")
        return words


@dataclass(frozen=True)
class EvidenceItem:
    """One step (``ordinal`` > 0) or one whole interview (``ordinal`` 0)."""

    interview_id: str
    ordinal: int
    quote: Quote | None
    is_new: bool
    stage: str | None = None
    channel: str | None = None
    feeling: int | None = None
    minutes: int | None = None
    pains: tuple[str, ...] = ()
    moment_text: str | None = None
    resolved: str | None = None
    effort: int | None = None
    # The edit that put this step where it is (a move, split or merge), if any.
    placed_by: int | None = None


@dataclass(frozen=True)
class EvidencePage:
    kind: CellKind
    item_id: str
    title: str
    filters: Filters
    items: list[EvidenceItem]
    total: int
    page: int
    pages: int
    by_interview: bool
    anchor: str
    theme: int | None = None
    describe: list[str] = field(default_factory=list)


def cell_steps(
    journey_map: JourneyMap,
    kind: CellKind,
    item_id: str,
    theme: int | None = None,
    *,
    extra_cells: Sequence[PainPoint | EmergingStage] = (),
    extra_opportunities: Sequence[Opportunity] = (),
) -> tuple[str, list[StepRef] | list[str]]:
    """(title, member steps) of a cell, or (title, interview ids) for an opportunity;
    ``extra_cells`` and ``extra_opportunities`` are cells not on the map (rejected by a
    reviewer) whose evidence can still be read. Raises :class:`EvidenceNotFound`."""
    if kind in ("stage", "theme"):
        for number, stage in enumerate(journey_map.stages, start=1):
            if stage.id != item_id:
                continue
            if kind == "theme":
                if theme is None or not 0 <= theme < len(stage.thinking):
                    break
                found = stage.thinking[theme]
                return f"Stage {number}, {stage.name}: “{found.label}”", list(found.members)
            return f"Stage {number}, {stage.name}", list(stage.steps)
    elif kind == "pain":
        for point in [*journey_map.pain_points, *extra_cells]:
            if isinstance(point, PainPoint) and point.id == item_id:
                return f"Pain point {point.id}, {point.label}", list(point.steps)
    elif kind == "emerging":
        for item in [*journey_map.emerging_stages, *extra_cells]:
            if isinstance(item, EmergingStage) and item.id == item_id:
                return f"Emerging stage {item.id}, {item.name}", list(item.steps)
    elif kind == "opportunity":
        for opportunity in [*journey_map.opportunities, *extra_opportunities]:
            if opportunity.id == item_id:
                return (
                    f"Opportunity {opportunity.id}, {opportunity.label}",
                    list(opportunity.interview_ids),
                )
    elif kind == "map" and item_id == "all":
        return "Every step of the map", [ref for s in journey_map.stages for ref in s.steps]
    raise EvidenceNotFound("That cell is not in this map (it may have been merged or removed).")


def _keep_step(o: StepObservation, f: Filters, *, is_new: bool) -> bool:
    if f.channel is not None and (o.channel or "unknown") != f.channel:
        return False
    if f.feeling is not None and o.feeling != f.feeling:
        return False
    if f.rated and o.feeling is None:
        return False
    if f.pain is not None and f.pain not in o.pains:
        return False
    if f.person is not None and f.person not in o.people:
        return False
    if f.tool is not None and f.tool not in o.tools:
        return False
    if f.moment and not o.moment_of_truth:
        return False
    if f.provenance is not None and f.provenance not in _provenances(o):
        return False
    if f.transfer and not is_transfer(o):
        return False
    if f.contact and not is_contact(o):
        return False
    return not f.new or is_new


def _provenances(o: StepObservation) -> set[str]:
    """How the step's stored facts were learnt, counted as
    ``synthesis.metrics.facts_by_provenance`` counts them."""
    present = {
        "channel": o.channel is not None,
        "feeling": o.feeling is not None,
        "duration": o.duration_minutes is not None,
        "pains": bool(o.pains),
    }
    kinds = {o.provenance.get(fact, "unknown") for fact, has in present.items() if has}
    return {kind if kind in PROVENANCE_ORDER else "unknown" for kind in kinds}


def _path(steps: Iterable[StepObservation]) -> str:
    path: list[str] = []
    for o in steps:
        if is_contact(o) and (not path or path[-1] != o.channel):
            path.append(o.channel or "")
    return ">".join(path)


def _keep_interview(
    interview_id: str, index: StepIndex, f: Filters, steps_of: dict[str, list[StepObservation]]
) -> bool:
    facts = index.interviews.get(interview_id)
    if facts is None:
        return False
    if f.resolved is not None and (facts.resolved or "unknown") != f.resolved:
        return False
    if f.effort is not None:
        if facts.effort is None:
            return False
        if f.effort == "high" and facts.effort < HIGH_EFFORT:
            return False
        if f.effort != "high" and str(facts.effort) != f.effort:
            return False
    return f.path is None or _path(steps_of.get(interview_id, [])) == f.path


def build_page(
    journey_map: JourneyMap,
    index: StepIndex,
    session: Session,
    *,
    kind: CellKind,
    item_id: str,
    filters: Filters,
    page: int,
    new_interviews: frozenset[str],
    masked: bool,
    theme: int | None = None,
    per_page: int = PER_PAGE,
    extra_cells: Sequence[PainPoint | EmergingStage] = (),
    extra_opportunities: Sequence[Opportunity] = (),
    placed: Mapping[StepKey, int] | None = None,
    stage_of: Mapping[StepKey, str] | None = None,
) -> EvidencePage:
    """One page (1-based) of the evidence of a cell, filtered, in interview order;
    ``stage_of`` (each step's stage in ``journey_map``) is computed when not given."""
    title, members = cell_steps(
        journey_map,
        kind,
        item_id,
        theme,
        extra_cells=extra_cells,
        extra_opportunities=extra_opportunities,
    )
    order = {interview: n for n, interview in enumerate(journey_map.interview_ids)}
    stage_of = stage_of or {
        (r.interview_id, r.ordinal): s.id for s in journey_map.stages for r in s.steps
    }
    by_interview = kind == "opportunity" or filters.by_interview()
    if by_interview:
        interviews = (
            [m for m in members if isinstance(m, str)]
            if kind == "opportunity"
            else list(dict.fromkeys(m.interview_id for m in members if isinstance(m, StepRef)))
        )
        steps_of: dict[str, list[StepObservation]] = {}
        if filters.path is not None:
            for key, observation in sorted(index.steps.items()):
                steps_of.setdefault(key[0], []).append(observation)
        kept_interviews = [
            i
            for i in sorted(set(interviews), key=lambda i: order.get(i, len(order)))
            if _keep_interview(i, index, filters, steps_of)
            and (not filters.new or i in new_interviews)
        ]
        total = len(kept_interviews)
        pages, page = _pages(total, page, per_page)
        shown = kept_interviews[(page - 1) * per_page : page * per_page]
        items = _interview_items(journey_map, index, session, kind, item_id, shown, new_interviews)
    else:
        refs = [m for m in members if isinstance(m, StepRef)]
        keys: list[StepKey] = sorted(
            {(r.interview_id, r.ordinal) for r in refs},
            key=lambda k: (order.get(k[0], len(order)), k[1]),
        )
        if filters.any():
            kept = [
                k
                for k in keys
                if k in index.steps
                and _keep_step(index.steps[k], filters, is_new=k[0] in new_interviews)
            ]
        else:
            kept = [k for k in keys if k in index.steps]
        total = len(kept)
        pages, page = _pages(total, page, per_page)
        shown_keys = kept[(page - 1) * per_page : page * per_page]
        observed = index.with_texts(session, shown_keys)
        pick = pain_quote if kind == "pain" else thinking_quote if kind == "theme" else step_quote
        items = [
            EvidenceItem(
                interview_id=key[0],
                ordinal=key[1],
                quote=pick(observed[key]) or step_quote(observed[key]),
                is_new=key[0] in new_interviews,
                stage=stage_of.get(key),
                channel=observed[key].channel,
                feeling=observed[key].feeling,
                minutes=observed[key].duration_minutes,
                pains=observed[key].pains,
                moment_text=observed[key].moment_of_truth_text,
                resolved=observed[key].resolved,
                effort=observed[key].effort,
                placed_by=(placed or {}).get(key),
            )
            for key in shown_keys
        ]
    if masked:
        items = [_masked(item) for item in items]
    return EvidencePage(
        kind=kind,
        item_id=item_id,
        title=title if not masked else mask_text(title),
        filters=filters,
        items=items,
        total=total,
        page=page,
        pages=pages,
        by_interview=by_interview,
        anchor=_anchor(kind, item_id),
        theme=theme,
        describe=filters.describe(),
    )


def _interview_items(
    journey_map: JourneyMap,
    index: StepIndex,
    session: Session,
    kind: CellKind,
    item_id: str,
    shown: Sequence[str],
    new_interviews: frozenset[str],
) -> list[EvidenceItem]:
    quotes: dict[str, Quote] = {}
    if kind == "opportunity":
        for interview_id, (message_id, text) in index.improvement_messages(session, shown).items():
            quotes[interview_id] = Quote(
                text=text, interview_id=interview_id, message_id=message_id, step_ordinal=0
            )
    items: list[EvidenceItem] = []
    for interview_id in shown:
        facts = index.interviews.get(interview_id)
        items.append(
            EvidenceItem(
                interview_id=interview_id,
                ordinal=0,
                quote=quotes.get(interview_id),
                is_new=interview_id in new_interviews,
                resolved=facts.resolved if facts else None,
                effort=facts.effort if facts else None,
            )
        )
    return items


def _masked(item: EvidenceItem) -> EvidenceItem:
    quote = item.quote
    if quote is not None:
        quote = quote.model_copy(update={"text": mask_text(quote.text)})
    moment = None if item.moment_text is None else mask_text(item.moment_text)
    return EvidenceItem(
        **{**item.__dict__, "quote": quote, "moment_text": moment},
    )


def _pages(total: int, page: int, per_page: int) -> tuple[int, int]:
    pages = max(1, -(-total // per_page))
    return pages, min(max(1, page), pages)


def _anchor(kind: CellKind, item_id: str) -> str:
    """Where the cell is on the map page."""
    if kind in ("stage", "theme"):
        return f"stage-{item_id}"
    if kind == "map":
        return "metrics"
    return f"{kind}-{item_id}"
