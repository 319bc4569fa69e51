"""Who and what was involved at a step: normalised roles and things.

Roles are the company-side or helper roles a journey map shows ("agent", "manager",
"courier", "bot", "partner"); things are the systems, documents and devices
("app", "receipt", "order number", "router"). Both come back lower-case,
deduplicated, in order of first mention. The names and their cues are data:
lexicons/people_tools.yaml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.understanding.cue_matching import Hit
from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import PeopleToolsLexicon

# (name, cue alternation) in file order: at one position the earlier entry wins.
_Table = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class _Tables:
    """lexicons/people_tools.yaml, each table with the one pattern that scans for it."""

    people: _Table
    people_re: re.Pattern[str]
    tools: _Table
    tools_re: re.Pattern[str]


@cache
def _tables() -> _Tables:
    """Read people_tools.yaml (once per process) and compile both tables."""
    lexicon = load_lexicon("people_tools", PeopleToolsLexicon)
    people = tuple((name, "|".join(cues)) for name, cues in lexicon.people.items())
    tools = tuple((name, "|".join(cues)) for name, cues in lexicon.tools.items())
    return _Tables(people=people, people_re=_compile(people), tools=tools, tools_re=_compile(tools))


def _compile(table: _Table) -> re.Pattern[str]:
    # One alternation with the word-boundary test hoisted in front: a single scan that
    # fails fast inside words. At one start position the earlier table entry wins.
    body = "|".join(f"(?P<g{i}>{pattern})" for i, (_, pattern) in enumerate(table))
    return re.compile(r"(?<![\w'-])(?:" + body + r")(?![\w-])")


# Words that are people or tools in other senses: "the site of", "a reference to"...
_EXCLUDE_RE = re.compile(
    r"\b(?:sent|send|wrote|write|replied to|email(?:ed)?) (?:an?|another|their|the) e-?mail\b|"
    r"\bin reference to\b|\bwith reference to\b"
)


def _names(norm: str, table: _Table, pattern: re.Pattern[str]) -> tuple[str, ...]:
    hits = [
        Hit(m.start(), m.end(), table[int(m.lastgroup[1:])][0])
        for m in pattern.finditer(norm)
        if m.lastgroup is not None
    ]
    masked = [(m.start(), m.end()) for m in _EXCLUDE_RE.finditer(norm)]
    names: list[str] = []
    for hit in hits:
        if hit.value == "email" and any(s <= hit.start < e for s, e in masked):
            continue  # "sent an email" is the channel, not a document
        if hit.value not in names:
            names.append(hit.value)
    return tuple(names)


def people_tools_from_normalized(norm: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, tools) of already-normalised text; see :func:`parse_people_tools`."""
    if not norm:
        return (), ()
    tables = _tables()
    return _names(norm, tables.people, tables.people_re), _names(
        norm, tables.tools, tables.tools_re
    )
