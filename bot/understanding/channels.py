"""Which channel the customer used at a step, from everyday wording.

The channel is how the *customer* dealt with the company in the step: the contact they
made, or the company's contact they answered. Not every medium a story mentions.

Rule for answers that mention several channels (documented for the engine):

1. Every cue is *strong* (an action or an unambiguous channel name: "rang them",
   "live chat", "on hold", "in the app") or *weak* (a bare noun that is often only
   context: "email", "the website", "phone number", "branch"); see
   :mod:`bot.understanding.channel_cues`.
2. Cues that are not the customer's contact are dropped or weakened
   (:mod:`bot.understanding.channel_context`): negated ("didn't call", "nobody rang"),
   a relative's call ("my dad phoned me"), backstory ("gave up on the bot and ..."),
   promises and waiting ("they said they'd call", "waited for their email"), reasons,
   instructions and the past perfect (weak), a code or a confirmation sent by text or
   email during another contact (weak).
3. The first strong cue *in time* wins, else the earliest weak cue: the customer
   usually names the contact they made first ("tried calling but couldn't get through
   so I emailed" -> phone), except where time words reorder them: a strong cue in an
   "after ..." clause, or after "before that" / "but first", happened earlier ("went on
   live chat after the bot was useless" -> chatbot). The company reaching the customer
   ("they emailed me", "got a text") counts only when the customer made no contact of
   their own in the answer ("got a text saying it was ready, so I went in" -> in person).
4. A chat or a bot inside an app or a website is the channel, not its container ("the
   assistant bot in the app" -> chatbot); an app beats a form in the same sentence ("the
   claim form in their app" -> mobile app). A generic chat cue ("the chat", "chatted") is
   live chat when the answer says a person answered, a chatbot when it says a bot did
   (in that sentence or the next: "Used the chat. Bot only."), else live chat.
5. With no usable cue, an explicit "didn't contact anyone" / "wasn't in touch" /
   "just waited" / "n/a" (or only negated cues) gives ``Channel.NONE``, and so does
   described inaction (waited for the parcel / for a promised callback, let it go,
   ignored it, forgot) or observation ("noticed a charge", "the parcel arrived",
   "checked my bank app"), even next to a weak cue, unless the answer shows someone was
   contacted by an unnamed channel ("a supervisor agreed", "the agent checked"); else
   ``None``, and the engine asks.

Mapping conventions: WhatsApp, iMessage, Telegram and SMS are ``sms`` (one-to-one
messaging to a business number); Twitter/X, Facebook (incl. Messenger), Instagram,
TikTok and LinkedIn are ``social_media`` (DMs included). "The app" is ``mobile_app``
(the customer's own bank or email app is not the company's); "online form", "contact
form", "logged into my account", "portal", "status page", "dashboard", a web app and a
support ticket are ``website``; FAQ / help centre / knowledge base / support articles /
docs / guidance are ``help_center``; Reddit and community boards are
``community_forum``; letters, post, courier deliveries, fax, video calls and meetings
(Zoom, Teams, Google Meet), public reviews (Google, Trustpilot, review sites; a review
on the company's own site is ``website``), regulators and ombudsmen (Ofcom, FCA,
writing to an MP, small claims), Citizens Advice, chargebacks are ``other``; engineer,
technician and assessor visits, receptions and desks are ``in_person``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.conversation.vocabulary import CHANNEL_LABELS, Channel
from bot.understanding import channel_context as context
from bot.understanding.channel_cues import BOT, STRONG, WEAK, Cue, cue_hits
from bot.understanding.cue_matching import Hit
from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import ChannelAnswersLexicon

_CHAT_CHANNELS = frozenset({Channel.LIVE_CHAT, Channel.CHATBOT})


@dataclass(frozen=True)
class ChannelReading:
    """A channel read from an answer, how sure the reading is, and the words it came from.

    ``sure`` is True for a first-person contact action with no rival ("rang them"), or an
    explicit "no contact"; False for a guess: only a weak or a company-side cue, rival
    channels, or an inaction or observation read as no contact.
    """

    channel: Channel | None
    sure: bool
    cue: str
    why: str


_NOTHING = ChannelReading(None, False, "", "no channel named")

_BOT_RE = re.compile(r"(?:\b|(?=🤖))" + BOT + r"(?:\b|(?<=🤖))")
# Explicit "no contact at this step"; only used when nothing positive was found.
_NONE_RE = re.compile(
    r"^(?:none|n/?a|no contact|nobody|no one|no-one|not applicable)(?:$|\s*[,.!;:-])|"
    r"\b(?:didn't|did not|never|haven't|have not|hadn't|had not|not) (?:yet )?(?:contact|call|"
    r"ring|phone|email|message|reach(?:ed)? out|get in touch|got in touch|speak|spoke|talk|"
    r"bother|do anything|even try)|\bno contact\b|\bjust waited\b|\bdid nothing\b|"
    r"\bwaited it out\b|\bdidn't do anything\b|\b(?:wasn't|was not|weren't|were not|not) "
    r"(?:really |actually |yet )?(?:in touch|talking to|speaking to|in contact)|\b(?:nobody|no one"
    r"|no-one) "
    r"(?:was|were|had been) in touch\b|\b(?:nobody|no one|no-one|none) (?:from|with|at)\b|"
    r"^(?:i|we) (?:wasn't|was not|weren't|didn't)\b|^not (?:with|from) (?:them|the|their|\w+)"
    r"|^none (?:yet|at (?:all|that point)|then)\b"
)
# An explicit "no contact" beats the media an answer to "which channel?" names in
# passing ("None with the insurer, only the police"; "She texted me, but with them
# there was no contact yet").
_NO_CONTACT_ANSWER_RE = re.compile(
    r"(?:^|[.?!] )(?:none|no|nope|nah|nobody|no one|no-one|not (?:with|from))\b|\bno contact\b|"
    r"\b(?:wasn't|was not|weren't|were not|not) (?:really |actually |yet )?(?:in touch|talking to|"
    r"speaking to|in contact)|"
    r"\b(?:nobody|no one|no-one) (?:from|at|with|was in touch|had (?:contacted|been in touch))"
)

# An answer to "which channel?" that opens by saying there was no contact, whatever media
# it names after ("None with the insurer, I checked the tax portal", "Not them, the app
# store", "Nothing, I was waiting for their reply", "wasn't yet").
_OPENS_WITHOUT_CONTACT_RE = re.compile(
    r"^\W*(?:no contact|none(?! of)|nobody|no one|no-one|nothing(?! (?:but|except|other|else))"
    r"|not (?:them|with|from|yet|in touch)|(?:i |we )?(?:wasn't|was not|weren't|were not)"
    r" (?:yet|in touch|in contact)|there (?:wasn't|was not|was no|weren't) (?:any )?contact"
    r"|(?:i |we )?(?:didn't|did not|never) (?:contact|get in touch with) (?:them|anyone|anybody"
    r"|the company))\b"
)
# "..., they called me": the company's contact is the step's channel after all.
_THEY_CONTACTED_RE = re.compile(
    r"\b(?:they|she|he|someone|somebody) (?:called|rang|phoned|emailed|texted|messaged|wrote "
    r"to|dm'd|dmed) (?:me|us)\b"
)
# A no-contact activity described instead of a contact: inaction ("waited for the parcel",
# "waited for them to ring back", "let it go", "ignored it", "forgot") or observation
# ("noticed a charge", "checked my statement", "the parcel arrived", "the wifi dropped").
_INACTION_RE = re.compile(
    r"\b(?:(?<!still )(?<!still just )wait(?:ed|ing)?\b(?! (?:in (?:the|a) (?:queue|line)|to "
    r"(?:be|speak|talk|get)|room))|sat (?:and waited|there waiting|at home waiting|in all day)|"
    r"stayed in|ignored it|forgot|let it (?:go|slide|drop)|left it|put up with it|lived with "
    r"it|wrote it off|(?:just |simply )?accepted it)\b|^nothing(?:\s*[.,!;-]|$)"
)
_OBSERVATION_RE = re.compile(
    r"\b(?:noticed|noticing|spotted|realised|realized|realising|realizing|discovered|saw|"
    r"seen|found (?:out|an?|the|that|my|some|it)|(?:checked|checking|check|looked at|looking "
    r"at|look at|read|refreshed|refreshing|kept checking|went through) (?:my|the|our|their)|"
    r"(?:arrived|turned up|showed up|got delivered|was delivered|dropped out|cut out|went down|"
    r"went off|stopped working|broke down|packed up|died|crashed)\b|opened (?:it|the (?:box|"
    r"parcel|package|letter|envelope|bill)|my (?:parcel|package|bill|post|letter|order)))"
)
# Signs that someone *was* contacted, by a channel the answer does not name ("a supervisor
# agreed to send one", "the engineer saw the fault"): then the channel is unknown, not
# none, and the engine asks.
_ROLE = (
    r"(?:agent|advis[oe]r|supervisor|operator|rep|representative|customer service \w+|support "
    r"team|staff member|receptionist|clerk|officer|engineer|technician|nurse|manager|handler|"
    r"assessor|adjuster|specialist|pharmacist|person|lady|woman|man|guy|bloke|chap|lad|"
    r"doctor|gp|mechanic)"
)
_VERB = (
    r"(?:[a-z]+ed|said|told|found|saw|took|gave|sent|put|ran|made|got|let|kept|read|set|did|knew|"
    r"brought|rang|spoke|wrote|says|tells|say|tell|looks?|checks?|explains?|helps?|finds?|gives?|"
    r"sends?|answers?|asks?|books?|fix(?:es)?|sorts?|changes?|admits?)"
)
# A company person at work in the step ("the receptionist checked the log", "agent Tom
# reset it", "she explained"): someone was reached, by a channel the answer may not name.
_ACTOR_RE = re.compile(
    r"\b(?:(?:(?:an?|the|their|one|another|same) (?:[\w'-]+ )?)?" + _ROLE + r"(?: (?!(?:who|that|w"
    r"hich|never|not|to|for|all|at|in|on|"
    r"with|and|or)\b)[^\s.,;!?]+){0,2}?"
    r"(?: (?:finally|eventually|actually|then|just|also|quickly|kindly|politely|immediately))?"
    r" " + _VERB + r"|(?:she|he) (?:then |just |also |finally )?(?:said|says?|told|found|checked|"
    r"asked|explained|offered|looked|reset|sorted|fixed|changed|booked|put|sent|ran|apologi[sz]ed|"
    r"admitted|confirmed|refunded|gave|give|tells?|re-\w+|\w+ed))\b"
)
# Signs that someone *was* contacted, by a channel the answer does not name ("a supervisor
# agreed to send one", "they never got back to me"): then the channel is unknown, not
# none, and the engine asks.
_CONTACT_EVIDENCE_RE = re.compile(
    r"\b(?:(?:an?|the|their|one|another) (?:agent|advis[oe]r|supervisor|operator|rep|"
    r"representative|customer service \w+|support team|staff member)|(?:they|he|she) (?:told|"
    r"agreed|asked|replied|responded|found|checked|offered|refunded|fixed|sent|shipped|replaced|"
    r"repaired|changed|sorted|merged|approved|cancelled|released|explained|reset|booked|gave|"
    r"apologi[sz]ed|admitted|confirmed)|told me|spoke|talked|(?:got|get|getting) back to (?:me|"
    r"us)|got in touch|reached out|contacted|complained|messaged|repl(?:y|ied|ies) from|(?:to|"
    r"they) reply|their reply)\b"
)


@dataclass(frozen=True)
class _Counted:
    """A cue that counts, with the tier it counts at."""

    hit: Hit[Cue]
    channel: Channel
    tier: int


def read_channel(norm: str) -> ChannelReading:
    """The channel of a *normalised* answer, by the rule in the module docstring."""
    if not norm:
        return _NOTHING
    counted, dropped = _counted_cues(norm)
    picked = _pick(norm, _without_containers(norm, counted))
    if picked is None:
        return _without_channel(norm, dropped)
    channel = _chat_kind(norm, picked) if picked.hit.value.generic_chat else picked.channel
    cue = norm[picked.hit.start : picked.hit.end]
    if picked.tier == WEAK:
        actor = _ACTOR_RE.search(norm) is not None
        if "someone else's" in dropped or (
            not actor and ("nobody" in dropped or _INACTION_RE.search(norm) is not None)
        ):
            return ChannelReading(Channel.NONE, False, cue, "no contact described, weak cue")
        if actor:
            # A company person at work and only a passing noun: the channel is the
            # unnamed one they were reached by ("she told me to check the app").
            return _NOTHING
        return ChannelReading(channel, False, cue, "weak cue")
    if picked.hit.value.incoming:
        return ChannelReading(channel, False, cue, "the company's contact")
    rivals = {c.channel for c in counted if c.tier == STRONG} - {picked.channel}
    if channel in _CHAT_CHANNELS:
        rivals -= _CHAT_CHANNELS  # "the chat" and "a bot" in one answer are one chat
    if rivals:
        return ChannelReading(channel, False, cue, "other channels named")
    return ChannelReading(channel, True, cue, "contact action")


def _without_channel(norm: str, dropped: set[str]) -> ChannelReading:
    """No channel counted: no contact, or a contact by an unnamed channel, or nothing."""
    if _NONE_RE.search(norm):
        return ChannelReading(Channel.NONE, True, "", "no contact said")
    if "nobody" in dropped:
        return ChannelReading(Channel.NONE, False, "", "a contact that did not happen")
    if _ACTOR_RE.search(norm) or _CONTACT_EVIDENCE_RE.search(norm):
        return _NOTHING
    if "negated" in dropped:
        return ChannelReading(Channel.NONE, True, "", "only negated channels")
    if _INACTION_RE.search(norm) or _OBSERVATION_RE.search(norm) or "someone else's" in dropped:
        return ChannelReading(Channel.NONE, False, "", "no contact described")
    return _NOTHING


def actor_at_work(norm: str) -> bool:
    """Whether a company person acts in the normalised answer ("the adviser said", "she
    transferred me", "a man picked up")."""
    return _ACTOR_RE.search(norm) is not None


def detect_channel(norm: str) -> Channel | None:
    """Channel of a *normalised* answer, by the rule in the module docstring."""
    return read_channel(norm).channel


def _counted_cues(norm: str) -> tuple[list[_Counted], set[str]]:
    """The cues that count and the tier each counts at; and why others were dropped."""
    counted: list[_Counted] = []
    dropped: set[str] = set()
    for hit in cue_hits(norm):
        cue = hit.value
        if cue.channel is None:
            continue
        negation = context.negation(norm, hit.start)
        if negation is not None:
            dropped.update(("negated", negation))
            continue
        if context.someone_elses(norm, hit.start, hit.end):
            dropped.add("someone else's")
            continue
        if context.backstory(norm, hit.start):
            continue
        tier = cue.tier
        if tier == STRONG and (
            context.only_context(norm, hit.start, hit.end)
            or (
                cue.channel in (Channel.SMS, Channel.EMAIL)
                and context.side_medium(norm, hit.start, hit.end)
            )
        ):
            tier = WEAK
        counted.append(_Counted(hit, cue.channel, tier))
    return counted, dropped


def _without_containers(norm: str, counted: list[_Counted]) -> list[_Counted]:
    """Drop an app or a website that only holds the chat, bot or app named beside it."""
    chats = [c.hit.start for c in counted if c.channel in _CHAT_CHANNELS and c.tier == STRONG]
    apps = [
        c.hit.start
        for c in counted
        if c.channel == Channel.MOBILE_APP
        and c.tier == STRONG
        and _INSIDE_RE.match(norm, c.hit.start) is not None
    ]
    if not chats and not apps:
        return counted
    kept = []
    for c in counted:
        container = c.hit.value.container
        if container and _near(norm, c.hit.start, chats, sentences=2):
            continue
        if c.channel in (Channel.WEBSITE, Channel.HELP_CENTER) and _near(
            norm, c.hit.start, apps, sentences=1
        ):
            continue  # "the claim form in their app", "the troubleshooting steps in the app"
        kept.append(c)
    return kept


_INSIDE_RE = re.compile(r"(?:in|inside|within|on|through|via|using|into|in-)\b")


def _near(norm: str, start: int, others: list[int], *, sentences: int) -> bool:
    """Whether one of ``others`` is in the sentence of ``start`` (or the next one, with
    ``sentences=2``)."""
    lo, hi = context.sentence_bounds(norm, start)
    if sentences == 2 and hi < len(norm):
        _, hi = context.sentence_bounds(norm, hi + 1)
    return any(lo <= other <= hi and other != start for other in others)


def _pick(norm: str, counted: list[_Counted]) -> _Counted | None:
    """First own strong cue in time, else first incoming strong cue, else first weak."""
    spans = context.reordered_spans(norm)
    best: dict[tuple[int, bool], tuple[tuple[float, int], _Counted]] = {}
    for c in counted:
        rank = (c.tier, c.hit.value.incoming and c.tier == STRONG)
        key = context.time_key(c.hit.start, spans) if c.tier == STRONG else (c.hit.start, 0)
        if rank not in best or key < best[rank][0]:
            best[rank] = (key, c)
    for rank in ((STRONG, False), (STRONG, True), (WEAK, False)):
        if rank in best:
            return best[rank][1]
    return None


def _chat_kind(norm: str, picked: _Counted) -> Channel:
    """A generic chat: a chatbot if a bot answered ("tried the chat but it was just a
    bot"), live chat if a person did or nothing says."""
    _, hi = context.sentence_bounds(norm, picked.hit.start)
    if hi < len(norm):
        _, hi = context.sentence_bounds(norm, hi + 1)
    for m in _BOT_RE.finditer(norm, picked.hit.end, hi):
        if not context.negated(norm, m.start()):
            return Channel.CHATBOT
    return Channel.LIVE_CHAT


@cache
def _answers() -> dict[str, Channel]:
    """Whole answers to "which channel?" -> channel: every channel's value and label (quick
    replies come back verbatim, in any case) and the short answers of channel_answers.yaml.
    """
    lookup = {
        name: channel
        for channel in Channel
        for name in (
            channel.value,
            channel.value.replace("_", " "),
            CHANNEL_LABELS[channel].lower(),
        )
    }
    for channel, answers in load_lexicon("channel_answers", ChannelAnswersLexicon).answers.items():
        lookup.update(dict.fromkeys(answers, channel))
    return lookup


_STRIP_CHARS = " .!?,;:'\"-*_()[]"
# In an answer to "which channel?" a bare noun names the channel ("It was the phone",
# "by the app, I think"): the question asked for exactly that.
_NAMED_RE = re.compile(
    r"\b(?:(?P<phone>phone|telephone|mobile)|(?P<email>e-?mail|mail)|(?P<app>app)|(?P<web>"
    r"web ?site|site|online|internet|web)|(?P<chat>chat)|(?P<sms>text|sms)|(?P<person>"
    r"office|counter|desk|shop|store|branch|visit|appointment)|(?P<post>post|letter))\b"
)
_NAMED = {
    "phone": Channel.PHONE,
    "email": Channel.EMAIL,
    "app": Channel.MOBILE_APP,
    "web": Channel.WEBSITE,
    "chat": Channel.LIVE_CHAT,
    "sms": Channel.SMS,
    "person": Channel.IN_PERSON,
    "post": Channel.OTHER,
}


def channel_from_answer(norm: str) -> Channel | None:
    """Channel from an answer to "which channel?" (labels accepted; see parse_channel)."""
    key = norm.strip(_STRIP_CHARS)
    if not key:
        return None
    channel = _answers().get(key)
    if channel is not None:
        return channel
    if _OPENS_WITHOUT_CONTACT_RE.match(norm) and not _THEY_CONTACTED_RE.search(norm):
        return Channel.NONE
    reading = read_channel(norm)
    if _NO_CONTACT_ANSWER_RE.search(key) and not (reading.sure and reading.channel):
        return Channel.NONE
    if reading.channel is not None:
        return reading.channel
    named = _NAMED_RE.search(norm)
    if named is not None and named.lastgroup is not None:
        return _NAMED[named.lastgroup]
    return None
