"""Moment of truth: which step an answer points at, offline, on the scripted interviews.

Run: ``.venv/bin/python -m bench.moment_of_truth [--set a|b|c ...] [--show-errors]``

Each scripted interview's ``moment_of_truth.answer`` is resolved against its steps'
descriptions (``steps[i].answers.step``, what the engine stores as the step) by
``bot.understanding.resolve_step_reference``, with the steps' labelled channels (what the
engine has stored by then) and without them, and compared with the label (a step, or
none). A baseline in the same run: the rule the engine used before (an explicit number or
any ordinal word anywhere, else the step sharing two or more words of four letters). The
whole-interview figure is ``bench.interview_accuracy``'s once the engine calls the
resolver; this one isolates the reading.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.interview_accuracy import DATA, SETS
from bench.scripted_interviews import ScriptedInterview, load
from bot.conversation.vocabulary import Channel
from bot.understanding import resolve_step_reference

Resolver = Callable[[str, Sequence[str], Sequence[Channel]], "int | None"]


@dataclass
class Score:
    right: int = 0
    total: int = 0
    sure: int = 0
    sure_right: int = 0

    def line(self, name: str) -> str:
        share = self.right / self.total if self.total else 0.0
        sure = f", sure {self.sure} ({self.sure_right} right)" if self.sure else ""
        return f"  {name:<34}{share:7.1%} {self.right}/{self.total}{sure}"


def ours(text: str, steps: Sequence[str], channels: Sequence[Channel]) -> int | None:
    return resolve_step_reference(text, steps, channels=channels).step


def ours_words_only(text: str, steps: Sequence[str], channels: Sequence[Channel]) -> int | None:
    return resolve_step_reference(text, steps).step


_OLD_REFERENCE = re.compile(r"(?:\bstep|#|\bno\.?)\s*(\d{1,2})\b")
_OLD_LEADING = re.compile(r"^(\d{1,2})\b")
_OLD_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
                 "seventh": 7, "eighth": 8, "last": -1}  # fmt: skip


def baseline(text: str, steps: Sequence[str], channels: Sequence[Channel]) -> int | None:
    """The engine's rule before issue 15 (bot/conversation/answering.py at 5c7ee51)."""
    lowered = text.lower().strip()
    match = _OLD_REFERENCE.search(lowered) or _OLD_LEADING.match(lowered)
    if match is not None:
        number = int(match.group(1))
        return number if 1 <= number <= len(steps) else None
    for word, number in _OLD_ORDINALS.items():
        if re.search(rf"\b{word}\b", lowered):
            resolved = len(steps) if number == -1 else number
            return resolved if 1 <= resolved <= len(steps) else None
    words = {w for w in re.findall(r"[a-z0-9']+", lowered) if len(w) > 3}
    best, best_overlap = None, 0
    for index, step in enumerate(steps, start=1):
        overlap = len(words & {w for w in re.findall(r"[a-z0-9']+", step.lower()) if len(w) > 3})
        if overlap > best_overlap:
            best, best_overlap = index, overlap
    return best if best_overlap >= 2 else None


def evaluate(interviews: Sequence[ScriptedInterview], *, show_errors: bool) -> list[str]:
    resolvers: dict[str, Resolver] = {
        "resolve_step_reference": ours,
        "  without stored channels": ours_words_only,
        "baseline (the engine's old rule)": baseline,
    }
    scores = {name: Score() for name in resolvers}
    misses: list[str] = []
    for interview in interviews:
        steps = [step.answers.step for step in interview.steps]
        channels = [Channel(step.labels.channel) for step in interview.steps]
        label = interview.moment_of_truth.step
        answer = interview.moment_of_truth.answer
        for name, resolve in resolvers.items():
            got = resolve(answer, steps, channels)
            score = scores[name]
            score.total += 1
            score.right += got == label
        reading = resolve_step_reference(answer, steps, channels=channels)
        main = scores["resolve_step_reference"]
        if reading.sure:
            main.sure += 1
            main.sure_right += reading.step == label
        if reading.step != label:
            misses.append(
                f"  {interview.id}: got {reading.step} ({reading.why}, "
                f"{'sure' if reading.sure else 'probable'}), label {label}: {answer[:100]}"
            )
    lines = [score.line(name) for name, score in scores.items()]
    if show_errors:
        lines += ["misses:", *misses]
    return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.moment_of_truth", description=__doc__)
    parser.add_argument("--set", choices=sorted(SETS), action="append", dest="sets")
    parser.add_argument("--show-errors", action="store_true")
    args = parser.parse_args(argv)
    for name in args.sets or sorted(SETS):
        interviews = [i for file in SETS[name] for i in load(Path(DATA) / file)]
        print(f"set {name.upper()}: {len(interviews)} interviews")
        print("\n".join(evaluate(interviews, show_errors=args.show_errors)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
