"""The stage benchmark through `journeyline import` and `journeyline synthesize`."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench import stage_pipeline
from bench.scripted_interviews import load

DATA = Path(__file__).resolve().parent.parent / "bench" / "data"


def test_an_import_record_answers_every_question_of_every_step() -> None:
    [scripted] = load(DATA / "interviews_a1.jsonl")[:1]
    record = stage_pipeline.import_record(scripted)
    slots = [turn["slot"] for turn in record["turns"]]
    assert record["external_id"] == scripted.id
    assert slots[:2] == ["problem", "step"]
    assert slots.count("next_step") == len(scripted.steps) - 1
    assert slots.count("feeling") == len(scripted.steps)
    assert slots[-4:] == ["moment_of_truth", "resolved", "effort", "improvement"]
    answers = [turn["answer"] for turn in record["turns"]]
    assert scripted.steps[-1].answers.pain in answers


def test_position_bins_cut_each_journey_evenly() -> None:
    assert stage_pipeline.position_bins([1, 3, 4], 2) == [0, 0, 1, 1, 0, 0, 1, 1]


@pytest.mark.slow
def test_the_pipeline_scores_imported_and_synthesised_steps(tmp_path: Path) -> None:
    interviews = load(DATA / "interviews_a1.jsonl")[:6]
    lines = stage_pipeline.run(interviews)
    assert "6 stored with their labelled step count" in lines[0]
    frame = next(line for line in lines if line.startswith("frame"))
    ari = float(frame.split()[-4])
    assert -1.0 <= ari <= 1.0
    # The frame's stage ids are the labels' ids: some steps land in their labelled stage.
    assert float(frame.split()[-1].rstrip("%")) > 0
    assert any(line.startswith("position bins") for line in lines)
