"""Scripted whole interviews: what a simulated customer answers to each question the bot
asks, and the truth about each step, for the accuracy and journey-map benchmarks.

One interview per JSON line (``bench/data/interviews_*.jsonl``). The customer answers
the question the bot asks with the matching answer of the current step (``answers``);
a question the bot skips (it understood already) simply goes unused. After the last
step the customer either clicks "That was the last step" or types ``ending``. The
labels are the truth the stored facts are compared with. See ``bench/data/README.md``.

    python -m bench.scripted_interviews FILE.jsonl [FILE ...]   # validate, count
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

Channel = Literal[
    "phone", "email", "live_chat", "chatbot", "help_center", "mobile_app", "website",
    "social_media", "in_person", "sms", "community_forum", "other", "none",
]  # fmt: skip
PainKey = Literal[
    "long_wait", "repeat_explanation", "transferred", "no_follow_up", "unclear_info",
    "forced_channel_switch", "unresolved", "unempathetic_agent",
]  # fmt: skip
Stage = Literal[
    "notice", "self_serve", "reach_out", "wait", "explain", "handoff", "resolve",
    "follow_up", "after",
]  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class StepAnswers(_Strict):
    """What the customer says when asked each question about this step."""

    step: str = Field(min_length=1)  # "What did you do first?" / "What happened next?"
    channel: str = Field(min_length=1)
    feeling: str = Field(min_length=1)
    thinking: str = Field(min_length=1)
    duration: str = Field(min_length=1)
    people_tools: str = Field(min_length=1)
    pain: str = Field(min_length=1)


class StepLabels(_Strict):
    channel: Channel
    feeling: int | None = Field(ge=1, le=5)
    duration_minutes: int | None = Field(ge=0)
    pains: list[PainKey]
    people: list[str]
    tools: list[str]
    stage: Stage
    # The step goes on with the same contact as the one before (same call, same chat).
    continuation: bool = False


class ScriptedStep(_Strict):
    answers: StepAnswers
    labels: StepLabels


class LabelledAnswer(_Strict):
    answer: str = Field(min_length=1)


class MomentOfTruth(LabelledAnswer):
    step: int | None = Field(ge=1)  # None: the customer names no step


class Resolved(LabelledAnswer):
    label: Literal["yes", "partly", "no"]


class Effort(LabelledAnswer):
    label: int | None = Field(ge=1, le=7)


class ScriptedInterview(_Strict):
    id: str = Field(min_length=1)
    domain: str = Field(min_length=1)
    style: Literal["plain", "terse", "chatty", "sarcastic", "non_native", "emoji"]
    company: str = Field(min_length=1)
    problem: str = Field(min_length=1)
    steps: list[ScriptedStep] = Field(min_length=1, max_length=8)
    ending: str = Field(min_length=1)  # how the customer types "that was the last step"
    moment_of_truth: MomentOfTruth
    resolved: Resolved
    effort: Effort
    improvement: str = Field(min_length=1)
    anything_else: str = Field(min_length=1)

    @model_validator(mode="after")
    def _moment_in_range(self) -> ScriptedInterview:
        step = self.moment_of_truth.step
        if step is not None and step > len(self.steps):
            raise ValueError(f"moment_of_truth.step {step} but only {len(self.steps)} steps")
        return self


def load(path: Path) -> list[ScriptedInterview]:
    """Every interview of ``path``; a bad line raises ``ValueError`` naming it."""
    interviews = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            interviews.append(ScriptedInterview.model_validate(json.loads(line)))
        except (json.JSONDecodeError, ValidationError) as error:
            raise ValueError(f"{path}:{number}: {error}") from error
    ids = [interview.id for interview in interviews]
    repeated = sorted({i for i in ids if ids.count(i) > 1})
    if repeated:
        raise ValueError(f"{path}: repeated ids {repeated}")
    return interviews


def main() -> None:
    parser = argparse.ArgumentParser(description="Validate scripted interview files.")
    parser.add_argument("files", nargs="+", type=Path)
    for path in parser.parse_args().files:
        interviews = load(path)
        steps = sum(len(i.steps) for i in interviews)
        styles = sorted({i.style for i in interviews})
        domains = sorted({i.domain for i in interviews})
        print(f"{path}: {len(interviews)} interviews, {steps} steps")
        print(f"  styles {styles}\n  domains {domains}")


if __name__ == "__main__":
    main()
