"""Steps placed in the guide's stage frame: words, facts and journey order, decoded per journey.

Free clustering of step stories groups them by channel and topic words, not by what the
customer was going through, and cannot name what it finds. A journey-mapping team sets
the stages first (``bot.conversation.map_frame``), so each step is scored against each
frame stage on four kinds of evidence:

- **cues**: the stage's words and phrases found in the step ("on hold", "transferred");
- **likeness**: TF-IDF cosine between the step and the stage's description, examples
  and cues (catches wordings no cue lists);
- **facts**: the step's stored channel, pains, feeling and length that point to the
  stage (a step tagged ``transferred`` is probably being passed on; one that felt good is
  more often the fix than the queue before it; one that lasted days is mostly waiting);
- **position**: how far the step's place in its journey is from where the stage usually
  falls.

The per-step scores are then decoded along each journey (Viterbi): journeys mostly move
forward through the frame and may skip stages; a stage that repeats (wait, explain, wait
again) may hold several steps in a row and come back freely, and any other stage may
come back at a small cost (chased, then resolved; waited, then called again). That is
what lets "called again" after a wait be read as reaching out once more, and what gives
the map its loops.

Steps with no word evidence for any stage are the candidates for an **emerging stage**
(``synthesis.emerging_stages``). Everything is deterministic: the same steps and frame
give the same stages.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sklearn.feature_extraction.text import TfidfVectorizer  # type: ignore[import-untyped]

from bot.conversation.map_frame import FrameStage, MapFrame
from synthesis.observations import StepObservation
from synthesis.text_cleaning import clean_for_matching

# Weights of the four kinds of evidence (log-odds-like units). Words weigh most, and of
# them the likeness to the stage's whole wording (a cosine, mostly 0 to 0.4) more than
# single cue hits; the position prior only separates steps the words leave undecided.
# Chosen by leave-one-set-out on the five labelled sets (bench/stage_frame.py): fitted on
# four, each held-out set gained 0.06-0.08 ARI over the earlier 2.2 / 4.5.
CUE_WEIGHT = 1.2
LIKENESS_WEIGHT = 12.0
FACT_WEIGHT = 0.9
# A feeling is weaker evidence than a channel or a pain: a refusal is a resolution too,
# and a kind agent can make explaining feel good.
FEELING_WEIGHT = 0.6
POSITION_WEIGHT = 1.0
# How far (in journey position, 0..1) a step may sit from its stage's usual place before
# the position evidence costs about as much as one cue.
POSITION_SPREAD = 0.28
# Distinct cues beyond this add nothing (a long story mentions everything once).
MAX_CUES = 3
# Journey moves: staying in a stage that repeats is free, skipping stages costs a little
# per stage skipped, and staying in a stage that does not repeat costs most (two steps in
# a row are seldom both "reaching out"). Going back is cheap: real journeys loop (chased,
# then resolved; resolved, then waiting for the refund to land; waited, then called
# again), so the words decide, and journey order only settles close calls.
STAY_OTHER = -0.8
SKIP_COST = 0.06
BACK_TO_REPEATING = -0.2
BACK_OTHER = -0.3
# A step whose best word evidence (cues + likeness) is below this fits no stage well.
FIT_FLOOR = 0.8


@dataclass(frozen=True)
class FramePlacement:
    """Each step's frame stage (``labels[i]`` indexes ``frame.stages``), the evidence
    score it got there, and how well its words fit its best stage."""

    frame: MapFrame
    labels: NDArray[np.int64]
    scores: NDArray[np.float64]  # (steps, stages): the per-step evidence
    word_fit: NDArray[np.float64]  # (steps,): best cue + likeness evidence

    def low_fit(self) -> NDArray[np.bool_]:
        """Steps whose words fit no stage well (emerging-stage candidates)."""
        return self.word_fit < FIT_FLOOR


# A language model's placement of a step (when one is configured) counts as much as
# strong word evidence: it decides close calls, but journey order still applies.
MODEL_WEIGHT = 3.0


def place_in_frame(
    observations: Sequence[StepObservation],
    frame: MapFrame,
    advice: Mapping[int, str] | None = None,
) -> FramePlacement:
    """Score every step against every frame stage and decode each journey in order.

    ``advice`` maps a step's index to the frame stage id a language model placed it in
    (``synthesis.analyst``); unknown ids are ignored."""
    cleaned = {doing: clean_for_matching(doing) for doing in {o.doing for o in observations}}
    texts = [cleaned[o.doing] for o in observations]
    cues = _cue_evidence(texts, frame.stages)
    likeness = _likeness(texts, frame.stages, english=frame.language.startswith("en"))
    facts = _fact_evidence(observations, frame.stages)
    positions = np.array([o.position for o in observations], dtype=np.float64)
    stage_positions = np.array([s.position for s in frame.stages], dtype=np.float64)
    position = -((positions[:, None] - stage_positions[None, :]) ** 2) / (2 * POSITION_SPREAD**2)
    words = CUE_WEIGHT * cues + LIKENESS_WEIGHT * likeness
    feelings = _feeling_evidence(observations, frame.stages)
    scores = words + FACT_WEIGHT * facts + FEELING_WEIGHT * feelings + POSITION_WEIGHT * position
    if advice:
        index = {stage.id: n for n, stage in enumerate(frame.stages)}
        for row, stage_id in advice.items():
            if stage_id in index and 0 <= row < len(observations):
                scores[row, index[stage_id]] += MODEL_WEIGHT
    transitions = _transitions(frame.stages)
    labels = np.zeros(len(observations), dtype=np.int64)
    for rows in _journeys(observations):
        labels[rows] = _decode(scores[rows], transitions)
    word_fit = words.max(axis=1) if len(observations) else np.zeros(0)
    return FramePlacement(frame=frame, labels=labels, scores=scores, word_fit=word_fit)


_WORD = re.compile(r"[\w']+")


class StageCues:
    """A stage's cues, matched on whole words: a one-word cue by set lookup, a one-word
    ``*`` cue by its prefixes, a phrase by a search in the step's space-joined words.
    (One regular expression per stage was 50 times slower on 10k journeys.)"""

    def __init__(self, cues: Sequence[str]) -> None:
        self.words: dict[str, int] = {}
        self.prefixes: dict[str, int] = {}
        self.phrases: list[tuple[str, int]] = []
        for number, cue in enumerate(cues):
            words = _WORD.findall(clean_for_matching(cue.rstrip("*")))
            if not words:
                continue
            starred = cue.strip().endswith("*")
            if len(words) == 1 and not starred:
                self.words.setdefault(words[0], number)
            elif len(words) == 1:
                self.prefixes.setdefault(words[0], number)
            else:
                # " on hold " must sit between word boundaries; "help page*" may go on.
                self.phrases.append((" " + " ".join(words) + ("" if starred else " "), number))
        self.prefix_lengths = sorted({len(p) for p in self.prefixes})

    def hits(self, words: Sequence[str], joined: str) -> set[int]:
        """The cues (their numbers) found in a step: its ``words`` and ``joined``, the
        words joined by single spaces with a space at each end."""
        found = {self.words[w] for w in words if w in self.words}
        for word in words:
            for length in self.prefix_lengths:
                if length > len(word):
                    break
                number = self.prefixes.get(word[:length])
                if number is not None:
                    found.add(number)
        found.update(number for phrase, number in self.phrases if phrase in joined)
        return found


def cue_hits(text: str, cues: Sequence[str]) -> int:
    """How many distinct ``cues`` ``text`` contains (for tests and tools)."""
    words = _WORD.findall(clean_for_matching(text))
    return len(StageCues(cues).hits(words, " " + " ".join(words) + " "))


def _cue_evidence(texts: Sequence[str], stages: Sequence[FrameStage]) -> NDArray[np.float64]:
    """log(1 + distinct cues found), per step and stage, capped at ``MAX_CUES`` cues;
    each distinct text scored once."""
    matchers = [StageCues(stage.cues) for stage in stages]
    evidence = np.zeros((len(texts), len(stages)), dtype=np.float64)
    scored: dict[str, NDArray[np.float64]] = {}
    for row, text in enumerate(texts):
        known = scored.get(text)
        if known is None:
            words = _WORD.findall(text)
            joined = " " + " ".join(words) + " "
            counts = [len(m.hits(words, joined)) for m in matchers]
            known = np.log1p(np.minimum(np.array(counts, dtype=np.float64), MAX_CUES))
            scored[text] = known
        evidence[row] = known
    return evidence


def _likeness(
    texts: Sequence[str], stages: Sequence[FrameStage], *, english: bool
) -> NDArray[np.float64]:
    """Cosine between each step and each stage's own words (TF-IDF fitted on both, so
    words every step uses weigh little; English function words left out for an English
    frame, as "the" and "my" say nothing about a stage)."""
    prototypes = [
        clean_for_matching(
            " ".join([stage.name, stage.description, *stage.examples, *stage.cues]).replace("*", "")
        )
        for stage in stages
    ]
    if not texts:
        return np.zeros((0, len(stages)))
    vectorizer = TfidfVectorizer(
        sublinear_tf=True,
        ngram_range=(1, 2),
        min_df=1,
        stop_words="english" if english else None,
    )
    try:
        matrix = vectorizer.fit_transform([*texts, *prototypes])
    except ValueError:  # no words at all
        return np.zeros((len(texts), len(stages)))
    steps, stage_rows = matrix[: len(texts)], matrix[len(texts) :]
    return np.asarray((steps @ stage_rows.T).todense(), dtype=np.float64)


def _fact_evidence(
    observations: Sequence[StepObservation], stages: Sequence[FrameStage]
) -> NDArray[np.float64]:
    """Per step and stage: 1 if the step's channel points there, plus 1 per pain, plus 1
    if the step took at least the stage's ``min_duration_minutes``."""
    evidence = np.zeros((len(observations), len(stages)), dtype=np.float64)
    for column, stage in enumerate(stages):
        channels, pains = set(stage.channels), set(stage.pains)
        longest = stage.min_duration_minutes
        if not channels and not pains and longest is None:
            continue
        for row, observation in enumerate(observations):
            hit = float(observation.channel in channels) if observation.channel else 0.0
            minutes = observation.duration_minutes
            long = float(longest is not None and minutes is not None and minutes >= longest)
            evidence[row, column] = hit + len(pains.intersection(observation.pains)) + long
    return evidence


