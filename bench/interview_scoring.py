"""Scoring one driven interview's stored facts against its labels (issue 15).

The unit is the *labelled* step: each is compared with the stored step made from it
(``DrivenInterview.label_of``). A labelled step the bot never stored (it ended the steps
early) counts as a miss for every fact, because the customer's words were lost; it is
also counted on its own. A stored step made from no labelled step (the typed ending
turned into a step) has no labels to be right about; it is counted, and its pains are
false positives.

- channel: exact. Feeling: polarity (1-2 / 3 / 4-5). Duration: within 25 % or 5
  minutes. A null label is right only when nothing was stored.
- first answer: right *and* the fact's question was asked at most once for that step.
- asked / guessed / shown: whether the bot asked the fact's question for that step, took
  the fact from other words (the step's story) without asking, or showed its reading
  back in a one-tap confirmation (right there only when shown right). A reading shown
  wrong and fixed by the customer is not right on the first answer.
- pains: micro precision, recall and F1 over (labelled step, pain) pairs, in the labels'
  taxonomy. The bot knows more pain keys than the labels can express (``bot_loop``,
  ``billing_error``, ...); those are counted apart, not as false positives.
- moment of truth: the stored step, mapped to its labelled step, equals the label (both
  none counts).
"""

from __future__ import annotations

import typing
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from bench.fact_checks import duration_close, polarity
from bench.interview_api import StoredInterview, StoredStep
from bench.interview_driver import DrivenInterview, step_answer
from bench.scripted_interviews import PainKey, ScriptedInterview, ScriptedStep
from bot.conversation.vocabulary import Slot

FACTS = ("channel", "feeling", "duration")
FACT_SLOTS: dict[str, Slot] = {
    "channel": Slot.CHANNEL,
    "feeling": Slot.FEELING,
    "duration": Slot.DURATION,
}
LABELLED_PAINS = frozenset(typing.get_args(PainKey))
# An answer quoted in an error line is cut to this many characters.
QUOTE = 160


@dataclass
class Rate:
    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hits += int(hit)

    @property
    def share(self) -> float | None:
        return self.hits / self.total if self.total else None


@dataclass
class FactScore:
    stored: Rate = field(default_factory=Rate)
    first_answer: Rate = field(default_factory=Rate)
    asked: Rate = field(default_factory=Rate)
    guessed: Rate = field(default_factory=Rate)
    # Shown back in a one-tap confirmation (right when shown right).
    shown: Rate = field(default_factory=Rate)


@dataclass
class PainScore:
    true_positives: int = 0
    false_positives: int = 0
    false_negatives: int = 0
    unlabelled_keys: int = 0  # stored pains outside the labels' taxonomy (not scored)

    @property
    def precision(self) -> float | None:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else None

    @property
    def recall(self) -> float | None:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else None

    @property
    def f1(self) -> float | None:
        wanted = 2 * self.true_positives + self.false_positives + self.false_negatives
        return 2 * self.true_positives / wanted if wanted else None


@dataclass(frozen=True)
class Miss:
    """One wrong stored value, with the words it came from, for ``--show-errors``."""

    kind: str
    interview: str
    ending: str
    step: str  # "step i/n", or "" for the interview as a whole
    stored: str
    label: str
    answer: str


@dataclass(frozen=True)
class _Where:
    interview: str
    ending: str
    step: str = ""

    def miss(self, kind: str, stored: str, label: str, answer: str) -> Miss:
        return Miss(kind, self.interview, self.ending, self.step, stored, label, _quote(answer))


@dataclass
class Scores:
    """Figures summed over the interviews of a run (or of one way of ending)."""

    interviews: int = 0
    labelled_steps: int = 0
    stored_steps: int = 0
    facts: dict[str, FactScore] = field(default_factory=lambda: {f: FactScore() for f in FACTS})
    pains: PainScore = field(default_factory=PainScore)
    moment_of_truth: Rate = field(default_factory=Rate)
    resolved: Rate = field(default_factory=Rate)
    exact_step_count: Rate = field(default_factory=Rate)
    steps_not_stored: int = 0
    steps_from_no_label: int = 0
    messages: list[int] = field(default_factory=list)
    questions: list[int] = field(default_factory=list)
    asked_twice: int = 0
    stuck: int = 0
    provenance: Counter[str] = field(default_factory=Counter)
    provenance_stored: bool = False
    misses: list[Miss] = field(default_factory=list)


