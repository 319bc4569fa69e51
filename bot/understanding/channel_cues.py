"""The words that point at a channel, and what kind of pointer each one is.

A cue is *strong* (a contact action or an unambiguous channel name: "rang them", "live
chat", "on hold", "in the app") or *weak* (a bare noun that is often only context:
"email", "the website", "phone number", "branch"); a *shadow* (channel None) is a phrase
that looks like a channel but is something else ("my bank app", "call notes", "waiting
for their email") and hides the cues inside it. A few flags say more about a cue:

- ``incoming``: the company reached the customer ("they emailed me", "got a text", "a
  letter came"). It is the step's channel only when the customer did nothing by a
  channel of their own in the same answer ("got a text saying it was ready, so I went
  to the pharmacy" is in person).
- ``container``: the app or website something else happened in. A chat or a bot in the
  same sentence is the channel ("the assistant bot in the app" is a chatbot).
- ``generic_chat``: "the chat" is live chat or a bot, depending on what the answer says
  about who answered (see :mod:`bot.understanding.channels`).

Which cues count, given where they stand (negated, someone else's call, a reason), is
:mod:`bot.understanding.channel_context`'s job; which one wins is
:mod:`bot.understanding.channels`'s.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from bot.conversation.vocabulary import Channel
from bot.understanding.cue_matching import Hit
from bot.understanding.first_chars import guarded_alternation

STRONG = 2
WEAK = 1
IGNORE = 0


@dataclass(frozen=True)
class Cue:
    """What one cue says: a channel (None for a shadow), its tier and its flags."""

    channel: Channel | None
    tier: int
    generic_chat: bool = False
    incoming: bool = False
    container: bool = False


def _rx(pattern: str) -> str:
    # The table keeps pattern text; the one scan is compiled on first use, not at import
    # (the CLI imports this module on every start).
    return pattern


_PLACE = (
    r"(?:branch|store|shop|office|counter|depot|showroom|outlet|dealership|post office|bank|"
    r"genius bar|(?:service|front|help|customer service|airline|check-?in) desk|till|reception|"
    r"kiosk|clinic|surgery|pharmacy|chemist|hospital|garage|studio|gym|box office|ticket office|"
    r"registry|town hall|council offices?|practice|workshop|repair centre|service centre)"
    r"(?! (?:statement|app|account|details|card|balance|transfer|holiday|manager|credit))"
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
    r" (?:google|trust ?pilot|yelp|trip ?advisor|feefo|amazon|facebook|the app store)|(?:google|tr"
    r"ust ?pilot|yelp|trip ?advisor|feefo|public|app store|"
    r"play store|one[- ]star|1[- ]star|bad|negative|scathing|honest) reviews?|review sites?|"
    r"trust ?pilot|yelp|trip ?advisor|feefo"
)
_VIDEO = (
    r"video (?:call|chat|meeting|link|appointment|consultation)s?|(?:ms |microsoft )?teams "
    r"(?:call|meeting|video)s?|on (?:ms |microsoft )?teams|zoom(?: call| meeting)?s?|google meet|"
    r"facetime|webex|skype"
)
_POST = (
    r"(?:wrote|write|writing|sent|send|sending|posted|post) (?:them |him |her |off |back )?(?:an?"
    r" |my |another |the )?(?:\w+ )?letters?|recorded "
    r"delivery|fax(?:ed|ing)?|posted (?:off |back )?(?:(?:the|my|our|a|all the|"
    r"copies of (?:the|my)) )?(?:\w+ )?(?:documents?|forms?|paperwork|papers|cheque|letter|"
    r"receipts?|"
    r"application|originals|copies|passport|certificates?|claim form|evidence)|posted (?:it|"
    r"them) (?:back|off|instead|to (?:them|the|their|head office))|mailed (?:them|it|the \w+)"
    r" (?:a|the|back|off)|by courier"
)
BOT = (
    r"(?:chat ?bots?|bots?|robot(?: (?:chat|assistant|agent|helper|thing|one))?|chat ?robots?|"
    r"virtual (?:assistant|agent)|(?:ai|automated|automatic|digital|smart) "
    r"(?:assistant|agent|chat|helper)|automated chat|(?:chat|in-?app|app|online|their|the "
    r"little|web ?chat) assistants?|assistant (?:bot|thing)|🤖)"
)
# Someone who is not the company: family, friends, colleagues, one's own staff or
# clients. Their calls and texts to the customer are not the customer's contact with the
# company ("my dad phoned me to say a letter had come").
RELATIVE = (
    r"(?:dad|father|mum|mom|mother|husband|wife|partner|boyfriend|girlfriend|fianc[eé]e?|"
    r"sister|brother|son|daughter|kids?|child|children|friend|mate|neighbou?r|colleague|"
    r"co-?worker|boss|accountant|lawyer|landlord|landlady|flatmate|housemate|roommate|family|"
    r"parents?|grandma|gran|grandad|granddad|nan|uncle|aunt|auntie|cousin|client|staff|team|"
    r"people|employees?|baker|chef|users|students|tenants?|wifey|hubby|other half)"
)
_PERSONAL_APP = (
    r"(?:bank|banking|card|credit card|debit card|mobile banking|payment|paypal|email|mail|"
    r"calendar|health|fitness|notes|photos?|camera|maps?|messaging|authenticator|tracking)"
)

CUES: tuple[tuple[str, Cue], ...] = (
    # --- other, first: a regulator, a review site or a video meeting names the channel
    # even when a contact verb comes first ("wrote to the ombudsman", "app store review").
    # Four entries rather than one alternation, so each is tried only where its first
    # letters stand.
    (
        _rx(
            r"\b(?:(?:wrote|write|writing|complained|complain|reported|report|escalated|"
            r"escalate|went|go|took|take|taken|referred|contacted|emailed|rang|called) "
            r"(?:(?:them|it|this|the \w+|my \w+) )?(?:up )?(?:to )?(?:the )?(?:" + _AUTHORITY + r""
            r"))\b"
        ),
        Cue(Channel.OTHER, STRONG),
    ),
    (_rx(r"\b(?:the )?(?:" + _AUTHORITY + r")\b"), Cue(Channel.OTHER, STRONG)),
    (
        _rx(
            r"\b(?:"
            + _REVIEW
            + r")(?! (?:for [\w' ]{1,30}? )?on (?:their|the \w+|the) (?:web ?site|site|app)\b)\b"
        ),
        Cue(Channel.OTHER, STRONG),
    ),
    (_rx(r"\b(?:" + _VIDEO + r"|" + _POST + r")\b"), Cue(Channel.OTHER, STRONG)),
    # --- shadowing phrases: words that look like a channel but are something else
    (
        # Waiting for a promised contact is not a contact: "waited for them to ring back",
        # "waiting on a callback", "waited for label email"; neither is booking one
        # ("booked a callback online").
        _rx(
            r"\b(?:wait(?:ed|ing)?|hoping|expecting|hoped|expected|stayed in|sat in)\b"
            r"[^.,;!?]{0,30}?\b(?:for|on)"
            r" (?:(?:them|him|her|someone|somebody|anyone|the \w+|their \w+) to (?:call|ring|"
            r"phone|email|text|get back|contact|reply|respond|write)(?: (?:me|us))?(?: back)?|"
            r"(?:an?|the|their|my|that|his|her|any|some) (?:[\w'-]+ ){0,3}?(?:call ?back|ring ?bac"
            r"k|"
            r"phone call|call(?! cent)|e-?mails?|letters?|texts?|sms|messages?|repl(?:y|ies)|"
            r"responses?|answers?|callbacks?)|(?:[\w'-]+ )?(?:e-?mail|letter|text|call|reply)s?)"
            r"|\b(?:booked|book|booking|requested|request|arranged|arrange|"
            r"scheduled|schedule|asked for|ordered) (?:an?|the|my) (?:\w+ )?(?:call ?back|phone "
            r"call|ring ?back|call(?! cent)|(?:engineer |technician |home )?visit|engineer|"
            r"technician|appointment)"
        ),
        Cue(None, IGNORE),
    ),
    (
        _rx(
            r"\b(?:is|was|are|were|so|its|it's|whatever|company|app|website|site|shop|store|someon"
            r"e|somebody|"
            r"guy|man|woman|lady|thing|bank|firm|product|one|service|brand|person|agent|chap|"
            r"bloke|girl|rep|advisor|adviser|thingy|program|programme|something|place)[- ]called\b"
        ),
        Cue(None, IGNORE),
    ),
    (
        _rx(r"\b(?:on|from|with|using|via) (?:my|his|her|our) (?:mobile )?(?:phone|cell)\b"),
        Cue(None, IGNORE),
    ),
    (_rx(r"\bmy (?:mobile |new |old )?phone\b(?! (?:call|number))"), Cue(None, IGNORE)),
    (
        _rx(
            r"\b(?:my|your|their|an?) e-?mail address\b|\bapp store\b|\bonline (?:shop|store)\b"
            r"|\b(?:(?:in|on|through|via|from|with|using|into) )?(?:my|our|his|her) "
            + _PERSONAL_APP
            + r" apps?\b|\b(?:store|shop) (?:credit|card|voucher|manager)s?\b"
            r"|\b(?:my|our) (?:uni |university |work |personal |school )?e-?mail(?: (?:was|is|"
            r"account|inbox|address|got|had|stopped))?\b(?! (?:them|to|it))"
            r"|\b(?:repl(?:y|ies)|response|answer) to (?:my|our|the) (?:[\w'-]+ ){0,2}?(?:form|"
            r"e-?mail|message|letter|complaint|query|request)\b"
            r"|\b(?:meant|supposed) to be an? (?:\w+ )?(?:call|phone call|visit|e-?mail)\b"
            r"|\b(?:would|will|'d|'ll|should|supposed to) (?:arrive|come|be sent|be posted|follow)"
            r"(?: \w+){0,2} (?:in|by) (?:the )?(?:post|e-?mail|text)\b"
            r"|\b(?:'d|would|could) (?:have|get|need) (?:\w+ )?(?:phone|e-?mail|chat|live chat) "
            r"support\b"
            r"|\b(?:different|another|other|separate) apps?\b"
            r"|\bapp (?:receipts?|outage|update|icon|notification settings)\b"
            r"|\b(?:internal|personal|work|uni|university|school|client|team|staff|spam|junk) "
            r"e-?mails?\b|\b(?:team|group|family|class|work|office|staff) chats?\b"
            r"|\bcall (?:notes|logs?|history|records?|recordings?)\b|\binbox\b"
        ),
        Cue(None, IGNORE),
    ),
    (
        _rx(
            r"(?:'d|\bwould|\bwill|'ll|\bwere going to|\bwas going to|\bpromised to|\bsaid they'd|"
            r"\bsaid they would) (?:call|ring|phone|email|text|contact)(?: me| us)?(?: back)?\b"
            r"|\b(?:would|will|'d|'ll|to) be (?:e-?mailed|texted|posted|sent)\b"
            r"|\b(?:an? |the )?(?:confirmation |follow-?up )?e-?mail would (?:come|follow|arrive)\b"
        ),
        Cue(None, IGNORE),
    ),
    (_rx(r"\bpromised (?:me |us )?a (?:call ?back|call)\b"), Cue(None, IGNORE)),
    (
        # Meaning to call is not calling ("I wanted to call them but there's no number").
        _rx(
            r"\b(?:wanted|want|meant|planning|planned|thinking of|thought about|was going|were "
            r"going|decided not|didn't want|going|gonna|plan|about|will have|'ll have) to (?:try )?"
            r"(?:call|ring|phone|email|text|message|chat|contact)\b|\b(?:going to|gonna|will|'ll"
            r"|might|may) (?:try |have to )?(?:call|ring|phone|phoning|calling|ringing|email|"
            r"emailing|texting|contact)\b"
            # Looking for a chat is not chatting ("couldn't find the chat button").
            r"|\b(?:to find|find|finding|looking for|look for|searching for|search for|no sign of)"
            r" (?:the|a|their|any|an) (?:live |help )?chat(?: (?:button|option|feature|link|icon))?"
            r"\b|\bchat(?:ted|ting)? (?:on|via|over|through) (?=whats ?app|imessage|telegram|"
            r"messenger|facebook|instagram|twitter|insta)"
        ),
        Cue(None, IGNORE),
    ),
    (
        _rx(r"\b(?:bank|credit card|card) (?:statement|balance|details|holiday)\b"),
        Cue(None, IGNORE),
    ),
    # --- other
    (
        _rx(
            r"\b(?:recorded delivery|fax(?:ed|ing)?|"
            r"ombudsman|trust ?pilot|video call|zoom call|teams call|citizens advice|chargeback|"
            r"small claims|trading standards|solicitor|carrier pigeon)\b"
        ),
        Cue(Channel.OTHER, STRONG),
    ),
    # A letter that came, or the post it came by, is the company's contact (often
    # awaited): weak, so a waiting step stays a waiting step.
    (_rx(r"\b(?:by post|through the post|via (?:the )?post)\b"), Cue(Channel.OTHER, STRONG)),
    (
        _rx(r"\b(?:letters?|in the post|snail mail)\b"),
        Cue(Channel.OTHER, WEAK, incoming=True),
    ),
    (
        _rx(
            r"\bposted (?:it|them|the \w+|my \w+) (?:back|off)\b|\bleft an? (?:\w+ )?review\b"
            r"(?! (?:for [\w' ]{1,30}? )?on (?:their|the \w+|the) (?:web ?site|site|app)\b)|"
            r"\bwent through (?:my )?(?:bank|credit card company|card provider)\b"
        ),
        Cue(Channel.OTHER, STRONG),
    ),
    # --- in person
    (
        _rx(
            r"\b(?:in[- ]person|face[- ]to[- ]face|in[- ]store|in (?:the )?branch|walk-?in"
            r"|(?:popped|pop|went|go|going|walked|walk|headed|drove|nipped|dropped|stopped|visited|"
            r"visit|took it|took them|took the \w+(?: \w+)?|brought it|returned it|called in(?:to)?"
            r"|called round|queued)"
            r"\b[^.,;!?]{0,30}?\b"
            + _PLACE
            + r"|at the (?:\w+ )?(?:counter|till|front desk|service desk|desk|branch|store|shop|"
            r"depot|reception|window|box office|ticket office)"
            r"|(?:engineer|technician|tech|fitter|installer|plumber|electrician|surveyor|repair ?"
            r"(?:man|person)|someone|assessor|adjuster|inspector|nurse|doctor|gp) (?:actually |"
            r"finally |eventually )?(?:came|come|turned up|visited|showed up|arrived|appeared|"
            r"popped round|dropped by|called round|attended)"
            r"|(?:engineer|technician|home|site|repair) visits?|(?:sent|send|sending) (?:an?|the|"
            r"their) (?:engineer|technician)"
            r"|(?:manager|shop assistant|staff member|cashier|clerk) came (?:out|over)"
            r"|(?:guy|man|woman|lady|person|bloke|chap) (?:came|come|turned up) (?:out|round|"
            r"over|to (?:the|my|our) (?:house|door|flat|home))"
            # "He came to the house", "the driver came to our door": a visit.
            r"|(?:he|she|they|driver|courier|rep|agent|officer) (?:finally |eventually )?"
            r"(?:came|come|turned up|showed up) (?:round |over |out )?to (?:the|my|our) "
            r"(?:house|door|flat|home|place|property)"
            r"|waiting room|same (?:visit|appointment)|(?:saw|seen|see) (?:the|my|a) (?:gp|"
            r"doctor|nurse|dentist|dermatologist|consultant|specialist|optician|physio)"
            r"|(?:picked|pick|picking|collected|collect) (?:\w+ ){0,3}up from (?:the )?\w+|"
            r"(?:picked|pick|picking) up the (?:car|van|bike|device|phone|laptop|parcel)|"
            r"turned up for (?:the|my) \w+)\b"
        ),
        Cue(Channel.IN_PERSON, STRONG),
    ),
    # --- phone
    (
        _rx(
            r"\b(?:(?:got|received|had|get) (?:an?|the|their|another) (?:phone )?(?:call|ring)"
            r"(?: ?back)?(?! cent)|(?:phoned|rang|called|rings|calls|phone|ring|call) (?:me|us)\b)"
        ),
        Cue(Channel.PHONE, STRONG, incoming=True),
    ),
    (
        _rx(
            r"\b(?:phon(?:ed|ing)|telephon(?:ed|ing)|rang|rung|ringing (?:them|him|her|up|back|ro"
            r"und)"
            r"|ring (?:them|him|her|up|back|again|round|the|their|customer|support|my)"
            r"|dial(?:l?ed|l?ing)|hung up|hang up|hold music|on hold|put me on hold"
            r"|(?:phone|telephone) calls?|call ?backs?|called (?:back|me|them|him|her|up|again|th"
            r"e|their|"
            r"customer|support|my|it|twice|\w+ times)|called|calling|calls?(?! cent(?:re|er))"
            r"|gave [^.,;!?]{0,30}?\ba (?:call|ring|bell|buzz|tinkle)|on (?:the )?(?:phone|blower)"
            r"|over the phone|by (?:tele)?phone|via (?:tele)?phone|on the line"
            r"|(?:help|hot|phone|support|customer services?|complaints|claims|service) ?lines?"
            r"|call cent(?:re|er)s?|switchboard|ivr|automated (?:voice|phone|line|menu|system)"
            r"|pressed? (?:\d|one|two|three|four|five|hash|star)"
            r"|0800|0808|0845|0844|0330|0300|freephone|toll[- ]free|1-?8[08]{2}(?: number)?"
            r"|(?:the )?line (?:went dead|went quiet|went silent|cut out|dropped|disconnected|kept "
            r"dropping)|(?:the )?line was (?:engaged|busy|dead)|hold (?:queue|time|message)"
            r"|(?:^|(?<=i )|(?<=we ))held (?:on )?for|held (?:on )?for (?:ages|hours|forever|what "
            r"felt|an? (?:hour|age|eternity))|hung on the line"
            # Someone picking up is a call being answered ("eventually an agent picked up").
            r"|(?:agent|adviser|advisor|operator|human|person|someone|somebody|man|woman|lady|"
            r"guy|chap|lad|receptionist|nurse|technician|handler|rep|she|he) (?:finally |"
            r"eventually |actually )?(?:picked up|answer(?:ed|s)?)(?! (?:my|the|our|your|an?|all|e"
            r"very|that"
            r"|some|in|on|via|by) )"
            r"|(?:answer(?:ed)?|pick(?:ed)? up) the phone|while (?:we|i) (?:were |was )?(?:still )?"
            r"(?:talk(?:ing)?|on the (?:phone|call|line))|(?:same|that|the) (?:\w+[- ])?(?:phone )?"
            r"call(?! notes| logs?| history| records?| recordings?| cent)|put (?:me|us) through to"
            r"|(?:^|(?<=[.,;:!?] ))(?:by )?(?:tele)?phone(?= ?(?:[.,;:!?-]|$|call)))\b"
        ),
        Cue(Channel.PHONE, STRONG),
    ),
    (
        _rx(
            r"\b(?:order|reference|ref|case|ticket|tracking|account|card|serial|policy|customer|"
            r"membership|confirmation|booking|sort code|pin) (?:number|no|code)\b"
        ),
        Cue(None, IGNORE),
    ),
    (
        _rx(
            r"\b(?:phone (?:number|support|lines?)|telephone|(?:the|their|that|this|support|"
            r"contact|helpline|customer service|customer services) number|(?:no one|nobody|someone"
            r"|anyone|finally|eventually) "
            r"(?:picked|picks) up|got (?:through to )?(?:someone|somebody|an? (?:agent|adviser|"
            r"advisor|person|human|real person)))\b"
        ),
        Cue(Channel.PHONE, WEAK),
    ),
    # --- email
    (
        _rx(
            r"\b(?:(?:got|received|had|get) (?:an?|the|their|another|a \w+) (?:\w+ )?e-?mail"
            r"(?: back)?|(?:an|the|their) (?:\w+ )?e-?mail (?:finally |eventually |then )?(?:came|"
            r"arrived|turned up|landed)|e-?mailed (?:me|us)|(?:as|by|via) an? e-?mail)\b"
        ),
        Cue(Channel.EMAIL, STRONG, incoming=True),
    ),
    (
        _rx(
            r"\b(?:emailed|emailing|(?:sent|send|sending|wrote|write|writing|fired off|dropped|"
            r"drop) (?:them |him |her |me |us |off |back |support |customer service )?(?:an? |"
            r"another |a follow[- ]up |my |their |a long |a \w+ )?emails?|(?:by|via|over|through) "
            r"emails?|email (?:them|him|her|support|customer service|the complaints)|replied to "
            r"(?:their|the|an|his|her) emails?|used the email(?: address)?|wrote to (?:them|him|"
            r"her|the|their|customer|support|complaints)(?![^.,;!?]{0,25}\b(?:letter|post)\b)"
            r"|mailed (?:them|their|him|her|support|the (?:support|help|complaints|customer))"
            r"|sent (?:a |an )?(?:e-?)?mail to|sent (?:a |an |my )?(?:\w+ )?(?:complaint|message|"
            r"query|request) to (?:their|the|his|her) (?:[\w'-]+ ){0,2}address)\b"
        ),
        Cue(Channel.EMAIL, STRONG),
    ),
    (_rx(r"\b(?:emails?)\b"), Cue(Channel.EMAIL, WEAK)),
    # --- chatbot and chat
    (_rx(r"(?:\b|(?=🤖))" + BOT + r"(?:\b|(?<=🤖))"), Cue(Channel.CHATBOT, STRONG)),
    (
        _rx(
            r"\b(?:live ?chat|live agent|web ?chat|chat (?:agent|advis[oe]r|rep)"
            r"s?|"
            r"chat(?:ted|ting)? (?:with|to) (?:an? |the |our )?(?:agent|advis[oe]r|human|person|"
            r"rep|real person|someone|somebody|team)|(?:talk|speak|chat) (?:to|with) an? (?:human|"
            r"person|advis[oe]r|agent|real person)|proper chat)\b"
        ),
        Cue(Channel.LIVE_CHAT, STRONG),
    ),
    (
        _rx(
            # "The in-app chat" too: a person or a bot, as the answer says.
            r"\b(?:(?:in-?)?app chat|chat(?:ted|ting|s)?|(?:chat|help) (?:bubble|window|widget|"
            r"box|icon|button|function|thing))\b"
        ),
        Cue(Channel.LIVE_CHAT, STRONG, generic_chat=True),
    ),
    # --- help centre
    (
        _rx(
            r"\b(?:faqs?|q ?& ?a|help ?(?:cent(?:re|er)|pages?|section|articles?|docs|documentati"
            r"on|hub|guides?)|knowledge ?base|support (?:articles?|pages?|docs|documentation|"
            r"gu"
            r"ides?|hub|cent(?:re|er)|site)|troubleshooting (?:guide|page|steps)|how-?to guides?|s"
            r"elf[- ]"
            r"service|(?:api |developer )?docs|documentation|guidance|(?:a|the) guide (?:on|for)|c"
            r"hangelog|"
            r"release notes|read (?:on|through) (?:the|their) (?:\w+ )?web ?site)\b"
        ),
        Cue(Channel.HELP_CENTER, STRONG),
    ),
    # --- mobile app
    (
        _rx(
            r"\b(?:mobile app|(?:in|through|via|on|using|use|used|into|from|with|in-) ?(?:the|the"
            r"ir|its|"
            r"an?|my) (?:\w+ )?app|the \w+ app|(?:their|the|an?) app|in-app|(?:in|on|via|through|"
            r"using) apps?)\b(?! chat)(?<!web app)"
        ),
        Cue(Channel.MOBILE_APP, STRONG, container=True),
    ),
    (_rx(r"\bapps?\b"), Cue(Channel.MOBILE_APP, WEAK, container=True)),
    (
        # The app as the subject of what the customer read ("the app said it was sent"):
        # the customer looked at the app, but may have done nothing else there.
        _rx(
            r"\bapp (?:just |only |then |now |still )?"
            r"(?:said|says|say|showed|shows|show|flagged|flags|told|tells|claimed|claims|"
            r"displayed|notified|pinged)\b"
        ),
        Cue(Channel.MOBILE_APP, WEAK, container=True),
    ),
    # --- website
    (
        _rx(
            r"\b(?:(?:online|web|contact|complaints?|claims?|returns?|enquiry|inquiry|support|"
            r"cancellation|refund|appeal|feedback) ?forms?|(?:filled|fill|filling|completed|"
            r"submitted|sent) (?:in |out )?(?:(?:the|their|an?|my) )?(?:'[^']{1,30}' |\w+ )?form"
            r"|(?:logged|log|logging|signed|sign) (?:in|into|on)(?: t"
            r"o)? "
            r"(?:my|the|their) (?:online )?account|online account|(?:customer |online |patient )?"
            r"portal"
            r"|my account (?:page|section|area)|(?:went|go|going|looked|checked|used|use|using|vi"
            r"sited|"
            r"browsed|went onto) (?:on |onto |at |through )?(?:the|their|its) (?:web ?site|site|w"
            r"eb "
            r"page)|status page|web app|(?:review|feedback|comment)s?(?: for [\w' ]{1,30}?)? on (?"
            r":their|"
            r"the \w+'s|the) (?:web ?site|site)|(?:read|checked|went through) (?:the|their) (?:t ?"
            r"& ?cs|t "
            r"and cs|"
            r"terms(?: and conditions)?|small print|policy wording)|admin (?:panel|console|area|pa"
            r"ge|settings)|dashboard|"
            r"(?:opened|raised|submitted|logged|filed|created|put in) an? (?:\w+ )?(?:support )?"
            r"ticket)\b"
        ),
        Cue(Channel.WEBSITE, STRONG, container=True),
    ),
    (
        _rx(
            r"\b(?:web ?sites?|site|web ?pages?|online|forms?|(?:contact|returns|tracking) page)\b"
        ),
        Cue(Channel.WEBSITE, WEAK, container=True),
    ),
    # --- social media
    (
        _rx(
            r"\b(?:twitter|tweet(?:ed|ing|s)?|on x|facebook|fb|instagram|insta|tiktok|linkedin|"
            r"messenger|social(?: media)?|dm(?:'?d|'?ed|s|'s)?|direct messaged?|mastodon|bluesky|"
            r"youtube|threads app|socials)\b"
        ),
        Cue(Channel.SOCIAL_MEDIA, STRONG),
    ),
    # --- in person (weak)
    (_rx(r"\b(?:branch|shop|store|counter|desk)\b"), Cue(Channel.IN_PERSON, WEAK)),
    # --- sms and messaging apps
    (
        _rx(
            r"\b(?:(?:got|received|had|get) (?:an?|the|their|another|a \w+) (?:\w+ )?(?:text|sms)"
            r"(?: message)?|texted (?:me|us))\b"
        ),
        Cue(Channel.SMS, STRONG, incoming=True),
    ),
    (
        _rx(
            r"\b(?:text(?:ed|ing)|sms|text messages?|an? texts?|their texts?|by text|via text|"
            r"whats ?app(?:ed)?|imessage(?:d)?|telegram)\b"
        ),
        Cue(Channel.SMS, STRONG),
    ),
    (_rx(r"\btexts?\b"), Cue(Channel.SMS, WEAK)),
    # --- community forum
    (
        _rx(
            r"\b(?:forums?|reddit|subreddit|r/\w+|community(?: forum| boards?| pages?| site)?|"
            r"message ?boards?|user groups?|stack ?overflow|mumsnet)\b"
        ),
        Cue(Channel.COMMUNITY_FORUM, STRONG),
    ),
    (_rx(r"\b(?:threads?|moderators?)\b"), Cue(Channel.COMMUNITY_FORUM, WEAK)),
)


# One scan instead of thirty: the leading word boundary is tested once per position and
# each alternative is guarded by the letters it can start with. Alternatives are tried in
# table order, so at one start the more specific cue (listed first) wins; later starts
# cannot overlap earlier matches.
@cache
def _scanner() -> re.Pattern[str]:
    # Cues start at the start of a word, at the apostrophe of "they'd", or at a 🤖: the
    # end of a word is skipped at once instead of trying every cue there.
    return re.compile(
        guarded_alternation(
            [pattern for pattern, _ in CUES], prefix=r"(?:(?<!\w)(?=\w)|(?<=\w)(?=')|(?=🤖))"
        )
    )


def cue_hits(text: str) -> list[Hit[Cue]]:
    """Every cue in normalised ``text``, in order, shadows included."""
    hits = []
    for m in _scanner().finditer(text):
        group = m.lastgroup
        if group is not None:
            hits.append(Hit(m.start(), m.end(), CUES[int(group[1:])][1]))
    return hits
