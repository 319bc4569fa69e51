"""Journey stages the way a hidden set is measured: through ``journeyline import`` and
``journeyline synthesize``, the real commands, on a throw-away SQLite database.

Run: ``.venv/bin/python -m bench.stage_pipeline [--set a|b|c|d|e|f] [FILE.jsonl ...]``

``bench.stage_frame`` places labelled steps with their labelled facts (what a perfect
interview would store). Here each scripted interview (``bench/data/interviews_*.jsonl``)
is written as an import file of question/answer turns, the customer's answer to every
question the bot asks (``turns`` in ``docs/import-format.md``), so its facts are read by
the same understanding layer as a chat's. ``journeyline import`` stores them,
``journeyline synthesize --format csv`` places the steps in the default guide's stage
frame, and its ``step_assignments.csv`` is scored against the labels: adjusted Rand
index, NMI, the largest stage's share, exact accuracy (the frame's stage ids are the
label ids), next to position bins on the same stored steps.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics import (  # type: ignore[import-untyped]
    adjusted_rand_score,
    normalized_mutual_info_score,
)

from bench.scripted_interviews import ScriptedInterview, load
from bench.stage_frame import DATA, SETS

CAMPAIGN = "stage-bench"
# The questions a step is asked, in the bot's order, with the answer field of each.
STEP_TURNS = (
    ("channel", "How were you in touch with them for that?"),
    ("feeling", "How did you feel at that point, from 1 to 5?"),
    ("thinking", "What was going through your mind at that moment?"),
    ("duration", "Roughly how long did that take?"),
    ("people_tools", "Who or what was involved?"),
    ("pain", "Did anything get in the way?"),
)


def import_record(scripted: ScriptedInterview) -> dict[str, Any]:
    """One import line of question/answer turns: every answer the customer would give."""
    turns: list[dict[str, str]] = [
        {"slot": "problem", "question": "What did you need help with?", "answer": scripted.problem}
    ]
    for index, step in enumerate(scripted.steps):
        first = index == 0
        turns.append(
            {
                "slot": "step" if first else "next_step",
                "question": "What was the first thing you did?" if first else "What happened next?",
                "answer": step.answers.step,
            }
        )
        for slot, question in STEP_TURNS:
            answer = getattr(step.answers, slot)
            turns.append({"slot": slot, "question": question, "answer": answer})
    closing = (
        ("moment_of_truth", "What was the make-or-break moment?", scripted.moment_of_truth.answer),
        ("resolved", "In the end, was it resolved?", scripted.resolved.answer),
        ("effort", "How easy or hard was it, from 1 to 7?", scripted.effort.answer),
        ("improvement", "What would have made it better?", scripted.improvement),
    )
    turns.extend({"slot": s, "question": q, "answer": a} for s, q, a in closing)
    return {"external_id": scripted.id, "turns": turns}


def _journeyline(folder: Path, *args: str) -> str:
    """Run the real CLI with its data in ``folder``; raise with its output on failure."""
    env = {**os.environ, "JOURNEYLINE_DATA_DIR": str(folder), "JOURNEYLINE_DATABASE_URL": ""}
    env.pop("OPENAI_API_KEY", None)  # the offline default, as a fresh machine has it
    done = subprocess.run(
        [sys.executable, "-m", "journeyline", *args],
        env=env,
        cwd=folder,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"journeyline {' '.join(args)}: {done.stdout}\n{done.stderr}")
    return done.stdout


def position_bins(steps_per_interview: Sequence[int], bins: int) -> list[int]:
    """Each journey cut into ``bins`` equal bins by position (the baseline)."""
    labels: list[int] = []
    for count in steps_per_interview:
        for ordinal in range(count):
            position = ordinal / (count - 1) if count > 1 else 0.0
            labels.append(min(bins - 1, int(position * bins)))
    return labels


def run(interviews: Sequence[ScriptedInterview]) -> list[str]:
    """Import, synthesise, score; the report's lines."""
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="stage-pipeline-") as name:
        folder = Path(name)
        source = folder / "interviews.jsonl"
        lines = (json.dumps(import_record(s), ensure_ascii=False) for s in interviews)
        source.write_text("\n".join(lines) + "\n", encoding="utf-8")
        _journeyline(folder, "campaigns", "create", "--slug", CAMPAIGN, "--name", "Stages")
        _journeyline(folder, "import", str(source), "--campaign", CAMPAIGN)
        _journeyline(
            folder, "synthesize", "--campaign", CAMPAIGN, "--out", "map", "--format", "csv"
        )
        placed = _assignments(folder / "map" / "step_assignments.csv")
        external = _external_ids(folder)
    seconds = time.perf_counter() - started
    return _report(interviews, placed, external, seconds)


