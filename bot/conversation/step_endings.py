"""Whether an answer to "what happened next?" says the journey is over.

A typed ending must end the steps however it is phrased ("That was it, it ended there",
"nothing more, that's all", "And that's the end of that saga!", "This is where I am
now, still waiting"); a typed ending taken for a new step made the bot ask six questions
about it and then "what happened next?" again. Two readings, either one enough:

- every clause is an ending phrase or filler, or the answer opens with one (what follows
  an opening ending comments on the journey: "That was it. We're registered now.");
- the answer names the end outright anywhere (the end, the last step, everything, where
  things stand, a wrap) and tells no new action of the customer's ("then I rang them").

"Nothing" and "still waiting" alone may open a next step ("And then nothing. Nobody
called, so I ..."): they end the steps only as a whole answer, or with an outright end.
"""

from __future__ import annotations

import re
import unicodedata

# Answers to "what happened next?" that only say the journey is over (no new step): every
# clause of the answer must be one of these (or filler like "thanks").
# One way of saying "no more steps": that was it, the end, nothing more, I'm still waiting.
_ENDING_PHRASE = (
    r"(?:(?:that|this|it)(?:'?s| was| is| were)? "
    r"(?:really |genuinely |basically |pretty much |just )?"
    r"(?:it|all(?: of it)?|everything|the lot|your lot|the whole (?:thing|story)|the saga"
    r"|the end(?: of (?:it|that|the story))?"
    r"|the (?:last|final) (?:step|one|thing|bit|part))"
    r"|(?:(?:there(?:'?s| is| was) )?(?:nothing|no more|not(?:hing)? much)"
    r"|there (?:wasn'?t|was not|isn'?t|is not|hasn'?t been|has not been) anything)"
    r"(?: else| more| further)?(?: happened| really)?"
    r"(?: after(?: that| this(?: call)?)?| since| then| yet| so far)?"
    r"|(?:i'?m |still )+waiting(?: still)?|never heard back|no(?:body|one) got back(?: to me)?"
    r"|(?:it )?(?:ended|ends|stopped|finished) (?:there|here)"
    r"|(?:it )?(?:is )?finish(?:ed)? (?:there|here)"
    r"|the end|end of (?:the )?story|(?:all )?done(?: now)?|finish(?:ed)?(?: now)?"
    r"|no further steps?|no more steps?"
    r"|(?:last|final) step|(?:a+nd )?scene|for now|so far|fin|the end|end"
    r"|(?:that|this|it)(?:'?s| was| is)? the (?:last|final)(?: (?:thing|one|bit|part))?(?: of it)?"
    r"(?: (?:that )?(?:happened|i (?:did|heard(?: from them)?)))?(?: so far)?"
    r"|(?:(?:that|this|it)(?:'?s| was| is)|is|was) all(?: folks)?"
    r"(?: (?:that )?(?:happened|there (?:is|was)(?: to it)?|i (?:have|'ve) got))?"
    r"|(?:that|this|it)(?:'?s| was| is) finish(?:ed)?"
    r"|(?:that|this)(?:'?s| was| is) the whole(?: \w+)? (?:saga|thing|story|tale)(?: really)?"
    # "That's the thrilling conclusion", "and that was the sad ending": the end, dressed up.
    r"|(?:that|this)(?:'?s| was| is) the (?:\w+ )?(?:conclusion|ending|finale|end)"
    r"(?: of (?:it|that|the (?:story|saga|matter)))?"
    # The storyteller's end: roll credits, curtain.
    r"|(?:and )?(?:roll|cue)(?: the)? credits|curtains?(?: down| fall)?"
    # Non-native "I stop", "after this nothing, I stop here".
    r"|i stop(?:ped)?(?: there| here| now)?"
    r"|(?:that|this)(?:'?s| is) where (?:(?:it|we|things) (?:ended|ends|finished|stand|stands|"
    r"are|is)|(?:it|things)'?s at|we'?re at)(?: (?:now|rn|today))?"
    r"|(?:that|this)(?:'?s| is) as far as (?:it|things)(?:'?s| has| have) got(?:ten)?(?: so far)?"
    r"|(?:that|this)(?:'?s| is| was) where (?:the |my |our )?(?:\w+ ){0,2}(?:story|saga|tale|thing)"
    r" (?:ends|ended|stops|stopped|finishes|finished)"
    r"|(?:(?:it|this|that) )?is (?:the )?last(?: (?:thing|step|one))?|(?:it )?is finish(?:ed)?"
    r"|thanks?|thank you|(?:thanks?|thank you) for (?:listening|asking|your time|reading)"
    r"|really|honestly|tbh|lol)"
)
# Filler that may close any ending clause ("that was it really, thanks").
_ENDING_TAIL = (
    r"(?: really| tbh| lol| i think| thanks?| thank you"
    r"| as far as (?:they|he|she|i|we|the \w+)(?:'re| are|'m| am| is|'s) concerned)*$"
)
_ENDING_CLAUSE = re.compile(
    r"^(?:and |so |well |i think |i guess |yeah |yes |yep |yup |ok |nah |nope |no |"
    r"after (?:this|that) )*" + _ENDING_PHRASE + r"(?: " + _ENDING_PHRASE + r")*" + _ENDING_TAIL
)
# The ending phrases that say so outright, whatever follows ("That was it, ..."); not
# "nothing" or "still waiting", which may open the story of a next step ("And then
# nothing. Nobody called, so I ...").
_OPENING_ENDING = re.compile(
    r"^(?:and |so |well |yeah |yes |yep |yup |ok |no |nah |nope |i think |i guess |"
    r"i suppose )*(?!nothing|no more|not much|still|"
    r"i'?m waiting|never heard|nobody|no one)"
    + _ENDING_PHRASE
    + r"(?: "
    + _ENDING_PHRASE
    + r")*"
    + _ENDING_TAIL
)
_FILLER = re.compile(r"^(?:no|nope|nah|yes|yeah|yep|right|ok|okay|well|so|and|um|erm|hmm)$")
_CLAUSE_SPLIT = re.compile(r"\s*(?:[.,;!?]+|\band\b|\bthen\b)\s*")
# The end named outright: wherever it stands, the answer closes the story.
_OUTRIGHT_END = re.compile(
    r"\b(?:(?<!in )(?<!at )(?<!by )(?<!to )the end\b|"
    r"(?<!at the )(?<!in the )end of (?:it|that|the (?:story|saga|road|matter|line))|"
    r"(?:ended|ends) (?:there|here)|where it ended up|it is finish(?:ed)?\b|that was that|"
    r"that'?s a wrap|happily ever after|"
    r"the (?:last|final) (?:step|thing|one|bit|part|of it)|^(?:the )?last one|"
    r"(?:that|this|it)(?:'?s| was| is) (?:really |genuinely |basically |pretty much )?"
    r"(?:everything|the whole(?: \w+)? (?:saga|story|thing|tale))\b|"
    r"where (?:things|we|i|it)(?:'s|'re|'m| stand| stands| are| am| is)(?: at)?\b|up to date|"
    r"no (?:more|further) steps|nothing (?:else|more) (?:happened|to (?:tell|add))|"
    r"(?:^|after (?:this|that),? )(?:it )?(?:is )?finish(?:ed)?\b|"
    r"^(?:after (?:this|that),? )?nothing (?:more|else|after (?:this|that))|"
    r"^after (?:this|that),? nothing\b)"
)
# A new action of the customer's: the answer tells a next step after all.
_NEW_ACTION = re.compile(
    r"\b(?:i|we|she|he|they) (?:then |finally |eventually |again )?"
    r"(?:called|rang|phoned|emailed|e-mailed|wrote|went|visited|contacted|messaged|texted|"
    r"complained|chased|tried|opened|filed|submitted|tweeted|posted|asked|reported|"
    r"logged|booked|cancelled|canceled|paid|returned|sent|rang again|called again|"
    r"found|took|said|agreed|got (?:a|an|the|through|someone))\b"
)
# "The last thing I did was call them": the last step, told, not the end announced.
_LAST_THING_TOLD = re.compile(
    r"\bthe (?:last|final) (?:thing|step) (?:i did )?was (?:to )?"
    r"(?:\w+ing|call|ring|email|write|go|visit|ask|try)\b"
)


