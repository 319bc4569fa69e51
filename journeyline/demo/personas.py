"""Demo customers: who they are, what happened to them and how they type.

Each `Persona` carries two things for every answer: the *truth* (a `Channel`, a feeling
1..5, pains, resolved, effort) and the *phrasing* the customer would type if asked
("rang the 0800 number", "😤", "1h20"). The simulator types the phrasing and clicks the
truth when it uses buttons; benchmarks can score what the bot understood against the
truth. A phrasing of None means "the step text already says it" (channel, feeling) or "no
prepared answer" (the simulator then sends "skip" or clicks "none").

The stories were written for journeyline. A few themes recur on purpose so clustering has
something to find: a chatbot loop before reaching a human, billing errors fixed only on
a second call, repeating the story after a transfer, promised call-backs that never came,
identity checks, wrong items and slow deliveries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from bot.conversation.vocabulary import (
    EFFORT_MAX,
    EFFORT_MIN,
    FEELING_MAX,
    FEELING_MIN,
    Channel,
    Pain,
    Slot,
)

Resolved = Literal["yes", "partly", "no"]


class Style(StrEnum):
    """How a persona types; the simulator picks its stock phrases by style."""

    TERSE = "terse"
    CHATTY = "chatty"
    EMOJI = "emoji"
    TEXTING = "texting"
    FORMAL = "formal"
    BUTTONS = "buttons"
    NON_NATIVE = "non_native"


# Slots a persona may deliberately skip or take back. Consent, playback and next_step
# drive the flow itself, and anything after `anything_else` is the end: undoing or
# skipping those would test the engine's edge cases, not a customer's habits.
_SKIPPABLE = frozenset(
    {
        Slot.THINKING,
        Slot.DURATION,
        Slot.PEOPLE_TOOLS,
        Slot.PAIN,
        Slot.MOMENT_OF_TRUTH,
        Slot.IMPROVEMENT,
    }
)
_BACKABLE = frozenset(
    {
        Slot.PROBLEM,
        Slot.CHANNEL,
        Slot.FEELING,
        Slot.THINKING,
        Slot.DURATION,
        Slot.PEOPLE_TOOLS,
        Slot.PAIN,
        Slot.MOMENT_OF_TRUTH,
        Slot.RESOLVED,
        Slot.EFFORT,
        Slot.IMPROVEMENT,
    }
)
_PAUSABLE = frozenset(Slot) - {Slot.CONSENT, Slot.DONE}


@dataclass(frozen=True)
class PersonaStep:
    """One step of a persona's journey.

    `doing` is typed as the answer to `step` (first step) or `next_step` (later steps).
    `channel`, `feeling`, `minutes` and `pains` are the truth; the `*_answer`, `duration`
    and `pain` strings are how the customer types it when the bot asks.
    """

    doing: str
    channel: Channel
    feeling: int
    channel_answer: str | None = None
    feeling_answer: str | None = None
    thinking: str | None = None
    minutes: int | None = None
    duration: str | None = None
    people_tools: str | None = None
    pains: tuple[str, ...] = ()
    pain: str | None = None

    def __post_init__(self) -> None:
        if not FEELING_MIN <= self.feeling <= FEELING_MAX:
            raise ValueError(f"feeling {self.feeling} outside {FEELING_MIN}..{FEELING_MAX}")
        if self.minutes is not None and self.minutes <= 0:
            raise ValueError("minutes must be positive")


@dataclass(frozen=True)
class Persona:
    """A demo customer and the support journey they will describe.

    `attributes` is the segment data a campaign would import with the participant
    (`segment`, `region`, `plan`, `tenure_years`). `moment_of_truth` is free text or a
    1-based step number. Behaviours: `pause_after_slot` pauses once when that slot is
    first asked; `back_after_slot` answers that slot with `mistaken_answer`, sends "back"
    and answers again properly; `fix_step_in_playback` = (step number, corrected text);
    `skip_slots` are answered with "skip"; `uses_buttons` clicks a matching choice
    whenever one exists. `extra_answers` answers guide questions outside the standard
    slots, keyed by slot name.
    """

    name: str
    domain: str
    style: Style
    attributes: Mapping[str, str | int]
    problem: str
    steps: tuple[PersonaStep, ...]
    moment_of_truth: str | int
    resolved: Resolved
    effort: int
    improvement: str | None = None
    anything_else: str | None = None
    resolved_answer: str | None = None
    effort_answer: str | None = None
    extra_answers: Mapping[str, str] = field(default_factory=dict)
    uses_buttons: bool = False
    pause_after_slot: str | None = None
    back_after_slot: str | None = None
    mistaken_answer: str | None = None
    fix_step_in_playback: tuple[int, str] | None = None
    skip_slots: frozenset[str] = frozenset()
    declines_consent: bool = False

    def __post_init__(self) -> None:
        if len(self.steps) < 2:
            raise ValueError(f"{self.name}: a journey needs at least 2 steps")
        if not EFFORT_MIN <= self.effort <= EFFORT_MAX:
            raise ValueError(f"{self.name}: effort {self.effort} outside 1..7")
        if isinstance(self.moment_of_truth, int) and not 1 <= self.moment_of_truth <= len(
            self.steps
        ):
            raise ValueError(f"{self.name}: moment_of_truth step out of range")
        if self.fix_step_in_playback and not 1 <= self.fix_step_in_playback[0] <= len(self.steps):
            raise ValueError(f"{self.name}: fix_step_in_playback step out of range")
        if (self.back_after_slot is None) != (self.mistaken_answer is None):
            raise ValueError(f"{self.name}: back_after_slot needs a mistaken_answer")
        if self.back_after_slot is not None and self.back_after_slot not in _BACKABLE:
            raise ValueError(f"{self.name}: cannot go back after {self.back_after_slot}")
        if self.pause_after_slot is not None and self.pause_after_slot not in _PAUSABLE:
            raise ValueError(f"{self.name}: cannot pause at {self.pause_after_slot}")
        if not self.skip_slots <= _SKIPPABLE:
            raise ValueError(f"{self.name}: cannot skip {set(self.skip_slots - _SKIPPABLE)}")

    @property
    def segment(self) -> str:
        """The `segment` attribute ("consumer" or "business")."""
        return str(self.attributes["segment"])


def _consumer(region: str, plan: str, tenure_years: int) -> dict[str, str | int]:
    return {"segment": "consumer", "region": region, "plan": plan, "tenure_years": tenure_years}


def _business(region: str, plan: str, tenure_years: int) -> dict[str, str | int]:
    return {"segment": "business", "region": region, "plan": plan, "tenure_years": tenure_years}


C = Channel
P = Pain

PERSONAS: tuple[Persona, ...] = (
    # ---------------------------------------------------------------- consumers
    Persona(
        name="amira-bank-card-blocked",
        domain="retail banking",
        style=Style.CHATTY,
        attributes=_consumer("uk", "current account", 9),
        problem=(
            "My debit card got blocked while I was on holiday in Portugal and I couldn't pay "
            "for anything, which was a nightmare because I had the kids with me"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "First I tried the chat thing in the banking app, but the bot just kept "
                    "sending me links to the same 'card security' article over and over"
                ),
                channel=C.CHATBOT,
                feeling=2,
                feeling_answer="honestly quite panicky, maybe a 2",
                thinking="Surely someone can just unblock it, it's my own card!",
                minutes=20,
                duration="about 20 minutes of going round in circles",
                people_tools="just me and the banking app",
                pains=(P.BOT_LOOP,),
                pain="the bot kept looping me back to the same article",
            ),
            PersonaStep(
                doing=(
                    "Then I rang the number on the back of the card from the hotel and got "
                    "put on hold, on an international call"
                ),
                channel=C.PHONE,
                feeling=1,
                feeling_answer="furious by the end of it",
                thinking="This is costing me a fortune in roaming",
                minutes=45,
                duration="45 mins, most of it on hold",
                people_tools="the hotel receptionist let me use their phone in the end",
                pains=(P.LONG_WAIT,),
                pain="the wait, and paying for the call on top",
            ),
            PersonaStep(
                doing=(
                    "When I finally got a person she asked me loads of security questions, "
                    "including one about a direct debit I set up years ago, which I failed"
                ),
                channel=C.PHONE,
                feeling=1,
                channel_answer="still on the phone",
                feeling_answer="like a criminal, to be honest",
                thinking="How on earth am I meant to remember that?",
                minutes=15,
                duration="15 min or so",
                people_tools="a lady from the fraud team",
                pains=(P.IDENTITY_VERIFICATION_HASSLE,),
                pain="the security questions were impossible",
            ),
            PersonaStep(
                doing=(
                    "In the end she sent a code to my phone instead and the card worked again "
                    "a few minutes later, I was so relieved"
                ),
                channel=C.PHONE,
                feeling=4,
                thinking="Why couldn't we have done that at the start?",
                minutes=5,
                people_tools="a one-time code by text",
            ),
        ),
        moment_of_truth=(
            "When she offered the text code instead of more questions, I was about to give up "
            "and use my husband's card for the rest of the trip"
        ),
        resolved="yes",
        effort=5,
        improvement=(
            "Let the app unblock the card itself, or at least let the chatbot hand me to a "
            "person straight away"
        ),
        anything_else=(
            "The lady on the phone was lovely in the end, it's the process that's the problem."
        ),
        pause_after_slot=Slot.FEELING,
    ),
    Persona(
        name="dave-card-double-charge",
        domain="credit card",
        style=Style.TERSE,
        attributes=_consumer("us", "rewards card", 4),
        problem="charged twice for one purchase",
        steps=(
            PersonaStep(
                doing="saw the double charge in the app",
                channel=C.MOBILE_APP,
                feeling=2,
                feeling_answer="annoyed",
                minutes=5,
                duration="5 min",
                pains=(P.BILLING_ERROR,),
                pain="billing error",
            ),
            PersonaStep(
                doing="called them. rep said it'd drop off in 3 days",
                channel=C.PHONE,
                feeling=3,
                feeling_answer="ok at the time",
                minutes=30,
                duration="30m",
                people_tools="rep",
                pains=(P.LONG_WAIT,),
                pain="hold music",
            ),
            PersonaStep(
                doing="still there a week later. called again",
                channel=C.PHONE,
                feeling=1,
                feeling_answer="mad",
                minutes=40,
                duration="40 min",
                people_tools="supervisor",
                pains=(P.BROKEN_PROMISE, P.BILLING_ERROR),
                pain="first guy was wrong",
            ),
            PersonaStep(
                doing="supervisor reversed it on the same call",
                channel=C.PHONE,
                feeling=4,
                channel_answer="phone",
                feeling_answer="fine",
                minutes=10,
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=5,
        improvement="get it right first time",
        skip_slots=frozenset({Slot.THINKING}),
        back_after_slot=Slot.EFFORT,
        mistaken_answer="2",
    ),
    Persona(
        name="priya-roaming-bill",
        domain="mobile/telecom",
        style=Style.EMOJI,
        attributes=_consumer("uk", "pay monthly", 3),
        problem=(
            "my phone bill came in at £187 after a weekend in Paris 😱 I'm on an EU roaming "
            "plan so it should've been like £30"
        ),
        steps=(
            PersonaStep(
                doing="opened the app to check the bill, roaming charges everywhere 😳",
                channel=C.MOBILE_APP,
                feeling=1,
                feeling_answer="😩",
                thinking="omg is this even my bill",
                minutes=10,
                duration="10 mins",
                pains=(P.BILLING_ERROR,),
                pain="bill was wrong 💸",
            ),
            PersonaStep(
                doing=(
                    "tried the chat bubble in the app, bot kept asking if I wanted to "
                    "'upgrade my plan' 🙄🙄"
                ),
                channel=C.CHATBOT,
                feeling=2,
                feeling_answer="🙄",
                thinking="I don't want an upgrade I want my money back",
                minutes=25,
                duration="25 min",
                pains=(P.BOT_LOOP,),
                pain="bot loop 🔁",
            ),
            PersonaStep(
                doing="finally got a real person on live chat, she said she'd credit it back 🙏",
                channel=C.LIVE_CHAT,
                feeling=4,
                feeling_answer="🙂",
                thinking="phew",
                minutes=40,
                duration="40 mins incl. waiting in the queue",
                people_tools="agent called Jo",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing=(
                    "next bill: only half of it credited 😤 rang them and they said the rest "
                    "was 'legit'"
                ),
                channel=C.PHONE,
                feeling=2,
                thinking="so which is it?? 🤦‍♀️",
                minutes=50,
                duration="50 min ish",
                pains=(P.BILLING_ERROR, P.BROKEN_PROMISE),
                pain="they only fixed half, and the phone person said something different",
            ),
        ),
        moment_of_truth="when the second bill came and only half was credited 😑",
        resolved="partly",
        effort=6,
        effort_answer="6 😮‍💨",
        improvement="roaming alerts that actually work + one answer not two 🙏",
    ),
    Persona(
        name="tomasz-broadband-outage",
        domain="broadband",
        style=Style.NON_NATIVE,
        attributes=_consumer("uk", "fibre 150", 2),
        problem=(
            "My internet is not working for 4 days, I work from home so this is very big "
            "problem for me"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I restart the router many times and check the status page on website, it "
                    "say no problem in my area"
                ),
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="not happy",
                thinking="maybe is my router broken",
                minutes=30,
                duration="half hour",
                people_tools="router, my laptop",
                pains=(P.UNCLEAR_INFO,),
                pain="website say everything ok but it was not ok",
            ),
            PersonaStep(
                doing="I call the support line, after long waiting a man do tests on my line",
                channel=C.PHONE,
                feeling=3,
                feeling_answer="normal",
                thinking="ok finally somebody look",
                minutes=70,
                duration="1h10",
                people_tools="technical person on phone",
                pains=(P.LONG_WAIT,),
                pain="long waiting",
            ),
            PersonaStep(
                doing=(
                    "He promise engineer will come Tuesday between 8 and 1. Nobody come and "
                    "nobody contact me"
                ),
                channel=C.NONE,
                feeling=1,
                channel_answer="nobody contact me, I wait at home",
                feeling_answer="very angry",
                thinking="I lose one day of holiday for this",
                minutes=300,
                duration="all morning",
                pains=(P.BROKEN_PROMISE, P.NO_FOLLOW_UP),
                pain="engineer not come, no call",
            ),
            PersonaStep(
                doing=(
                    "I write complaint on their Facebook page and they answer me in private message"
                ),
                channel=C.SOCIAL_MEDIA,
                feeling=3,
                feeling_answer="a bit better",
                thinking="maybe public is the only way they listen",
                minutes=1440,
                duration="one day for the answer",
                pains=(P.FORCED_CHANNEL_SWITCH,),
            ),
            PersonaStep(
                doing=(
                    "New engineer come Friday and change the box outside, internet work "
                    "again. I was relieved"
                ),
                channel=C.IN_PERSON,
                feeling=4,
                channel_answer="engineer come to my home",
                minutes=60,
                duration="one hour",
                people_tools="engineer",
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=6,
        improvement=(
            "If engineer cannot come, just call me. Also compensation for days without "
            "internet should be automatic"
        ),
        anything_else="I get 5 pounds compensation only, is a joke",
    ),
    Persona(
        name="jess-wrong-boots",
        domain="e-commerce returns",
        style=Style.TEXTING,
        attributes=_consumer("us", "guest checkout", 1),
        problem="ordered black boots size 8 got brown ones size 6 lol",
        steps=(
            PersonaStep(
                doing="opened the box n realised its the wrong boots",
                channel=C.NONE,
                feeling=2,
                channel_answer="no contact just opening the parcel",
                feeling_answer="ugh",
                thinking="how do u even mess that up",
                minutes=5,
                duration="like 5 min",
                pains=(P.WRONG_ITEM,),
                pain="wrong item obvs",
            ),
            PersonaStep(
                doing="went on the website n started a return but it wanted me to pay postage??",
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="kinda mad",
                thinking="not paying for their mistake",
                minutes=15,
                duration="15 mins",
                pains=(P.UNCLEAR_INFO,),
                pain="return form made me pay shipping",
            ),
            PersonaStep(
                doing="dmd them on insta and they sent a free label n the right pair",
                channel=C.SOCIAL_MEDIA,
                feeling=4,
                feeling_answer="happy now",
                minutes=2880,
                duration="2 days for the new ones",
                people_tools="some1 from their social team",
                pains=(P.FORCED_CHANNEL_SWITCH,),
                pain="had to go on insta to get it sorted",
            ),
        ),
        moment_of_truth="when insta replied in like an hour",
        resolved="yes",
        effort=3,
        improvement="free returns when its ur mistake??",
        back_after_slot=Slot.FEELING,
        mistaken_answer="5",
    ),
    Persona(
        name="harold-flight-cancelled",
        domain="airline rebooking",
        style=Style.FORMAL,
        attributes=_consumer("uk", "economy", 12),
        problem=(
            "Our flight from Manchester to Toronto was cancelled the evening before departure "
            "and we needed to be rebooked. My wife and I are both in our seventies."
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I received an email at 9 pm informing us of the cancellation, with a link "
                    "to rebook."
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="Concerned.",
                thinking="Why are we only being told now?",
                minutes=10,
                people_tools="My wife",
                pains=(P.UNCLEAR_INFO,),
                pain="The email gave no reason and no alternatives.",
            ),
            PersonaStep(
                doing=(
                    "I tried the rebooking page on their website, which only offered flights "
                    "four days later."
                ),
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="Disappointed.",
                thinking="We cannot wait four days.",
                minutes=20,
                duration="Twenty minutes.",
                pains=(P.UNRESOLVED,),
                pain="None of the options were suitable.",
            ),
            PersonaStep(
                doing="I telephoned the customer service line and waited on hold for two hours.",
                channel=C.PHONE,
                feeling=1,
                feeling_answer="Exasperated.",
                thinking="Nobody answers because everyone is in the same position.",
                minutes=160,
                duration="Two hours and forty minutes, in fact.",
                pains=(P.LONG_WAIT,),
                pain="The wait was unacceptable.",
            ),
            PersonaStep(
                doing=(
                    "The agent transferred me to the partner airline, where I had to explain "
                    "everything again from the beginning."
                ),
                channel=C.PHONE,
                feeling=1,
                channel_answer="Telephone, the same call.",
                feeling_answer="Very frustrated.",
                thinking="I had already given all of this information.",
                minutes=35,
                people_tools="Two agents from two airlines",
                pains=(P.TRANSFERRED, P.REPEAT_EXPLANATION),
                pain="Being transferred and having to repeat myself.",
            ),
            PersonaStep(
                doing=(
                    "They rebooked us via Amsterdam the next afternoon, but could not confirm "
                    "our seats together."
                ),
                channel=C.PHONE,
                feeling=3,
                channel_answer="Telephone.",
                feeling_answer="Somewhat relieved.",
                minutes=15,
                people_tools="The partner airline's agent",
                pains=(P.UNRESOLVED,),
                pain="We were told to ask about seats at the airport.",
            ),
            PersonaStep(
                doing=(
                    "At the airport desk the staff found us two seats together, but our claim "
                    "for the hotel is still open."
                ),
                channel=C.IN_PERSON,
                feeling=3,
                channel_answer="In person at the airport.",
                feeling_answer="Tired, but grateful to the staff.",
                minutes=45,
                people_tools="Check-in staff",
                pains=(P.NO_FOLLOW_UP,),
                pain="No reply to the compensation claim yet.",
            ),
        ),
        moment_of_truth=4,
        resolved="partly",
        resolved_answer="Partly. We travelled, but the compensation is outstanding.",
        effort=7,
        effort_answer="7, without question.",
        improvement=(
            "A call-back option instead of hours on hold, and one agent who can deal with "
            "both airlines."
        ),
        anything_else="I should add that the staff at Manchester airport were excellent.",
        fix_step_in_playback=(
            3,
            "I telephoned the customer service line and waited on hold for two hours and "
            "forty minutes before anyone answered.",
        ),
    ),
    Persona(
        name="lena-estimated-energy-bill",
        domain="energy/utility billing",
        style=Style.NON_NATIVE,
        attributes=_consumer("eu", "fixed tariff", 6),
        problem=(
            "My electricity bill was estimated much too high, 240 euro for one month, but I "
            "send the meter reading every month"
        ),
        steps=(
            PersonaStep(
                doing="I got the bill by email and I was shocked, it was double than normal",
                channel=C.EMAIL,
                feeling=1,
                thinking="Maybe they did not get my meter reading",
                minutes=10,
                pains=(P.BILLING_ERROR,),
                pain="wrong estimate in the bill",
            ),
            PersonaStep(
                doing=(
                    "I call the hotline, the lady say she correct it and new bill come in one week"
                ),
                channel=C.PHONE,
                feeling=4,
                feeling_answer="good, she was friendly",
                minutes=25,
                duration="25 minutes",
                people_tools="the lady from hotline",
                pains=(P.LONG_WAIT,),
                pain="15 minutes waiting music",
            ),
            PersonaStep(
                doing=(
                    "After two weeks no new bill, and they take the 240 euro from my account anyway"
                ),
                channel=C.NONE,
                feeling=1,
                channel_answer="no contact, I see it in my bank account",
                feeling_answer="very angry, 1",
                thinking="They promised and nothing happened",
                duration="two weeks",
                pains=(P.BROKEN_PROMISE, P.BILLING_ERROR),
            ),
            PersonaStep(
                doing=(
                    "I call again, second time, and a man fix it directly and send back the "
                    "money in 3 days"
                ),
                channel=C.PHONE,
                feeling=4,
                feeling_answer="finally ok",
                minutes=20,
                duration="20 min",
                people_tools="a man from billing team",
                pains=(P.REPEAT_EXPLANATION,),
                pain="I must explain all again, the reference number did not help",
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=5,
        improvement="When you send meter reading, the bill must use it. Simple.",
        fix_step_in_playback=(
            2,
            "I call the hotline, the lady say she correct it and new bill come in one week, "
            "she also give me a reference number",
        ),
    ),
    Persona(
        name="marcus-car-insurance-claim",
        domain="insurance claim",
        style=Style.CHATTY,
        attributes=_consumer("us", "full coverage", 7),
        problem=(
            "So basically someone backed into my car in a grocery store parking lot, they "
            "admitted it, left a note and everything, and I figured the claim would be simple. "
            "It was not simple."
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I filed the claim in their app that same evening, uploaded like twelve "
                    "photos, the other guy's insurance details, the note, all of it"
                ),
                channel=C.MOBILE_APP,
                feeling=4,
                feeling_answer="pretty good actually, the app part was smooth",
                thinking="Okay, modern insurance, this'll be easy",
                minutes=30,
                people_tools="my phone, the photos, the note the other driver left",
            ),
            PersonaStep(
                doing=(
                    "Then nothing for a week and a half. Nobody got in touch, the claim status "
                    "just said 'in review' the whole time"
                ),
                channel=C.MOBILE_APP,
                feeling=2,
                channel_answer="I was just refreshing the app every day",
                feeling_answer="antsy, like a 2",
                thinking="Did they lose it?",
                minutes=15840,
                duration="a week and a half",
                pains=(P.NO_FOLLOW_UP,),
                pain="no one told me anything",
            ),
            PersonaStep(
                doing=(
                    "I called and the first person said my adjuster had changed and "
                    "transferred me, and the new adjuster's voicemail was full"
                ),
                channel=C.PHONE,
                feeling=1,
                feeling_answer="this is where I started losing it, honestly",
                thinking="How is a voicemail full in this day and age",
                minutes=45,
                duration="45 minutes maybe",
                people_tools="a rep and then a voicemail box",
                pains=(P.TRANSFERRED, P.HARD_TO_REACH),
            ),
            PersonaStep(
                doing=(
                    "Called back the next day, got a different rep, and explained the whole "
                    "thing AGAIN from the parking lot onwards"
                ),
                channel=C.PHONE,
                feeling=1,
                feeling_answer="1 out of 5, maybe 0",
                minutes=40,
                duration="40 mins",
                pains=(P.REPEAT_EXPLANATION,),
                pain="telling the same story for the third time",
            ),
            PersonaStep(
                doing=(
                    "The adjuster finally emailed me to say they'd approve it but I had to get "
                    "two repair estimates myself"
                ),
                channel=C.EMAIL,
                feeling=3,
                feeling_answer="mixed feelings",
                thinking="Fine, but why is that my job?",
                duration="couple of days to get both estimates",
                people_tools="two body shops",
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "Took the car to the body shop they recommended, and the rental car got "
                    "sorted by the shop, not the insurer"
                ),
                channel=C.IN_PERSON,
                feeling=4,
                channel_answer="in person at the shop",
                feeling_answer="relieved to finally get going",
                minutes=60,
                people_tools="the shop manager, who was great",
            ),
            PersonaStep(
                doing=(
                    "Got the car back after three weeks but they only covered part of the "
                    "rental, and I'm still arguing about the rest over email"
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="just tired of it",
                duration="still going",
                pains=(P.BILLING_ERROR, P.UNRESOLVED),
                pain="they only paid part of the rental",
            ),
        ),
        moment_of_truth=3,
        resolved="partly",
        effort=7,
        effort_answer="7. Easily a 7.",
        improvement=(
            "Give me ONE named person and have them actually call me back. That's all. One person."
        ),
        anything_else=(
            "The body shop was the best part of the whole thing, which tells you something."
        ),
        pause_after_slot=Slot.THINKING,
    ),
    Persona(
        name="zoe-missing-takeaway",
        domain="food delivery",
        style=Style.EMOJI,
        attributes=_consumer("uk", "delivery pass", 2),
        problem="half my order was missing 🍕❌ no drinks no sides",
        steps=(
            PersonaStep(
                doing="opened the bag and the drinks + sides weren't there 😕",
                channel=C.NONE,
                feeling=2,
                channel_answer="didn't contact anyone yet",
                minutes=2,
                duration="2 min",
                pains=(P.WRONG_ITEM,),
            ),
            PersonaStep(
                doing=(
                    "reported it in the app, ticked the missing items, refund came through in "
                    "like 5 mins 🙌"
                ),
                channel=C.MOBILE_APP,
                feeling=5,
                feeling_answer="😍",
                thinking="wow that was easy",
                minutes=5,
                duration="5 mins",
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=2,
        improvement="honestly nothing, maybe check the bag before it leaves 😅",
        uses_buttons=True,
    ),
    Persona(
        name="rahul-rental-deposit",
        domain="car rental",
        style=Style.FORMAL,
        attributes=_consumer("us", "loyalty gold", 5),
        problem=(
            "The rental company did not release my $500 security deposit after I returned the "
            "car undamaged."
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I returned the car at the airport location and the attendant confirmed "
                    "there was no damage."
                ),
                channel=C.IN_PERSON,
                feeling=4,
                channel_answer="In person at the return lot.",
                feeling_answer="Satisfied.",
                minutes=10,
                people_tools="The return attendant and his handheld scanner",
            ),
            PersonaStep(
                doing="After ten days the deposit was still held, so I emailed customer relations.",
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="Concerned.",
                thinking="It should have been released within five business days.",
                minutes=15,
                duration="Fifteen minutes to write; they replied after four days.",
                pains=(P.BILLING_ERROR,),
            ),
            PersonaStep(
                doing="Their reply said the deposit had been released and I should ask my bank.",
                channel=C.EMAIL,
                feeling=2,
                channel_answer="Email again.",
                feeling_answer="Sceptical.",
                minutes=5,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "My bank confirmed no refund had been sent, and my follow-up email has not "
                    "been answered after three weeks."
                ),
                channel=C.EMAIL,
                feeling=1,
                feeling_answer="Very dissatisfied.",
                duration="Three weeks and counting.",
                people_tools="My bank's customer service",
                pains=(P.NO_FOLLOW_UP, P.BROKEN_PROMISE),
            ),
        ),
        moment_of_truth=3,
        resolved="no",
        effort=6,
        improvement="Provide a transaction reference for deposit releases so a bank can trace it.",
        anything_else="I have since filed a dispute with my card issuer.",
        fix_step_in_playback=(
            1,
            "I returned the car at the airport location with a full tank, and the attendant "
            "confirmed there was no damage.",
        ),
    ),
    Persona(
        name="grace-gp-appointment",
        domain="healthcare appointment",
        style=Style.CHATTY,
        attributes=_consumer("uk", "nhs", 15),
        problem=(
            "I needed a GP appointment for my son's ear infection and it's basically a lottery "
            "at our surgery"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "Rang the surgery at 8am on the dot like you're supposed to, and I was "
                    "number 23 in the queue"
                ),
                channel=C.PHONE,
                feeling=2,
                feeling_answer="stressed, he'd been up all night crying",
                thinking="Please don't run out of appointments before I get through",
                minutes=50,
                duration="about 50 minutes on and off",
                people_tools="my phone on speaker while I got him ready",
                pains=(P.LONG_WAIT, P.HARD_TO_REACH),
            ),
            PersonaStep(
                doing=(
                    "The receptionist said all the same-day slots were gone and to try the "
                    "online form instead"
                ),
                channel=C.PHONE,
                feeling=1,
                channel_answer="still on the phone",
                feeling_answer="gutted",
                thinking="Why didn't the message say that while I was waiting?!",
                minutes=5,
                people_tools="the receptionist",
                pains=(P.FORCED_CHANNEL_SWITCH,),
                pain="being sent to a form after waiting all that time",
            ),
            PersonaStep(
                doing=(
                    "Filled in the online form and a nurse called back within two hours and "
                    "got him antibiotics, which was brilliant actually"
                ),
                channel=C.WEBSITE,
                feeling=4,
                minutes=120,
                duration="two hours for the call back",
                people_tools="the nurse practitioner",
            ),
        ),
        moment_of_truth=(
            "When the nurse called back. I was all set to take him to A&E and sit there all evening"
        ),
        resolved="yes",
        effort=4,
        improvement="Tell people about the online form in the phone message, not after 50 minutes",
    ),
    Persona(
        name="sofia-residence-permit",
        domain="government service",
        style=Style.NON_NATIVE,
        attributes=_consumer("eu", "n/a", 3),
        problem=(
            "I need to renew my residence permit before it expire, but I cannot get "
            "appointment at the immigration office"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I go to the official website, the booking system show no free "
                    "appointment for next 3 months"
                ),
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="worried",
                thinking="My permit expire in 6 weeks, what I do?",
                minutes=20,
                pains=(P.HARD_TO_REACH,),
            ),
            PersonaStep(
                doing="I read the FAQ page, it say to send email in urgent case",
                channel=C.HELP_CENTER,
                feeling=3,
                feeling_answer="a little hope",
                minutes=15,
                pains=(P.UNCLEAR_INFO,),
                pain="information is confusing, different pages say different things",
            ),
            PersonaStep(
                doing=(
                    "I send email with all my documents, automatic answer say they reply in 4 weeks"
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="2",
                minutes=40320,
                duration="4 weeks",
                people_tools="passport scan, rental contract, letter from employer",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing=(
                    "I go personally to the office and wait in line in the morning, but "
                    "security say no entry without appointment"
                ),
                channel=C.IN_PERSON,
                feeling=1,
                channel_answer="I go there in person",
                feeling_answer="very bad, I cry a little",
                minutes=180,
                duration="3 hours",
                people_tools="security man at the door",
                pains=(P.HARD_TO_REACH, P.UNEMPATHETIC_AGENT),
            ),
            PersonaStep(
                doing=(
                    "Finally they answer my email with a paper which say I can stay while "
                    "waiting, but still no appointment"
                ),
                channel=C.EMAIL,
                feeling=3,
                feeling_answer="a bit calm now but is not finish",
                duration="5 weeks after my email",
                pains=(P.UNRESOLVED,),
            ),
        ),
        moment_of_truth=4,
        resolved="no",
        effort=7,
        improvement=(
            "Please keep some appointments only for renewals, and make one clear page with the "
            "rules"
        ),
        anything_else="My friends have the same problem, is not only me",
        pause_after_slot=Slot.MOMENT_OF_TRUTH,
    ),
    Persona(
        name="ben-streaming-charged-after-cancel",
        domain="streaming subscription",
        style=Style.TEXTING,
        attributes=_consumer("us", "premium", 2),
        problem="got charged for another month after i cancelled",
        steps=(
            PersonaStep(
                doing="saw the charge on my bank statement",
                channel=C.NONE,
                feeling=1,
                channel_answer="didnt contact them yet",
                feeling_answer="pretty pissed",
                minutes=2,
                pains=(P.BILLING_ERROR,),
            ),
            PersonaStep(
                doing=(
                    "went on their help chat n the bot kept saying 'to cancel go to account "
                    "settings' like ya i did that"
                ),
                channel=C.CHATBOT,
                feeling=1,
                feeling_answer="1",
                thinking="is there even a human there",
                minutes=15,
                duration="15 min of that",
                pains=(P.BOT_LOOP,),
                pain="bot loop",
            ),
            PersonaStep(
                doing="typed agent like 5 times, got a real person who refunded it right away",
                channel=C.LIVE_CHAT,
                feeling=4,
                channel_answer="live chat w a person",
                feeling_answer="ok good",
                minutes=10,
                duration="10 min",
                people_tools="agent named Carlos",
            ),
        ),
        moment_of_truth="typing agent over n over til it worked lol",
        resolved="yes",
        effort=3,
        improvement="let me talk to a person without the trick",
    ),
    Persona(
        name="mei-hotel-overbooked",
        domain="hotel",
        style=Style.FORMAL,
        attributes=_consumer("eu", "prepaid rate", 1),
        problem=(
            "The hotel in Vienna had overbooked and gave away our prepaid room before we arrived."
        ),
        steps=(
            PersonaStep(
                doing=(
                    "We arrived at reception at 11 pm and were told our room was no longer "
                    "available."
                ),
                channel=C.IN_PERSON,
                feeling=1,
                channel_answer="In person, at reception.",
                feeling_answer="Shocked and exhausted.",
                thinking="We had paid three months in advance.",
                minutes=40,
                people_tools="The night manager",
                pains=(P.BROKEN_PROMISE,),
            ),
            PersonaStep(
                doing=(
                    "The night manager arranged a taxi to a partner hotel and promised a full "
                    "refund by email."
                ),
                channel=C.IN_PERSON,
                feeling=3,
                channel_answer="Still in person.",
                feeling_answer="Calmer, but uneasy.",
                minutes=30,
                people_tools="The night manager; a taxi",
            ),
            PersonaStep(
                doing=(
                    "I emailed twice over two weeks; they refunded the room but not the taxi "
                    "or the difference in price."
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="Disappointed.",
                duration="Two weeks.",
                pains=(P.NO_FOLLOW_UP, P.BILLING_ERROR),
                pain="The refund was incomplete and slow.",
            ),
        ),
        moment_of_truth=2,
        resolved="partly",
        effort=5,
        improvement="Honour the promise made at the desk without making the guest chase it.",
    ),
    Persona(
        name="kwame-screen-repair",
        domain="electronics repair",
        style=Style.BUTTONS,
        attributes=_consumer("uk", "gadget insurance", 3),
        problem="cracked screen, sent phone for repair under insurance",
        steps=(
            PersonaStep(
                doing="booked the repair on the website",
                channel=C.WEBSITE,
                feeling=3,
                feeling_answer="3",
                minutes=15,
                duration="15",
            ),
            PersonaStep(
                doing="posted the phone in the box they sent",
                channel=C.OTHER,
                feeling=3,
                channel_answer="post",
                feeling_answer="3",
                minutes=30,
            ),
            PersonaStep(
                doing="heard nothing for 10 days",
                channel=C.NONE,
                feeling=2,
                channel_answer="none",
                feeling_answer="2",
                minutes=14400,
                duration="10 days",
                pains=(P.NO_FOLLOW_UP, P.SLOW_DELIVERY),
            ),
            PersonaStep(
                doing="sent an email asking where it was",
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="2",
                minutes=1440,
                duration="1 day for a reply",
                pains=(P.NO_FOLLOW_UP,),
            ),
            PersonaStep(
                doing="phone came back fixed the next day",
                channel=C.NONE,
                feeling=4,
                channel_answer="none",
                feeling_answer="4",
                minutes=1440,
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=4,
        improvement="tracking updates",
        uses_buttons=True,
    ),
    Persona(
        name="olivia-present-never-arrived",
        domain="e-commerce delivery",
        style=Style.BUTTONS,
        attributes=_consumer("uk", "prime-style membership", 4),
        problem="birthday present never arrived",
        steps=(
            PersonaStep(
                doing="tracking said delivered but nothing came",
                channel=C.WEBSITE,
                feeling=2,
                channel_answer="website",
                feeling_answer="2",
                minutes=10,
                pains=(P.SLOW_DELIVERY,),
            ),
            PersonaStep(
                doing="the chatbot just kept showing me the tracking page",
                channel=C.CHATBOT,
                feeling=1,
                feeling_answer="1",
                minutes=20,
                pains=(P.BOT_LOOP,),
            ),
            PersonaStep(
                doing="found a phone number in the end and called",
                channel=C.PHONE,
                feeling=3,
                feeling_answer="3",
                minutes=35,
                pains=(P.LONG_WAIT, P.HARD_TO_REACH),
            ),
            PersonaStep(
                doing="they sent a replacement but it came after the birthday",
                channel=C.NONE,
                feeling=2,
                channel_answer="none",
                feeling_answer="2",
                minutes=7200,
                duration="5 days",
                pains=(P.SLOW_DELIVERY,),
            ),
        ),
        moment_of_truth=2,
        resolved="partly",
        effort=5,
        improvement="let the bot hand over to a person",
        uses_buttons=True,
    ),
    Persona(
        name="jorge-transfer-pending",
        domain="retail banking",
        style=Style.NON_NATIVE,
        attributes=_consumer("us", "checking account", 8),
        problem=(
            "I send money to my mother in Mexico by international transfer and it stay "
            "'pending' for one week"
        ),
        steps=(
            PersonaStep(
                doing="I check in the bank app every day, always it say pending",
                channel=C.MOBILE_APP,
                feeling=2,
                feeling_answer="preoccupied",
                thinking="My mother need this money for the rent",
                minutes=10080,
                duration="one week",
                pains=(P.UNCLEAR_INFO,),
                pain="no explanation why is pending",
            ),
            PersonaStep(
                doing="I call customer service and they pass me to three different departments",
                channel=C.PHONE,
                feeling=1,
                feeling_answer="very frustrated, 1",
                thinking="Nobody know who is responsible for this",
                minutes=65,
                duration="1 hour and 5 minutes",
                pains=(P.TRANSFERRED, P.REPEAT_EXPLANATION),
            ),
            PersonaStep(
                doing=(
                    "The international team ask me to go to the branch with my passport for "
                    "verification"
                ),
                channel=C.PHONE,
                feeling=2,
                channel_answer="still the phone",
                feeling_answer="not happy",
                minutes=10,
                pains=(P.IDENTITY_VERIFICATION_HASSLE, P.FORCED_CHANNEL_SWITCH),
            ),
            PersonaStep(
                doing=(
                    "I went to the branch next day, they verify me in 10 minutes and the money "
                    "arrive same afternoon"
                ),
                channel=C.IN_PERSON,
                feeling=4,
                feeling_answer="happy, the lady in branch was very kind",
                minutes=40,
                people_tools="branch employee, my passport",
            ),
        ),
        moment_of_truth=4,
        resolved="yes",
        effort=5,
        improvement="Tell me at the beginning that I need verification, not after one week",
    ),
    Persona(
        name="nina-gym-cancellation",
        domain="fitness membership",
        style=Style.EMOJI,
        attributes=_consumer("eu", "monthly", 2),
        problem="trying to cancel my gym membership since I moved cities 🏋️‍♀️➡️🏙️",
        steps=(
            PersonaStep(
                doing="tried to cancel in the app but there's no button for it anywhere 🤨",
                channel=C.MOBILE_APP,
                feeling=2,
                feeling_answer="🤨",
                minutes=15,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "asked at the front desk, they said it has to be a signed letter sent by "
                    "post 📮😑"
                ),
                channel=C.IN_PERSON,
                feeling=1,
                channel_answer="in person at the gym",
                feeling_answer="😑",
                thinking="it's not 1995??",
                minutes=10,
                people_tools="front desk guy",
                pains=(P.FORCED_CHANNEL_SWITCH,),
            ),
            PersonaStep(
                doing="sent the letter, heard nothing, still getting charged 💸😡",
                channel=C.OTHER,
                feeling=1,
                channel_answer="by post ✉️",
                duration="6 weeks so far 😩",
                pains=(P.NO_FOLLOW_UP, P.BILLING_ERROR),
            ),
        ),
        moment_of_truth=2,
        resolved="no",
        effort=6,
        improvement="cancel button in the app!!! 🙏",
        anything_else="they made joining take 2 minutes online tho 🙃",
    ),
    Persona(
        name="sam-upgrade-wrong-phone",
        domain="mobile/telecom",
        style=Style.TERSE,
        attributes=_consumer("us", "unlimited", 6),
        problem="upgrade sent the wrong phone",
        steps=(
            PersonaStep(
                doing="ordered 256GB online, got 128GB",
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="irritated",
                minutes=5,
                pains=(P.WRONG_ITEM,),
            ),
            PersonaStep(
                doing="went to the store",
                channel=C.IN_PERSON,
                feeling=3,
                feeling_answer="fine",
                minutes=45,
                duration="45m",
                pains=(P.LONG_WAIT,),
                pain="queue",
            ),
            PersonaStep(
                doing="swapped it there",
                channel=C.IN_PERSON,
                feeling=4,
                channel_answer="store",
                feeling_answer="good. quick.",
                minutes=15,
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=3,
        improvement="ship the right one",
        skip_slots=frozenset({Slot.THINKING, Slot.PEOPLE_TOOLS}),
    ),
    Persona(
        name="ellen-water-bill-estimate",
        domain="energy/utility billing",
        style=Style.FORMAL,
        attributes=_consumer("uk", "metered", 20),
        problem="I received a water bill, based on an estimate, for three times my usual amount.",
        steps=(
            PersonaStep(
                doing=(
                    "I read the meter myself and submitted the reading through my online account."
                ),
                channel=C.WEBSITE,
                feeling=3,
                feeling_answer="Neutral.",
                minutes=10,
                pains=(P.BILLING_ERROR,),
            ),
            PersonaStep(
                doing="I telephoned to ask for a revised bill and was told it would be reissued.",
                channel=C.PHONE,
                feeling=4,
                feeling_answer="Reassured.",
                minutes=20,
            ),
            PersonaStep(
                doing=(
                    "The revised bill arrived with the same estimate, so I telephoned a second "
                    "time."
                ),
                channel=C.PHONE,
                feeling=2,
                feeling_answer="Irritated.",
                minutes=30,
                pains=(P.BILLING_ERROR, P.BROKEN_PROMISE, P.REPEAT_EXPLANATION),
            ),
            PersonaStep(
                doing="A supervisor corrected the account and confirmed it in a letter.",
                channel=C.OTHER,
                feeling=4,
                channel_answer="By letter.",
                feeling_answer="Satisfied.",
                minutes=7200,
                duration="Five days.",
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=4,
        improvement="Use the customer's own meter readings when they are provided.",
        uses_buttons=True,
    ),
    Persona(
        name="chris-laptop-warranty",
        domain="electronics repair",
        style=Style.CHATTY,
        attributes=_consumer("us", "standard warranty", 1),
        problem=(
            "My laptop's keyboard stopped working eight months in, well within warranty, and "
            "getting it repaired turned into a whole saga"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I started on their support website and ran the diagnostic tool thing, "
                    "which said 'no issues found', which, sure"
                ),
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="skeptical and a bit annoyed",
                minutes=40,
                duration="oh wait, more like 40 minutes, I ran it a few times",
                people_tools="their diagnostic tool",
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "Then I got on the live chat and the agent walked me through reinstalling "
                    "drivers, which obviously didn't fix a physically dead row of keys"
                ),
                channel=C.LIVE_CHAT,
                feeling=2,
                feeling_answer="patient-ish, like a 2",
                minutes=60,
                duration="an hour, give or take",
                people_tools="the chat agent, the driver download page",
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "The chat agent gave me a case number and said to call the phone line for "
                    "a repair, so I called and had to explain it all over again"
                ),
                channel=C.PHONE,
                feeling=1,
                feeling_answer="super frustrated",
                minutes=50,
                pains=(P.FORCED_CHANNEL_SWITCH, P.REPEAT_EXPLANATION),
            ),
            PersonaStep(
                doing="They emailed a shipping label and I dropped the laptop off at a UPS store",
                channel=C.EMAIL,
                feeling=3,
                channel_answer="email for the label, then the UPS store",
                feeling_answer="okay, at least it was moving",
                minutes=30,
                people_tools="the UPS store clerk",
            ),
            PersonaStep(
                doing="Two weeks of silence, then an email saying the repair was 'pending parts'",
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="fed up",
                minutes=20160,
                duration="two weeks",
                pains=(P.NO_FOLLOW_UP, P.SLOW_DELIVERY),
            ),
            PersonaStep(
                doing=(
                    "Got it back after almost four weeks. The keyboard works but there's a new "
                    "scratch on the lid and they're 'reviewing' that"
                ),
                channel=C.NONE,
                feeling=3,
                channel_answer="it just came back by courier, no contact",
                feeling_answer="mixed, happy to have it back, annoyed about the scratch",
                duration="nearly four weeks all in",
                pains=(P.UNRESOLVED,),
            ),
        ),
        moment_of_truth=3,
        resolved="partly",
        effort=6,
        improvement=(
            "If the chat agent knows it's hardware, just start the repair, don't make me call "
            "and start over"
        ),
        back_after_slot=Slot.DURATION,
        mistaken_answer="like 10 minutes",
    ),
    Persona(
        name="aisha-lost-suitcase",
        domain="airline baggage",
        style=Style.TEXTING,
        attributes=_consumer("eu", "basic fare", 2),
        problem="airline lost my suitcase on the way back from lisbon",
        steps=(
            PersonaStep(
                doing="waited at the belt for ages then went to the baggage desk",
                channel=C.IN_PERSON,
                feeling=2,
                channel_answer="in person at the airport",
                feeling_answer="stressed",
                minutes=90,
                duration="like an hour n a half",
                people_tools="baggage desk woman, gave me a reference",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing="checked the tracking site every day it never updated",
                channel=C.WEBSITE,
                feeling=2,
                feeling_answer="annoyed",
                duration="10 days",
                pains=(P.NO_FOLLOW_UP, P.UNCLEAR_INFO),
            ),
            PersonaStep(
                doing="rang the baggage line like 6 times nobody picks up",
                channel=C.PHONE,
                feeling=1,
                feeling_answer="so done",
                minutes=120,
                duration="2 hrs total prob",
                pains=(P.HARD_TO_REACH,),
            ),
            PersonaStep(
                doing="tweeted at them, they replied w a form link n thats it",
                channel=C.SOCIAL_MEDIA,
                feeling=1,
                feeling_answer="1",
                minutes=2880,
                duration="2 days",
                pains=(P.FORCED_CHANNEL_SWITCH, P.UNRESOLVED),
            ),
        ),
        moment_of_truth=3,
        resolved="no",
        effort=7,
        improvement="literally just answer the phone",
        anything_else="still dont have my bag fyi",
    ),
    Persona(
        name="peter-tax-code",
        domain="government service",
        style=Style.TERSE,
        attributes=_consumer("uk", "paye", 30),
        problem="Needed to change my tax code after a new job.",
        steps=(
            PersonaStep(
                doing="Found the right page on gov.uk in one search.",
                channel=C.WEBSITE,
                feeling=4,
                channel_answer="website",
                feeling_answer="fine",
                minutes=5,
            ),
            PersonaStep(
                doing="Updated it online. Confirmation email straight away. Very happy.",
                channel=C.WEBSITE,
                feeling=5,
                minutes=10,
            ),
        ),
        moment_of_truth="The confirmation email.",
        resolved="yes",
        effort=1,
        skip_slots=frozenset({Slot.IMPROVEMENT}),
    ),
    Persona(
        name="yuki-card-fraud",
        domain="credit card",
        style=Style.BUTTONS,
        attributes=_consumer("uk", "cashback card", 5),
        problem="card used for purchases I didn't make",
        steps=(
            PersonaStep(
                doing="got a text asking if I made a £400 purchase",
                channel=C.SMS,
                feeling=2,
                feeling_answer="worried",
                minutes=2,
            ),
            PersonaStep(
                doing="replied NO and they froze the card",
                channel=C.SMS,
                feeling=4,
                channel_answer="sms",
                feeling_answer="4",
                minutes=1,
            ),
            PersonaStep(
                doing="called the fraud team, new card in 3 days",
                channel=C.PHONE,
                feeling=4,
                feeling_answer="4",
                minutes=15,
                pains=(P.IDENTITY_VERIFICATION_HASSLE,),
                pain="security questions",
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=2,
        improvement="nothing",
        uses_buttons=True,
    ),
    Persona(
        name="lucas-broadband-move",
        domain="broadband",
        style=Style.NON_NATIVE,
        attributes=_consumer("eu", "fibre 500", 4),
        problem=(
            "I move to new apartment and want to transfer my internet contract, but the "
            "activation date was changed two times"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I ask the chatbot on their website to move my contract, it only propose "
                    "me a new contract with new price"
                ),
                channel=C.CHATBOT,
                feeling=2,
                feeling_answer="frustrated",
                minutes=25,
                pains=(P.BOT_LOOP,),
                pain="the bot do not understand 'move', only 'new contract'",
            ),
            PersonaStep(
                doing="I call them and the agent fix a date for activation, the 12th",
                channel=C.PHONE,
                feeling=4,
                feeling_answer="content",
                minutes=35,
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing="On the 12th nothing, I receive SMS that new date is the 20th",
                channel=C.SMS,
                feeling=1,
                feeling_answer="furious",
                duration="8 more days",
                pains=(P.BROKEN_PROMISE,),
            ),
            PersonaStep(
                doing=(
                    "I go to their shop with my contract and they give me a 4G box to use "
                    "until the 20th"
                ),
                channel=C.IN_PERSON,
                feeling=3,
                feeling_answer="better, but not happy",
                minutes=50,
                people_tools="shop seller, 4G box",
                pains=(P.FORCED_CHANNEL_SWITCH,),
            ),
        ),
        moment_of_truth=3,
        resolved="partly",
        effort=5,
        improvement="Respect the date you give, or call before, not SMS the same day",
    ),
    Persona(
        name="hannah-pet-insurance",
        domain="insurance claim",
        style=Style.EMOJI,
        attributes=_consumer("uk", "lifetime cover", 3),
        problem="claiming for my dog's vet bill after he ate a sock 🐶🧦",
        steps=(
            PersonaStep(
                doing="vet sent the invoice straight to the insurer through their portal 🐾",
                channel=C.WEBSITE,
                feeling=4,
                channel_answer="the vet did it online for me 💻",
                feeling_answer="😌",
                minutes=10,
                people_tools="our vet nurse",
            ),
            PersonaStep(
                doing=(
                    "got an email asking for his full medical history 😬 had to chase the old vet"
                ),
                channel=C.EMAIL,
                feeling=2,
                minutes=2880,
                duration="2 days of chasing",
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing="paid out in 5 days, they even emailed to ask how he was ❤️",
                channel=C.EMAIL,
                feeling=5,
                feeling_answer="🥰",
                minutes=7200,
                duration="5 days",
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=2,
        improvement="tell me upfront what documents you need 📝",
        anything_else="Biscuit is fine now btw 🐕",
    ),
    # ----------------------------------------------------------------- business
    Persona(
        name="fatima-saas-sso-outage",
        domain="SaaS/B2B software",
        style=Style.FORMAL,
        attributes=_business("uk", "enterprise", 4),
        problem=(
            "Our staff could not sign in to the project management platform after the vendor "
            "changed its single sign-on configuration."
        ),
        steps=(
            PersonaStep(
                doing="Our IT lead raised a priority ticket through the vendor's support portal.",
                channel=C.WEBSITE,
                feeling=3,
                channel_answer="The support portal, a web form.",
                feeling_answer="Concerned but calm.",
                minutes=15,
                people_tools="Our IT lead; the SAML metadata file",
            ),
            PersonaStep(
                doing=(
                    "We received an automated acknowledgement and no human response for six hours."
                ),
                channel=C.EMAIL,
                feeling=2,
                channel_answer="Email, automated.",
                feeling_answer="Increasingly anxious.",
                minutes=360,
                duration="Six hours.",
                pains=(P.LONG_WAIT, P.NO_FOLLOW_UP),
            ),
            PersonaStep(
                doing="I telephoned our account manager, who escalated it to tier two engineering.",
                channel=C.PHONE,
                feeling=3,
                feeling_answer="Cautiously hopeful.",
                minutes=20,
                people_tools="Our account manager",
                pains=(P.TRANSFERRED,),
            ),
            PersonaStep(
                doing=(
                    "Tier two asked us, on a video call, to repeat the diagnostics that tier "
                    "one had already collected."
                ),
                channel=C.OTHER,
                feeling=2,
                channel_answer="A video call.",
                feeling_answer="Frustrated.",
                minutes=90,
                duration="An hour and a half.",
                people_tools="Two vendor engineers and our IT lead",
                pains=(P.REPEAT_EXPLANATION,),
            ),
            PersonaStep(
                doing=(
                    "They identified a certificate mismatch on their side and restored access "
                    "the same evening."
                ),
                channel=C.EMAIL,
                feeling=4,
                channel_answer="An email confirmation.",
                feeling_answer="Relieved.",
                minutes=180,
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=5,
        improvement="Share the ticket history between support tiers so that we do not start again.",
        anything_else="A written incident report would have been appreciated.",
        fix_step_in_playback=(
            4,
            "Tier two asked us, on a video call, to repeat the diagnostics and screen "
            "recordings that tier one had already collected.",
        ),
        extra_answers={"recommend": "Probably, yes; the product itself is good."},
    ),
    Persona(
        name="greg-saas-seat-overcharge",
        domain="SaaS/B2B software",
        style=Style.TERSE,
        attributes=_business("us", "team", 2),
        problem="billed for 50 seats, we have 20",
        steps=(
            PersonaStep(
                doing="finance flagged the invoice",
                channel=C.NONE,
                feeling=2,
                channel_answer="internal, no contact",
                feeling_answer="annoyed",
                minutes=10,
                pains=(P.BILLING_ERROR,),
            ),
            PersonaStep(
                doing="emailed billing",
                channel=C.EMAIL,
                feeling=3,
                feeling_answer="neutral",
                minutes=4320,
                duration="3 days for a reply",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing="they said fixed. next invoice same",
                channel=C.EMAIL,
                feeling=1,
                channel_answer="email",
                feeling_answer="angry",
                duration="a month",
                pains=(P.BILLING_ERROR, P.BROKEN_PROMISE),
            ),
            PersonaStep(
                doing="called the account rep, credit issued same day",
                channel=C.PHONE,
                feeling=4,
                feeling_answer="ok",
                minutes=25,
                duration="25 min",
                pains=(P.REPEAT_EXPLANATION,),
            ),
        ),
        moment_of_truth=4,
        resolved="yes",
        effort=6,
        improvement="seat count visible in the admin panel",
        skip_slots=frozenset({Slot.PEOPLE_TOOLS}),
    ),
    Persona(
        name="ines-restaurant-fibre-down",
        domain="broadband",
        style=Style.NON_NATIVE,
        attributes=_business("eu", "business fibre", 5),
        problem=(
            "The fibre in our restaurant stop working on Friday evening, no card payments, no "
            "online orders"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "I call the business support number, a recorded message say there is "
                    "incident in the area"
                ),
                channel=C.PHONE,
                feeling=2,
                feeling_answer="worried",
                thinking="It's Friday, our busiest night",
                minutes=10,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing="They promise a technician within 4 hours, nobody come",
                channel=C.PHONE,
                feeling=1,
                channel_answer="phone, I call a second time",
                feeling_answer="very bad",
                minutes=240,
                duration="4 hours waiting",
                pains=(P.BROKEN_PROMISE,),
            ),
            PersonaStep(
                doing=(
                    "Saturday I write on the business chat on their website, they say ticket "
                    "is open and someone will call me"
                ),
                channel=C.LIVE_CHAT,
                feeling=2,
                feeling_answer="tired",
                minutes=30,
                pains=(P.NO_FOLLOW_UP,),
            ),
            PersonaStep(
                doing="Nobody call me, I use my phone as hotspot for the card machine all weekend",
                channel=C.NONE,
                feeling=1,
                channel_answer="no contact with them",
                feeling_answer="1",
                minutes=2880,
                duration="all weekend",
                people_tools="my phone hotspot, the card machine",
                pains=(P.NO_FOLLOW_UP, P.UNRESOLVED),
            ),
            PersonaStep(
                doing=(
                    "Monday the technician come and repair the cable, but compensation they "
                    "still 'study'"
                ),
                channel=C.IN_PERSON,
                feeling=3,
                channel_answer="technician in person",
                feeling_answer="more calm",
                minutes=120,
                pains=(P.UNRESOLVED,),
            ),
        ),
        moment_of_truth=2,
        resolved="partly",
        effort=7,
        improvement="For business, 4 hours must be 4 hours. And call back when you say",
        anything_else="We lose maybe 2000 euro this weekend",
        back_after_slot=Slot.THINKING,
        mistaken_answer="that it was a small problem",
    ),
    Persona(
        name="raj-van-not-ready",
        domain="car rental",
        style=Style.BUTTONS,
        attributes=_business("uk", "fleet account", 6),
        problem="van booked for a job wasn't at the depot",
        steps=(
            PersonaStep(
                doing="turned up at the depot, no van",
                channel=C.IN_PERSON,
                feeling=2,
                channel_answer="in person",
                feeling_answer="2",
                minutes=20,
                pains=(P.BROKEN_PROMISE,),
            ),
            PersonaStep(
                doing="desk staff phoned another branch",
                channel=C.IN_PERSON,
                feeling=3,
                channel_answer="in person",
                feeling_answer="3",
                minutes=30,
                people_tools="desk staff",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing="van brought over within the hour, discount given",
                channel=C.IN_PERSON,
                feeling=4,
                channel_answer="in person",
                feeling_answer="4",
                minutes=60,
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=3,
        improvement="text me if the van isn't ready",
        uses_buttons=True,
    ),
    Persona(
        name="claire-bakery-account-frozen",
        domain="business banking",
        style=Style.CHATTY,
        attributes=_business("uk", "small business", 3),
        problem=(
            "Our bakery's business account was frozen out of the blue for a 'routine review' "
            "right before payroll, so I couldn't pay my three staff"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "Saw a banner in the business banking app saying the account was "
                    "restricted, no explanation at all"
                ),
                channel=C.MOBILE_APP,
                feeling=1,
                feeling_answer="panicked, honestly",
                minutes=5,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "Tried the in-app assistant, which just kept saying 'your account is under "
                    "review, we'll be in touch' whatever I typed"
                ),
                channel=C.CHATBOT,
                feeling=1,
                channel_answer="the assistant bot in the app",
                feeling_answer="1, completely stonewalled",
                minutes=20,
                pains=(P.BOT_LOOP,),
            ),
            PersonaStep(
                doing=(
                    "Rang the business banking line, waited 55 minutes, and they said they "
                    "couldn't tell me anything, only the review team could"
                ),
                channel=C.PHONE,
                feeling=1,
                feeling_answer="livid",
                minutes=55,
                duration="55 minutes, I timed it",
                pains=(P.LONG_WAIT, P.HARD_TO_REACH),
            ),
            PersonaStep(
                doing=(
                    "The review team emailed asking for proof of address, ID for both "
                    "directors and three months of invoices, stuff they already had from when "
                    "we opened the account"
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="exasperated",
                minutes=120,
                duration="a couple of hours scanning everything",
                people_tools="my business partner, our accountant",
                pains=(P.IDENTITY_VERIFICATION_HASSLE, P.REPEAT_EXPLANATION),
            ),
            PersonaStep(
                doing=(
                    "Popped into the branch to hand over originals because the upload kept failing"
                ),
                channel=C.IN_PERSON,
                feeling=3,
                feeling_answer="a bit better, the branch staff were kind",
                minutes=45,
                pains=(P.FORCED_CHANNEL_SWITCH,),
            ),
            PersonaStep(
                doing=(
                    "Account unfrozen after 9 days; payroll went out late and nobody has "
                    "explained why it happened"
                ),
                channel=C.EMAIL,
                feeling=2,
                channel_answer="they just sent an email",
                feeling_answer="relieved but still cross",
                minutes=12960,
                duration="9 days all in",
                pains=(P.NO_FOLLOW_UP, P.UNRESOLVED),
            ),
        ),
        moment_of_truth=3,
        resolved="partly",
        effort=7,
        improvement=(
            "Warn small businesses before freezing anything, and give us a named contact during "
            "the review"
        ),
        anything_else="We're moving banks, sadly.",
        pause_after_slot=Slot.IMPROVEMENT,
    ),
    Persona(
        name="tom-business-lines-billing",
        domain="mobile/telecom",
        style=Style.TEXTING,
        attributes=_business("us", "business 10+", 3),
        problem="added 5 new lines to our company plan and they billed us for 5 new plans instead",
        steps=(
            PersonaStep(
                doing="ordered the lines thru the business portal",
                channel=C.WEBSITE,
                feeling=4,
                channel_answer="their website",
                feeling_answer="fine",
                minutes=20,
            ),
            PersonaStep(
                doing=(
                    "bill came w 5 separate plans, tried the "
                    "chat bot n it kept sending me to the FAQ"
                ),
                channel=C.CHATBOT,
                feeling=2,
                feeling_answer="ugh",
                minutes=20,
                pains=(P.BILLING_ERROR, P.BOT_LOOP),
            ),
            PersonaStep(
                doing="called business support, got bounced to consumer support twice",
                channel=C.PHONE,
                feeling=1,
                feeling_answer="rly annoyed",
                minutes=60,
                duration="an hr",
                pains=(P.TRANSFERRED,),
            ),
            PersonaStep(
                doing="finally a biz rep merged them n credited the diff",
                channel=C.PHONE,
                feeling=4,
                channel_answer="phone still",
                feeling_answer="good",
                minutes=20,
                people_tools="biz rep named Tasha",
            ),
        ),
        moment_of_truth=4,
        resolved="yes",
        effort=4,
        improvement="bot shud know business accounts exist lol",
        pause_after_slot=Slot.PAIN,
    ),
    Persona(
        name="anna-saas-data-export",
        domain="SaaS/B2B software",
        style=Style.EMOJI,
        attributes=_business("eu", "pro", 2),
        problem="needed a full data export for an audit by Friday 📊⏰",
        steps=(
            PersonaStep(
                doing="searched the help centre, the export article was outdated 😕",
                channel=C.HELP_CENTER,
                feeling=2,
                feeling_answer="😕",
                minutes=20,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing="opened live chat, agent replied in 2 mins 🙌",
                channel=C.LIVE_CHAT,
                feeling=4,
                feeling_answer="🙂",
                minutes=15,
                people_tools="support agent Mateo",
            ),
            PersonaStep(
                doing="he ran the export for us and sent the file by email the same day 🎉",
                channel=C.EMAIL,
                feeling=5,
                feeling_answer="🤩",
                minutes=240,
                duration="4 hours",
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=2,
        improvement="update the help article 📝",
        uses_buttons=True,
    ),
    Persona(
        name="owen-office-energy-contract",
        domain="energy/utility billing",
        style=Style.FORMAL,
        attributes=_business("uk", "sme fixed", 8),
        problem="Our office was moved onto out-of-contract rates although we had signed a renewal.",
        steps=(
            PersonaStep(
                doing=(
                    "Our finance manager noticed the unit rate "
                    "had doubled on the quarterly invoice."
                ),
                channel=C.NONE,
                feeling=2,
                channel_answer="No contact; we noticed it internally.",
                feeling_answer="Alarmed.",
                minutes=30,
                people_tools="Our finance manager",
                pains=(P.BILLING_ERROR,),
            ),
            PersonaStep(
                doing=(
                    "I telephoned the business accounts team, who said the renewal had not been "
                    "processed and promised to backdate it."
                ),
                channel=C.PHONE,
                feeling=3,
                feeling_answer="Reassured, for the moment.",
                minutes=40,
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing=(
                    "The next invoice was again at the higher rate, and my emails to the account "
                    "manager went unanswered."
                ),
                channel=C.EMAIL,
                feeling=1,
                feeling_answer="Very dissatisfied.",
                duration="Six weeks.",
                pains=(P.BROKEN_PROMISE, P.NO_FOLLOW_UP, P.BILLING_ERROR),
            ),
            PersonaStep(
                doing="We have referred the matter to the energy ombudsman.",
                channel=C.OTHER,
                feeling=2,
                channel_answer="Through the ombudsman, not the supplier.",
                feeling_answer="Resigned.",
                duration="Ongoing.",
                people_tools="The ombudsman's caseworker",
                pains=(P.UNRESOLVED,),
            ),
        ),
        moment_of_truth=3,
        resolved="no",
        resolved_answer="No.",
        effort=6,
        improvement="Process signed renewals promptly and confirm them in writing.",
        back_after_slot=Slot.RESOLVED,
        mistaken_answer="Partly.",
    ),
    Persona(
        name="li-seller-payout-hold",
        domain="e-commerce marketplace",
        style=Style.NON_NATIVE,
        attributes=_business("us", "professional seller", 2),
        problem=(
            "My payout as seller is on hold for 3 weeks, the marketplace say 'account verification'"
        ),
        steps=(
            PersonaStep(
                doing="I see in seller dashboard: payout on hold",
                channel=C.WEBSITE,
                feeling=2,
                channel_answer="seller dashboard on the website",
                feeling_answer="worry",
                minutes=10,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing=(
                    "I use the seller assistant bot, it only give me link to same verification "
                    "page, and upload not work"
                ),
                channel=C.CHATBOT,
                feeling=1,
                feeling_answer="very frustrated",
                minutes=40,
                pains=(P.BOT_LOOP,),
            ),
            PersonaStep(
                doing="I post on seller forum, other seller tell me to open case by email",
                channel=C.COMMUNITY_FORUM,
                feeling=3,
                feeling_answer="a little help",
                minutes=1440,
                duration="1 day",
                people_tools="other sellers on the forum",
                pains=(P.FORCED_CHANNEL_SWITCH,),
            ),
            PersonaStep(
                doing=(
                    "I send documents by email, payout release "
                    "after 5 days but they keep 10% reserve"
                ),
                channel=C.EMAIL,
                feeling=3,
                feeling_answer="so-so",
                minutes=7200,
                duration="5 days",
                pains=(P.UNRESOLVED,),
            ),
        ),
        moment_of_truth=3,
        resolved="partly",
        effort=5,
        improvement="A human for sellers when the upload is broken",
        fix_step_in_playback=(
            3,
            "I post on seller forum, other seller tell me to open case by email and give me "
            "the correct address",
        ),
    ),
    Persona(
        name="mark-corporate-rebook",
        domain="airline rebooking",
        style=Style.TERSE,
        attributes=_business("uk", "corporate travel", 10),
        problem="Client meeting moved, needed to rebook a flight same day.",
        steps=(
            PersonaStep(
                doing="Tried the airline app. No change option for corporate fares.",
                channel=C.MOBILE_APP,
                feeling=2,
                feeling_answer="irritated",
                minutes=10,
                pains=(P.UNCLEAR_INFO,),
            ),
            PersonaStep(
                doing="Called our travel agency.",
                channel=C.PHONE,
                feeling=4,
                feeling_answer="fine",
                minutes=15,
                people_tools="agency booker",
            ),
            PersonaStep(
                doing="Rebooked in 15 mins. Fee waived. Great.",
                channel=C.PHONE,
                feeling=5,
                channel_answer="phone",
                minutes=15,
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=3,
        improvement="Allow changes in the app.",
        skip_slots=frozenset({Slot.THINKING, Slot.DURATION}),
    ),
    Persona(
        name="sara-bookshop-water-damage",
        domain="insurance claim",
        style=Style.CHATTY,
        attributes=_business("eu", "commercial property", 6),
        problem=(
            "Water leaked from the flat above and damaged the stock in our little bookshop, and "
            "the business insurance claim has been going nowhere for two months"
        ),
        steps=(
            PersonaStep(
                doing=(
                    "Called the claims hotline the same morning, and the lady was really sweet "
                    "and logged everything"
                ),
                channel=C.PHONE,
                feeling=4,
                feeling_answer="reassured, she was lovely",
                minutes=30,
            ),
            PersonaStep(
                doing=(
                    "A loss adjuster came out a week later, took photos, looked around, and "
                    "said we'd hear in ten days"
                ),
                channel=C.IN_PERSON,
                feeling=3,
                channel_answer="in person at the shop",
                feeling_answer="okay, it felt like progress",
                minutes=90,
                people_tools="the loss adjuster, our stock list",
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing=(
                    "Ten days came and went, so I emailed the claims address and got an "
                    "auto-reply and nothing else"
                ),
                channel=C.EMAIL,
                feeling=2,
                feeling_answer="deflated",
                duration="ten days, then another week",
                pains=(P.NO_FOLLOW_UP,),
            ),
            PersonaStep(
                doing=(
                    "Rang again and was told the report was 'with underwriting' and they'd "
                    "call me back within 48 hours"
                ),
                channel=C.PHONE,
                feeling=2,
                feeling_answer="sceptical",
                minutes=40,
                pains=(P.REPEAT_EXPLANATION, P.TRANSFERRED),
            ),
            PersonaStep(
                doing=(
                    "No call back. I've now sent a formal complaint through their website form "
                    "and I'm waiting"
                ),
                channel=C.WEBSITE,
                feeling=1,
                feeling_answer="honestly just worn down",
                minutes=20,
                duration="20 minutes to write it, weeks of waiting since",
                pains=(P.NO_FOLLOW_UP, P.BROKEN_PROMISE, P.UNRESOLVED),
            ),
        ),
        moment_of_truth=4,
        resolved="no",
        effort=6,
        improvement=("Proactive updates, even 'no news yet', and call backs that actually happen"),
        extra_answers={"recommend": "Not at the moment, no, sadly."},
    ),
    Persona(
        name="diego-card-terminal",
        domain="electronics repair",
        style=Style.BUTTONS,
        attributes=_business("us", "merchant services", 4),
        problem="card terminal broke in our shop",
        steps=(
            PersonaStep(
                doing="called the terminal helpdesk",
                channel=C.PHONE,
                feeling=2,
                feeling_answer="2",
                minutes=25,
                pains=(P.LONG_WAIT,),
            ),
            PersonaStep(
                doing="they said replacement in 2 days",
                channel=C.PHONE,
                feeling=3,
                channel_answer="phone",
                feeling_answer="3",
                minutes=5,
            ),
            PersonaStep(
                doing="took 5 days, cash only meanwhile",
                channel=C.NONE,
                feeling=1,
                channel_answer="none",
                feeling_answer="1",
                minutes=7200,
                pains=(P.SLOW_DELIVERY, P.BROKEN_PROMISE),
            ),
            PersonaStep(
                doing="new one arrived, set it up with their app",
                channel=C.MOBILE_APP,
                feeling=4,
                feeling_answer="4",
                minutes=30,
            ),
        ),
        moment_of_truth=3,
        resolved="yes",
        effort=4,
        uses_buttons=True,
    ),
)
"""The demo customers: 26 consumers and 12 businesses, all of whom consent."""

DECLINING_PERSONAS: tuple[Persona, ...] = (
    Persona(
        name="quinn-declines",
        domain="streaming subscription",
        style=Style.TERSE,
        attributes=_consumer("us", "basic", 1),
        problem="couldn't log in",
        steps=(
            PersonaStep(doing="reset password on the website", channel=C.WEBSITE, feeling=3),
            PersonaStep(doing="worked after that, fine", channel=C.WEBSITE, feeling=4),
        ),
        moment_of_truth=1,
        resolved="yes",
        effort=2,
        declines_consent=True,
    ),
    Persona(
        name="bernard-declines",
        domain="retail banking",
        style=Style.FORMAL,
        attributes=_business("uk", "business current account", 15),
        problem="A standing order failed.",
        steps=(
            PersonaStep(doing="I telephoned the bank.", channel=C.PHONE, feeling=3),
            PersonaStep(
                doing="They resent the payment; I was satisfied.", channel=C.PHONE, feeling=4
            ),
        ),
        moment_of_truth=2,
        resolved="yes",
        effort=2,
        declines_consent=True,
    ),
)
"""Extra customers who decline consent, for exercising the decline path; not in PERSONAS."""


def persona_by_name(name: str) -> Persona:
    """Return the persona called `name` (from `PERSONAS` or `DECLINING_PERSONAS`)."""
    for persona in (*PERSONAS, *DECLINING_PERSONAS):
        if persona.name == name:
            return persona
    raise KeyError(name)
