"""Journey stages against labels: the guide's stage frame vs position bins vs clustering.

Run: ``.venv/bin/python -m bench.stage_frame [--set a|b|c|d|e|f|all] [FILE.jsonl ...]
[--show-errors N]``

Every step of the scripted interviews (``bench/data/interviews_*.jsonl``, see its
README) carries the journey stage a person gave it. The steps become synthesis
observations (the step as the customer told it, its labelled channel and pains, its
place in the journey: the facts a perfect interview would store) and are placed in
stages by:

- **frame**: the default guide's stage frame (``synthesis.frame_assignment``), the
  default of ``journeyline synthesize``;
- **frame, words only**: the same without channel, pain, feeling and duration facts
  (what is left when the interview stored no facts);
- **position bins**: each journey cut into equal bins by position, as many bins as
  label stages (the baseline any method must beat);
- **clustering**: today's free discovery (TF-IDF + k-means, k by silhouette), and the
  same forced to as many stages as the labels have.

For each: adjusted Rand index and NMI against the labels, the share of steps in the
largest stage, and (frame methods, whose stages are the label ids) exact accuracy.
"""

from __future__ import annotations

import argparse
import dataclasses
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import (  # type: ignore[import-untyped]
    adjusted_rand_score,
    normalized_mutual_info_score,
)

from bench.scripted_interviews import ScriptedInterview, load
from bot.conversation.guide import load_guide
from bot.conversation.map_frame import MapFrame
from synthesis.embedders import make_embedder
from synthesis.frame_assignment import place_in_frame
from synthesis.observations import StepObservation
from synthesis.stages import assign_stages

DATA = Path(__file__).parent / "data"
SETS = {
    "a": ("interviews_a1.jsonl", "interviews_a2.jsonl"),
    "b": ("interviews_b1.jsonl", "interviews_b2.jsonl"),
    "c": ("interviews_c1.jsonl", "interviews_c2.jsonl"),
    "d": ("interviews_d1.jsonl", "interviews_d2.jsonl"),
    "e": ("interviews_e1.jsonl", "interviews_e2.jsonl"),
    "f": ("interviews_f1.jsonl", "interviews_f2.jsonl"),
    "g": ("interviews_g1.jsonl", "interviews_g2.jsonl"),
    "h": ("interviews_h1.jsonl", "interviews_h2.jsonl"),
    "i": ("interviews_i1.jsonl", "interviews_i2.jsonl"),
}


@dataclasses.dataclass(frozen=True)
class Scored:
    method: str
    ari: float
    nmi: float
    largest_share: float
    accuracy: float | None


def observations_of(
    interviews: Sequence[ScriptedInterview],
) -> tuple[list[StepObservation], list[str]]:
    """One observation per labelled step (facts from the labels) and its stage label."""
    observations: list[StepObservation] = []
    labels: list[str] = []
    for interview in interviews:
        last = len(interview.steps) - 1
        for index, step in enumerate(interview.steps):
            truth = step.labels
            observations.append(
                StepObservation(
                    interview_id=interview.id,
                    ordinal=index + 1,
                    doing=step.answers.step,
                    text=step.answers.step,
                    channel=truth.channel,
                    feeling=truth.feeling,
                    duration_minutes=truth.duration_minutes,
                    pains=tuple(truth.pains),
                    pain_text=None,
                    people=tuple(truth.people),
                    tools=tuple(truth.tools),
                    position=0.5 if last == 0 else index / last,
                    moment_of_truth=False,
                    moment_of_truth_text=None,
                    resolved=None,
                    effort=None,
                )
            )
            labels.append(truth.stage)
    return observations, labels


def position_bins(observations: Sequence[StepObservation], bins: int) -> NDArray[np.int64]:
    positions = np.array([o.position for o in observations])
    return np.minimum((positions * bins).astype(np.int64), bins - 1)


