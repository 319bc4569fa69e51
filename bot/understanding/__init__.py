"""Offline answer understanding: what a customer's chat answer says, without an LLM.

Pure functions over a string. The grammar is code (regexes compiled at import); the word
lists and cue tables are data, the YAML files of :mod:`bot.understanding.lexicons`, read
and compiled once per process when the first answer is parsed (the only I/O, and a
broken file raises ``LexiconError`` then). Every parser accepts any ``str`` (empty,
huge, emoji-only, other scripts) and never raises on it; what it cannot read it reports
as ``None`` (or an empty tuple / ``False``).

Conventions the conversation engine relies on are documented where they are decided:
channels in :mod:`bot.understanding.channels` (first contact action wins; WhatsApp is
``sms``; "the app" is ``mobile_app``), feelings in :mod:`bot.understanding.feelings`,
durations in :mod:`bot.understanding.durations` (few = 3, couple = 2, several = 4, "a few
minutes" = 5, ranges take the midpoint) and ``ended`` in :mod:`bot.understanding.endings`
("still waiting, nothing since" ends the story; "still not fixed" alone does not).
Answers with no value are :mod:`bot.understanding.non_answers` ("n/a", "prefer not to
say"); the moment of truth is :mod:`bot.understanding.step_references`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.conversation.vocabulary import Channel
from bot.understanding.channels import ChannelReading, channel_from_answer, detect_channel
from bot.understanding.channels import read_channel as _read_channel
from bot.understanding.closed_answers import (
    resolved_from_normalized,
    scale_from_normalized,
    yes_no_from_normalized,
)
from bot.understanding.continuations import continues_contact
from bot.understanding.durations import duration_from_normalized, vague_from_normalized
from bot.understanding.endings import ended_from_normalized
from bot.understanding.feelings import feeling_from_normalized, is_only_rating
from bot.understanding.non_answers import declines_to_answer as _declines
from bot.understanding.non_answers import says_unknown as _says_unknown
from bot.understanding.normalize import normalize
from bot.understanding.pains import freeze_extra, pains_from_normalized
from bot.understanding.people_tools import people_tools_from_normalized
from bot.understanding.step_references import StepReference, resolve_step_reference

__all__ = [
    "ChannelReading",
    "StepReference",
    "Understanding",
    "continues_contact",
    "declines_to_answer",
    "is_vague_long_duration",
    "normalize",
    "parse_channel",
    "parse_duration_minutes",
    "parse_feeling",
    "parse_people_tools",
    "parse_resolved",
    "parse_scale",
    "parse_yes_no",
    "read_channel",
    "resolve_step_reference",
    "says_ended",
    "says_unknown",
    "understand",
    "warm_up",
]


@dataclass(frozen=True)
class Understanding:
    """Everything the offline layer read from one free-text answer."""

    channel: Channel | None
    feeling: int | None
    duration_minutes: int | None
    people: tuple[str, ...]
    tools: tuple[str, ...]
    pains: tuple[str, ...]
    ended: bool

    def to_json_dict(self) -> dict[str, object]:
        """Plain JSON-ready dict; the channel is its string value (or None)."""
        return {
            "channel": None if self.channel is None else self.channel.value,
            "feeling": self.feeling,
            "duration_minutes": self.duration_minutes,
            "people": list(self.people),
            "tools": list(self.tools),
            "pains": list(self.pains),
            "ended": self.ended,
        }


def understand(
    text: str, *, extra_pains: Mapping[str, Sequence[str]] | None = None
) -> Understanding:
    """Read a free-text answer ("called them, sat on hold 40 min, furious").

    ``extra_pains`` maps guide-defined pain keys to keyword phrases, matched
    case-insensitively as whole words/phrases; their keys are reported in ``pains``
    next to the built-in ``Pain`` values, in order of first mention. A bare number inside
    a sentence is not read as a feeling (only explicit ratings such as "4 out of 5" are),
    but an answer that is *only* a rating ("2", "1.", "4/5") is: that is how people answer
    the 1-5 question in free text. Use :func:`parse_feeling` with ``bare_number=True``
    for answers to a 1-5 question.
    """
    norm = normalize(text)
    people, tools = people_tools_from_normalized(norm)
    return Understanding(
        channel=detect_channel(norm),
        feeling=feeling_from_normalized(norm, bare_number=is_only_rating(norm)),
        duration_minutes=duration_from_normalized(norm),
        people=people,
        tools=tools,
        pains=pains_from_normalized(norm, extra=freeze_extra(extra_pains)),
        ended=ended_from_normalized(norm),
    )


def parse_channel(text: str) -> Channel | None:
    """Answer to "which channel?".

    Accepts channel values and labels ("live_chat", "Live chat", "SMS / text"),
    "none" / "n/a" / "didn't contact anyone" (-> ``Channel.NONE``), "other" /
    "something else" (-> ``Channel.OTHER``), and everyday wording ("rang them",
    "the little chat bubble"). Recognised other channels (a letter, a fax, a video
    call) give ``Channel.OTHER``; unrecognised non-empty text gives None, so the
    engine can store it as OTHER together with the customer's own words.
    """
    return channel_from_answer(normalize(text))


def read_channel(text: str) -> ChannelReading:
    """The channel of a step's description with how sure the reading is and the words it
    came from. ``sure`` is True for the customer's own contact action with no rival
    channel ("rang them twice") or an explicit "no contact"; a probable reading (only a
    passing noun, the company's contact, rival channels, inaction read as no contact) is
    one to confirm rather than store. ``understand(text).channel`` is its ``channel``."""
    return _read_channel(normalize(text))


def parse_feeling(text: str, *, bare_number: bool) -> int | None:
    """Feeling 1..5 or None.

    With ``bare_number=True`` (the question asked for 1-5) a bare "3", "a 2", "2/5",
    "4 out of 5" is the score; a number outside 1..5 without a scale is ignored.
    Otherwise only explicit ratings count, then words, emoji and emoticons, with
    negation and intensifiers. Scores out of 10 map to ceil(n / 2).
    """
    return feeling_from_normalized(normalize(text), bare_number=bare_number)


def parse_duration_minutes(text: str) -> int | None:
    """Answer to "how long did that take?": minutes, or None (none given, only a vague
    "ages", or "I don't know": see :func:`says_unknown`).

    The phrase the answer opens with is the answer ("Ten minutes, and that got me a
    refund for three months of premiums" -> 10), and a bare number is minutes ("15").
    Time phrases that say when, what was promised, how long someone has been a customer
    or what a refund covers are not the step's length.
    """
    return duration_from_normalized(normalize(text), answer=True)


def says_unknown(text: str) -> bool:
    """Whether the answer is a valid "I don't know": "n/a", "idk", "no idea", "couldn't
    say", "didn't time it", a shrug. The engine stores the fact as unknown and moves on
    instead of asking again. An answer that goes on to give a value ("no idea, maybe 20
    minutes") is still unknown here, so read the value first."""
    return _says_unknown(normalize(text))


def declines_to_answer(text: str) -> bool:
    """Whether the answer refuses the question: "prefer not to say", "rather not",
    "pass", "no comment", "I don't want to give a number". A refusal is recorded once
    and never asked again; :func:`parse_feeling` gives None for it even when the
    refusal comes with feeling words ("Rather not say. It was a miserable few weeks.")."""
    return _declines(normalize(text))


def is_vague_long_duration(text: str) -> bool:
    """Whether the answer gives a long but vague duration ("ages", "forever", "hours")."""
    return vague_from_normalized(normalize(text))


def parse_yes_no(text: str) -> bool | None:
    """True for yes/sure/ok/👍, False for no/nah/not really/👎, None when unclear."""
    return yes_no_from_normalized(normalize(text))


def parse_resolved(text: str) -> Literal["yes", "no", "partly"] | None:
    """Was it resolved: "partly" wins over "no" ("not fully"), "no" over "yes"."""
    return resolved_from_normalized(normalize(text))


def parse_scale(
    text: str, *, low: int, high: int, low_words: Sequence[str], high_words: Sequence[str]
) -> int | None:
    """A value in ``low..high`` from a number or from anchor words.

    Numbers: a bare integer in range, "5/7", "5 out of 7" (a different denominator is
    rescaled). Words: ``low_words`` map to ``low`` and ``high_words`` to ``high``; an
    anchor with its intensifier removed ("very easy" -> "easy") maps one step inwards;
    negated anchors ("not easy") land one step past the middle; "neither", "ok",
    "average" give the midpoint. None when nothing matches.
    """
    return scale_from_normalized(
        normalize(text), low=low, high=high, low_words=low_words, high_words=high_words
    )


def parse_people_tools(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(people, tools): normalised roles and things, in order of first mention."""
    return people_tools_from_normalized(normalize(text))


def says_ended(text: str) -> bool:
    """Whether the answer says the journey is over (resolved, given up or stalled)."""
    return ended_from_normalized(normalize(text))


# Touches every lexicon and pattern once (see `warm_up`).
_WARM_UP_TEXTS = (
    "Rang them twice, sat on hold 40 minutes, the agent was rude and I was furious, "
    "then it ended there.",
    "yes",
    "partly",
    "5 out of 7, quite easy",
)


def warm_up() -> None:
    """Read the lexicons and compile the patterns now, rather than on the first answer
    (about 0.2 s). A server calls it at start-up, so no customer waits for it and a
    broken lexicon file stops the server instead of a turn."""
    resolve_step_reference("the second call, step 2", _WARM_UP_TEXTS)
    for text in _WARM_UP_TEXTS:
        says_unknown(text)
        declines_to_answer(text)
        continues_contact(text)

        understand(text)
        parse_feeling(text, bare_number=True)
        parse_duration_minutes(text)
        is_vague_long_duration(text)
        parse_yes_no(text)
        parse_resolved(text)
        parse_scale(text, low=1, high=7, low_words=("hard",), high_words=("easy",))
        says_ended(text)
