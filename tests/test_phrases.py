"""Names made of customers' words: a short first clause, the point rather than the scene,
noise removed."""

from __future__ import annotations

import numpy as np
import pytest

from synthesis.phrases import representative_phrase, short_phrase


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        ("Why is this so slow?", "Why is this so slow"),
        ("Answer the phone faster, nobody wants to wait on hold.", "Answer the phone faster"),
        (
            "When you send meter reading, the bill must use it. Simple.",
            "When you send meter reading, the bill must use it",
        ),
        ("When I finally called, nobody picked up the phone.", "Nobody picked up the phone"),
        ("I was on hold for 50 minutes and then got cut off", "I was on hold for 50 minutes"),
        ("@AcmeHelp my refund never arrived!! 😡 https://t.co/x", "My refund never arrived"),
        (
            "Honestly the worst thing was that nobody ever called me back",
            "Honestly the worst thing was that nobody ever…",
        ),
    ],
)
def test_short_phrase(text: str, phrase: str) -> None:
    assert short_phrase(text) == phrase


def test_the_representative_text_is_the_one_nearest_the_centre() -> None:
    texts = ["Refund please", "Give me my money back", "Refund the money"]
    vectors = np.array([[1.0, 0.0], [0.0, 1.0], [0.8, 0.6]])
    assert representative_phrase(texts, vectors) == "Refund the money"
