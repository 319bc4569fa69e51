"""What each lexicon file must look like: one pydantic model per YAML file.

Every parser matches against the output of :func:`bot.understanding.normalize`, which is
lower case with single spaces. A phrase in another shape could never match, so the
models reject it instead of letting it sit there unused.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from bot.conversation.vocabulary import Channel, Pain

_WORD_RE = re.compile(r"[\w']+")


def _phrase(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    if value != value.lower():
        raise ValueError("must be lower case (answers are lower-cased before matching)")
    if value != " ".join(value.split()):
        raise ValueError("must use single spaces, none at either end (answers are normalised)")
    return value


def _word(value: str) -> str:
    if not _WORD_RE.fullmatch(value):
        raise ValueError("must be one word (letters, digits, apostrophes)")
    return _phrase(value)


def _cue(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    try:
        compiled = re.compile(value)
    except re.error as error:
        raise ValueError(f"is not a valid regular expression: {error}") from None
    if compiled.groups:
        # The parsers tell cues apart by their own named groups.
        raise ValueError("must not capture: write (?:...) instead of (...)")
    return value


Phrase = Annotated[str, AfterValidator(_phrase)]
"""A literal phrase, matched as whole words: lower case, single spaces."""
Word = Annotated[str, AfterValidator(_word)]
"""A single word, compared with the words around a hit."""
Cue = Annotated[str, AfterValidator(_cue)]
"""One alternative of a regular expression (Python ``re``), matched on normalised text."""
Score = Annotated[int, Field(strict=True, ge=1, le=5)]
"""A feeling from 1 (very negative) to 5 (very positive)."""


def _duplicates(values: Iterable[str]) -> list[str]:
    return sorted(value for value, count in Counter(values).items() if count > 1)


def _listed_once(named_lists: Iterable[tuple[str, Iterable[str]]]) -> None:
    where: dict[str, list[str]] = {}
    for name, values in named_lists:
        for value in values:
            where.setdefault(value, []).append(name)
    twice = [f"{value!r} ({', '.join(names)})" for value, names in where.items() if len(names) > 1]
    if twice:
        raise ValueError("listed more than once: " + "; ".join(twice))


class _Lexicon(BaseModel):
    # defer_build: the schema is built on first validation, not when this module is
    # imported (the CLI imports it on every start).
    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


class FeelingsLexicon(_Lexicon):
    """``feelings.yaml``: feeling words and symbols, and the words that modify them."""

    scores: dict[Score, tuple[Phrase, ...]]
    shadows: tuple[Phrase, ...]
    context_neutral: tuple[Phrase, ...]
    intensifiers: tuple[Word, ...]
    softeners: tuple[Word, ...]
    neutral_before: tuple[Word, ...]
    neutral_after: tuple[Phrase, ...]
    emoji: dict[Annotated[str, Field(min_length=1)], Score]
    emoticons: dict[Phrase, Score]

    @model_validator(mode="after")
    def _each_phrase_once(self) -> FeelingsLexicon:
        # A phrase with two meanings would silently take the last one.
        _listed_once(
            [
                *((f"scores {score}", phrases) for score, phrases in self.scores.items()),
                ("shadows", self.shadows),
                ("context_neutral", self.context_neutral),
            ]
        )
        for name in ("intensifiers", "softeners", "neutral_before", "neutral_after"):
            _listed_once([(name, getattr(self, name))])
        return self


class NumbersLexicon(_Lexicon):
    """``numbers.yaml``: number words and vague quantities."""

    units: dict[Word, Annotated[int, Field(strict=True, ge=0, le=19)]]
    tens: dict[Word, Annotated[int, Field(strict=True, ge=20, le=90, multiple_of=10)]]
    vague_quantities: dict[Phrase, Annotated[int, Field(strict=True, ge=1)]]


class TyposLexicon(_Lexicon):
    """``typos.yaml``: frequent misspellings and the word each one means."""

    typos: dict[Phrase, Phrase]


class ChannelAnswersLexicon(_Lexicon):
    """``channel_answers.yaml``: short answers to "which channel?" beyond the labels."""

    answers: dict[Channel, tuple[Phrase, ...]]

    @model_validator(mode="after")
    def _each_answer_once(self) -> ChannelAnswersLexicon:
        _listed_once((channel.value, answers) for channel, answers in self.answers.items())
        return self


class PainCues(_Lexicon):
    """The cues of one pain, and whether a "not" before a cue cancels it."""

    negatable: Annotated[bool, Field(strict=True)]
    cues: tuple[Cue, ...] = Field(min_length=1)


class PainsLexicon(_Lexicon):
    """``pains.yaml``: the cues of each built-in pain, in the order the rules run."""

    pains: dict[Pain, PainCues]


class PeopleToolsLexicon(_Lexicon):
    """``people_tools.yaml``: roles and things, each with the cues that name it."""

    people: dict[Phrase, tuple[Cue, ...]]
    tools: dict[Phrase, tuple[Cue, ...]]

    @model_validator(mode="after")
    def _cues_given(self) -> PeopleToolsLexicon:
        empty = [name for name, cues in (*self.people.items(), *self.tools.items()) if not cues]
        if empty:
            raise ValueError(f"no cues for: {', '.join(empty)}")
        return self


class ScaleSynonymsLexicon(_Lexicon):
    """``scale_synonyms.yaml``: everyday synonyms of common scale anchor words."""

    synonyms: dict[Phrase, tuple[Phrase, ...]]

    @model_validator(mode="after")
    def _no_repeats(self) -> ScaleSynonymsLexicon:
        for anchor, synonyms in self.synonyms.items():
            repeated = _duplicates(synonyms)
            if repeated:
                raise ValueError(f"{anchor!r} lists {', '.join(map(repr, repeated))} twice")
        return self


class NotNamesLexicon(_Lexicon):
    """``not_names.yaml``: words that follow "I'm" or a sign-off without being a name."""

    words: tuple[Word, ...]

    @model_validator(mode="after")
    def _no_repeats(self) -> NotNamesLexicon:
        repeated = _duplicates(self.words)
        if repeated:
            raise ValueError(f"lists {', '.join(map(repr, repeated))} twice")
        return self


LEXICON_MODELS: dict[str, type[_Lexicon]] = {
    "feelings": FeelingsLexicon,
    "numbers": NumbersLexicon,
    "typos": TyposLexicon,
    "channel_answers": ChannelAnswersLexicon,
    "pains": PainsLexicon,
    "people_tools": PeopleToolsLexicon,
    "scale_synonyms": ScaleSynonymsLexicon,
    "not_names": NotNamesLexicon,
}
"""Every lexicon file in this folder (by name, without ``.yaml``) and its model."""
