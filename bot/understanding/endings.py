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

from bot.understanding.cue_matching import clause_before

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
    r"moved (?:to another|my account|banks|provider)|left them"
    r"(?! (?:an?|the|my|some|\d|feedback|reviews?|messages?|voicemails?|notes?))"
    r"|took my (?:business|custom) "
    r"elsewhere|(?:i'm|i am|we're) done with them|never again|never heard (?:back|anything "
    r"(?:back|since|more|else))|heard nothing (?:since|back|more)(?! (?:for|in|until|till|after))"
    r"|nothing (?:since|after that|"
    r"more|further|else happened)|no (?:reply|response|word|news) since|still (?:waiting|nothing|"
    r"no (?:reply|response|word|answer|news|update))|(?:haven't|have not|never) heard (?:back|"
    r"anything)|then silence|silence since|radio silence)\b"
)
# More endings, by kind. Resolved: rebooked, the problem gone, the refund landed, "it
# worked!", a ruling in my favour, credit or compensation received, back to normal.
# Left: done with them, let it go, left it, I cancelled, went elsewhere. Stalled:
# ghosted, never heard a thing, "then... silence", "that's the end of that".
_ENDED_MORE_RE = re.compile(
    r"\b(?:(?:got|put|booked|rebooked|moved|transferred|switched) (?:me|us) (?:on|onto|to|in"
    r"|into) (?:the|a|an|another) (?:(?:next|later|earlier|new|different|alternative|"
    r"replacement) )?(?:flight|train|bus|coach|one|room|slot|booking)"
    r"|(?:problem|issue|error|fault|charge|glitch|bug|fee)s? (?:(?:is|was|has|had|have|got) )?"
    r"(?:been )?(?:gone|disappeared|went away|vanished|cleared|removed|reversed|refunded|"
    r"waived|fixed itself|sorted itself)"
    r"|(?:refund|money|payment|credit|compensation|reimbursement|cash)s? (?:(?:had|has|have|"
    r"was|is) )?(?:(?:finally|eventually|already|then|just) )?(?:came|come|arrived|landed|went|"
    r"gone|cleared|appeared|showed up|turned up|been (?:paid|credited|processed|issued))"
    r"|(?:it|that|which|the money|the payment) (?:finally |eventually )?(?:came|went) through"
    r"|it (?:finally|eventually) (?:landed|showed up|turned up|cleared|arrived)"
    r"|(?:finally|eventually) (?:came|went) through"
    r"|(?:found|ruled|decided|came down) in (?:my|our) favou?r|upheld (?:my|our|the) complaint"
    r"|won (?:my|our|the) (?:case|claim|appeal|dispute)"
    r"|(?:got|received|given|gave (?:me|us)|credited (?:me|us)(?: with)?) (?:(?:a|some|my|the|"
    r"full|partial|a full|a partial|\w+ of|[£$€]?\d+) )*(?:credit|compensation|voucher|"
    r"goodwill (?:payment|"
    r"gesture)|reimbursement|payout)"
    r"|(?:(?:everything|it|all|things|that|which) )?(?:was|were|is|'s|has been) "
    r"(?:fine|ok|okay|working|"
    r"back to normal) (?:again|now|in the morning|the next (?:day|morning)|after that|"
    r"afterwards|by (?:then|the morning|the evening|lunchtime))|back to normal|back up and "
    r"running"
    r"|done with (?:them|the lot|the company|this company|that company|it all|\w+ (?:for good|"
    r"forever))"
    r"|let it (?:go|slide|drop|lie)|left it (?:there|at that|alone)|(?:just|so|i|we) left it"
    r"(?! (?:with|at|in|on|for|to|until|till|a|an|the|\d|outside|by))|wrote it off|"
    r"not worth (?:the hassle|the effort|the stress|chasing|pursuing|fighting)"
    r"|(?:i|we)(?:'d|'ve| had| have)? (?:(?:just|then|finally|eventually|already|ended up|"
    r"simply) )?cancel(?:l?ed)|cancel(?:l?ed) (?:my|the|our) (?:sub|plan|service|policy|direct"
    r" debit|package|broadband|insurance|booking|membership)"
    r"|(?:moved|went|gone|switched|changed) (?:over )?to (?:another|a different|a new|a better)"
    r" (?:provider|company|bank|supplier|network|retailer|shop|insurer)"
    r"|went (?:elsewhere|with (?:another|a different|someone else))|(?:bought|ordered|got) "
    r"(?:(?:a new one|one|it|another) )?(?:elsewhere|from (?:someone else|another))"
    r"|(?:(?<![\w' ])|(?<=[.,;!?] )|(?<=and ))worked\b(?! (?:for|at|with|on|out|through|in|as|"
    r"my|our|the|a|an|it|them|there|here))"
    r"|(?:all |it was |was )?done in (?:\d+|an? |under|less|about|around|no time|(?:a )?few|two"
    r"|three|five|ten|twenty|half)|ghosted|never heard (?:a thing|a word|a peep|anything|"
    r"from (?:them|him|her)(?: again)?"
    r"|another word)|not a (?:word|peep|squeak|dicky bird)(?! of)"
    r"|nothing back,? ever|then\W{0,6}silence|\.\.\. ?silence|(?:the )?end of that"
    r"|never (?:replied|responded|answered|got a (?:reply|response|answer)))\b"
)
# Not an ending after all: "still waiting for a reply 20 mins later" is a live
# conversation; "gave up for the day" and "gave up and posted them instead" go on
# ("gave up and called" alone still closes the step's story, as the tuning set has it).
_LIVE_WAIT_RE = re.compile(
    r"^[^.!?]{0,40}?\b(?:(?:\d+|a few|few|a couple of|couple of|several) ?(?:secs?|seconds?|"
    r"mins?|minutes?)|on hold|in the (?:queue|chat)|on the line)\b"
)
_GAVE_UP_GOES_ON_RE = re.compile(
    r"^(?: on [\w' ]{1,30}?)? for (?:the day|now|today|tonight|the night|the moment|a bit|a "
    r"while|the evening|the weekend)\b|^[^.!?]{0,50}\binstead\b"
)
_LEAVING_RE = re.compile(r"\b(?:cancel|elsewhere|switch|another provider|left them)")

