"""The understanding lexicons: every YAML file loads and validates, bad files say why."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.understanding.lexicons import LexiconError, lexicon_path, load_lexicon, read_lexicon
from bot.understanding.lexicons.schema import LEXICON_MODELS, FeelingsLexicon, PainsLexicon


def test_every_lexicon_file_has_a_model() -> None:
    folder = lexicon_path("feelings").parent
    assert {path.stem for path in folder.glob("*.yaml")} == set(LEXICON_MODELS)


@pytest.mark.parametrize("name", sorted(LEXICON_MODELS))
def test_every_lexicon_loads_and_validates(name: str) -> None:
    lexicon = load_lexicon(name, LEXICON_MODELS[name])
    assert lexicon.model_dump(), f"{name}.yaml is empty"


def _broken_copy(tmp_path: Path, old: str, new: str, *, name: str = "feelings") -> Path:
    text = lexicon_path(name).read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / f"{name}.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("    - livid\n", "    - Livid\n", "scores[1][1]: Value error, must be lower case"),
        ("    - livid\n", "    - livid  now\n", "scores[1][1]: Value error, must use single"),
        (
            "  5:  # very positive",
            "  6:  # very positive",
            "scores[6] (the key): Input should be less than or equal to 5 (got 6)",
        ),
        ("    - livid\n", "    - annoyed\n", "'annoyed' (scores 1, scores 2)"),
        ('  "😡": 1\n', '  "😡": "1"\n', "emoji.😡: Input should be a valid integer"),
        ("  - really\n", "  - really really\n", "intensifiers[0]: Value error, must be one word"),
        ("emoticons:\n", "emoticon:\n", "emoticon: Extra inputs are not permitted"),
    ],
)
def test_a_malformed_lexicon_names_the_file_and_the_entry(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(LexiconError) as caught:
        read_lexicon(path, FeelingsLexicon)
    message = str(caught.value)
    assert message.startswith(f"invalid lexicon {path}:")
    assert expected in message


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      - an eternity\n",
            "      - an (?:eternity\n",
            "pains.long_wait.cues[2]: Value error, is not a valid regular expression: missing )",
        ),
        (
            "      - an eternity\n",
            "      - an (eternity)\n",
            "pains.long_wait.cues[2]: Value error, must not capture: write (?:...)",
        ),
        ("  long_wait:\n", "  long_waits:\n", "pains.long_waits (the key): Input should be"),
        ("    negatable: true\n", "    negatable: yes please\n", "negatable: Input should be"),
    ],
)
def test_a_malformed_cue_table_names_the_pain_and_the_cue(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken_copy(tmp_path, old, new, name="pains")
    with pytest.raises(LexiconError) as caught:
        read_lexicon(path, PainsLexicon)
    assert expected in str(caught.value)


def test_a_repeated_key_and_broken_yaml_are_errors_too(tmp_path: Path) -> None:
    repeated = _broken_copy(tmp_path, '  "😡": 1\n', '  "😡": 1\n  "😡": 2\n')
    with pytest.raises(LexiconError, match="'😡' appears twice"):
        read_lexicon(repeated, FeelingsLexicon)
    broken = tmp_path / "broken.yaml"
    broken.write_text("scores: [1, 2\n", encoding="utf-8")
    with pytest.raises(LexiconError, match="not valid YAML"):
        read_lexicon(broken, FeelingsLexicon)
    with pytest.raises(LexiconError, match="cannot read"):
        read_lexicon(tmp_path / "missing.yaml", FeelingsLexicon)


_READS_PER_PROCESS = """
import pathlib

reads = []
real_read_text = pathlib.Path.read_text


def spy(self, *args, **kwargs):
    if self.parent.name == "lexicons" and self.suffix == ".yaml":
        reads.append(self.stem)
    return real_read_text(self, *args, **kwargs)


pathlib.Path.read_text = spy

import journeyline.cli.main  # what `journeyline --help` imports
assert reads == [], reads

from bot.understanding import parse_channel, parse_scale, understand
from bot.understanding.lexicons.schema import LEXICON_MODELS
from bot.understanding.personal_data import redact

for _ in range(2):
    understand("rang them twice, 20 minutes on hold, furious, the agent was rude")
    parse_channel("faq")
    parse_scale("effortless", low=1, high=7, low_words=["very easy"], high_words=["hard"])
    redact("I'm Ana")
assert sorted(reads) == sorted(LEXICON_MODELS), reads
"""


def test_lexicons_are_read_on_first_use_and_once_per_process() -> None:
    # `journeyline --help` imports every parser: none may read its file at import.
    subprocess.run([sys.executable, "-c", _READS_PER_PROCESS], check=True)
