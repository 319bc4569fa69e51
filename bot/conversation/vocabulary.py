"""Shared vocabularies: the values that quick replies send, storage keeps and APIs expose.

These strings are a public contract (the web API, Slack and exports use them), so they
are plain string enums that serialise as their value.
"""

from __future__ import annotations

from enum import StrEnum


class Slot(StrEnum):
    """What the bot is asking for. Reported with every question the bot sends."""

    CONSENT = "consent"
    PROBLEM = "problem"
    STEP = "step"
    CHANNEL = "channel"
    FEELING = "feeling"
    THINKING = "thinking"
    DURATION = "duration"
    PEOPLE_TOOLS = "people_tools"
    PAIN = "pain"
    # One message showing what the bot understood of a step from its story, to confirm
    # in one tap instead of asking each question.
    CONFIRM = "confirm"
    # "Nothing." after a waiting step: did nothing happen for a while, or was that the end?
    CLARIFY_NOTHING = "clarify_nothing"
    NEXT_STEP = "next_step"
    # "Do you mean step 3?": a moment of truth matched to a step by meaning, unsure.
    CONFIRM_MOMENT = "confirm_moment"
    PLAYBACK = "playback"
    MOMENT_OF_TRUTH = "moment_of_truth"
    RESOLVED = "resolved"
    EFFORT = "effort"
    IMPROVEMENT = "improvement"
    ANYTHING_ELSE = "anything_else"
    DONE = "done"


class Provenance(StrEnum):
    """How a stored step fact came to be known (issue 15).

    The customer must never have a fact stored about them that they did not say plainly
    or confirm: ``inferred`` is kept for readings of the story that are near-certain
    (an explicit "I rang them", "on hold for 40 minutes"), and for readings by a language
    model, which are never ``said``.
    """

    SAID = "said"  # the answer to the fact's own question
    CONFIRMED = "confirmed"  # the bot showed its reading and the customer said yes
    INFERRED = "inferred"  # read from the story (or by a model), near-certain, not shown
    CORRECTED = "corrected"  # the customer changed the bot's reading


# The step facts a provenance is recorded for, named as in storage and exports.
PROVENANCE_FACTS = ("channel", "feeling", "duration", "people", "tools", "pains")


class Channel(StrEnum):
    """How the customer dealt with the company at one step."""

    PHONE = "phone"
    EMAIL = "email"
    LIVE_CHAT = "live_chat"
    CHATBOT = "chatbot"
    HELP_CENTER = "help_center"
    MOBILE_APP = "mobile_app"
    WEBSITE = "website"
    SOCIAL_MEDIA = "social_media"
    IN_PERSON = "in_person"
    SMS = "sms"
    COMMUNITY_FORUM = "community_forum"
    OTHER = "other"
    # A step with no contact at all, e.g. noticing the problem or waiting for a parcel.
    NONE = "none"


CHANNEL_LABELS: dict[Channel, str] = {
    Channel.PHONE: "Phone",
    Channel.EMAIL: "Email",
    Channel.LIVE_CHAT: "Live chat",
    Channel.CHATBOT: "Chatbot",
    Channel.HELP_CENTER: "Help center / FAQ",
    Channel.MOBILE_APP: "Mobile app",
    Channel.WEBSITE: "Website",
    Channel.SOCIAL_MEDIA: "Social media",
    Channel.IN_PERSON: "In person",
    Channel.SMS: "SMS / text",
    Channel.COMMUNITY_FORUM: "Community forum",
    Channel.OTHER: "Something else",
    Channel.NONE: "No contact",
}


class Pain(StrEnum):
    """The starting pain taxonomy. Guides may add their own keys (plain strings)."""

    LONG_WAIT = "long_wait"
    REPEAT_EXPLANATION = "repeat_explanation"
    TRANSFERRED = "transferred"
    NO_FOLLOW_UP = "no_follow_up"
    UNCLEAR_INFO = "unclear_info"
    FORCED_CHANNEL_SWITCH = "forced_channel_switch"
    UNRESOLVED = "unresolved"
    UNEMPATHETIC_AGENT = "unempathetic_agent"
    HARD_TO_REACH = "hard_to_reach"
    BOT_LOOP = "bot_loop"
    BILLING_ERROR = "billing_error"
    BROKEN_PROMISE = "broken_promise"
    IDENTITY_VERIFICATION_HASSLE = "identity_verification_hassle"
    SLOW_DELIVERY = "slow_delivery"
    WRONG_ITEM = "wrong_item"


PAIN_LABELS: dict[str, str] = {
    Pain.LONG_WAIT: "Long wait",
    Pain.REPEAT_EXPLANATION: "Had to repeat myself",
    Pain.TRANSFERRED: "Transferred around",
    Pain.NO_FOLLOW_UP: "No follow-up",
    Pain.UNCLEAR_INFO: "Unclear information",
    Pain.FORCED_CHANNEL_SWITCH: "Had to switch channel",
    Pain.UNRESOLVED: "Not resolved",
    Pain.UNEMPATHETIC_AGENT: "Unhelpful or rude staff",
    Pain.HARD_TO_REACH: "Hard to reach anyone",
    Pain.BOT_LOOP: "Stuck in a bot loop",
    Pain.BILLING_ERROR: "Billing error",
    Pain.BROKEN_PROMISE: "Promise not kept",
    Pain.IDENTITY_VERIFICATION_HASSLE: "Identity checks hassle",
    Pain.SLOW_DELIVERY: "Slow delivery",
    Pain.WRONG_ITEM: "Wrong item",
}

# Feeling is an integer 1 (very negative) .. 5 (very positive).
FEELING_MIN = 1
FEELING_MAX = 5
FEELING_LABELS: dict[int, str] = {
    1: "😠 Very bad",
    2: "🙁 Bad",
    3: "😐 Okay",
    4: "🙂 Good",
    5: "😄 Great",
}

# Effort is the customer-effort score: 1 (very easy) .. 7 (very hard).
EFFORT_MIN = 1
EFFORT_MAX = 7
EFFORT_LABELS: dict[int, str] = {
    1: "1 · Very easy",
    2: "2",
    3: "3",
    4: "4 · Neither",
    5: "5",
    6: "6",
    7: "7 · Very hard",
}


class InterviewStatus(StrEnum):
    """Lifecycle of an interview, as stored and as reported by the APIs."""

    AWAITING_CONSENT = "awaiting_consent"
    ACTIVE = "active"
    PAUSED = "paused"
    COMPLETED = "completed"
    DECLINED = "declined"


FINISHED_STATUSES = frozenset({InterviewStatus.COMPLETED, InterviewStatus.DECLINED})
