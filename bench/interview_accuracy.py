"""Interview accuracy (issue 15): whole scripted interviews through the web JSON API,
the stored facts scored against the labels.

Run: ``.venv/bin/python -m bench.interview_accuracy [--set a|b|c|d|e|f|g|h|i | FILE.jsonl ...]
[--ending click|typed|both] [--postgres URL] [--show-errors N]``

Each scripted interview (``bench/data/interviews_*.jsonl``, format in
``bench/scripted_interviews.py``) is taken by a simulated customer through the API of
the real app (``bench.interview_driver``), once clicking "That was the last step" and
once typing the interview's ending, on a throw-away SQLite database (or a fresh
PostgreSQL schema). What was stored is then read back and scored
(``bench.interview_scoring``): per fact the accuracy of the stored value, of the first
answer, and split by whether the bot asked the question or guessed; pain micro-F1; the
moment-of-truth step; the exact step count; customer messages and questions per
interview; the share of stored facts by provenance once steps carry one.

Customer messages count every answer sent; bot questions count distinct questions (slot
and step), so the difference is what re-asking cost.
"""

from __future__ import annotations

import argparse
import shlex
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.interview_api import InterviewApi, interview_api
from bench.interview_driver import ENDINGS, Ending, drive_interview
from bench.interview_scoring import FACTS, Miss, Rate, Scores, score_interview
from bench.scripted_interviews import ScriptedInterview, load