def score(method: str, truth: Sequence[str], predicted: Sequence[object], *, exact: bool) -> Scored:
    counts = Counter(predicted)
    return Scored(
        method=method,
        ari=float(adjusted_rand_score(truth, predicted)),
        nmi=float(normalized_mutual_info_score(truth, predicted)),
        largest_share=max(counts.values()) / len(predicted),
        accuracy=(sum(t == p for t, p in zip(truth, predicted, strict=True)) / len(truth))
        if exact
        else None,
    )


def run(
    interviews: Sequence[ScriptedInterview], frame: MapFrame, *, show_errors: int = 0
) -> list[Scored]:
    observations, truth = observations_of(interviews)
    ids = [stage.id for stage in frame.stages]
    k = len(set(truth))
    placed = place_in_frame(observations, frame)
    framed = [ids[i] for i in placed.labels.tolist()]
    without_facts = [
        dataclasses.replace(o, channel=None, pains=(), feeling=None, duration_minutes=None)
        for o in observations
    ]
    words_only = [ids[i] for i in place_in_frame(without_facts, frame).labels.tolist()]
    embeddings = make_embedder("tfidf", seed=0).embed([o.doing for o in observations])
    discovered = assign_stages(observations, embeddings, seed=0).labels.tolist()
    forced = assign_stages(observations, embeddings, stages=k, seed=0).labels.tolist()
    results = [
        score("frame (default)", truth, framed, exact=True),
        score("frame, words only", truth, words_only, exact=True),
        score(
            f"position bins (k={k})", truth, position_bins(observations, k).tolist(), exact=False
        ),
        score("clustering (silhouette k)", truth, discovered, exact=False),
        score(f"clustering (k={k})", truth, forced, exact=False),
    ]
    if show_errors:
        _print_errors(observations, truth, framed, show_errors)
    _print_confusion(truth, framed, ids)
    return results


def _print_confusion(truth: Sequence[str], predicted: Sequence[str], ids: Sequence[str]) -> None:
    pairs = Counter(zip(truth, predicted, strict=True))
    width = max(len(i) for i in ids)
    print("frame confusion (rows: label, columns: placed)")
    print(" " * (width + 1) + " ".join(f"{i[:6]:>6}" for i in ids))
    for label in ids:
        row = " ".join(f"{pairs.get((label, placed), 0):>6}" for placed in ids)
        print(f"{label:>{width}} {row}")


def _print_errors(
    observations: Sequence[StepObservation],
    truth: Sequence[str],
    predicted: Sequence[str],
    limit: int,
) -> None:
    shown = 0
    for observation, label, placed in zip(observations, truth, predicted, strict=True):
        if label != placed and shown < limit:
            shown += 1
            print(
                f"  {observation.interview_id} step {observation.ordinal}: label {label}, "
                f"placed {placed}: {observation.doing[:110]!r}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--set", choices=[*SETS, "all"], default="all")
    parser.add_argument("--show-errors", type=int, default=0)
    args = parser.parse_args(argv)
    if args.files:
        files = list(args.files)
    else:
        names = [n for key in (SETS if args.set == "all" else (args.set,)) for n in SETS[key]]
        files = [DATA / name for name in names]
    interviews = [interview for path in files for interview in load(path)]
    frame = load_guide().map
    assert frame is not None, "the default guide declares a stage frame"
    steps = sum(len(i.steps) for i in interviews)
    print(
        f"stage benchmark: {len(interviews)} interviews, {steps} labelled steps "
        f"({', '.join(p.name for p in files)})"
    )
    results = run(interviews, frame, show_errors=args.show_errors)
    print(f"{'method':<28} {'ARI':>6} {'NMI':>6} {'largest':>8} {'exact':>6}")
    for r in results:
        exact = "-" if r.accuracy is None else f"{r.accuracy:.1%}"
        print(f"{r.method:<28} {r.ari:>6.3f} {r.nmi:>6.3f} {r.largest_share:>8.1%} {exact:>6}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
