"""Whether a feeling word says how the *customer* felt, given where it stands.

Three places where it does not:

- **sarcasm**: praise after a bad event ("Lovely. No record of the device."), praise
  with a bad event in the same breath ("a lovely letter telling me my payments were
  suspended"), stock ironic phrases ("love that for me", "always a treat", "as if I
  can't read", "helpful as ever", "I'm sure it's being read with great interest"),
  praise tagged "as always", "clearly", "naturally";
- **someone else**: a person's manner ("a lovely man answered", "the agent was
  friendly", "who was oh so friendly", "a very polite email") or their feelings ("their
  chatbot, who was thrilled to send me the same article"): the customer may have felt
  anything. Manner counts only next to a good outcome ("she was lovely and refunded me
  on the spot");
- **reported speech**: "she said everything was fine on their side".

Each rule is a function of the normalised answer and a hit's position, used by
:mod:`bot.understanding.feelings`.
"""

from __future__ import annotations

import re

# Praise words that sarcasm is made of.
_PRAISE = (
    r"(?:lovely|wonderful|marvell?ous|brilliant|fantastic|perfect|great|delightful|charming|"
    r"charmed|super|amazing|splendid|fab|fabulous|superb|excellent|swoon|adorable|genius|"
    r"thrilled(?: to bits)?|gorgeous|cool|nice|awesome|grand|sweet|loved?|over the moon|"
    r"incredible|stellar|outstanding|helpful|fun|riveting|inspiring|generous|cheerful|"
    r"reassuring|glorious|terrific|fascinating|bliss|joy)"
)
# A bad event: what makes praise in the same answer sarcastic.
_BAD_EVENT_RE = re.compile(
    r"\b(?:no(?! (?:wait|waiting|problems?|hassle|fuss|issues?|complaints?|bother|delay|big "
    r"deal|worries|queue|time|charge|cost|fee|quibbl\w*|questions asked)\b)|not(?! (?:bad|long|"
    r"too|a bot|an issue|a problem|much|at all|"
    r"worried)\b)|never|nobody|nothing|(?:didn't|wasn't|weren't|couldn't|won't|can't|isn't|"
    r"hadn't|hasn't|doesn't|don't)(?! (?:mind|take long|have to wait|be happier|fault|complain"
    r"|bad|long|have asked|ask|have been|recommend|believe|be better|thank|expect)\b)|errors?|"
    r"declined|refused|rejected|lost|broken|wrong|overcharged|"
    r"suspended|missing|stuck|failed|crash\w*|dead|leak\w*|flood\w*|mould|damp|outstanding "
    r"balance|fell over|faulty|another form|more waiting|still waiting|invalid|greyed out|went "
    r"orange|went red|shade of red|out of the blue|stolen|burst|smashed|stone cold|congealed|"
    r"possessed|ruined|went down|stopped working|paddling pool|ignored|for nothing|shift)\b|❌|"
    r"😤|😡|🤬|🙄|🤦|😑|🫠"
)
# Stock ironic phrases, sarcastic whatever surrounds them.
_STOCK_IRONY_RE = re.compile(
    r"\b(?:(?:love|loved|loving) that for me|always a (?:treat|pleasure|joy)|what a (?:treat|joy|"
    r"pleasure)|as if i (?:can't|couldn't|don't|didn't)|just what (?:every(?:one|body)|i) "
    r"(?:wants?|needed|need)|(?:i'm|i am) sure (?:it's|it is|they're|they are|that's)|clearly i "
    r"(?:love|enjoy)|because (?:clearly|obviously) i (?:love|enjoy)|(?:in|for) the way a \w+ "
    r"\w+ is|thanks a (?:lot|bunch|million)(?=\W*$)|funny,? that|such (?:fun|joy|suspense)|"
    r"who (?:knew|needs \w+)|lol (?:no|nope))\b"
)
# Praise tagged as irony: "Perfect timing, as always."; "helpful as ever"; "Over the moon,
# clearly."; "Lovely, thanks."; "incredibly helpful in that it told me to call them".
_TAGGED_RE = re.compile(
    r"^(?:\s\w+)?,?\s(?:(?:as (?:always|ever|usual)|clearly|obviously|naturally|of course|"
    r"just what|in that|i'm sure)\b[^.!?]{0,60}|(?:really|thanks|cheers|not)\s*)(?:[.!?]|$)"
)
# A lone sentence of praise, six words at most: "Lovely." "Wonderful." "Brilliant, more
# waiting." "Fantastic start to the day."
_LONE_WORDS = 6

_WORD_RE = re.compile(r"[\w']+")

_CONTRAST_RE = re.compile(r"\b(?:but|though|although|however|except|at least|even so)\b")
_SENTENCE_RE = re.compile(r"[^.!?\n]*(?:[.!?\n]|$)")

