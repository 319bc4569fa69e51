"""A campaign's live progress for the console: the funnel (invited -> delivered ->
opened -> consented -> completed) per campaign, wave, channel and participant-attribute
value, where unfinished interviews stopped, the median time to complete, and the
saturation curve of the newest stored map.

Everything is counted in SQL (``storage.campaign_progress``): a poll of the progress
page is four small grouped queries however many participants there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation.vocabulary import Slot
from bot.service.errors import CampaignNotFound
from bot.service.participants import FUNNEL, REACHED
from storage import campaign_progress as counting
from storage import queries
from storage.campaign_progress import StatusCount
from storage.synthesis_runs import latest_runs
from storage.types import utcnow
from synthesis.model import Saturation
from synthesis.render_html import (
    SAT_BOTTOM,
    SAT_LEFT,
    SAT_RIGHT,
    SAT_TOP,
    SATURATION_HEIGHT,
    SATURATION_WIDTH,
    saturation_polyline,
)

FUNNEL_LABELS = {
    "invited": "Invited",
    "delivered": "Delivered",
    "opened": "Opened",
    "consented": "Consented",
    "completed": "Completed",
}
# What each question asks, in the researcher's words (the slots of bot.conversation).
QUESTION_LABELS: dict[str, str] = {
    Slot.CONSENT: "Consent to take part",
    Slot.PROBLEM: "What the problem was",
    Slot.STEP: "What they did at a step",
    Slot.CHANNEL: "Which channel a step used",
    Slot.FEELING: "How a step felt",
    Slot.THINKING: "What they thought",
    Slot.DURATION: "How long a step took",
    Slot.PEOPLE_TOOLS: "People and tools involved",
    Slot.PAIN: "What hurt",
    Slot.CONFIRM: "Confirming the bot's reading of a step",
    Slot.CLARIFY_NOTHING: "Whether a pause ended the journey",
    Slot.NEXT_STEP: "What happened next",
    Slot.CONFIRM_MOMENT: "Confirming the make-or-break step",
    Slot.PLAYBACK: "Checking the journey played back",
    Slot.MOMENT_OF_TRUTH: "The make-or-break moment",
    Slot.RESOLVED: "Whether it was resolved",
    Slot.EFFORT: "How much effort it took",
    Slot.IMPROVEMENT: "What would have helped",
    Slot.ANYTHING_ELSE: "Anything else",
    Slot.DONE: "The closing message",
}
# The interview's own order of questions, for the drop-off table.
QUESTION_ORDER = {slot.value: i for i, slot in enumerate(Slot)}


@dataclass
class FunnelCell:
    """One row of a funnel table: ``steps`` counts everyone who got at least that far
    (``FUNNEL``); ``statuses`` every status as read from what happened."""

    key: str
    label: str
    steps: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FUNNEL, 0))
    statuses: dict[str, int] = field(default_factory=dict)

    @property
    def participants(self) -> int:
        return sum(self.statuses.values())

    def add(self, status: str, count: int) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + count
        for step in FUNNEL[: REACHED.get(status, 0)]:
            self.steps[step] += count

    def share(self, step: str) -> float | None:
        """``step``'s count as a share of the invited (None before anyone is)."""
        invited = self.steps["invited"]
        return self.steps[step] / invited if invited else None


@dataclass(frozen=True)
class StoppedAt:
    slot: str
    label: str
    interviews: int


@dataclass(frozen=True)
class SaturationView:
    """The newest stored map's saturation curve, ready for an SVG."""

    run_id: int
    created_at: datetime
    statement: str
    interviews: int
    pain_points: int
    polyline: str
    width: int = SATURATION_WIDTH
    height: int = SATURATION_HEIGHT
    box: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class CampaignProgress:
    campaign: str
    name: str
    at: datetime
    attribute: str | None
    attributes: list[str]
    total: FunnelCell
    waves: list[FunnelCell]
    channels: list[FunnelCell]
    values: list[FunnelCell]
    stopped_at: list[StoppedAt]
    median_completion_seconds: float | None


