"""The analyst: a language model names stages and pain points and summarises the map.

Optional and never trusted: the offline map is complete without it. The model is reached
through a :class:`StructuredCall` the composition root builds (``journeyline``), so this
package holds only what to ask and how to check the answer:

- customer quotes are sent redacted (the ``redact`` function given) and as data;
- every quote the model cites must exist verbatim in a stored customer message of the
  map's interviews, checked here against ``customer_texts``; uncited, altered or invented
  quotes are dropped (and counted);
- a summary that puts words in quotation marks the customers never wrote is dropped;
- names, titles and summaries are plain text of bounded length;
- the spending cap is checked before every call; any failure leaves that part offline.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Protocol, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field

from bot.conversation.map_frame import MapFrame
from storage.llm_calls import CallRow
from synthesis.model import Analysis, JourneyMap, PainPoint, Quote, Stage
from synthesis.observations import StepObservation

S = TypeVar("S", bound=BaseModel)
L = TypeVar("L", Stage, PainPoint)
NAME_MAX = 60
SUMMARY_MAX = 700
MAX_PAIN_POINTS = 15
# Stage placement: whole journeys per call up to this many steps, and at most this many
# steps per run (the rest are placed offline), each step's words cut to STEP_CHARS.
PLACEMENT_BATCH = 60
MAX_PLACED_STEPS = 600
STEP_CHARS = 300
_QUOTED = re.compile(r"[\"“”«»„]([^\"“”«»„]{12,})[\"“”«»„]")
_UNSAFE = re.compile(r"https?://|www\.|<[a-z/!]|```|[\x00-\x08\x0b-\x1f\x7f]", re.IGNORECASE)


class StructuredCall(Protocol):
    """One structured model call: the parsed answer (None on failure) and its record."""

    def __call__(
        self, *, purpose: str, prompt_version: str, system: str, user: str, schema: type[S]
    ) -> tuple[S | None, CallRow]: ...


class AnalystPrompt(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    placement: str
    stages: str
    pains: str
    executive: str

    @property
    def label(self) -> str:
        return f"{self.id}@{self.version}"


@cache
def load_analyst_prompt() -> AnalystPrompt:
    text = resources.files("prompts").joinpath("llm", "analyst.yaml").read_text("utf-8")
    return AnalystPrompt.model_validate(yaml.safe_load(text))


class _Named(BaseModel):
    id: str
    name: str
    summary: str = ""
    quotes: list[str] = Field(default_factory=list, max_length=5)


class StageNames(BaseModel):
    """Names and summaries, one per stage."""

    stages: list[_Named]


class _Titled(BaseModel):
    id: str
    title: str
    summary: str = ""
    quotes: list[str] = Field(default_factory=list, max_length=5)


class PainTitles(BaseModel):
    """Titles and summaries, one per pain point."""

    pain_points: list[_Titled]


class _Placed(BaseModel):
    step: str
    stage: str


class StagePlacements(BaseModel):
    """Which frame stage each step belongs in ("none": no stage fits)."""

    placements: list[_Placed]


class ExecutiveSummary(BaseModel):
    """A short summary of the whole map."""

    summary: str
    quotes: list[str] = Field(default_factory=list, max_length=5)


@dataclass
class AnalystResult:
    journey_map: JourneyMap
    calls: list[CallRow] = field(default_factory=list)


class _Checker:
    """Verbatim checks against the customers' own stored messages (white space folded
    once, here, rather than for every quote and summary checked)."""

    def __init__(self, customer_texts: Mapping[int, str]) -> None:
        self._texts = {i: _folded(t) for i, t in customer_texts.items()}
        self.dropped = 0

    def quotes(self, cited: list[str], candidates: list[Quote]) -> list[Quote]:
        """The cited quotes found verbatim in a candidate's stored message."""
        kept: list[Quote] = []
        for text in cited:
            wanted = _folded(text)
            match = next(
                (q for q in candidates if wanted and wanted in self._texts.get(q.message_id, "")),
                None,
            )
            if match is None:
                self.dropped += 1
                continue
            if all(k.message_id != match.message_id for k in kept):
                kept.append(match.model_copy(update={"text": wanted}))
        return kept

    def summary(self, text: str) -> str | None:
        """The summary if it is plain and every span it puts in quotation marks is a
        customer's own words; else None."""
        cleaned = _folded(text)
        if not cleaned or len(cleaned) > SUMMARY_MAX or _UNSAFE.search(text):
            return None
        for span in _QUOTED.findall(cleaned):
            if not any(span.strip() in t for t in self._texts.values()):
                self.dropped += 1
                return None
        return cleaned

    def relabel(self, items: list[L], labels: Mapping[str, _Label], *, field: str) -> list[L]:
        """``items`` (stages or pain points) with the model's name in ``field``, its
        summary and the quotes it cited first, where the name passes; others unchanged."""
        out: list[L] = []
        for item in items:
            label = labels.get(item.id)
            name = _plain_name(label.name) if label else None
            if label is None or name is None:
                out.append(item)
                continue
            cited = self.quotes(label.quotes, item.quotes)
            update = {
                field: name,
                "summary": self.summary(label.summary) if label.summary else None,
                "quotes": cited + [q for q in item.quotes if q not in cited],
            }
            out.append(item.model_copy(update=update))
        return out