def channel_right(stored: StoredStep, labels: ScriptedStep) -> bool:
    return stored.channel == labels.labels.channel


def feeling_right(stored: StoredStep, labels: ScriptedStep) -> bool:
    label = labels.labels.feeling
    if label is None:
        return stored.feeling is None
    return polarity(stored.feeling) == polarity(label)


def duration_right(stored: StoredStep, labels: ScriptedStep) -> bool:
    label = labels.labels.duration_minutes
    if label is None:
        return stored.duration_minutes is None
    if stored.duration_minutes is None:
        return False
    return duration_close(stored.duration_minutes, label)


CHECKS: dict[str, Callable[[StoredStep, ScriptedStep], bool]] = {
    "channel": channel_right,
    "feeling": feeling_right,
    "duration": duration_right,
}


def score_interview(
    scores: Scores, scripted: ScriptedInterview, driven: DrivenInterview, stored: StoredInterview
) -> None:
    """Add one driven interview's figures to ``scores``."""
    scores.interviews += 1
    scores.labelled_steps += len(scripted.steps)
    scores.stored_steps += len(stored.steps)
    scores.messages.append(driven.messages_sent)
    scores.questions.append(driven.distinct_questions)
    scores.asked_twice += driven.asked_twice
    if driven.stuck is not None:
        scores.stuck += 1
        where = _Where(scripted.id, driven.ending)
        scores.misses.append(where.miss("stuck", driven.stuck, "finished", ""))
    aligned = _aligned(stored, driven)
    for index, labelled in enumerate(scripted.steps):
        step = aligned.get(index)
        where = _Where(scripted.id, driven.ending, f"step {index + 1}/{len(scripted.steps)}")
        if step is None:
            _score_lost_step(scores, labelled, where)
        else:
            _score_facts(scores, labelled, step, driven, where)
        _score_pains(scores, labelled, step, driven, where)
    _score_unlabelled_steps(scores, stored, driven)
    _score_step_count(scores, scripted, driven, stored)
    _score_moment(scores, scripted, driven, stored)
    _score_resolved(scores, scripted, driven, stored)
    _count_provenance(scores, stored)


def _aligned(stored: StoredInterview, driven: DrivenInterview) -> dict[int, StoredStep]:
    """Labelled step index -> the stored step made from it."""
    aligned: dict[int, StoredStep] = {}
    for step in stored.steps:
        index = driven.label_of(step.ordinal)
        if index is not None:
            aligned.setdefault(index, step)
    return aligned


def _score_lost_step(scores: Scores, labelled: ScriptedStep, where: _Where) -> None:
    scores.steps_not_stored += 1
    for fact in FACTS:
        scores.facts[fact].stored.add(False)
        scores.facts[fact].first_answer.add(False)
    scores.misses.append(where.miss("step not stored", "-", "a step", labelled.answers.step))


def _score_facts(
    scores: Scores,
    labelled: ScriptedStep,
    step: StoredStep,
    driven: DrivenInterview,
    where: _Where,
) -> None:
    for fact in FACTS:
        slot = FACT_SLOTS[fact]
        right = CHECKS[fact](step, labelled)
        times = driven.times_asked(slot, step.ordinal)
        # A reading shown back wrong had to be fixed by the customer: not a first answer.
        fixed = (step.ordinal, fact) in driven.shown_wrong
        score = scores.facts[fact]
        score.stored.add(right)
        score.first_answer.add(right and times <= 1 and not fixed)
        if (step.ordinal, fact) in driven.shown:
            score.shown.add(right and not fixed)
        else:
            (score.asked if times else score.guessed).add(right)
        if not right or times > 1 or fixed:
            scores.misses.append(_fact_miss(fact, labelled, step, times, where, fixed=fixed))


def _fact_miss(
    fact: str,
    labelled: ScriptedStep,
    step: StoredStep,
    times: int,
    where: _Where,
    *,
    fixed: bool = False,
) -> Miss:
    stored, label = _fact_values(fact, labelled, step)
    if fixed:
        how = "shown wrong, fixed"
        answer = labelled.answers.step
    elif times:
        how = f"asked {times}x"
        answer = step_answer(labelled.answers, FACT_SLOTS[fact])
    else:
        how = "guessed"
        answer = labelled.answers.step
    return where.miss(fact, f"{stored} ({how})", label, answer)


