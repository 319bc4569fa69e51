"""The bare baselines' side of the run: canned interviews as long as ours, and both
phases against a baseline server."""

from __future__ import annotations

import asyncio
import random
import uuid
from dataclasses import dataclass
from typing import Any

from bench.lean_http import LeanClient
from bench.web_load.customers import Conversation
from bench.web_load.phases import run_phase
from bench.web_load.stats import Ledger, PhaseSettings, PhaseStats, TargetResult
from bot.conversation.messages import Inbound

# A typical free-text answer; the baseline's customers send it so request sizes match.
CANNED_ANSWER = "called them, sat on hold 40 min, furious"
# Messages per baseline interview when ours has not completed one to copy the length of.
DEFAULT_BASELINE_LENGTH = 30


class CannedConversation:
    """A baseline 'interview': the same canned answer `length` times."""

    expects_duplicate_flag = False

    def __init__(self, interview_id: str, length: int) -> None:
        self.interview_id = interview_id
        self.headers: dict[str, str] = {}
        self._left = length

    def next_message(self) -> Inbound | None:
        if self._left <= 0:
            return None
        self._left -= 1
        return Inbound(text=CANNED_ANSWER)

    def receive(self, replies: list[Any]) -> None:
        pass


@dataclass
class BaselineTarget:
    base_url: str
    interview_length: int
    name: str = "baseline"

    async def open(
        self, client: LeanClient, rng: random.Random, stats: PhaseStats, ledger: Ledger
    ) -> Conversation | None:
        # The baseline has no start endpoint: its interview is an id the client makes up.
        return CannedConversation(f"b{uuid.uuid4().hex}", self.interview_length)


def baseline_length(stats: PhaseStats) -> int:
    """Messages per baseline interview: the mean of ours in the same phase."""
    if not stats.completed_lengths:
        return DEFAULT_BASELINE_LENGTH
    return max(1, round(sum(stats.completed_lengths) / len(stats.completed_lengths)))


def run_bare(
    runner: asyncio.Runner,
    base_url: str,
    ours: TargetResult,
    realistic: PhaseSettings,
    saturation: PhaseSettings,
) -> TargetResult:
    """Both phases against a bare baseline, its interviews as long as ours were."""
    discard = Ledger()  # the baseline keeps no transcript to check
    return TargetResult(
        runner.run(
            run_phase(BaselineTarget(base_url, baseline_length(ours.realistic)), realistic, discard)
        ),
        runner.run(
            run_phase(
                BaselineTarget(base_url, baseline_length(ours.saturation)), saturation, discard
            )
        ),
    )