@dataclass(frozen=True)
class _Label:
    """What the model said of one stage or pain point."""

    name: str
    summary: str
    quotes: list[str]


def _journey_batches(observations: Sequence[StepObservation]) -> list[list[list[int]]]:
    """The steps' indexes grouped by journey, journeys packed into batches of at most
    ``PLACEMENT_BATCH`` steps, at most ``MAX_PLACED_STEPS`` in all."""
    journeys: dict[str, list[int]] = {}
    for row, observation in enumerate(observations):
        journeys.setdefault(observation.interview_id, []).append(row)
    batches: list[list[list[int]]] = []
    current: list[list[int]] = []
    size = total = 0
    for rows in journeys.values():
        rows = rows[:PLACEMENT_BATCH]
        if total + len(rows) > MAX_PLACED_STEPS:
            break
        if current and size + len(rows) > PLACEMENT_BATCH:
            batches.append(current)
            current, size = [], 0
        current.append(rows)
        size += len(rows)
        total += len(rows)
    if current:
        batches.append(current)
    return batches


def _folded(text: str) -> str:
    return " ".join(text.split())


def _plain_name(text: str) -> str | None:
    cleaned = " ".join(text.split()).strip(" .\"'")
    if not cleaned or len(cleaned) > NAME_MAX or _UNSAFE.search(text):
        return None
    return cleaned