_SENTENCE_END = re.compile(r"[.!?;:]+\s")
# Words in an answer short enough that an end named anywhere in it ends the steps.
_SHORT_ANSWER = 12


def ends_the_steps(text: str) -> bool:
    """Whether the answer to "what happened next?" says there is no next step."""
    if _said_in_clauses(text):
        return True
    flat = _words(text)
    # The end is announced up front ("That's everything. The review was ..."), or the
    # answer is short; a long story that ends "... and that was it" is a step.
    first = _words(_SENTENCE_END.split(text.strip(), maxsplit=1)[0])
    said = first if len(flat.split()) > _SHORT_ANSWER else flat
    return bool(_OUTRIGHT_END.search(said)) and not (
        _NEW_ACTION.search(flat) or _LAST_THING_TOLD.search(flat)
    )


def _said_in_clauses(text: str) -> bool:
    """Whether the answer to "what happened next?" says there is no next step: every
    clause an ending, or it opens with one ("That was it, it ended there."; "That's the
    end of it. We're registered."): what follows an opening ending comments on the
    journey, it does not tell a new step."""
    parts = clauses(text)
    if not parts:
        return False
    # Filler clauses ("nope", "well") stand beside the ending phrases; a bare "no" or
    # "right" before the ending opens nothing ("Nope, that's it. ...").
    endings = [part for part in parts if not _FILLER.match(part)]
    if not endings:
        return False
    if all(_ENDING_CLAUSE.match(part) for part in endings):
        return True
    opening = endings[0]
    if not _OPENING_ENDING.match(opening):
        return False
    # "There wasn't anything after that, so I called them again": a "there was nothing"
    # opening ends the steps unless a new action of the customer's follows.
    return not (opening.startswith("there") and _NEW_ACTION.search(_words(text)))


def _words(text: str) -> str:
    """`text` lower-cased, as words and apostrophes only, single-spaced."""
    kept = "".join(
        ch if ch == "'" or (is_word_char(ch) and not ch.isspace()) else " "
        for ch in text.lower().replace("’", "'")
    )
    return " ".join(kept.split())


def every_clause(text: str, pattern: re.Pattern[str]) -> bool:
    """True when every clause of `text` matches `pattern` (and there is at least one)."""
    parts = clauses(text)
    return bool(parts) and all(pattern.match(part) for part in parts)


def clauses(text: str) -> list[str]:
    """`text` lower-cased in clauses (split at punctuation, "and", "then")."""
    # Emoji and other symbols carry no words but end a thought ("thats it 🏁 the update
    # came"): each stands for a full stop.
    words = "".join(
        ch if ch in "'.,;!?" or is_word_char(ch) else "." if _is_symbol(ch) else ""
        for ch in text.lower().replace("’", "'")
    )
    return [c for c in _CLAUSE_SPLIT.split(" ".join(words.split())) if c]


def _is_symbol(ch: str) -> bool:
    """An emoji or other pictograph (not a joiner or a variation selector)."""
    return unicodedata.category(ch) == "So"


def is_word_char(ch: str) -> bool:
    return unicodedata.category(ch)[0] in "LNZ"
