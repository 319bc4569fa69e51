"""Whether an answer says the journey is over.

``ended`` is True when the customer says the story has reached its current end, in
any of three ways: it was resolved ("they sorted it", "got my refund", "that was it"),
they gave up or left ("gave up", "cancelled my account", "never again"), or it stalled
with nothing further to tell ("never heard back", "still waiting, nothing since").
"Still not fixed" on its own is *not* an ending: it describes the state, and the
customer may still have a next step to tell; likewise reported fixes that are then
contradicted ("they said it was fixed but it wasn't") and future plans.
"""

from __future__ import annotations

import re

from bot.understanding.matching import clause_before

_ENDED_RE = re.compile(
    r"\b(?:that was it|that's it|that was that|that's all|that was all|that's that|that was "
    r"the end|the end of it|end of (?:story|the story)|that's everything|that's where it "
    r"(?:stands|ended|ends|is|sits)|where it (?:stands|ended)|case closed|job done|"
    r"problem (?:solved|fixed|sorted|resolved)|all (?:sorted|good now|fixed|done|resolved)|"
    r"all good in the end|(?:and|all) done|done now|it's done|it was done|"
    r"(?:working|works|worked) (?:again|now|fine now|perfectly now)|(?:it|that|the fix|this) "
    r"worked|refund (?:finally |eventually )?(?:came|arrived|landed|went|has gone|cleared)"
    r"(?: through| in)?|gave (?:me|us) (?:a|my|the|a full) refund|(?:complaint|case|ticket|claim) "
    r"(?:was |got |has been |is )?closed|(?:got|received|had|get) (?:my|the|a|a full|our) (?:mone"
    r"y back|refund|"
    r"replacement)|got (?:my|the) money back|money back|found my (?:parcel|package|order)|"
    r"(?:gave|give|given) up|(?:cancel(?:l?ed)?|closed) (?:my|the|our) (?:account|subscription|"
    r"contract|order|membership|card)|switched (?:to|provider|providers|banks|supplier)|"
    r"moved (?:to another|my account|banks|provider)|left them|took my (?:business|custom) "
    r"elsewhere|(?:i'm|i am|we're) done with them|never again|never heard (?:back|anything "
    r"(?:back|since|more|else))|heard nothing (?:since|back|more)(?! (?:for|in|until|till|after))"
    r"|nothing (?:since|after that|"
    r"more|further|else happened)|no (?:reply|response|word|news) since|still (?:waiting|nothing|"
    r"no (?:reply|response|word|answer|news|update))|(?:haven't|have not|never) heard (?:back|"
    r"anything)|then silence|silence since|radio silence)\b"
)
# Resolution verbs need a look at their context: "they fixed it" ends the story, "to get
# it fixed" and "not fixed" do not.
_RESOLVED_RE = re.compile(r"\b(?:sorted|fixed|resolved|solved|refunded|replaced|swapped)\b")
_RESOLVED_BLOCK_RE = re.compile(
    r"\b(?:not|n't|never|no|to|be|being|been|without|until|till|if|get it|getting it|getting|"
    r"trying|try|hope|hoping|want|wanted|would|will|'d|'ll|should|supposed|meant|could|might|"
    r"can|un|needs?|needed)\s+(?:\w+\s+)?$|n't\s+(?:\w+\s+)?$"
)
_CONTRADICTION_RE = re.compile(
    r"^[^.!?]{0,40}?\b(?:but (?:\w+ ){0,2}(?:wasn't|weren't|isn't|didn't|hadn't|hasn't|still|"
    r"never|not|then|no|nope|nothing)|however|turned out|except|which (?:it )?(?:wasn't|isn't|"
    r"didn't))\b"
)
# A bare "done" closing a clause: "..., done" / "done." / "and done".
_BARE_DONE_RE = re.compile(r"(?:^|[,.;!]\s?)done\s*[.!]*\s*(?:$|[,.;])")
_NEGATED_ENDING_RE = re.compile(r"\b(?:not|n't|never|no)\s+(?:\w+\s+)?$|\bthought\s+$|\bif\s+$")
_SAID_CLAIM_RE = re.compile(r"\b(?:thought|assumed|hoped)\b[^.!?]{0,20}$")


def ended_from_normalized(norm: str) -> bool:
    """Whether normalised text says the journey ended (see module docstring)."""
    if not norm:
        return False
    for m in _ENDED_RE.finditer(norm):
        before = clause_before(norm, m.start(), max_chars=30)
        phrase = m.group()
        own_negation = phrase.startswith(("never", "haven't", "have not", "no ", "nothing"))
        if not own_negation and _NEGATED_ENDING_RE.search(before):
            continue
        if _CONTRADICTION_RE.match(norm[m.end() :]) and not phrase.startswith(("still", "gave")):
            continue
        if _SAID_CLAIM_RE.search(norm[max(0, m.start() - 30) : m.start()]):
            continue
        return True
    for m in _RESOLVED_RE.finditer(norm):
        before = norm[max(0, m.start() - 25) : m.start()]
        if _RESOLVED_BLOCK_RE.search(before):
            continue
        if _CONTRADICTION_RE.match(norm[m.end() :]):
            continue
        if _SAID_CLAIM_RE.search(norm[max(0, m.start() - 30) : m.start()]):
            continue
        return True
    return bool(_BARE_DONE_RE.search(norm))