class Analyst:
    """Names, titles and summaries for a map, within a spending cap."""

    def __init__(
        self,
        call: StructuredCall,
        *,
        model_name: str,
        redact: Callable[[str], str],
        max_usd: float,
        company: str = "the company",
        prompt: AnalystPrompt | None = None,
    ) -> None:
        self._call = call
        self._model_name = model_name
        self._redact = redact
        self._max_usd = max_usd
        self._company = company
        self._prompt = prompt or load_analyst_prompt()
        # Stage placement runs before the map exists; its calls join the map's analysis.
        self._placement_calls: list[CallRow] = []

    def place_steps(
        self, observations: Sequence[StepObservation], frame: MapFrame
    ) -> dict[int, str]:
        """Where the model places each step in ``frame``: step index -> stage id, for the
        steps it placed in a known stage. Whole journeys go in batches, words redacted;
        a failed or over-budget batch is simply left to the offline placement."""
        advice: dict[int, str] = {}
        known = {stage.id for stage in frame.stages}
        stages = [
            {
                "id": s.id,
                "name": s.name,
                "description": s.description,
                "examples": list(s.examples[:4]),
            }
            for s in frame.stages
        ]
        system = self._prompt.placement.format(company=self._company)
        for batch in _journey_batches(observations):
            journeys = [
                {
                    "journey": n,
                    "steps": [
                        {
                            "id": str(row),
                            "did": self._redact(observations[row].doing)[:STEP_CHARS],
                            "channel": observations[row].channel,
                        }
                        for row in rows
                    ],
                }
                for n, rows in enumerate(batch, start=1)
            ]
            payload = {"stages": stages, "journeys": journeys}
            answer = self._ask(
                self._placement_calls, "place_steps", system, payload, StagePlacements
            )
            if answer is None:
                continue
            asked = {row for rows in batch for row in rows}
            for placed in answer.placements:
                if placed.step.isdigit() and int(placed.step) in asked and placed.stage in known:
                    advice[int(placed.step)] = placed.stage
        return advice

    def analyse(
        self, journey_map: JourneyMap, *, customer_texts: Mapping[int, str]
    ) -> AnalystResult:
        """A copy of ``journey_map`` with what the model added that passed the checks.

        ``customer_texts`` maps the id of every inbound message of the map's interviews to
        its stored text (what quotes are checked against).
        """
        checker = _Checker(customer_texts)
        result = AnalystResult(journey_map=journey_map, calls=list(self._placement_calls))
        stages = self._name_stages(journey_map.stages, checker, result)
        pains = self._title_pains(journey_map.pain_points, checker, result)
        updated = journey_map.model_copy(update={"stages": stages, "pain_points": pains})
        summary, quotes = self._executive(updated, checker, result)
        failed = sum(1 for c in result.calls if c.outcome != "ok")
        analysis = Analysis(
            model=self._model_name,
            prompt_version=self._prompt.label,
            calls=len(result.calls),
            failed_calls=failed,
            cost_usd=round(sum(c.cost_usd for c in result.calls), 6),
            dropped_quotes=checker.dropped,
            named_stages=sum(
                1 for a, b in zip(stages, journey_map.stages, strict=True) if a.name != b.name
            ),
            titled_pain_points=sum(
                1 for a, b in zip(pains, journey_map.pain_points, strict=True) if a.label != b.label
            ),
        )
        result.journey_map = updated.model_copy(
            update={"summary": summary, "summary_quotes": quotes, "analysis": analysis}
        )
        return result

    # --- the three calls -----------------------------------------------------------------

    def _ask(
        self, calls: list[CallRow], purpose: str, system: str, payload: object, schema: type[S]
    ) -> S | None:
        """One call within the run's spending cap (``calls`` so far count against it);
        its record is appended to ``calls``."""
        spent = sum(c.cost_usd for c in calls)
        if spent >= self._max_usd:
            calls.append(
                CallRow(
                    purpose=purpose,
                    prompt_version=self._prompt.label,
                    model=self._model_name,
                    outcome="over_budget",
                    tokens_in=0,
                    tokens_out=0,
                    latency_ms=0.0,
                    cost_usd=0.0,
                )
            )
            return None
        parsed, record = self._call(
            purpose=purpose,
            prompt_version=self._prompt.label,
            system=system,
            user=json.dumps(payload, ensure_ascii=False),
            schema=schema,
        )
        calls.append(record)
        return parsed

    def _name_stages(
        self, stages: list[Stage], checker: _Checker, result: AnalystResult
    ) -> list[Stage]:
        if not stages:
            return stages
        payload = {
            "stages": [
                {
                    "id": s.id,
                    "keywords": s.keywords,
                    "channels": [c.value for c in s.channel_mix[:3]],
                    "feeling": s.feeling.mean,
                    "interview_share": s.interview_share,
                    "quotes": [self._redact(q.text) for q in s.quotes],
                }
                for s in stages
            ]
        }
        system = self._prompt.stages.format(company=self._company)
        answer = self._ask(result.calls, "analyse_stages", system, payload, StageNames)
        if answer is None:
            return stages
        labels = {a.id: _Label(a.name, a.summary, a.quotes) for a in answer.stages}
        return checker.relabel(stages, labels, field="name")

    def _title_pains(
        self, pains: list[PainPoint], checker: _Checker, result: AnalystResult
    ) -> list[PainPoint]:
        top = pains[:MAX_PAIN_POINTS]
        if not top:
            return pains
        payload = {
            "pain_points": [
                {
                    "id": p.id,
                    "label": p.label,
                    "tags": p.tags,
                    "keywords": p.keywords,
                    "interviews": p.interviews,
                    "quotes": [self._redact(q.text) for q in p.quotes],
                }
                for p in top
            ]
        }
        system = self._prompt.pains.format(company=self._company)
        answer = self._ask(result.calls, "analyse_pains", system, payload, PainTitles)
        if answer is None:
            return pains
        labels = {a.id: _Label(a.title, a.summary, a.quotes) for a in answer.pain_points}
        return checker.relabel(pains, labels, field="label")

    def _executive(
        self, journey_map: JourneyMap, checker: _Checker, result: AnalystResult
    ) -> tuple[str | None, list[Quote]]:
        candidates = [q for s in journey_map.stages for q in s.quotes] + [
            q for p in journey_map.pain_points for q in p.quotes
        ]
        payload = {
            "stages": [
                {
                    "name": s.name,
                    "summary": s.summary,
                    "feeling": s.feeling.mean,
                    "share": s.interview_share,
                }
                for s in journey_map.stages
            ],
            "pain_points": [
                {"title": p.label, "interview_share": p.interview_share, "summary": p.summary}
                for p in journey_map.pain_points[:8]
            ],
            "quotes": [self._redact(q.text) for q in candidates[:12]],
        }
        system = self._prompt.executive.format(
            company=self._company, interviews=journey_map.interview_count
        )
        answer = self._ask(result.calls, "analyse_summary", system, payload, ExecutiveSummary)
        if answer is None:
            return None, []
        return checker.summary(answer.summary), checker.quotes(answer.quotes, candidates)
