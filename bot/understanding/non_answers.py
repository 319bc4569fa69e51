"""Answers that are valid and carry no value: "I don't know" and "I'd rather not say".

Both are real answers to a question, and the engine must not ask again: an unknown
duration is stored as unknown, a refused rating as refused. They differ in what the
customer means, so they are two functions: :func:`says_unknown` ("n/a", "idk", "no
idea", "couldn't say", a shrug) and :func:`declines_to_answer` ("prefer not to say",
"rather not", "pass", "no comment"). Each looks at how the answer *opens*: "no idea,
maybe 20 minutes" still gives a duration, and the duration parser reads it.
"""

from __future__ import annotations

import re

# What may come before the phrase: filler, a shrug, "honestly".
# Each filler word must consume itself, so the repetition cannot backtrack badly.
_LEAD = (
    r"^[\W_]*(?:(?:honestly|um+|er+|hmm+|well|oh|tbh|i mean|sorry|ha+|lol|erm|uh+|gosh|"
    r"to be honest|truthfully|really)\b[\W_]*)*"
)

_UNKNOWN_RE = re.compile(
    _LEAD
    + r"(?:n/?a|na|idk|dunno|dno|no idea|no clue|not a clue|(?:i )?(?:have|had|'ve) no (?:idea|"
    r"clue)|haven't (?:got )?a clue|not sure|unsure|(?:i'm |i am |im )?not (?:really |too |"
    r"entirely |totally )?sure|(?:i )?(?:really |honestly |genuinely )?(?:don't|do not|dont|"
    r"didn't|did not) (?:really |actually |honestly )?(?:know|remember|recall|notice|time it|"
    r"check|count|keep track|track)|(?:i )?(?:can't|cannot|cant|couldn't|could not) (?:really |"
    r"honestly )?(?:say|tell(?: you)?|remember|recall|give you (?:a|an) (?:number|figure|time|"
    r"answer)|put a (?:number|time|figure) on it|estimate)|no (?:recollection|memory)|hard to "
    r"(?:say|tell)|difficult to (?:say|tell)|impossible to (?:say|tell)|tough to say|who knows|"
    r"beats me|lost track|not applicable|no (?:real )?(?:length|time|duration)|not really a "
    r"(?:length of time|time|duration|thing)|doesn't apply|does not apply|unknown|"
    r"\?+(?=\W*$)|🤷\S*)(?![\w'])"
)
_DECLINE_RE = re.compile(
    _LEAD + r"(?:(?:i'd |i would |id )?(?:prefer|rather) not(?: to)?(?: (?:say|answer|share|rate|"
    r"score|give|put|go into))?|(?:i'd |i would |id )?rather (?:not|skip|pass)|(?:i'll |i will |"
    r"i'd |let me )?pass|no comment|not saying|(?:i )?(?:don't|do not|dont) (?:really )?(?:want|"
    r"wish|care) to (?:say|answer|share|rate|score|give|put|talk|go into)|(?:i )?(?:won't|will "
    r"not|wont) (?:say|answer|rate|score)|skip(?: (?:this|that|it|this one|that one))?|next "
    r"question|none of your business|that's private|it's private|private|personal|i decline|"
    r"decline|not comfortable (?:saying|answering|sharing|rating)|don't ask|do i have to|let's "
    r"not|not going to (?:say|answer|rate|score)|not gonna (?:say|answer|rate))(?![\w'])"
)


def says_unknown(norm: str) -> bool:
    """Whether a normalised answer opens with "I don't know" in one of its many forms
    ("n/a", "idk", "no idea", "couldn't say", "didn't time it", "🤷", "?")."""
    return bool(norm) and _UNKNOWN_RE.match(norm) is not None


def declines_to_answer(norm: str) -> bool:
    """Whether a normalised answer opens with a refusal to answer ("prefer not to say",
    "rather not", "pass", "no comment", "I don't want to give a number")."""
    return bool(norm) and _DECLINE_RE.match(norm) is not None
