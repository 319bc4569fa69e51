"""End to end: do whole interviews store what the simulated customers meant?

Run: ``.venv/bin/python -m bench.interview_fidelity [--seed N] [--show-errors]``

Every demo persona carries the truth of its journey (the channel and feeling of each
step) apart from the words it types. This benchmark runs all personas through the real
service on a throw-away SQLite database and compares the stored step records with the
truth: how many interviews kept exactly the persona's steps, and channel and
feeling-polarity accuracy per step. It also reports the cost of the interview to the
customer (messages per interview) next to a baseline in the same run: the number of
messages the same interviews would take if nothing were understood from free text and
every question were asked.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.service.interviews import InterviewService
from journeyline.demo.personas import PERSONAS, Persona
from journeyline.demo.runner import ensure_demo_campaign, interview_persona
from storage import queries
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.migrate import upgrade

# Questions per step when nothing is skipped (channel, feeling, thinking, duration,
# people/tools, pain, what happened next) and around the steps (consent, problem, first
# step, playback, moment of truth, resolved, effort, improvement, anything else).
QUESTIONS_PER_STEP = 7
QUESTIONS_AROUND_STEPS = 9


def polarity(feeling: int | None) -> str | None:
    if feeling is None:
        return None
    return "negative" if feeling <= 2 else "neutral" if feeling == 3 else "positive"


@dataclass
class Fidelity:
    interviews: int = 0
    exact_step_count: int = 0
    steps_compared: int = 0
    channel_hits: int = 0
    polarity_hits: int = 0
    messages: list[int] = field(default_factory=list)
    baseline_messages: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def run(personas: Sequence[Persona], *, seed: int) -> Fidelity:
    result = Fidelity()
    with tempfile.TemporaryDirectory() as folder:
        engine = make_engine(sqlite_url_for_dir(Path(folder)))
        upgrade(engine)
        sessions = make_session_factory(engine)
        service = InterviewService(sessions)
        ensure_demo_campaign(sessions, guide="support_journey")
        for index, persona in enumerate(personas):
            turn, sent = interview_persona(service, persona, rng=random.Random(seed + index))
            with sessions() as session:
                interview = queries.get_interview(session, turn.interview_id)
                assert interview is not None
                _score(result, persona, interview.steps, sent)
        engine.dispose()
    return result


def _score(result: Fidelity, persona: Persona, steps: Sequence[object], sent: int) -> None:
    result.interviews += 1
    result.messages.append(sent)
    result.baseline_messages.append(
        QUESTIONS_AROUND_STEPS + QUESTIONS_PER_STEP * len(persona.steps)
    )
    if len(steps) == len(persona.steps):
        result.exact_step_count += 1
    else:
        result.errors.append(
            f"{persona.name}: {len(persona.steps)} steps told, {len(steps)} stored"
        )
    for stored, truth in zip(steps, persona.steps, strict=False):
        channel = getattr(stored, "channel", None)
        feeling = getattr(stored, "feeling", None)
        result.steps_compared += 1
        if channel == truth.channel.value:
            result.channel_hits += 1
        else:
            result.errors.append(
                f"{persona.name}: channel {channel} for {truth.channel.value}: {truth.doing[:70]!r}"
            )
        if polarity(feeling) == polarity(truth.feeling):
            result.polarity_hits += 1
        else:
            result.errors.append(
                f"{persona.name}: feeling {feeling} for {truth.feeling}: {truth.doing[:70]!r}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = run(PERSONAS, seed=args.seed)
    elapsed = time.perf_counter() - started
    compared = max(1, result.steps_compared)
    ours = statistics.fmean(result.messages)
    baseline = statistics.fmean(result.baseline_messages)
    print(f"interview fidelity: {result.interviews} simulated interviews, {elapsed:.1f} s")
    print(
        f"interviews with exactly the steps told: {result.exact_step_count}/{result.interviews}"
        f" ({result.exact_step_count / max(1, result.interviews):.1%})"
    )
    print(f"step channel accuracy:          {result.channel_hits / compared:.1%} of {compared}")
    print(f"step feeling-polarity accuracy: {result.polarity_hits / compared:.1%} of {compared}")
    print(
        f"customer messages per interview: {ours:.1f} vs {baseline:.1f} if every question "
        f"were asked (ratio {ours / baseline:.2f})"
    )
    if args.show_errors:
        for line in result.errors:
            print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