def _feeling_evidence(
    observations: Sequence[StepObservation], stages: Sequence[FrameStage]
) -> NDArray[np.float64]:
    """Per step and stage: 1 if the step's feeling (1-5) is one the stage lists."""
    evidence = np.zeros((len(observations), len(stages)), dtype=np.float64)
    for column, stage in enumerate(stages):
        if stage.feelings:
            listed = set(stage.feelings)
            evidence[:, column] = [float(o.feeling in listed) for o in observations]
    return evidence


def _transitions(stages: Sequence[FrameStage]) -> NDArray[np.float64]:
    """``moves[i, j]``: the score of a step in stage ``j`` right after one in stage ``i``."""
    n = len(stages)
    moves = np.zeros((n, n), dtype=np.float64)
    for i in range(n):
        for j in range(n):
            if j == i:
                moves[i, j] = 0.0 if stages[j].may_repeat else STAY_OTHER
            elif j > i:
                moves[i, j] = -SKIP_COST * (j - i - 1)
            else:
                moves[i, j] = BACK_TO_REPEATING if stages[j].may_repeat else BACK_OTHER
    return moves


def _journeys(observations: Sequence[StepObservation]) -> list[list[int]]:
    """Row indices of each interview's steps, in step order."""
    rows: dict[str, list[int]] = {}
    for index, observation in enumerate(observations):
        rows.setdefault(observation.interview_id, []).append(index)
    return [sorted(r, key=lambda i: observations[i].ordinal) for r in rows.values()]


def _decode(scores: NDArray[np.float64], moves: NDArray[np.float64]) -> NDArray[np.int64]:
    """The best stage sequence for one journey (Viterbi; ties: the earlier stage)."""
    steps, n = scores.shape
    best = scores[0].copy()
    back = np.zeros((steps, n), dtype=np.int64)
    for t in range(1, steps):
        candidates = best[:, None] + moves  # (from, to)
        back[t] = np.argmax(candidates, axis=0)
        best = candidates[back[t], np.arange(n)] + scores[t]
    path = np.zeros(steps, dtype=np.int64)
    path[-1] = int(np.argmax(best))
    for t in range(steps - 1, 0, -1):
        path[t - 1] = back[t, path[t]]
    return path