# Resolution verbs need a look at their context: "they fixed it" ends the story, "to get
# it fixed" and "not fixed" do not.
_RESOLVED_RE = re.compile(
    r"\b(?:sorted|fixed|resolved|solved|refunded|replaced|swapped|credited|reimbursed|compensated)\b"
)
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
_NEGATED_ENDING_RE = re.compile(r"(?:\b(?:not|never|no)|n't)\s+(?:\w+\s+)?$|\bthought\s+$|\bif\s+$")
_SAID_CLAIM_RE = re.compile(r"\b(?:thought|assumed|hoped)\b[^.!?]{0,20}$")


def ended_from_normalized(norm: str) -> bool:
    """Whether normalised text says the journey ended (see module docstring)."""
    if not norm:
        return False
    for m in _ended_matches(norm):
        before = clause_before(norm, m.start(), max_chars=30)
        phrase = m.group()
        if _goes_on(norm, m):
            continue
        own_negation = phrase.startswith(
            ("never", "haven't", "have not", "no ", "nothing", "not ", "heard nothing")
        )
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


def _ended_matches(norm: str) -> list[re.Match[str]]:
    matches = list(_ENDED_RE.finditer(norm)) + list(_ENDED_MORE_RE.finditer(norm))
    return sorted(matches, key=lambda m: m.start())


def _goes_on(norm: str, m: re.Match[str]) -> bool:
    """An ending phrase whose sentence says the story continues."""
    phrase = m.group()
    tail = norm[m.end() : m.end() + 60]
    if phrase.startswith("still waiting"):
        return _LIVE_WAIT_RE.match(tail) is not None
    if phrase.startswith(("gave up", "give up", "given up")):
        return _GAVE_UP_GOES_ON_RE.match(tail) is not None and not _LEAVING_RE.search(tail)
    return False
