"""Guides load, validate with errors naming file and field, and customise without code."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.conversation.guide import GuideError, load_guide, load_guide_text, resolved_guide_yaml


def test_default_guide_loads_with_version() -> None:
    guide = load_guide()
    assert guide.id == "support_journey"
    assert guide.version
    assert guide.step_cap >= 3
    assert "{company}" not in guide.say("consent")


def test_custom_guide_extends_the_default(tmp_path: Path) -> None:
    custom = tmp_path / "acme.yaml"
    custom.write_text(
        "extends: support_journey\n"
        "id: acme_support\n"
        "version: '2.1'\n"
        "company: Acme Broadband\n"
        "step_cap: 4\n"
        "texts:\n"
        "  problem: What went wrong with your Acme connection?\n"
        "extra_questions:\n"
        "  - id: router_model\n"
        "    text: Which router do you have?\n"
        "extra_pains:\n"
        "  - key: router_reset\n"
        "    label: Had to reset the router\n"
        "    keywords: [reset the router, turned it off and on]\n",
        encoding="utf-8",
    )
    guide = load_guide(custom)
    assert guide.company == "Acme Broadband"
    assert guide.step_cap == 4
    assert guide.say("problem") == "What went wrong with your Acme connection?"
    assert "Acme Broadband" in guide.say("consent")  # untouched texts come from the base
    assert guide.extra_questions[0].id == "router_model"
    assert guide.extra_pain_keywords() == {
        "router_reset": ("reset the router", "turned it off and on")
    }


def test_resolved_yaml_round_trips() -> None:
    guide = load_guide()
    assert load_guide_text(resolved_guide_yaml(guide)) == guide


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("step_cap: 0", "step_cap"),
        ("texts:\n  channel: 'Which {channel}?'", "texts.channel"),
        ("texts:\n  problem: '   '", "texts.problem"),
        ("extra_questions:\n  - id: Bad Id\n    text: hi", "extra_questions.0.id"),
        ("extra_questions:\n  - id: pain\n    text: hi", "extra_questions.0.id"),
        ("extra_pains:\n  - key: long_wait\n    label: x\n    keywords: [x]", "extra_pains.0.key"),
        ("colour: blue", "colour"),
    ],
)
def test_invalid_guides_name_the_file_and_field(tmp_path: Path, body: str, field: str) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text(f"extends: support_journey\n{body}\n", encoding="utf-8")
    with pytest.raises(GuideError) as caught:
        load_guide(path)
    message = str(caught.value)
    assert str(path) in message
    assert field in message


def test_missing_and_unparseable_files(tmp_path: Path) -> None:
    with pytest.raises(GuideError, match="file not found"):
        load_guide(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [unclosed\n", encoding="utf-8")
    with pytest.raises(GuideError, match="not valid YAML"):
        load_guide(bad)
    with pytest.raises(GuideError, match="no built-in guide"):
        load_guide("no_such_guide")


def test_circular_extends_is_reported(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text("extends: b.yaml\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\n", encoding="utf-8")
    with pytest.raises(GuideError, match="circular"):
        load_guide(tmp_path / "a.yaml")
