"""The layers docs/architecture.md describes hold in the code, and the page stays true.

Each rule is about imports, read from the source with ``ast`` (nothing is imported to
check it), so a violation names the file and the module it reaches for.
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "architecture.md"
OUR_PACKAGES = ("bot", "storage", "synthesis", "campaigns", "journeyline", "fakes", "prompts")

# (the files, the imports they must not make, why)
RULES: list[tuple[str, tuple[str, ...], str]] = [
    (
        "bot/conversation",
        (
            "storage",
            "sqlalchemy",
            "bot.service",
            "bot.web",
            "bot.slack",
            "bot.llm",
            "journeyline",
            "synthesis",
            "fastapi",
            "slack_bolt",
            "slack_sdk",
            "httpx",
        ),
        "the interview's core is pure: no storage, network or channel",
    ),
    (
        "bot/understanding",
        (
            "storage",
            "sqlalchemy",
            "bot.service",
            "bot.web",
            "bot.slack",
            "bot.llm",
            "journeyline",
            "synthesis",
            "fastapi",
            "httpx",
        ),
        "reading free text is pure",
    ),
    ("bot/web", ("storage", "sqlalchemy"), "a channel adapter calls the service only"),
    ("bot/slack", ("storage", "sqlalchemy"), "a channel adapter calls the service only"),
    ("bot/terminal.py", ("storage", "sqlalchemy"), "a channel adapter calls the service only"),
    ("bot", ("journeyline",), "the composition root is above everything"),
    ("bot", ("campaigns",), "services schedule work; the scheduler above them runs it"),
    (
        "campaigns",
        ("journeyline", "bot.web", "synthesis", "fastapi"),
        "the scheduler runs below the composition root, apart from the web channel",
    ),
    ("storage", ("bot", "synthesis", "journeyline", "campaigns"), "storage is the bottom floor"),
    (
        "synthesis",
        ("bot.service", "bot.web", "bot.slack", "journeyline"),
        "synthesis reads storage, not the chat's service or channels",
    ),
    ("bench", ("tests",), "benchmarks use the fakes package, not the test suite"),
]


def _python_files(where: str) -> Iterator[Path]:
    path = ROOT / where
    if path.is_file():
        yield path
    else:
        yield from sorted(path.rglob("*.py"))


def _imports(path: Path) -> Iterator[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module
            yield from (f"{node.module}.{alias.name}" for alias in node.names)


def _reaches(name: str, forbidden: str) -> bool:
    return name == forbidden or name.startswith(forbidden + ".")


@pytest.mark.parametrize(("where", "forbidden", "why"), RULES, ids=[r[0] for r in RULES])
def test_layers_import_only_downwards(where: str, forbidden: tuple[str, ...], why: str) -> None:
    problems = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in _python_files(where)
        for name in _imports(path)
        if any(_reaches(name, banned) for banned in forbidden)
    ]
    assert problems == [], f"{why}:\n" + "\n".join(problems)


def _named_modules() -> set[str]:
    text = PAGE.read_text(encoding="utf-8")
    roots = "|".join(OUR_PACKAGES)
    return set(re.findall(rf"`((?:{roots})(?:\.\w+)*)`", text)) | set(
        re.findall(rf"\b((?:{roots})\.\w+(?:\.\w+)*)", text)
    )


def _exists(name: str) -> bool:
    """Whether ``name`` is a module, or a module's attribute (``module.function``)."""
    parts = name.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            spec = importlib.util.find_spec(module_name)
        except ModuleNotFoundError:
            spec = None
        if spec is None:
            continue
        value: object = importlib.import_module(module_name)
        for attribute in parts[cut:]:
            if not hasattr(value, attribute):
                return False
            value = getattr(value, attribute)
        return True
    return False


def test_the_architecture_page_names_modules_that_exist() -> None:
    named = _named_modules()
    assert len(named) > 30  # the page does name the modules of the three paths
    missing = sorted(name for name in named if not _exists(name))
    assert missing == [], f"docs/architecture.md names modules that do not exist: {missing}"