class Progress:
    """Reads a campaign's progress (nothing here writes)."""

    def __init__(
        self, sessions: sessionmaker[Session], *, clock: Callable[[], datetime] = utcnow
    ) -> None:
        self._sessions = sessions
        self._clock = clock

    def progress(self, *, campaign_slug: str, attribute: str | None = None) -> CampaignProgress:
        """The funnel per campaign, wave, channel and ``attribute`` value (an attribute
        the participants do not have is ignored), the drop-off per question and the
        median time to complete. Raises `CampaignNotFound`."""
        now = self._clock()
        with self._sessions() as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            names = counting.attribute_names(session, campaign_id=campaign.id)
            chosen = attribute if attribute in names else None
            counts = counting.status_counts(
                session, campaign_id=campaign.id, now=now, attribute=chosen
            )
            stopped = counting.stopped_at(session, campaign_id=campaign.id)
            median = counting.median_completion_seconds(session, campaign_id=campaign.id)
            name = campaign.name
        return CampaignProgress(
            campaign=campaign_slug,
            name=name,
            at=now,
            attribute=chosen,
            attributes=names,
            total=_cells(counts, lambda c: ("all", "All participants"))[0],
            waves=_cells(counts, _wave_key),
            channels=_cells(counts, _channel_key),
            values=_cells(counts, _value_key) if chosen else [],
            stopped_at=sorted(
                (
                    StoppedAt(slot, QUESTION_LABELS.get(slot, slot), n)
                    for slot, n in stopped.items()
                ),
                key=lambda s: (QUESTION_ORDER.get(s.slot, len(QUESTION_ORDER)), s.slot),
            ),
            median_completion_seconds=median,
        )

    def saturation(self, *, campaign_slug: str) -> SaturationView | None:
        """The saturation curve of the campaign's newest stored map (whole campaign),
        or None before any map was made."""
        with self._sessions() as session:
            campaign = queries.get_campaign_by_slug(session, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            runs = latest_runs(session, campaign_id=campaign.id, segment="")
            if not runs or not runs[0].journey_map.get("saturation"):
                return None
            run = runs[0]
            sat = Saturation.model_validate(run.journey_map["saturation"])
            return SaturationView(
                run_id=run.id,
                created_at=run.created_at,
                statement=sat.statement,
                interviews=sat.interviews,
                pain_points=sat.pain_points,
                polyline=saturation_polyline(sat),
                box={
                    "left": SAT_LEFT,
                    "right": SATURATION_WIDTH - SAT_RIGHT,
                    "top": SAT_TOP,
                    "bottom": SATURATION_HEIGHT - SAT_BOTTOM,
                },
            )


def _wave_key(count: StatusCount) -> tuple[str, str]:
    if count.wave_id is None:
        return ("none", "Not invited yet")
    return (f"wave-{count.wave_id}", f"Wave {count.wave_id} ({count.channel})")


def _channel_key(count: StatusCount) -> tuple[str, str]:
    if count.channel is None:
        return ("none", "Not invited yet")
    return (count.channel, {"email": "Email", "slack": "Slack DM", "link": "Link"}.get(
        count.channel, count.channel
    ))  # fmt: skip


def _value_key(count: StatusCount) -> tuple[str, str]:
    return (count.value, count.value or "(no value)")


def _cells(
    counts: Iterable[StatusCount], key: Callable[[StatusCount], tuple[str, str]]
) -> list[FunnelCell]:
    """The counts summed into one funnel row per key, in the keys' order ("none" last)."""
    cells: dict[str, FunnelCell] = {}
    for count in counts:
        k, label = key(count)
        cell = cells.get(k)
        if cell is None:
            cell = cells[k] = FunnelCell(key=k, label=label)
        cell.add(count.status, count.count)
    if not cells:
        return [FunnelCell(key="all", label="All participants")]
    return sorted(cells.values(), key=_order)


def _order(cell: FunnelCell) -> tuple[int, int, str]:
    if cell.key == "none":
        return (2, 0, "")
    if cell.key.startswith("wave-"):
        return (0, int(cell.key[5:]), "")
    return (1, 0, cell.key)