DATA = Path(__file__).resolve().parent / "data"
SETS: dict[str, tuple[str, ...]] = {
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
FACT_TITLES = {
    "channel": "channel (exact)",
    "feeling": "feeling polarity (1-2/3/4-5)",
    "duration": "duration (±25% or ±5 min)",
}
LABEL_WIDTH = 38
COLUMN_WIDTH = 18
MISS_KINDS = (
    "channel",
    "feeling",
    "duration",
    "pains",
    "moment of truth",
    "resolved",
    "stuck",
    "step count",
    "step not stored",
)


@dataclass
class RunResult:
    """The scores of one benchmark run, per ending and for both together."""

    set_name: str
    files: list[Path]
    interviews: list[ScriptedInterview]
    endings: tuple[Ending, ...]
    database: str
    by_ending: dict[str, Scores]
    seconds: float


def run(
    interviews: Sequence[ScriptedInterview],
    *,
    endings: tuple[Ending, ...],
    postgres_url: str | None = None,
) -> tuple[dict[str, Scores], str]:
    """Drive every interview once per ending; the scores keyed by ending and "both", and
    the database backend's name."""
    by_ending = {name: Scores() for name in (*endings, "both")}
    with interview_api(postgres_url=postgres_url) as api:
        for scripted in interviews:
            for ending in endings:
                _score_one(api, scripted, ending, (by_ending[ending], by_ending["both"]))
        return by_ending, api.database


def _score_one(
    api: InterviewApi, scripted: ScriptedInterview, ending: Ending, targets: tuple[Scores, ...]
) -> None:
    campaign = api.campaign_for(scripted.company)
    driven = drive_interview(api.client, scripted, ending, campaign=campaign)
    stored = api.stored(driven.interview_id)
    for scores in targets:
        score_interview(scores, scripted, driven, stored)


# --- the report --------------------------------------------------------------------


def report(result: RunResult, *, argv: Sequence[str], show_errors: int) -> list[str]:
    """The printed table (and, with ``show_errors``, examples of misses)."""
    columns = [*result.endings, "both"] if len(result.endings) > 1 else list(result.endings)
    scores = [result.by_ending[name] for name in columns]
    lines = _header(result, argv)
    lines.append(_row("", [f"ending: {name}" for name in columns]))
    for fact in FACTS:
        lines.extend(_fact_rows(fact, scores))
    lines.extend(_other_rows(scores))
    lines.extend(_provenance_lines(result.by_ending["both"]))
    if show_errors:
        lines.extend(_miss_lines(result.by_ending["both"].misses, show_errors))
    return lines


def _header(result: RunResult, argv: Sequence[str]) -> list[str]:
    steps = sum(len(i.steps) for i in result.interviews)
    command = shlex.join(["python", "-m", "bench.interview_accuracy", *argv])
    return [
        "interview accuracy (issue 15): scripted interviews through the web JSON API",
        f"command: {command}",
        f"commit: {_commit()}",
        f"set: {result.set_name} ({', '.join(_shown(p) for p in result.files)})",
        f"interviews: {len(result.interviews)}, labelled steps: {steps}, "
        f"endings: {', '.join(result.endings)}, database: {result.database}, "
        f"{result.seconds:.1f} s",
        "",
    ]


def _fact_rows(fact: str, scores: list[Scores]) -> list[str]:
    parts = [s.facts[fact] for s in scores]
    return [
        _row(FACT_TITLES[fact], [_rate(p.stored) for p in parts]),
        _row("  on the first answer", [_rate(p.first_answer) for p in parts]),
        _row("  when the bot asked", [_rate(p.asked) for p in parts]),
        _row("  when it guessed (did not ask)", [_rate(p.guessed) for p in parts]),
        _row("  when it showed its reading", [_rate(p.shown) for p in parts]),
    ]


def _other_rows(scores: list[Scores]) -> list[str]:
    return [
        _row("pain micro-F1", [_number(s.pains.f1) for s in scores]),
        _row("  precision / recall", [_pair(s.pains.precision, s.pains.recall) for s in scores]),
        _row(
            "  stored pains not in the labels' keys", [str(s.pains.unlabelled_keys) for s in scores]
        ),
        _row("moment-of-truth step", [_rate(s.moment_of_truth) for s in scores]),
        _row("resolved (yes / partly / no)", [_rate(s.resolved) for s in scores]),
        _row("exact step count", [_rate(s.exact_step_count) for s in scores]),
        _row(
            "labelled steps / stored steps",
            [f"{s.labelled_steps} / {s.stored_steps}" for s in scores],
        ),
        _row("labelled steps not stored", [str(s.steps_not_stored) for s in scores]),
        _row("stored steps from no labelled step", [str(s.steps_from_no_label) for s in scores]),
        _row("customer messages / interview", [_mean(s.messages) for s in scores]),
        _row("bot questions / interview (distinct)", [_mean(s.questions) for s in scores]),
        _row("questions asked twice (total)", [str(s.asked_twice) for s in scores]),
        _row("interviews stuck in a loop (left)", [str(s.stuck) for s in scores]),
    ]


def _provenance_lines(scores: Scores) -> list[str]:
    if not scores.provenance_stored:
        return ["", "provenance: not stored yet"]
    total = sum(scores.provenance.values())
    shares = ", ".join(
        f"{kind} {count / total:.1%}" for kind, count in scores.provenance.most_common()
    )
    return ["", f"provenance of {total} stored facts (both endings): {shares or 'none'}"]


def _miss_lines(misses: list[Miss], limit: int) -> list[str]:
    """Up to ``limit`` misses of each kind, spread over the run. A miss that is the same
    whichever way the steps ended is one line naming both endings."""
    lines = ["", f"examples of misses (up to {limit} of each kind):"]
    for kind in MISS_KINDS:
        endings: dict[tuple[str, str, str, str, str], list[str]] = {}
        for miss in misses:
            if miss.kind == kind:
                key = (miss.interview, miss.step, miss.stored, miss.label, miss.answer)
                endings.setdefault(key, []).append(miss.ending)
        if not endings:
            continue
        lines.append(f"-- {kind}: {len(endings)}")
        found = list(endings.items())
        for key, seen in found[:: max(1, len(found) // limit)][:limit]:
            interview, step, stored, label, answer = key
            where = " ".join(filter(None, [interview, f"({'+'.join(seen)})", step]))
            lines.append(f"  {where}: stored {stored}; label {label}")
            lines.append(f"      {answer}")
    return lines


def _row(label: str, cells: list[str]) -> str:
    return label.ljust(LABEL_WIDTH) + "".join(c.rjust(COLUMN_WIDTH) for c in cells)


def _rate(rate: Rate) -> str:
    share = rate.share
    return "-" if share is None else f"{share:.1%} {rate.hits}/{rate.total}"


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}"


def _pair(first: float | None, second: float | None) -> str:
    return f"{_number(first)} / {_number(second)}"


def _mean(values: list[int]) -> str:
    return f"{statistics.fmean(values):.1f}" if values else "-"


def _shown(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _commit() -> str:
    """The checked-out commit, marked when files differ from it (a run to reproduce)."""
    try:
        head = _git("rev-parse", "--short", "HEAD")
        dirty = _git("status", "--porcelain", "--untracked-files=no")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head} (with uncommitted changes)" if dirty else head


def _git(*args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=DATA.parent.parent, capture_output=True, text=True, check=True
    )
    return done.stdout.strip()


# --- the command -------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.interview_accuracy",
        description="Drive scripted interviews through the web API and score what was stored.",
    )
    parser.add_argument("files", nargs="*", type=Path, help="scripted interview files (JSONL)")
    parser.add_argument("--set", choices=sorted(SETS), help="a named set (default: a)")
    parser.add_argument("--ending", choices=[*ENDINGS, "both"], default="both")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL server (a fresh schema)")
    parser.add_argument("--show-errors", type=int, default=0, metavar="N")
    args = parser.parse_args(argv)
    if args.files and args.set:
        parser.error("give a --set or files, not both")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    shown_argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(shown_argv)
    set_name = "files" if args.files else (args.set or "a")
    files = list(args.files) or [DATA / name for name in SETS[set_name]]
    interviews = [interview for path in files for interview in load(path)]
    endings: tuple[Ending, ...] = ENDINGS if args.ending == "both" else (args.ending,)
    started = time.perf_counter()
    by_ending, database = run(interviews, endings=endings, postgres_url=args.postgres)
    result = RunResult(
        set_name=set_name.upper() if set_name in SETS else set_name,
        files=files,
        interviews=interviews,
        endings=endings,
        database=database,
        by_ending=by_ending,
        seconds=time.perf_counter() - started,
    )
    print("\n".join(report(result, argv=shown_argv, show_errors=args.show_errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
