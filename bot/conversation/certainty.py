"""Which readings of a step's story are near-certain enough to store without asking.

The understanding layer reads a channel, a duration, a feeling and pains from any
sentence; most of those readings are probable at best (a phone mentioned in passing, a
time that says when something happened rather than how long it took, a feeling about
someone else). Stored as facts they were wrong one time in three, so the interview now
shows them back for a one-tap confirmation (`bot.conversation.confirmation`) and stores
without asking only what the words state outright:

- a channel when the story opens with the customer's own contact action ("I rang
  them", "I emailed their support") and no other channel or negation follows;
- a duration in minutes or hours tied to the step's own activity ("waited 40 minutes",
  "took about two hours", "on hold for 25 min") when it is the only time in the story;
- a feeling given as an explicit rating ("a 2 out of 5", "4/5").

Everything else is probable. Pains from a story are always probable: whether something
hurt is the customer's to say.
"""

from __future__ import annotations

import re

from bot.understanding import Understanding, normalize
from bot.understanding.channels import detect_channel

# The customer's own first contact action opening the story ("I rang them", or just
# "rang them": chat answers often drop the "I").
_OWN_CONTACT = re.compile(
    r"^(?:so |and |then |first |firstly |next |after that |finally |eventually )*"
    r"(?:(?:i|we) )?(?:then |first |finally |eventually |just |immediately )?"
    r"(?:called|rang|phoned|rung|emailed|e-mailed|mailed|texted|messaged|dm'?d|tweeted|"
    r"wrote|chatted|visited|went (?:in|into|to|on|onto)|walked (?:in|into)|popped into|"
    r"opened|logged (?:in|into|on|onto)|used|filled (?:in|out)|submitted|posted|"
    r"contacted|sent|got (?:on|onto) (?:the|their) (?:phone|chat|app|website|site))\b"
)
_NEGATION = re.compile(r"\b(?:not|never|no|nobody|didn'?t|don'?t|wasn'?t|couldn'?t|can'?t)\b")
_SENTENCE = re.compile(r"(?<=[.!?;])\s+|\s+(?:but|although|though|however)\s+")
# A span of minutes or hours tied to the step's own activity.
_OWN_DURATION = re.compile(
    r"\b(?:waited|waiting|wait(?:ed)? for|on hold(?: for)?|held for|took|takes|taking|"
    r"spent|lasted|for)\s+(?:about |around |roughly |nearly |almost |over |just |a good )?"
    r"(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty|"
    r"forty-five|fifty|sixty|ninety|half an?)"
    r"(?:\s*(?:-|to|or)\s*\d+)?\s*(?:minutes?|mins?|hours?|hrs?|h)\b"
    # ... or a span followed by what filled it: "25 minutes on hold", "an hour of waiting"
    r"|\b(?:\d+(?:\.\d+)?|an?|one|two|three|four|five|ten|fifteen|twenty|thirty|forty|"
    r"forty-five|fifty|sixty|ninety|half an?)(?:\s*(?:-|to|or)\s*\d+)?\s*"
    r"(?:minutes?|mins?|hours?|hrs?)\s+(?:on hold|of (?:waiting|hold music|holding)|"
    r"waiting|in (?:the|a) queue|queu(?:e|ing))\b"
)
_TIME_UNITS = re.compile(
    r"\b(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|years?|"
    r"yesterday|today|tomorrow|morning|afternoon|evening|night|later|after|ago)\b"
)
_EXPLICIT_RATING = re.compile(r"\b[1-5](?:\.\d)?\s*(?:/\s*5|out of (?:5|five))\b")


def sure_readings(text: str, found: Understanding) -> frozenset[str]:
    """The facts of `found` (read from `text`, a step's story) that are near-certain."""
    norm = normalize(text)
    sure: set[str] = set()
    if found.channel is not None and _own_contact_is_the_channel(norm, found):
        sure.add("channel")
    if found.duration_minutes is not None and _only_own_duration(norm):
        sure.add("duration")
    if found.feeling is not None and _EXPLICIT_RATING.search(norm):
        sure.add("feeling")
    return frozenset(sure)


def _own_contact_is_the_channel(norm: str, found: Understanding) -> bool:
    """The story's channel comes from a sentence that opens with the customer's own
    contact action, unnegated, and no sentence names another channel."""
    # Only the channel of each sentence is needed: not the whole `understand` reading
    # (feelings, durations, pains), which this runs on every story told.
    readings = [
        (sentence.strip(), detect_channel(normalize(sentence)))
        for sentence in _SENTENCE.split(norm)
        if sentence.strip()
    ]
    if any(channel not in (None, found.channel) for _, channel in readings):
        return False
    source = next((text for text, channel in readings if channel == found.channel), None)
    return source is not None and bool(_OWN_CONTACT.match(source)) and not _NEGATION.search(source)


def _only_own_duration(norm: str) -> bool:
    own = _OWN_DURATION.findall(norm)
    return len(own) == 1 and len(_TIME_UNITS.findall(norm)) == 1
