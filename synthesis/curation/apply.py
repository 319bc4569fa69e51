"""Apply a layer of reviewers' edits to a synthesized map: the curated map.

The stored run stays what synthesis drew; the layer is applied over it whenever the map
is shown, and again to every new run of the series. Edits apply oldest first, each to
the map as the edits before it left it. Structural edits (moves, merges, splits, an
accepted emerging stage) are **post-assignment overrides of the run's labels**: the step
is in the stage the reviewer put it in, whatever the classifier said, and the changed
stages and pain points are measured again on their new members
(``synthesis.curation.measure``). An edit whose target is not in the run (a stage the
frame no longer fills, an interview left out, a step merged away) "no longer holds":
it is kept in the layer and reported with the reason, never silently dropped.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from synthesis.curation.edits import Decision, Edit, StepKey, step_key
from synthesis.curation.measure import Texts, measure_pain, measure_stage
from synthesis.model import (
    EmergingStage,
    JourneyMap,
    Opportunity,
    PainPoint,
    Quote,
    Stage,
)
from synthesis.observations import StepObservation
from synthesis.quotes import pain_quote, step_quote

Status = Literal["applied", "partly", "no_longer_holds"]
Cell = tuple[str, str]  # (target kind, id)


@dataclass(frozen=True)
class Outcome:
    """How one edit applied to this run: ``detail`` says why, in words."""

    edit_id: int
    status: Status
    detail: str = ""


@dataclass(frozen=True)
class Curated:
    """The curated map and how the layer applied to it."""

    journey_map: JourneyMap
    outcomes: dict[int, Outcome]
    decisions: dict[Cell, Decision]
    rejected_pains: list[PainPoint]
    rejected_opportunities: list[Opportunity]
    rejected_emerging: list[EmergingStage]
    pinned: dict[Cell, int]  # cell -> message id of its key quote
    # Which edits changed which cell (stage, pain, opportunity, emerging), for badges.
    edited: dict[Cell, list[int]]
    # Steps a move, split or merge put where they are: step -> edit id.
    placed: dict[StepKey, int]
    # Where a reviewer-made stage or pain point came from, in words.
    origins: dict[str, str] = field(default_factory=dict)

    def held(self) -> int:
        return sum(o.status != "no_longer_holds" for o in self.outcomes.values())

    def broken(self) -> list[Outcome]:
        return [o for o in self.outcomes.values() if o.status == "no_longer_holds"]


def _short(interview_id: str) -> str:
    return interview_id[:8]


def _steps_of(refs: Sequence[object]) -> list[StepKey]:
    return [(r.interview_id, r.ordinal) for r in refs]  # type: ignore[attr-defined]


class _Layer:
    """The map as the edits so far left it (the working state of :func:`apply_layer`)."""

    def __init__(self, raw: JourneyMap) -> None:
        self.raw = raw
        self.stages: dict[str, Stage] = {s.id: s for s in raw.stages}
        self.order: list[str] = [s.id for s in raw.stages]
        # Ordered sets (dicts with no values): a move takes a step out in O(1).
        self.members: dict[str, dict[StepKey, None]] = {
            s.id: dict.fromkeys(_steps_of(s.steps)) for s in raw.stages
        }
        self.step_stage: dict[StepKey, str] = {
            k: sid for sid, keys in self.members.items() for k in keys
        }
        self.pains: dict[str, PainPoint] = {p.id: p for p in raw.pain_points}
        self.pain_members: dict[str, list[StepKey]] = {
            p.id: _steps_of(p.steps) for p in raw.pain_points
        }
        self.emerging: dict[str, EmergingStage] = {e.id: e for e in raw.emerging_stages}
        self.opportunities: dict[str, Opportunity] = {o.id: o for o in raw.opportunities}
        self.changed_stages: set[str] = set()
        self.changed_pains: set[str] = set()
        self.structural = False
        self.gone: dict[Cell, str] = {}  # why a cell is no longer in the map
        self.merged_pains: dict[str, str] = {}
        self.decisions: dict[Cell, Decision] = {}
        self.pins: dict[Cell, tuple[int, int, str, int]] = {}  # cell -> (edit, msg, iv, step)
        self.edited: dict[Cell, list[int]] = {}
        self.placed: dict[StepKey, int] = {}
        self.origins: dict[str, str] = {}

    # ------------------------------------------------------------------ lookups

    def missing(self, kind: str, item_id: str) -> str | None:
        """Why ``kind`` ``item_id`` cannot be edited now, or None when it can."""
        present: dict[str, set[str]] = {
            "stage": set(self.stages),
            "pain": set(self.pains),
            "emerging": set(self.emerging),
            "opportunity": set(self.opportunities),
        }
        if item_id in present[kind]:
            return None
        return self.gone.get((kind, item_id)) or f"{_label(kind)} {item_id} is not in this run"

    def touch(self, kind: str, item_id: str, edit: Edit) -> None:
        self.edited.setdefault((kind, item_id), []).append(edit.id)

    # ------------------------------------------------------------------ stages

    def move_step(self, key: StepKey, to: str, edit: Edit) -> None:
        current = self.step_stage[key]
        if current == to:
            return
        del self.members[current][key]
        self.members[to][key] = None
        self.step_stage[key] = to
        self.changed_stages.update({current, to})
        self.placed[key] = edit.id
        self.structural = True

    def insert_stage(self, stage: Stage, *, after: str | None = None) -> None:
        self.stages[stage.id] = stage
        self.members[stage.id] = {}
        if after is not None and after in self.order:
            self.order.insert(self.order.index(after) + 1, stage.id)
            return
        # By journey position: before the first stage that comes later in journeys.
        later = [
            i
            for i, sid in enumerate(self.order)
            if self.stages[sid].median_position > stage.median_position
        ]
        self.order.insert(later[0] if later else len(self.order), stage.id)

    def drop_stage(self, stage_id: str, why: str) -> None:
        del self.stages[stage_id]
        del self.members[stage_id]
        self.order.remove(stage_id)
        self.changed_stages.discard(stage_id)
        self.gone[("stage", stage_id)] = why


def _label(kind: str) -> str:
    return {"stage": "stage", "pain": "pain point", "emerging": "emerging stage"}.get(kind, kind)


def _new_stage(stage_id: str, name: str, like: Stage, position: float) -> Stage:
    return like.model_copy(
        update={
            "id": stage_id,
            "name": name,
            "frame_stage": None,
            "description": None,
            "keywords": [],
            "median_position": position,
            "doing": None,
            "thinking": [],
            "quotes": [],
            "summary": None,
            "comebacks": 0,
        }
    )


Apply = Callable[[_Layer, Edit], Outcome]


def _rename(layer: _Layer, edit: Edit) -> Outcome:
    kind, target = edit.target_kind, edit.target_id
    why = layer.missing(kind, target)
    if why is not None:
        return Outcome(edit.id, "no_longer_holds", why)
    name, description = edit.payload.get("name"), edit.payload.get("description")
    if kind == "stage":
        stage = layer.stages[target]
        update = {"name": name or stage.name, "description": description or stage.description}
        layer.stages[target] = stage.model_copy(update=update)
    else:
        point = layer.pains[target]
        update = {"label": name or point.label, "summary": description or point.summary}
        layer.pains[target] = point.model_copy(update=update)
    layer.touch(kind, target, edit)
    return Outcome(edit.id, "applied")


def _merge(layer: _Layer, edit: Edit) -> Outcome:
    kind, target, into = edit.target_kind, edit.target_id, str(edit.payload["into"])
    for item in (target, into):
        why = layer.missing(kind, item)
        if why is not None:
            return Outcome(edit.id, "no_longer_holds", why)
    if target == into:
        return Outcome(edit.id, "no_longer_holds", f"{_label(kind)} {target} is {into} itself")
    if kind == "stage":
        for key in list(layer.members[target]):
            layer.move_step(key, into, edit)
        layer.drop_stage(target, f"stage {target} was merged into {into} (edit {edit.id})")
    else:
        kept = set(layer.pain_members[into])
        layer.pain_members[into] += [k for k in layer.pain_members[target] if k not in kept]
        source, point = layer.pains[target], layer.pains[into]
        layer.pains[into] = point.model_copy(
            update={
                "tags": sorted({*point.tags, *source.tags}),
                "keywords": list(dict.fromkeys([*point.keywords, *source.keywords])),
                "quotes": [*point.quotes, *source.quotes],
            }
        )
        del layer.pains[target], layer.pain_members[target]
        layer.changed_pains.discard(target)
        layer.changed_pains.add(into)
        layer.merged_pains[target] = into
        layer.gone[("pain", target)] = (
            f"pain point {target} was merged into {into} (edit {edit.id})"
        )
    layer.touch(kind, into, edit)
    return Outcome(edit.id, "applied")


def _split(layer: _Layer, edit: Edit) -> Outcome:
    kind, target = edit.target_kind, edit.target_id
    why = layer.missing(kind, target)
    if why is not None:
        return Outcome(edit.id, "no_longer_holds", why)
    wanted = [step_key(s) for s in edit.payload["steps"]]
    name = str(edit.payload["name"])
    new_id = edit.split_id
    if kind == "stage":
        inside = layer.members[target]
        leaving = [k for k in wanted if k in inside]
        if not leaving:
            return Outcome(
                edit.id, "no_longer_holds", f"none of its steps are in stage {target} now"
            )
        like = layer.stages[target]
        layer.insert_stage(_new_stage(new_id, name, like, like.median_position), after=target)
        for key in leaving:
            layer.move_step(key, new_id, edit)
        if not layer.members[target]:
            layer.drop_stage(target, f"every step of stage {target} was split off (edit {edit.id})")
    else:
        in_pain = set(layer.pain_members[target])
        leaving = [k for k in wanted if k in in_pain]
        if not leaving:
            return Outcome(
                edit.id, "no_longer_holds", f"none of its steps are in pain point {target} now"
            )
        point = layer.pains[target]
        layer.pains[new_id] = point.model_copy(
            update={"id": new_id, "label": name, "tags": [], "keywords": [], "summary": None}
        )
        layer.pain_members[new_id] = leaving
        gone = set(leaving)
        layer.pain_members[target] = [k for k in layer.pain_members[target] if k not in gone]
        layer.changed_pains.update({target, new_id})
        if not layer.pain_members[target]:
            del layer.pains[target], layer.pain_members[target]
            layer.changed_pains.discard(target)
            layer.gone[("pain", target)] = (
                f"every step of pain point {target} was split off (edit {edit.id})"
            )
    layer.origins[new_id] = f"split off {_label(kind)} {target} (edit {edit.id})"
    layer.touch(kind, new_id, edit)
    if len(leaving) < len(wanted):
        return Outcome(
            edit.id, "partly", f"{len(leaving)} of its {len(wanted)} steps are still in {target}"
        )
    return Outcome(edit.id, "applied")


def _move(layer: _Layer, edit: Edit) -> Outcome:
    key = step_key(edit.target_id)
    to = str(edit.payload["to"])
    if key not in layer.step_stage:
        return Outcome(
            edit.id,
            "no_longer_holds",
            f"step {key[1]} of interview {_short(key[0])} is not in this run",
        )
    why = layer.missing("stage", to)
    if why is not None:
        return Outcome(edit.id, "no_longer_holds", why)
    if layer.step_stage[key] != to:
        layer.move_step(key, to, edit)
    layer.placed[key] = edit.id
    layer.touch("stage", to, edit)
    return Outcome(edit.id, "applied")


def _decide(layer: _Layer, edit: Edit) -> Outcome:
    kind, target = edit.target_kind, edit.target_id
    decision: Decision = "accepted" if edit.payload["decision"] == "accepted" else "rejected"
    if kind == "emerging" and target in layer.stages and ("emerging", target) in layer.decisions:
        return Outcome(edit.id, "no_longer_holds", f"emerging stage {target} is a stage already")
    why = layer.missing(kind, target)
    if why is not None:
        return Outcome(edit.id, "no_longer_holds", why)
    if kind == "emerging" and decision == "accepted":
        proposal = layer.emerging[target]
        keys = [k for k in _steps_of(proposal.steps) if k in layer.step_stage]
        if not keys or not layer.order:
            return Outcome(edit.id, "no_longer_holds", "its steps are not in this run")
        del layer.emerging[target]
        like = layer.stages[layer.order[0]]
        stage = _new_stage(target, proposal.name, like, proposal.median_position)
        layer.insert_stage(stage.model_copy(update={"quotes": list(proposal.quotes)}))
        for key in keys:
            layer.move_step(key, target, edit)
        layer.origins[target] = f"emerging stage accepted (edit {edit.id})"
        layer.touch("stage", target, edit)
    layer.decisions[(kind, target)] = decision
    layer.touch(kind, target, edit)
    return Outcome(edit.id, "applied")


def _pin(layer: _Layer, edit: Edit) -> Outcome:
    kind, target = edit.target_kind, edit.target_id
    why = layer.missing(kind, target)
    if why is not None:
        return Outcome(edit.id, "no_longer_holds", why)
    payload = edit.payload
    layer.pins[(kind, target)] = (
        edit.id,
        int(payload["message_id"]),
        str(payload["interview_id"]),
        int(payload["step"]),
    )
    return Outcome(edit.id, "applied")  # checked against the final members at the end


APPLY: dict[str, Apply] = {
    "rename": _rename,
    "merge": _merge,
    "split": _split,
    "move": _move,
    "decide": _decide,
    "pin": _pin,
}


def edit_outcomes(
    raw: JourneyMap,
    edits: Sequence[Edit],
    *,
    sources: Mapping[StepKey, tuple[int, ...]] | None = None,
) -> dict[int, Outcome]:
    """How each of ``edits`` would apply to ``raw``, without measuring anything again:
    what checking a new edit needs (fast at any map size). A pin holds when its step is
    in the cell at the end and, given ``sources`` (each step's source message ids), its
    message is one the step was told in."""
    layer = _Layer(raw)
    outcomes = {
        edit.id: APPLY[edit.kind](layer, edit) for edit in sorted(edits, key=lambda e: e.id)
    }
    for (kind, item), (edit_id, message_id, interview_id, step) in layer.pins.items():
        key = (interview_id, step)
        if layer.decisions.get((kind, item)) == "rejected":
            member = False
        elif kind == "opportunity":
            member = item in layer.opportunities and interview_id in set(
                layer.opportunities[item].interview_ids
            )
        elif kind == "stage":
            member = layer.step_stage.get(key) == item
        else:
            member = item in layer.pain_members and key in set(layer.pain_members[item])
        if member and step and sources is not None:
            member = message_id in sources.get(key, ())
        if not member:
            outcomes[edit_id] = Outcome(
                edit_id,
                "no_longer_holds",
                f"the pinned message is no longer evidence of {_label(kind)} {item}",
            )
    return outcomes


def apply_layer(
    raw: JourneyMap,
    edits: Sequence[Edit],
    *,
    facts: Mapping[StepKey, StepObservation],
    texts: Texts,
) -> Curated:
    """The curated map: ``raw`` with ``edits`` applied oldest first. ``facts`` are the
    run's steps' facts (``synthesis.step_index``), ``texts`` reads a few steps' messages
    when a changed cell needs quotes."""
    layer = _Layer(raw)
    outcomes: dict[int, Outcome] = {}
    for edit in sorted(edits, key=lambda e: e.id):
        outcomes[edit.id] = APPLY[edit.kind](layer, edit)
    step_quotes = [q for s in raw.stages for q in s.quotes]
    step_quotes += [q for e in raw.emerging_stages for q in e.quotes]
    themes = [t for s in raw.stages for t in s.thinking]
    pain_quotes = [q for p in raw.pain_points for q in p.quotes]
    refs = {(r.interview_id, r.ordinal): r for s in raw.stages for r in s.steps}
    total = raw.interview_count
    for stage_id in sorted(layer.changed_stages):
        if stage_id not in layer.stages:
            continue
        if not layer.members[stage_id]:
            layer.drop_stage(stage_id, f"no step is left in stage {stage_id}")
            continue
        stage = layer.stages[stage_id]
        layer.stages[stage_id] = measure_stage(
            stage,
            list(layer.members[stage_id]),
            facts,
            interview_total=total,
            quote_pool=[*stage.quotes, *step_quotes],
            # Every theme of the run, counted on the members it has here: a theme whose
            # steps moved comes along with them.
            theme_pool=themes,
            texts=texts,
            pick=step_quote,
            refs=refs,
        )
    for pain_id in sorted(layer.changed_pains):
        point = layer.pains[pain_id]
        layer.pains[pain_id] = measure_pain(
            point,
            layer.pain_members[pain_id],
            facts,
            interview_total=total,
            quote_pool=[*point.quotes, *pain_quotes],
            texts=texts,
            pick=pain_quote,
            refs=refs,
        )
    stages = [layer.stages[sid] for sid in layer.order]
    if layer.structural:
        stages = _with_comebacks(stages, layer.step_stage)
    pains = _pains(layer, stages)
    kept_pains = [p for p in pains if layer.decisions.get(("pain", p.id)) != "rejected"]
    for rank, point in enumerate(kept_pains, start=1):
        point.rank = rank
    opportunities = _opportunities(layer, pains)
    emerging = _emerging(layer)
    pinned = _pins(layer, stages, kept_pains, opportunities, outcomes, texts)
    stages = [pinned.stages.get(s.id, s) for s in stages]
    kept_pains = [pinned.pains.get(p.id, p) for p in kept_pains]
    opportunities = [pinned.opportunities.get(o.id, o) for o in opportunities]
    curated = raw.model_copy(
        update={
            "stages": stages,
            "pain_points": kept_pains,
            "opportunities": [
                o for o in opportunities if layer.decisions.get(("opportunity", o.id)) != "rejected"
            ],
            "emerging_stages": [
                e for e in emerging if layer.decisions.get(("emerging", e.id)) != "rejected"
            ],
        }
    )
    return Curated(
        journey_map=curated,
        outcomes=outcomes,
        decisions=dict(layer.decisions),
        rejected_pains=[p for p in pains if layer.decisions.get(("pain", p.id)) == "rejected"],
        rejected_opportunities=[
            o for o in opportunities if layer.decisions.get(("opportunity", o.id)) == "rejected"
        ],
        rejected_emerging=[
            e for e in emerging if layer.decisions.get(("emerging", e.id)) == "rejected"
        ],
        pinned=pinned.messages,
        edited=layer.edited,
        placed=layer.placed,
        origins=layer.origins,
    )


def _with_comebacks(stages: list[Stage], step_stage: Mapping[StepKey, str]) -> list[Stage]:
    """Each stage's loops counted again on the curated labels (see
    ``synthesis.aggregates.comebacks``)."""
    journeys: dict[str, list[tuple[int, str]]] = {}
    for (interview, ordinal), stage_id in step_stage.items():
        journeys.setdefault(interview, []).append((ordinal, stage_id))
    found: Counter[str] = Counter()
    for steps in journeys.values():
        ordered = [sid for _, sid in sorted(steps)]
        runs = [sid for i, sid in enumerate(ordered) if i == 0 or sid != ordered[i - 1]]
        found.update(sid for sid, n in Counter(runs).items() if n > 1)
    return [s.model_copy(update={"comebacks": found.get(s.id, 0)}) for s in stages]


def _pains(layer: _Layer, stages: Sequence[Stage]) -> list[PainPoint]:
    """Every pain point (rejected ones too), in the stages their steps are in now,
    ranked by score."""
    place = {sid: i for i, sid in enumerate(s.id for s in stages)}
    stage_of = layer.step_stage
    points: list[PainPoint] = []
    for point in layer.pains.values():
        if layer.structural or point.id in layer.changed_pains:
            here = {stage_of[k] for k in _steps_of(point.steps) if k in stage_of}
            point = point.model_copy(
                update={"stages": sorted(here, key=lambda s: (place.get(s, len(place)), s))}
            )
        points.append(point)
    points.sort(key=lambda p: (-p.score, -p.evidence, p.label))
    return points


def _opportunities(layer: _Layer, pains: Sequence[PainPoint]) -> list[Opportunity]:
    """Opportunities with merged pain points renamed to what they joined."""
    stages_of = {p.id: p.stages for p in pains}
    order = {s: i for i, s in enumerate(layer.order)}
    found: list[Opportunity] = []
    for item in layer.opportunities.values():
        linked = list(dict.fromkeys(layer.merged_pains.get(p, p) for p in item.pain_points))
        linked = [p for p in linked if p in stages_of]
        stages = {s for p in linked for s in stages_of[p]}
        found.append(
            item.model_copy(
                update={
                    "pain_points": linked,
                    "stages": sorted(stages, key=lambda s: (order.get(s, len(order)), s)),
                }
            )
        )
    return found


def _emerging(layer: _Layer) -> list[EmergingStage]:
    """Proposals not yet accepted, placed in the stages their steps are in now."""
    found: list[EmergingStage] = []
    for item in layer.emerging.values():
        if layer.structural:
            placed = [layer.step_stage[k] for k in _steps_of(item.steps) if k in layer.step_stage]
            item = item.model_copy(
                update={"placed_in": sorted(set(placed), key=lambda s: (-placed.count(s), s))}
            )
        found.append(item)
    return found


@dataclass
class _Pinned:
    stages: dict[str, Stage] = field(default_factory=dict)
    pains: dict[str, PainPoint] = field(default_factory=dict)
    opportunities: dict[str, Opportunity] = field(default_factory=dict)
    messages: dict[Cell, int] = field(default_factory=dict)


def _pins(
    layer: _Layer,
    stages: Sequence[Stage],
    pains: Sequence[PainPoint],
    opportunities: Sequence[Opportunity],
    outcomes: dict[int, Outcome],
    texts: Texts,
) -> _Pinned:
    """Each cell's pinned quote first among its quotes, when its message is still
    evidence of the cell."""
    pinned = _Pinned()
    known = {
        q.message_id: q
        for q in [
            *(q for s in layer.raw.stages for q in s.quotes),
            *(q for s in layer.raw.stages for t in s.thinking for q in t.quotes),
            *(q for p in layer.raw.pain_points for q in p.quotes),
            *(q for o in layer.raw.opportunities for q in o.quotes),
            *(q for e in layer.raw.emerging_stages for q in e.quotes),
        ]
    }
    cells: dict[Cell, Stage | PainPoint | Opportunity] = {
        **{("stage", s.id): s for s in stages},
        **{("pain", p.id): p for p in pains},
        **{("opportunity", o.id): o for o in opportunities},
    }
    for cell, (edit_id, message_id, interview_id, step) in layer.pins.items():
        item = cells.get(cell)
        if item is None:
            outcomes[edit_id] = Outcome(
                edit_id, "no_longer_holds", f"{_label(cell[0])} {cell[1]} is not shown"
            )
            continue
        if isinstance(item, Opportunity):
            member = interview_id in item.interview_ids
        else:
            member = (interview_id, step) in set(_steps_of(item.steps))
        quote = known.get(message_id)
        if quote is None and member and step:
            read = texts([(interview_id, step)]).get((interview_id, step))
            text = dict(read.messages).get(message_id) if read else None
            if text is not None:
                quote = Quote(
                    text=text, interview_id=interview_id, message_id=message_id, step_ordinal=step
                )
        if not member or quote is None:
            outcomes[edit_id] = Outcome(
                edit_id,
                "no_longer_holds",
                f"the pinned message is no longer evidence of {_label(cell[0])} {cell[1]}",
            )
            continue
        quotes = [quote, *(q for q in item.quotes if q.message_id != message_id)][:3]
        updated = item.model_copy(update={"quotes": quotes})
        if isinstance(updated, Stage):
            pinned.stages[updated.id] = updated
        elif isinstance(updated, PainPoint):
            pinned.pains[updated.id] = updated
        else:
            pinned.opportunities[updated.id] = updated
        pinned.messages[cell] = message_id
        layer.edited.setdefault(cell, []).append(edit_id)
    return pinned