# Someone else's manner, and the people or messages it describes.
_MANNER = (
    r"(?:lovely|friendly|kind|nice|polite|pleasant|sweet|charming|cheerful|patient|lovely|"
    r"helpful|brilliant|great|amazing|fantastic|wonderful|professional|apologetic|"
    r"understanding|chatty|delightful|courteous|warm|gentle|respectful)(?: enough)?"
)
_MESSAGE = r"(?:email|letter|message|voice|tone)s?"
_PERSON = (
    r"(?:man|woman|lady|guy|chap|lad|bloke|girl|person|people|agent|advis[oe]r|staff|team|"
    r"receptionist|clerk|officer|engineer|technician|nurse|doctor|manager|handler|assessor|"
    r"rep|representative|operator|salesman|saleswoman|driver|courier|human|one)s?"
)
_ADJECTIVES_BETWEEN = r"^(?:\s(?:enough|little|young|old|older|new|real|actual|\w+ish))?\s"
_PRAISE_BEFORE_PERSON_RE = re.compile(_ADJECTIVES_BETWEEN + _PERSON + r"\b")
_PRAISE_BEFORE_MESSAGE_RE = re.compile(_ADJECTIVES_BETWEEN + _MESSAGE + r"\b")
_THIRD_PERSON_BEFORE_RE = re.compile(
    r"\b(?:he|she|they|who|\w+ (?:agent|advis[oe]r|guy|man|woman|lady|staff|person|rep|"
    r"manager|engineer|receptionist|clerk|officer|nurse|doctor|team))(?:'s|'re| was| were| is|"
    r"| are| seemed| sounded| looked| came across as| been)(?: (?:really|very|so|super|oh so|"
    r"actually|quite|pretty|perfectly|ever so|genuinely|incredibly|extremely|nice and|all))*"
    r"\s$"
)
_EMOTION = (
    r"(?:happy|thrilled|delighted|pleased|glad|excited|annoyed|upset|angry|furious|livid|"
    r"frustrated|sorry|stressed|confused|surprised|worried|sad|cross|irritated|fed up|"
    r"impatient|apologetic|embarrassed|impressed|unimpressed|not impressed|not amused|"
    r"not happy)"
)
_OTHERS_FEELING_BEFORE_RE = re.compile(
    r"\b(?:he|she|they|who|the bot|the chatbot|the agent|she's|he's|they're)(?: \w+)? (?:was|"
    r"were|is|are|seemed|looked|sounded|got)?(?: (?:really|very|so|clearly|obviously|absolutely|"
    r"quite|a bit|pretty))? ?$"
)
_GOOD_OUTCOME_RE = re.compile(
    r"\b(?:fixed|sorted|resolved|refunded|done|solved|approved|credited|replaced|reset|"
    r"worked|working|on the spot|there and then|in (?:\d+|a few|no time|minutes))\b"
)
_REPORTED_RE = re.compile(
    r"(?<!\bi )(?<!\bwe )\b(?:said|says|say|told me|tells me|claimed|claims|insisted|reckoned|"
    r"replied)(?: that)?"
    r"(?: (?:it's|that's|everything's|(?:it|everything|all|this|that|the \w+|my \w+|their \w+) "
    r"(?:was|is|were|are|looked|looks|would be|will be)))?\s*(?:['\"]?[\w']+['\"]?\s){0,3}$"
)


def stock_irony(norm: str) -> list[tuple[int, int]]:
    """Where the answer uses a stock ironic phrase ("love that for me")."""
    return [m.span() for m in _STOCK_IRONY_RE.finditer(norm)]


def sarcastic(norm: str, start: int, end: int, *, strict: bool = False) -> bool:
    """Praise at ``norm[start:end]`` that means its opposite (see the module docstring).
    ``strict``: only a stock phrase, a tag or a lone sentence of praise, not praise next
    to a bad event (praise of a person often is: "a lovely man answered, the line was
    dead twice")."""
    sentence = _sentence_of(norm, start)
    if _STOCK_IRONY_RE.search(sentence):
        return True
    after = norm[end : end + 40]
    if _TAGGED_RE.match(after) and _praise(norm, start, end):
        return True
    rest = norm[: max(0, start - 1)] + " " + norm[end:]
    if not _praise(norm, start, end) or not _BAD_EVENT_RE.search(rest):
        return False
    # A short sentence of praise after a bad event: "Lovely." "Brilliant, more waiting."
    # "Great, thanks, very reassuring."
    lone = len(_WORD_RE.findall(sentence)) <= _LONE_WORDS and not _BAD_EVENT_RE.search(sentence)
    if lone or strict:
        return lone
    # Praise and a bad event in one sentence, with no "but" between them: "a lovely
    # letter informing me my payments were suspended".
    return bool(_BAD_EVENT_RE.search(sentence)) and not _CONTRAST_RE.search(sentence)


def about_someone_else(norm: str, start: int, end: int) -> str | None:
    """ "feeling" for a person's feeling ("their chatbot, who was thrilled to help"),
    "manner" for their manner ("a lovely man answered", "the agent was friendly"),
    "message" for the manner of what they sent ("a very polite email"), else None."""
    word = norm[start:end]
    before = norm[max(0, start - 60) : start]
    if re.fullmatch(_EMOTION, word) and _OTHERS_FEELING_BEFORE_RE.search(before):
        return "feeling"
    if not re.fullmatch(_MANNER, word):
        return None
    after = norm[end : end + 25]
    if _PRAISE_BEFORE_PERSON_RE.match(after) or _THIRD_PERSON_BEFORE_RE.search(before):
        return "manner"
    return "message" if _PRAISE_BEFORE_MESSAGE_RE.match(after) else None


def good_outcome(norm: str) -> bool:
    """Whether the answer tells of a fix, a refund or the like: then praise of the staff
    is the customer's own satisfaction ("she was lovely and refunded me on the spot")."""
    return _GOOD_OUTCOME_RE.search(norm) is not None


def reported(norm: str, start: int) -> bool:
    """A word in someone's reported words: "she said everything was fine on their side"."""
    clause = norm[max(0, start - 50) : start]
    cut = max(clause.rfind(mark) for mark in ".!?;")
    return _REPORTED_RE.search(clause[cut + 1 :]) is not None


def _praise(norm: str, start: int, end: int) -> bool:
    return re.fullmatch(_PRAISE, norm[start:end]) is not None


def _sentence_of(norm: str, position: int) -> str:
    lo = max(norm.rfind(mark, 0, position) for mark in ".!?\n") + 1
    m = _SENTENCE_RE.match(norm, lo)
    return m.group() if m else norm[lo:]
