"""Pain points named in an answer, as ``Pain`` keys (plus guide-defined extra keys)."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from functools import lru_cache

from bot.conversation.vocabulary import Pain
from bot.understanding.cue_matching import is_negated

# (pain, pattern, honour negation). Patterns that carry their own negation ("never heard
# back", "couldn't get through") must not be re-negated by a preceding "not".
_RULES: tuple[tuple[str, re.Pattern[str], bool], ...] = tuple(
    (str(pain), re.compile(pattern), negatable)
    for pain, pattern, negatable in (
        (
            Pain.LONG_WAIT,
            r"\b(?:on hold|hold music|wait(?:ed|ing)?|queue[ds]?|queuing|queueing|"
            r"took (?:forever|ages|so long|too long|a long time|a while)|forever|ages|slow to "
            r"(?:respond|reply|answer)|kept me waiting|an eternity|(?:hours|days|weeks) (?:later|"
            r"to "
            r"(?:reply|respond|get back)))\b",
            True,
        ),
        (
            Pain.REPEAT_EXPLANATION,
            r"\b(?:(?:explain|tell|told|go through|went through|repeat|"
            r"describe|give|gave)(?:ed|ing)? (?:it|everything|my (?:problem|issue|story|details|c"
            r"ase)|"
            r"the (?:whole )?(?:thing|story|problem|issue)|all|them|myself)?(?: all)?(?: over)? "
            r"(?:again|twice|three times|(?:3|4|5|several|multiple) times|over and over|from "
            r"scratch|from the (?:start|beginning))|repeat(?:ed|ing)? myself|start(?:ed)? from "
            r"scratch|same (?:questions?|details|information) (?:again|over|twice))\b",
            True,
        ),
        (
            Pain.TRANSFERRED,
            r"\b(?:transferr?(?:ed|ing)?|transfers|passed (?:around|from|between|"
            r"me (?:on|around|between|to (?:another|someone else|a different|billing|the))|on to)|"
            r"put through to|bounced (?:around|between|from)|handed (?:off|over|me over)|(?:anoth"
            r"er|"
            r"different|wrong|other) departments?|one department to another|pinged between|"
            r"sent (?:me )?round (?:in circles )?between)\b",
            True,
        ),
        (
            Pain.NO_FOLLOW_UP,
            r"\b(?:never heard (?:back|anything|from them)|heard nothing|nothing "
            r"since|(?:no ?one|nobody|no-one|they never|never|didn't|did not) (?:ever )?(?:got|get|"
            r"came|come) back|no (?:reply|response|answer|follow[- ]?up|word|update)|(?:didn't|did "
            r"not|never) (?:reply|respond|answer|follow up|call (?:me )?back|ring (?:me )?back|"
            r"email (?:me )?back)|call ?back (?:that )?never (?:came|happened)|ghosted|radio sile"
            r"nce|"
            r"then silence|still (?:waiting|nothing|no (?:reply|response|word)))\b",
            False,
        ),
        (
            Pain.UNCLEAR_INFO,
            r"\b(?:confus(?:ed|ing|ion)|vague|contradict(?:ory|ed|ing|ion|s)?|"
            r"unclear|didn't make sense|made no sense|conflicting|mixed messages|out of date|"
            r"outdated|misleading|wrong information|wrong info|jargon|different answers?|no idea "
            r"what|couldn't understand|didn't understand)\b",
            True,
        ),
        (
            Pain.FORCED_CHANNEL_SWITCH,
            r"\b(?:(?:told|asked|wanted|forced|made) (?:me|us) to "
            r"(?:call|ring|phone|email|go|use|visit|contact|download|fill|write|do it|send|post|p"
            r"op|"
            r"come)|(?:have|had|'d have|need|needed|would have) to (?:call|ring|phone|email|go (?"
            r":in|"
            r"into|to|down)|use the app|do it (?:online|in the app|through the app|in person|by "
            r"phone)|visit|download|fill in|write|post)|instead of (?:calling|emailing|chatting|"
            r"doing it)|only accept|redirected me|sent me (?:to|back to) (?:the )?(?:website|app|"
            r"faq|"
            r"help|branch|store|shop)|can't do (?:it|that|this) (?:over the phone|online|in the a"
            r"pp|"
            r"in store|by email))\b",
            False,
        ),
        (
            Pain.UNRESOLVED,
            r"\b(?:still (?:not|isn't|wasn't|hasn't|haven't|doesn't|won't|broken|"
            r"no fix|unresolved|having)|(?:not|never|wasn't|isn't|hasn't been|haven't been) (?:be"
            r"en "
            r"|actually |properly |fully )?(?:fixed|sorted|resolved|solved)|(?:didn't|did not|nev"
            r"er) "
            r"(?:fix|sort|resolve|solve)|unresolved|without (?:it )?being (?:sorted|fixed|resolve"
            r"d)|"
            r"no (?:fix|resolution|solution)|still (?:doesn't|does not|isn't|won't) work)\b",
            False,
        ),
        (
            Pain.UNEMPATHETIC_AGENT,
            r"\b(?:rude|(?:didn't|did not|don't|couldn't) (?:seem to )?care|"
            r"couldn't care less|robotic|dismissive|patroni[sz](?:ing|ed)|condescending|cold|"
            r"unhelpful|not helpful|uninterested|no apology|didn't apologi[sz]e|arrogant|fobbed o"
            r"ff|"
            r"copy[- ]?past(?:e|ed|ing)|scripted|talking to a wall|brick wall|hung up on me|no "
            r"empathy|attitude|sarcastic|impatient|blamed me|snapped at me|laughed at me|"
            r"treated me like)\b",
            True,
        ),
        (
            Pain.HARD_TO_REACH,
            r"\b(?:(?:couldn't|could not|can't|cannot|unable to) (?:get through|"
            r"reach|contact|get hold of|find (?:a|any|their|the) (?:phone )?(?:number|contact|ema"
            r"il))|"
            r"no (?:phone )?number(?: anywhere)?|no (?:way|option) to (?:contact|call|reach|talk)|"
            r"(?:impossible|hard|difficult|no way) to (?:reach|contact|get hold of|find|get throu"
            r"gh)|"
            r"(?:nobody|no one|no-one) (?:picked up|answered|was available)|cut(?:ting)? me off|"
            r"lines? (?:were |was )?busy|engaged tone|hidden (?:contact|number|phone)|no contact "
            r"(?:details|options|number))\b",
            False,
        ),
        (
            Pain.BOT_LOOP,
            r"\b(?:loop(?:ed|ing|s)?|round in circles|going round|went round|back to "
            r"the (?:menu|start|beginning)|sending me back|same (?:menu|answers?|questions?|links"
            r"?) "
            r"(?:again|over|over and over)|over and over|wouldn't let me (?:talk|speak|get) to a "
            r"(?:human|person|agent)|couldn't get (?:past|to a human|a human)|canned answers?)\b",
            True,
        ),
        (
            Pain.BILLING_ERROR,
            r"\b(?:charged (?:me )?(?:twice|double|again|for something|the "
            r"wrong)|double[- ]charged?|overcharged|over-charged|wrong (?:bill|amount|charge|"
            r"invoice)|billing (?:error|mistake|issue|problem)|incorrect (?:bill|charge|amount|"
            r"invoice)|extra charge|duplicate (?:charge|payment)|charged me for|hidden fees?|"
            r"dispute the (?:bill|charge))\b",
            True,
        ),
        (
            Pain.BROKEN_PROMISE,
            r"\b(?:(?:said|told me|promised|assured me) (?:they|he|she|it|"
            r"someone)?(?:'d| would| will|'ll)?[^.!?]{0,60}\b(?:but|and) (?:they |he |she |it )?"
            r"(?:never|didn't|did not|wasn't|hasn't|haven't)|promised (?:a |me a )?call ?back|nev"
            r"er "
            r"(?:came|did|happened|showed|turned up|arrived)|didn't happen|supposed to (?:call|ri"
            r"ng|"
            r"email|come|arrive|be)|(?:didn't|never) (?:call|ring) (?:me )?back|call ?back (?:tha"
            r"t )?"
            r"never)\b",
            False,
        ),
        (
            Pain.IDENTITY_VERIFICATION_HASSLE,
            r"\b(?:security (?:questions?|checks?)|verif(?:y|ied|"
            r"ication|ying)(?: my)? (?:identity|id|me|account|who i)|passport|(?:id|identity) (?:"
            r"check|"
            r"checks|verification|documents?)|proof of (?:address|id|identity)|driving licen[cs]e|"
            r"prove who i (?:was|am)|verify me|verified me|two[- ]factor|2fa|one[- ]time (?:code|"
            r"password))\b",
            True,
        ),
        (
            Pain.SLOW_DELIVERY,
            r"\b(?:(?:parcel|package|delivery|order|item|replacement)s? "
            r"(?:\w+ ){0,3}(?:was |were |is |came |arrived |turned up )?(?:late|delayed|lost|never "
            r"(?:came|arrived|turned up)|hasn't arrived|didn't arrive|still hasn't)|(?:late|delay"
            r"ed|"
            r"slow) (?:delivery|parcel|order|package)|still hasn't arrived|never arrived|days late|"
            r"weeks late)\b",
            True,
        ),
        (
            Pain.WRONG_ITEM,
            r"\b(?:wrong (?:size|item|colou?r|product|model|thing|order|one|parcel|"
            r"part)|sent (?:me )?the wrong|not what i ordered|incorrect (?:item|size|product)|"
            r"different (?:item|product) (?:than|from|to))\b",
            True,
        ),
    )
)


@lru_cache(maxsize=64)
def _extra_rules(
    items: tuple[tuple[str, tuple[str, ...]], ...],
) -> tuple[tuple[str, re.Pattern[str]], ...]:
    rules = []
    for key, phrases in items:
        cleaned = [" ".join(p.lower().split()) for p in phrases if p and p.strip()]
        if not cleaned:
            continue
        body = "|".join(r"\s+".join(map(re.escape, p.split(" "))) for p in cleaned)
        rules.append((key, re.compile(r"(?<![\w])(?:" + body + r")(?![\w])")))
    return tuple(rules)


def freeze_extra(
    extra: Mapping[str, Sequence[str]] | None,
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """A hashable, order-stable form of guide-defined extra pains (for caching)."""
    if not extra:
        return ()
    frozen = []
    for key, phrases in extra.items():
        if isinstance(phrases, str):
            phrases = (phrases,)  # a lone phrase instead of a list: accept it
        frozen.append((str(key), tuple(str(p) for p in phrases)))
    return tuple(frozen)


# Every built-in rule in one alternation, used to find *where* some pain starts; each
# rule is then tried at that position only. Overlapping pains are all kept ("promised a
# callback that never came" is both a broken promise and no follow-up).
_ANY_PAIN_RE = re.compile(r"\b(?:" + "|".join(f"(?:{rx.pattern})" for _, rx, _ in _RULES) + ")")


def pains_from_normalized(
    norm: str, *, extra: tuple[tuple[str, tuple[str, ...]], ...] = ()
) -> tuple[str, ...]:
    """Pain keys in order of first mention, deduplicated."""
    if not norm:
        return ()
    first: dict[str, int] = {}
    position = 0
    while len(first) < len(_RULES) + len(extra):
        found = _ANY_PAIN_RE.search(norm, position)
        if found is None:
            break
        start = found.start()
        for key, pattern, negatable in _RULES:
            if key in first or pattern.match(norm, start) is None:
                continue
            if not (negatable and is_negated(norm, start)):
                first[key] = start
        position = start + 1
    for key, pattern in _extra_rules(extra):
        for m in pattern.finditer(norm):
            if is_negated(norm, m.start()):
                continue
            if key not in first or m.start() < first[key]:
                first[key] = m.start()
            break
    return tuple(sorted(first, key=lambda k: first[k]))
