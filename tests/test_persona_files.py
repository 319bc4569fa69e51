"""The demo persona files: every file loads, bad files say which file and persona."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from journeyline.demo import personas
from journeyline.demo.persona_files import PersonaFileError, read_collections, read_persona_file

FOLDER = Path(personas.__file__).parent / "personas"


def test_every_persona_file_is_used_and_loads() -> None:
    used = {stem for stems in personas._FILES.values() for stem in stems}
    assert {path.stem for path in FOLDER.glob("*.yaml")} == used
    for path in FOLDER.glob("*.yaml"):
        assert read_persona_file(path), f"{path.name} has no personas"
    assert [p.name for p in personas.PERSONAS[:1]] == ["amira-bank-card-blocked"]
    assert personas.persona_by_name("quinn-declines").declines_consent


def _broken_copy(tmp_path: Path, old: str, new: str) -> Path:
    text = (FOLDER / "consumers.yaml").read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "consumers.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (
            "      channel: chatbot\n      feeling: 2\n",
            "      channel: chatbot\n      feeling: 6\n",
            "amira-bank-card-blocked.steps[0].feeling: Input should be less than or equal to 5",
        ),
        (
            "      channel: chatbot\n",
            "      channel: carrier pigeon\n",
            "amira-bank-card-blocked.steps[0].channel: Input should be 'phone', 'email'",
        ),
        (
            "  resolved: 'yes'\n",
            "  resolved: yes\n",
            "amira-bank-card-blocked.resolved: Input should be 'yes', 'partly' or 'no' (got True)",
        ),
        (
            "      feeling_answer: annoyed\n",
            "      feeling_anwser: annoyed\n",
            "dave-card-double-charge.steps[0].feeling_anwser: Extra inputs are not permitted",
        ),
        (
            "  mistaken_answer: '2'\n",
            "",
            "dave-card-double-charge: back_after_slot needs a mistaken_answer",
        ),
        (
            "  style: terse\n",
            "  style: terse\n  style: chatty\n",
            "'style' appears twice",
        ),
    ],
)
def test_a_malformed_persona_file_names_the_file_and_the_persona(
    tmp_path: Path, old: str, new: str, expected: str
) -> None:
    path = _broken_copy(tmp_path, old, new)
    with pytest.raises(PersonaFileError) as caught:
        read_persona_file(path)
    message = str(caught.value)
    assert message.startswith(f"invalid persona file {path}:")
    assert expected in message


def test_a_name_used_in_two_files_is_an_error(tmp_path: Path) -> None:
    for stem in ("consumers", "declining"):
        (tmp_path / f"{stem}.yaml").write_text(
            (FOLDER / f"{stem}.yaml").read_text(encoding="utf-8"), encoding="utf-8"
        )
    files = {"PERSONAS": ("consumers",), "DECLINING_PERSONAS": ("declining", "consumers")}
    with pytest.raises(PersonaFileError, match="amira-bank-card-blocked: already defined in"):
        read_collections(tmp_path, files)


def test_importing_the_persona_types_reads_no_persona_file() -> None:
    code = (
        "import journeyline.cli.main, journeyline.demo.simulator, journeyline.demo.personas as p; "
        "assert p._collections.cache_info().currsize == 0; "
        "assert len(p.PERSONAS) == 38; "
        "assert p._collections.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