def _fact_values(fact: str, labelled: ScriptedStep, step: StoredStep) -> tuple[str, str]:
    labels = labelled.labels
    if fact == "channel":
        return f"{step.channel} from {step.channel_text!r}", labels.channel
    if fact == "feeling":
        return str(step.feeling), str(labels.feeling)
    return f"{step.duration_minutes} min from {step.duration_text!r}", str(labels.duration_minutes)


def _score_pains(
    scores: Scores,
    labelled: ScriptedStep,
    step: StoredStep | None,
    driven: DrivenInterview,
    where: _Where,
) -> None:
    wanted = set(labelled.labels.pains)
    found = set() if step is None else set(step.pains) & LABELLED_PAINS
    pains = scores.pains
    pains.true_positives += len(wanted & found)
    pains.false_positives += len(found - wanted)
    pains.false_negatives += len(wanted - found)
    if step is not None:
        pains.unlabelled_keys += len(set(step.pains) - LABELLED_PAINS)
    if wanted != found and step is not None:
        asked = "asked" if driven.times_asked(Slot.PAIN, step.ordinal) else "not asked"
        stored = f"{', '.join(sorted(step.pains)) or 'none'} (pain question {asked})"
        label = ", ".join(sorted(wanted)) or "none"
        answer = f"pain answer: {labelled.answers.pain} | step: {labelled.answers.step}"
        scores.misses.append(where.miss("pains", stored, label, answer))


def _score_unlabelled_steps(
    scores: Scores, stored: StoredInterview, driven: DrivenInterview
) -> None:
    for step in stored.steps:
        if driven.label_of(step.ordinal) is None:
            scores.steps_from_no_label += 1
            found = set(step.pains) & LABELLED_PAINS
            scores.pains.false_positives += len(found)
            scores.pains.unlabelled_keys += len(set(step.pains) - LABELLED_PAINS)


def _score_step_count(
    scores: Scores, scripted: ScriptedInterview, driven: DrivenInterview, stored: StoredInterview
) -> None:
    exact = len(stored.steps) == len(scripted.steps)
    scores.exact_step_count.add(exact)
    if not exact:
        where = _Where(scripted.id, driven.ending)
        extra = [s.doing for s in stored.steps if driven.label_of(s.ordinal) is None]
        answer = f"ending: {scripted.ending}" + (f" | steps made of: {extra[0]}" if extra else "")
        stored_count, labelled_count = f"{len(stored.steps)} steps", f"{len(scripted.steps)} steps"
        scores.misses.append(where.miss("step count", stored_count, labelled_count, answer))


def _score_moment(
    scores: Scores, scripted: ScriptedInterview, driven: DrivenInterview, stored: StoredInterview
) -> None:
    label = scripted.moment_of_truth.step
    ordinal = stored.moment_of_truth_step
    index = None if ordinal is None else driven.label_of(ordinal)
    # A stored step made from no labelled step is never the right one.
    mapped: int | str | None = (
        None if ordinal is None else "no label" if index is None else index + 1
    )
    right = mapped == label
    scores.moment_of_truth.add(right)
    if not right:
        where = _Where(scripted.id, driven.ending)
        stored_text = "none" if ordinal is None else f"step {ordinal} (label step {mapped})"
        label_text = "none" if label is None else f"step {label}"
        answer = scripted.moment_of_truth.answer
        scores.misses.append(where.miss("moment of truth", stored_text, label_text, answer))


def _score_resolved(
    scores: Scores, scripted: ScriptedInterview, driven: DrivenInterview, stored: StoredInterview
) -> None:
    right = stored.resolved == scripted.resolved.label
    scores.resolved.add(right)
    if not right:
        where = _Where(scripted.id, driven.ending)
        label, answer = scripted.resolved.label, scripted.resolved.answer
        scores.misses.append(where.miss("resolved", str(stored.resolved), label, answer))


def _count_provenance(scores: Scores, stored: StoredInterview) -> None:
    for step in stored.steps:
        if step.provenance is not None:
            scores.provenance_stored = True
            scores.provenance.update(step.provenance)


def _quote(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= QUOTE else flat[: QUOTE - 1] + "…"
