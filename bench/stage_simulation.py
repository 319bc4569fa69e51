"""Simulated interviews whose journey stages are known, for ``bench/synthesis_quality.py``.

Five stages, in journey order: noticing the problem, trying self-service (optional),
contacting support, being transferred or escalated (optional), and the outcome. Each
stage's answers are built from its own phrase parts, as in ``tests/synthesis_data.py``,
but with more paraphrases and channels, so two answers of a stage rarely match exactly
while sharing what makes them that stage. Interviews skip optional stages, so a stage's
position in the interview varies (the clustering cannot read the stage off the position).
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass

from synthesis.observations import StepObservation


def _combine(*parts: tuple[str, ...]) -> list[str]:
    return [" ".join(words) for words in itertools.product(*parts)]


STAGES: tuple[tuple[str, list[str]], ...] = (
    (
        "notice",
        _combine(
            ("noticed", "spotted", "saw", "realised there was"),
            ("a double", "a duplicate", "a strange extra", "an unexpected"),
            ("charge", "payment", "debit", "fee"),
            ("on my bank statement", "on my monthly bill", "in my banking app", "on my card"),
        ),
    ),
    (
        "self-service",
        _combine(
            ("looked through", "searched", "read", "tried"),
            ("the help pages", "the FAQ", "their help center articles", "the chatbot"),
            ("for an answer", "to fix it myself", "about refunds", "but found nothing useful"),
        ),
    ),
    (
        "contact",
        _combine(
            ("called", "rang", "phoned", "emailed", "messaged"),
            ("support", "the helpline", "customer service", "their agents"),
            ("and waited on hold", "and explained the charge", "and sat in a queue", "again"),
        ),
    ),
    (
        "escalation",
        _combine(
            ("got transferred to", "was passed to", "was escalated to", "they put me through to"),
            ("the billing team", "a supervisor", "another department", "the disputes team"),
            ("and repeated my story", "who asked the same questions", "after more waiting"),
        ),
    ),
    (
        "outcome",
        _combine(
            ("finally got", "received", "they sent", "eventually had"),
            ("the refund", "my money back", "a credit", "a confirmation"),
            ("a week later", "by email", "and it was sorted", "after all that"),
        ),
    ),
)
STAGE_NAMES = tuple(name for name, _ in STAGES)
OPTIONAL = {1: 0.6, 3: 0.4}  # stage index -> chance an interview has it


@dataclass(frozen=True)
class SimulatedSteps:
    observations: list[StepObservation]
    stages: list[int]  # the true stage of each observation, 0 = earliest


def simulate(*, interviews: int = 300, seed: int = 7) -> SimulatedSteps:
    """``interviews`` journeys of 3-5 steps; the same seed gives the same steps."""
    rng = random.Random(seed)
    observations: list[StepObservation] = []
    truth: list[int] = []
    for n in range(interviews):
        stages = [s for s in range(len(STAGES)) if rng.random() < OPTIONAL.get(s, 1.0)]
        for ordinal, stage in enumerate(stages, start=1):
            text = rng.choice(STAGES[stage][1])
            observations.append(
                StepObservation(
                    interview_id=f"sim{n:04d}",
                    ordinal=ordinal,
                    doing=text,
                    text=text,
                    channel=None,
                    feeling=None,
                    duration_minutes=None,
                    pains=(),
                    pain_text=None,
                    people=(),
                    tools=(),
                    position=(ordinal - 1) / (len(stages) - 1),
                    moment_of_truth=False,
                    moment_of_truth_text=None,
                    resolved=None,
                    effort=None,
                )
            )
            truth.append(stage)
    return SimulatedSteps(observations=observations, stages=truth)