def _assignments(path: Path) -> dict[tuple[str, int], str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {
            (row["interview_id"], int(row["step_ordinal"])): row["stage_id"]
            for row in csv.DictReader(handle)
        }


def _external_ids(folder: Path) -> dict[str, str]:
    """Stored interview id -> the scripted id it was imported from (its external id)."""
    with contextlib.closing(sqlite3.connect(folder / "journeyline.db")) as database:
        rows = database.execute(
            "SELECT i.public_id, m.external_id FROM imported_interviews m "
            "JOIN interviews i ON i.id = m.interview_id"
        ).fetchall()
    return {str(public_id): str(external_id) for public_id, external_id in rows}


def _report(
    interviews: Sequence[ScriptedInterview],
    placed: dict[tuple[str, int], str],
    external: dict[str, str],
    seconds: float,
) -> list[str]:
    by_script = {s.id: s for s in interviews}
    truth: list[str] = []
    found: list[str] = []
    lengths: list[int] = []
    stored_steps = Counter(interview for interview, _ in placed)
    matched_interviews = 0
    for interview_id, script_id in external.items():
        scripted = by_script.get(script_id)
        count = stored_steps.get(interview_id, 0)
        if scripted is None or count != len(scripted.steps):
            continue  # a journey stored with another step count has no step-by-step truth
        matched_interviews += 1
        lengths.append(count)
        for ordinal, step in enumerate(scripted.steps, start=1):
            truth.append(step.labels.stage)
            found.append(placed[(interview_id, ordinal)])
    if not truth:
        return ["no stored journey matched its script's step count"]
    bins = position_bins(lengths, len(set(truth)))
    largest = Counter(found).most_common(1)[0][1] / len(found)
    exact = float(np.mean([a == b for a, b in zip(truth, found, strict=True)]))
    rows = [
        ("frame, through import + synthesize", found, f"{largest:.1%}", f"{exact:.1%}"),
        ("position bins", [str(b) for b in bins], "", "-"),
    ]
    lines = [
        f"stage pipeline: {len(interviews)} interviews imported, {matched_interviews} stored "
        f"with their labelled step count ({len(truth)} steps), {seconds:.1f} s",
        f"{'method':36}{'ARI':>7}{'NMI':>7}{'largest':>9}{'exact':>8}",
    ]
    for method, labels, share, accuracy in rows:
        ari = adjusted_rand_score(truth, labels)
        nmi = normalized_mutual_info_score(truth, labels)
        share = share or f"{Counter(labels).most_common(1)[0][1] / len(labels):.1%}"
        lines.append(f"{method:36}{ari:7.3f}{nmi:7.3f}{share:>9}{accuracy:>8}")
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--set", choices=sorted(SETS), help="a named set")
    parser.add_argument("files", nargs="*", type=Path)
    args = parser.parse_args(argv)
    if bool(args.set) == bool(args.files):
        parser.error("give a --set or files")
    files = [DATA / name for name in SETS[args.set]] if args.set else args.files
    interviews = [interview for path in files for interview in load(path)]
    print(f"command: python -m bench.stage_pipeline {' '.join(argv or sys.argv[1:])}")
    for line in run(interviews):
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
