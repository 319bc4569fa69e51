"""Which channel the customer used at a step, from everyday wording.

Rule for answers that mention several channels (documented for the engine):

1. Every cue is *strong* (an action or an unambiguous channel name: "rang them",
   "live chat", "on hold", "in the app") or *weak* (a bare noun that is often only
   context: "email", "the website", "phone number", "branch").
2. Cues in a negated clause ("didn't call", "instead of calling", "no phone number")
   and promises in reported speech ("they said they'd call") are ignored.
3. The first strong cue *in time* wins, else the earliest weak cue: the customer
   usually names the contact they made first ("tried calling but couldn't get through
   so I emailed" -> phone), except where time words reorder them: a strong cue in an
   "after ..." clause, or after "before that" / "but first", happened earlier ("went on
   live chat after the bot was useless" -> chatbot).
4. A generic chat cue ("the chat", "chatted") is a chatbot when a bot cue follows in
   the same sentence ("tried the chat but it was just a bot"), otherwise live chat.
5. With no usable cue, an explicit "didn't contact anyone" / "just waited" / "n/a"
   (or only negated cues) gives ``Channel.NONE``, and so does described inaction
   (waited for the parcel / for a promised callback, let it go, ignored it, forgot)
   unless the answer shows someone was contacted by an unnamed channel ("a supervisor
   agreed"); else ``None``. Observation alone ("noticed a charge", "the parcel arrived")
   gives ``Channel.NONE`` as well.
   Booking or waiting for a callback is not a phone contact ("booked a callback on the
   website" -> website).

Mapping conventions: WhatsApp, iMessage, Telegram and SMS are ``sms`` (one-to-one
messaging to a business number); Twitter/X, Facebook (incl. Messenger), Instagram,
TikTok and LinkedIn are ``social_media`` (DMs included). "The app" is ``mobile_app``;
"online form", "contact form", "logged into my account", "portal" are ``website``;
FAQ / help centre / knowledge base / support articles are ``help_center``; Reddit and
community boards are ``community_forum``; letters, post, fax, video calls and
meetings (Zoom, Teams, Google Meet), public reviews (Google, Trustpilot, review sites),
regulators and ombudsmen (Ofcom, FCA, writing to an MP, small claims), Citizens Advice,
chargebacks are ``other``; engineer / technician visits are ``in_person``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.conversation.vocabulary import CHANNEL_LABELS, Channel
from bot.understanding.cue_matching import Hit, is_negated
from bot.understanding.lexicons import load_lexicon
from bot.understanding.lexicons.schema import ChannelAnswersLexicon

STRONG = 2
WEAK = 1
IGNORE = 0


@dataclass(frozen=True)
class _Cue:
    channel: Channel | None  # None: a phrase that shadows cues inside it
    tier: int
    generic_chat: bool = False


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


_PLACE = (
    r"(?:branch|store|shop|office|counter|depot|showroom|outlet|dealership|post office|bank|"
    r"genius bar|(?:service|front|help|customer service) desk|till|reception|kiosk)"
)
_AUTHORITY = (
    r"ombudsman|ofcom|ofgem|ofwat|the fca|fca|financial conduct authority|ico|information "
    r"commissioner|(?:the )?regulator|watchdog|trading standards|citizens advice|small claims"
    r"(?: court)?|money ?claim|(?:(?:my|our|local|the) )+mp|member of parliament|(?:my|local) "
    r"councillor|better business bureau|bbb|consumer (?:council|rights (?:group|body))|"
    r"(?:civil aviation authority|caa)|advertising standards|asa"
)
_REVIEW = (
    r"(?:left|leave|leaving|wrote|write|writing|posted|post|posting|put|gave|give|did|added)"
    r" (?:them |it )?(?:an? |my |one |some )?(?:\w+[- ])?(?:star )?reviews?|reviews? (?:on|via)"
    r" (?:google|trust ?pilot|yelp|trip ?advisor|feefo|amazon|facebook|the app store|their "
    r"(?:site|website|page))|(?:google|trust ?pilot|yelp|trip ?advisor|feefo|public|app store|"
    r"play store|one[- ]star|1[- ]star|bad|negative|scathing|honest) reviews?|review sites?|"
    r"trust ?pilot|yelp|trip ?advisor|feefo"
)
_VIDEO = (
    r"video (?:call|chat|meeting|link|appointment|consultation)s?|(?:ms |microsoft )?teams "
    r"(?:call|meeting|video)s?|on (?:ms |microsoft )?teams|zoom(?: call| meeting)?s?|google meet|"
    r"facetime|webex|skype"
)
_POST = (
    r"letters?|by post|in the post|through the post|via (?:the )?post|snail mail|recorded "
    r"delivery|fax(?:ed|ing)?|posted (?:off |back )?(?:(?:the|my|our|a|all the|"
    r"copies of (?:the|my)) )?(?:\w+ )?(?:documents?|forms?|paperwork|papers|cheque|letter|"
    r"receipts?|"
    r"application|originals|copies|passport|certificates?|claim form|evidence)|posted (?:it|"
    r"them) (?:back|off|instead|to (?:them|the|their|head office))|mailed (?:them|it|the \w+)"
    r" (?:a|the|back|off)"
)
_BOT = (
    r"(?:chat ?bots?|bots?|robot (?:chat|assistant|agent|helper|thing)|chat ?robots?|"
    r"virtual (?:assistant|agent)|(?:ai|automated|digital|smart) "
    r"(?:assistant|agent|chat|helper)|automated chat)"
)

_CUES: tuple[tuple[re.Pattern[str], _Cue], ...] = (
    # --- other, first: a regulator, a review site or a video meeting names the channel
    # even when a contact verb comes first ("wrote to the ombudsman", "app store review")
    (
        _rx(
            r"\b(?:(?:(?:wrote|write|writing|complained|complain|reported|report|escalated|"
            r"escalate|went|go|took|take|taken|referred|contacted|emailed|rang|called) "
            r"(?:(?:them|it|this|the \w+|my \w+) )?(?:up )?(?:to )?)?(?:the )?(?:"
            + _AUTHORITY
            + r")|(?:"
            + _REVIEW
            + r")|(?:"
            + _VIDEO
            + r")|(?:"
            + _POST
            + r"))\b"
        ),
        _Cue(Channel.OTHER, STRONG),
    ),
    # --- shadowing phrases: words that look like a channel but are something else
    (
        # Waiting for a promised contact is not a contact: "waited for them to ring back",
        # "waiting on a callback"; neither is booking one ("booked a callback online").
        _rx(
            r"\b(?:wait(?:ed|ing)?|hoping|expecting|hoped|expected)\b[^.,;!?]{0,30}?\b(?:for|on)"
            r" (?:(?:them|him|her|someone|somebody|anyone|the \w+|their \w+) to (?:call|ring|"
            r"phone|email|text|get back|contact)(?: (?:me|us))?(?: back)?|(?:an?|the|their|my|"
            r"that|his|her|any) (?:promised |phone |return )?(?:call ?back|ring ?back|phone call|"
            r"call(?! cent)))|\b(?:booked|book|booking|requested|request|arranged|arrange|"
            r"scheduled|schedule|asked for|ordered) (?:an?|the|my) (?:\w+ )?(?:call ?back|phone "
            r"call|ring ?back|call(?! cent)|(?:engineer |technician |home )?visit|engineer|"
            r"technician|appointment)"
        ),
        _Cue(None, IGNORE),
    ),
    (
        _rx(
            r"\b(?:is|was|are|were|so|company|app|website|site|shop|store|someone|somebody|"
            r"guy|man|woman|lady|thing|bank|firm|product|one|service|brand|person|agent|chap|"
            r"bloke|girl|rep|advisor|adviser|thingy|program|programme|something|place)[- ]called\b"
        ),
        _Cue(None, IGNORE),
    ),
    (
        _rx(r"\b(?:on|from|with|using|via) (?:my|his|her|our) (?:mobile )?(?:phone|cell)\b"),
        _Cue(None, IGNORE),
    ),
    (_rx(r"\bmy (?:mobile |new |old )?phone\b(?! (?:call|number))"), _Cue(None, IGNORE)),
    (
        _rx(r"\b(?:my|your|their|an?) e-?mail address\b|\bapp store\b|\bonline (?:shop|store)\b"),
        _Cue(None, IGNORE),
    ),
    (
        _rx(
            r"\b(?:they|he|she|someone|somebody|who)(?:'d| would| will|'ll| were going to| was go"
            r"ing "
            r"to| promised to| said they'd| said they would) (?:call|ring|phone|email|text|contact)"
            r"(?: me| us)?(?: back)?\b"
        ),
        _Cue(None, IGNORE),
    ),
    (_rx(r"\bpromised (?:me |us )?a (?:call ?back|call)\b"), _Cue(None, IGNORE)),
    (
        _rx(r"\b(?:bank|credit card|card) (?:statement|balance|details|holiday)\b"),
        _Cue(None, IGNORE),
    ),
    # --- other
    (
        _rx(
            r"\b(?:letters?|by post|in the post|snail mail|recorded delivery|fax(?:ed|ing)?|"
            r"ombudsman|trust ?pilot|video call|zoom call|teams call|citizens advice|chargeback|"
            r"small claims|trading standards|solicitor|carrier pigeon)\b"
        ),
        _Cue(Channel.OTHER, STRONG),
    ),
    (
        _rx(
            r"\bposted (?:it|them|the \w+|my \w+) (?:back|off)\b|\bleft an? (?:\w+ )?review\b|"
            r"\bwent through (?:my )?(?:bank|credit card company|card provider)\b"
        ),
        _Cue(Channel.OTHER, STRONG),
    ),
    # --- in person
    (
        _rx(
            r"\b(?:in[- ]person|face[- ]to[- ]face|in[- ]store|in (?:the )?branch|walk-?in"
            r"|(?:popped|pop|went|go|going|walked|walk|headed|drove|nipped|dropped|stopped|visited|"
            r"visit|took it|took them|brought it|returned it|called in(?:to)?|called round|queued)"
            r"\b[^.,;!?]{0,30}?\b"
            + _PLACE
            + r"|at the (?:counter|till|front desk|service desk|branch|store|shop|depot|reception)"
            r"|(?:engineer|technician|tech|fitter|installer|plumber|electrician|surveyor|repair ?"
            r"(?:man|person)|someone) (?:came|come|turned up|visited|showed up|arrived|popped "
            r"round|dropped by|called round|attended)|(?:engineer|technician|home|site|repair) "
            r"visits?|(?:sent|send|sending) (?:an?|the|their) (?:engineer|technician)"
            r"|(?:manager|shop assistant|staff member|cashier|clerk) came (?:out|over))\b"
        ),
        _Cue(Channel.IN_PERSON, STRONG),
    ),
    # --- phone
    (
        _rx(
            r"\b(?:phon(?:ed|ing)|telephon(?:ed|ing)|rang|rung|ringing (?:them|him|her|up|back|ro"
            r"und)"
            r"|ring (?:them|him|her|up|back|again|round|the|their|customer|support|my)"
            r"|dial(?:l?ed|l?ing)|hung up|hang up|hold music|on hold|put me on hold"
            r"|(?:phone|telephone) calls?|call ?backs?|called (?:back|me|them|him|her|up|again|th"
            r"e|their|"
            r"customer|support|my|it|twice|\w+ times)|called|calling|calls?(?! cent(?:re|er))"
            r"|gave [^.,;!?]{0,30}?\ba (?:call|ring|bell|buzz|tinkle)|on the (?:phone|blower)"
            r"|over the phone|by (?:tele)?phone|via (?:tele)?phone|on the line"
            r"|(?:help|hot|phone|support|customer services?|complaints|claims|service) ?lines?"
            r"|call cent(?:re|er)s?|switchboard|ivr|automated (?:voice|phone|line|menu|system)"
            r"|pressed? (?:\d|one|two|three|four|five|hash|star)"
            r"|0800|0808|0845|0844|0330|0300|freephone|toll[- ]free|1-?8[08]{2}(?: number)?"
            r"|(?:the )?line (?:went dead|went quiet|went silent|cut out|dropped|disconnected|kept "
            r"dropping)|(?:the )?line was (?:engaged|busy|dead)|hold (?:queue|time|message)"
            r"|(?:^|(?<=i )|(?<=we ))held (?:on )?for|held (?:on )?for (?:ages|hours|forever|what "
            r"felt|an? (?:hour|age|eternity))|hung on the line)\b"
        ),
        _Cue(Channel.PHONE, STRONG),
    ),
    (
        _rx(
            r"\b(?:order|reference|ref|case|ticket|tracking|account|card|serial|policy|customer|"
            r"membership|confirmation|booking|sort code|pin) (?:number|no|code)\b"
        ),
        _Cue(None, IGNORE),
    ),
    (
        _rx(
            r"\b(?:phone(?: number)?|telephone|(?:the|their|a|that|this|support|contact|helpline) "
            r"number|(?:no one|nobody|someone|anyone|finally|eventually) (?:picked|picks) up)\b"
        ),
        _Cue(Channel.PHONE, WEAK),
    ),
    # --- email
    (
        _rx(
            r"\b(?:emailed|emailing|(?:sent|send|sending|wrote|write|writing|fired off|dropped|"
            r"drop) (?:them |him |her |off |back |support |customer service )?(?:an? |another |a "
            r"follow[- ]up |my |their )?emails?|(?:by|via|over|through) emails?|email (?:them|him"
            r"|her|"
            r"support|customer service|the complaints)|replied to (?:their|the|an|his|her) emails?"
            r"|used the email(?: address)?|wrote to (?:them|him|her|the|their|customer|support|"
            r"complaints)(?![^.,;!?]{0,25}\b(?:letter|post)\b))\b"
        ),
        _Cue(Channel.EMAIL, STRONG),
    ),
    (_rx(r"\b(?:emails?|inbox)\b"), _Cue(Channel.EMAIL, WEAK)),
    # --- chatbot and chat
    (_rx(r"\b" + _BOT + r"\b"), _Cue(Channel.CHATBOT, STRONG)),
    (
        _rx(
            r"\b(?:live ?chat|web ?chat|(?:in-?)?app chat|chat (?:agent|advis[oe]r|rep)s?|"
            r"chat(?:ted|ting)? (?:with|to) (?:an? |the )?(?:agent|advis[oe]r|human|person|rep|"
            r"real person|someone|somebody))\b"
        ),
        _Cue(Channel.LIVE_CHAT, STRONG),
    ),
    (
        _rx(r"\b(?:chat(?:ted|ting|s)?|chat (?:bubble|window|widget|box|icon|button|function))\b"),
        _Cue(Channel.LIVE_CHAT, STRONG, generic_chat=True),
    ),
    # --- help centre
    (
        _rx(
            r"\b(?:faqs?|q ?& ?a|help ?(?:cent(?:re|er)|pages?|section|articles?|docs|documentati"
            r"on|"
            r"hub|guides?)|knowledge ?base|support (?:articles?|pages?|site|docs|documentation|gu"
            r"ides?|"
            r"hub|cent(?:re|er))|troubleshooting (?:guide|page|steps)|how-?to guides?|self[- ]ser"
            r"vice)\b"
        ),
        _Cue(Channel.HELP_CENTER, STRONG),
    ),
    # --- mobile app
    (
        _rx(
            r"\b(?:mobile app|(?:in|through|via|on|using|use|used|into|from|with|in-) ?(?:the|the"
            r"ir|its|"
            r"an?|my) (?:\w+ )?app|the \w+ app|(?:their|the|an?) app|in-app|apps?)\b(?! chat)"
        ),
        _Cue(Channel.MOBILE_APP, STRONG),
    ),
    # --- website
    (
        _rx(
            r"\b(?:(?:online|web|contact|complaints?|claims?|returns?|enquiry|inquiry|support|"
            r"cancellation|refund) ?forms?|(?:logged|log|logging|signed|sign) (?:in|into|on)(?: t"
            r"o)? "
            r"(?:my|the|their) (?:online )?account|online account|(?:customer |online )?portal"
            r"|my account (?:page|section|area)|(?:went|go|going|looked|checked|used|use|using|vi"
            r"sited|"
            r"browsed|went onto) (?:on |onto |at |through )?(?:the|their|its) (?:web ?site|site|w"
            r"eb "
            r"page))\b"
        ),
        _Cue(Channel.WEBSITE, STRONG),
    ),
    (
        _rx(
            r"\b(?:web ?sites?|site|web ?pages?|online|forms?|(?:contact|returns|tracking) page)\b"
        ),
        _Cue(Channel.WEBSITE, WEAK),
    ),
    # --- social media
    (
        _rx(
            r"\b(?:twitter|tweet(?:ed|ing|s)?|on x|facebook|fb|instagram|insta|tiktok|linkedin|"
            r"messenger|social(?: media)?|dm(?:'?d|'?ed|s|'s)?|direct messaged?|mastodon|bluesky|"
            r"youtube|threads app|socials)\b"
        ),
        _Cue(Channel.SOCIAL_MEDIA, STRONG),
    ),
    # --- in person (weak)
    (_rx(r"\b(?:branch|shop|store|counter|desk)\b"), _Cue(Channel.IN_PERSON, WEAK)),
    # --- sms and messaging apps
    (
        _rx(
            r"\b(?:text(?:ed|ing)|sms|text messages?|an? texts?|their texts?|by text|via text|"
            r"whats ?app|imessage|telegram)\b"
        ),
        _Cue(Channel.SMS, STRONG),
    ),
    (_rx(r"\btexts?\b"), _Cue(Channel.SMS, WEAK)),
    # --- community forum
    (
        _rx(
            r"\b(?:forums?|reddit|subreddit|r/\w+|community(?: forum| boards?| pages?| site)?|"
            r"message ?boards?|user groups?|stack ?overflow)\b"
        ),
        _Cue(Channel.COMMUNITY_FORUM, STRONG),
    ),
    (_rx(r"\b(?:threads?|moderators?)\b"), _Cue(Channel.COMMUNITY_FORUM, WEAK)),
)

_BOT_RE = _rx(r"\b" + _BOT + r"\b")
_SENTENCE_END_RE = _rx(r"[.!?\n]")

# Explicit "no contact at this step"; only used when nothing positive was found.
_NONE_RE = _rx(
    r"^(?:none|n/?a|no contact|nobody|no one|no-one|not applicable)(?:$|\s*[,.!;:-])|"
    r"\b(?:didn't|did not|never|haven't|have not|hadn't|had not|not) (?:yet )?(?:contact|call|"
    r"ring|phone|email|message|reach(?:ed)? out|get in touch|got in touch|speak|spoke|talk|"
    r"bother|do anything|even try)|\bno contact\b|\bjust waited\b|\bdid nothing\b|"
    r"\bwaited it out\b|\bdidn't do anything\b"
)

# A no-contact activity described instead of a contact: inaction ("waited for the parcel",
# "waited for them to ring back", "let it go", "ignored it", "forgot") or observation
# ("noticed a charge", "checked my statement", "the parcel arrived", "the wifi dropped").
_INACTION_RE = _rx(
    r"\b(?:(?<!still )(?<!still just )wait(?:ed|ing)\b(?! (?:in (?:the|a) (?:queue|line)|to "
    r"(?:be|speak|talk|get)))|sat (?:and waited|there waiting|at home waiting|in all day)|"
    r"ignored it|forgot|let it (?:go|slide|drop)|left it|put up with it|lived with it|wrote it "
    r"off|(?:just |simply )?accepted it)\b|^nothing(?:\s*[.,!;-]|$)"
)
_OBSERVATION_RE = _rx(
    r"\b(?:noticed|noticing|spotted|realised|realized|realising|realizing|discovered|saw|"
    r"seen|found (?:out|an?|the|that|my|some|it)|(?:checked|checking|check|looked at|looking "
    r"at|look at|read|refreshed|refreshing|kept checking|went through) (?:my|the|our|their)|"
    r"(?:arrived|turned up|showed up|got delivered|was delivered|dropped out|cut out|went down|"
    r"went off|stopped working|broke down|packed up|died|crashed)\b|opened (?:it|the (?:box|"
    r"parcel|package|letter|envelope|bill)|my (?:parcel|package|bill|post|letter|order)))"
)

# Signs that someone *was* contacted, by a channel the answer does not name ("a supervisor
# agreed to send one", "they never got back to me"): then the channel is unknown, not none.
_CONTACT_EVIDENCE_RE = _rx(
    r"\b(?:(?:an?|the|their|one|another) (?:agent|advis[oe]r|supervisor|operator|rep|"
    r"representative|customer service \w+|support team|staff member)|they (?:told|agreed|asked|"
    r"replied|responded)|told me|spoke|talked|(?:got|get|getting) back to (?:me|us)|got in touch|"
    r"reached out|contacted|complained|messaged|repl(?:y|ied|ies) from|(?:to|they) reply|"
    r"their reply)\b"
)

# Time-order markers. "went on live chat after the bot was useless": the contact in the
# "after ..." clause came first; "..., before that I tried the app": so did the one after
# "before that". Only strong cues are reordered, inside a short clause.
_AFTER_RE = _rx(
    r"\b(?:after|once)\b(?! (?:that|this|which|all|about|around|over|nearly|almost|only|just|"
    r"like|a\b|an\b|\d|few|couple|several|ages|hours?|days?|weeks?|minutes?|mins?|they|he|she|"
    r"someone|somebody|it)\b)"
)
_BEFORE_THAT_RE = _rx(
    r"\b(?:before (?:that|this|then|all (?:that|this))|prior to (?:that|this)|but first|(?:i|we)"
    r"(?:'d| had) first)\b"
)
_SCOPE_END_RE = _rx(r"[.!?;\n]|,|\b(?:then|so|but|and then|which)\b")


def _reordered_spans(norm: str) -> list[tuple[int, int, int]]:
    """(start, end, rank) spans whose strong cues happened earlier than their position."""
    spans: list[tuple[int, int, int]] = []
    if "after" in norm or "once" in norm:
        for m in _AFTER_RE.finditer(norm):
            tail = norm[m.end() : m.end() + 60]
            stop = _SCOPE_END_RE.search(tail)
            end = m.end() + (stop.start() if stop else len(tail))
            # before the start of its sentence's cues, after everything in earlier sentences
            sentence = max(norm.rfind(mark, 0, m.start()) for mark in ".!?\n")
            spans.append((m.end(), end, sentence))
    if "before" in norm or "first" in norm:
        for m in _BEFORE_THAT_RE.finditer(norm):
            tail = norm[m.end() : m.end() + 80]
            stop = _SENTENCE_END_RE.search(tail)
            end = m.end() + (stop.start() if stop else len(tail))
            spans.append((m.end(), end, -2))
    return spans


def _time_key(start: int, spans: list[tuple[int, int, int]]) -> tuple[float, int]:
    for span_start, span_end, rank in spans:
        if span_start <= start < span_end:
            return (rank + 0.5, start)
    return (start, start)


# Instructions the customer was given are not the contact they made: "the shop told me
# to ring customer services" happened in the shop. Such cues count as weak.
_INSTRUCTION_RE = _rx(
    r"\b(?:(?:told|asked|wanted|advised|instructed|made|forced) (?:me|us) to|said (?:i|we)(?:'d| "
    r"would| had to| have to| should| needed to| need to| must)(?: have to)?|(?:have|had|need|nee"
    r"ded) "
    r"to) (?:\w+ )?$"
)


# One scan instead of thirty: the leading word boundary is tested once per position and
# fails fast inside words. Alternatives are tried in table order, so at one start the
# more specific cue (listed first) wins; later starts cannot overlap earlier matches.
_ALL_CUES_RE = _rx(
    r"\b(?:"
    + "|".join(f"(?P<c{i}>{pattern.pattern})" for i, (pattern, _) in enumerate(_CUES))
    + ")"
)


def _cue_hits(text: str) -> list[Hit[_Cue]]:
    hits = []
    for m in _ALL_CUES_RE.finditer(text):
        group = m.lastgroup
        if group is not None:
            hits.append(Hit(m.start(), m.end(), _CUES[int(group[1:])][1]))
    return hits


def _resolve_generic_chat(text: str, end: int) -> Channel:
    # "tried the chat but it was just a bot": the bot cue in the same sentence says
    # which kind of chat it was.
    tail = text[end : end + 60]
    stop = _SENTENCE_END_RE.search(tail)
    if stop is not None:
        tail = tail[: stop.start()]
    return Channel.CHATBOT if _BOT_RE.search(tail) else Channel.LIVE_CHAT


def detect_channel(norm: str) -> Channel | None:
    """Channel of a *normalised* answer, by the rule in the module docstring."""
    if not norm:
        return None
    best: dict[int, tuple[tuple[float, int], Hit[_Cue]]] = {}
    negated_any = False
    spans = _reordered_spans(norm)
    for hit in _cue_hits(norm):
        cue = hit.value
        if cue.channel is None:
            continue
        if is_negated(norm, hit.start):
            negated_any = True
            continue
        tier = cue.tier
        if tier == STRONG and _INSTRUCTION_RE.search(norm[max(0, hit.start - 40) : hit.start]):
            tier = WEAK
        key = _time_key(hit.start, spans) if tier == STRONG else (hit.start, hit.start)
        if tier not in best or key < best[tier][0]:
            best[tier] = (key, hit)
    picked = best.get(STRONG) or best.get(WEAK)
    if picked is not None:
        chosen = picked[1]
        cue = chosen.value
        if cue.generic_chat:
            return _resolve_generic_chat(norm, chosen.end)
        return cue.channel
    if negated_any or _NONE_RE.search(norm):
        return Channel.NONE
    no_contact = _INACTION_RE.search(norm) is not None or _OBSERVATION_RE.search(norm) is not None
    if no_contact and not _CONTACT_EVIDENCE_RE.search(norm):
        return Channel.NONE
    return None


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


def channel_from_answer(norm: str) -> Channel | None:
    """Channel from an answer to "which channel?" (labels accepted; see parse_channel)."""
    key = norm.strip(_STRIP_CHARS)
    if not key:
        return None
    channel = _answers().get(key)
    return channel if channel is not None else detect_channel(norm)
