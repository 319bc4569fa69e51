"""Channels from passing mentions (issue 15): the channel is how the customer dealt with
the company in the step, not every medium the story names."""

from __future__ import annotations

import pytest

from bot.conversation.vocabulary import Channel
from bot.understanding import continues_contact, parse_channel, read_channel, understand


@pytest.mark.parametrize(
    "text",
    [
        "an adviser picked up and texted me a one-time code, which I read back to her",
        "rang the bank and they sent a verification code by SMS while we were on the phone",
        "she emailed me a confirmation link while we were still talking",
        "finally a man answered, sent a security code to my mobile by text to check it was me",
        "called them; the agent sent me the reference by email at the end of the call",
    ],
)
def test_a_code_or_confirmation_sent_during_a_call_is_the_call(text: str) -> None:
    assert understand(text).channel is Channel.PHONE


@pytest.mark.parametrize(
    "text",
    [
        "my mum rang me to say a letter from them had arrived",
        "my flatmate texted me that the heating was off again",
        "my colleague called me over to look at the invoice",
        "sister rang. the power was out on the whole street",
        "a friend messaged me and then my partner phoned me about the email from the bank",
    ],
)
def test_a_relative_contacting_the_customer_is_no_contact(text: str) -> None:
    assert understand(text).channel is Channel.NONE


def test_a_relative_contacting_the_company_for_the_customer_is_their_channel() -> None:
    assert understand("my husband phoned them for me").channel is Channel.PHONE
    assert understand("my daughter emailed their support team for me").channel is Channel.EMAIL


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("filled in their online form and they replied by email two days later", Channel.WEBSITE),
        (
            "submitted the claim form on their website, an email came back the next day",
            Channel.WEBSITE,
        ),
        ("the reply to my web form finally arrived as an email", Channel.EMAIL),
        ("got an email back about the complaint form I'd sent", Channel.EMAIL),
        ("their answer to my online query came by email", Channel.EMAIL),
    ],
)
def test_a_form_and_its_emailed_reply(text: str, expected: Channel) -> None:
    assert understand(text).channel is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("asked the virtual assistant in their app", Channel.CHATBOT),
        ("opened the app and the little assistant bot answered with a link", Channel.CHATBOT),
        ("used the chat assistant inside the banking app", Channel.CHATBOT),
        ("tapped the help bubble in the app, it was a robot", Channel.CHATBOT),
        ("reported it in the app. bot only.", Channel.CHATBOT),
        ("tried the in-app chat, which turned out to be a bot", Channel.CHATBOT),
        ("the app chat, with a real person this time", Channel.LIVE_CHAT),
        ("used the chat in the app, a real person replied, not a bot", Channel.LIVE_CHAT),
        ("found 'talk to an adviser' in the app and chatted with someone", Channel.LIVE_CHAT),
        ("in the app I tapped help and chatted with a person called Sam", Channel.LIVE_CHAT),
        ("gave up on the bot and found a live chat in their app", Channel.LIVE_CHAT),
        (
            "clicked the chat icon in the app and, no bot at all, an actual person answered",
            Channel.LIVE_CHAT,
        ),
    ],
)
def test_a_chat_or_bot_inside_an_app_is_the_channel(text: str, expected: Channel) -> None:
    assert understand(text).channel is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("filled in the claim form in their app", Channel.MOBILE_APP),
        ("followed the troubleshooting steps in the app", Channel.MOBILE_APP),
        ("browsed the help centre about the streaming app", Channel.HELP_CENTER),
    ],
)
def test_an_app_beats_a_form_or_help_page_it_holds(text: str, expected: Channel) -> None:
    assert understand(text).channel is expected


@pytest.mark.parametrize(
    "text",
    [
        "got someone in the end, went through it all again",
        "the same agent checked my account and found the payment",
        "she looked into it and found the refund stuck",
        "the receptionist checked the log and saw the double payment",
        "agent Tom checked properly and saw the router was faulty",
    ],
)
def test_a_step_going_on_with_someone_is_not_no_contact(text: str) -> None:
    assert understand(text).channel is not Channel.NONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("same call", Channel.PHONE),
        ("Still the same never-ending phone call!", Channel.PHONE),
        ("still on the phone with him", Channel.PHONE),
        ("same visit, still at the desk", Channel.IN_PERSON),
        ("Same appointment.", Channel.IN_PERSON),
        ("It was the phone", Channel.PHONE),
        ("by the app I think", Channel.MOBILE_APP),
    ],
)
def test_answers_naming_the_same_contact(text: str, expected: Channel) -> None:
    assert parse_channel(text) is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("📞", Channel.PHONE),
        ("☎️", Channel.PHONE),
        ("📧", Channel.EMAIL),
        ("✉️", Channel.EMAIL),
        ("X", Channel.SOCIAL_MEDIA),
        ("twitter", Channel.SOCIAL_MEDIA),
        ("nothing but email", Channel.EMAIL),
        ("I didn't contact them, they rang me", Channel.PHONE),
    ],
)
def test_one_emoji_or_a_platform_name_answers_which_channel(text: str, expected: Channel) -> None:
    assert parse_channel(text) is expected


@pytest.mark.parametrize(
    "text",
    [
        "nobody had read my email, so nothing happened",
        "I hadn't even opened their email about it",
        "nobody called back",
        "they never rang me like they said",
        "didn't call, didn't email, just left it",
    ],
)
def test_a_negated_channel_gives_no_channel(text: str) -> None:
    assert understand(text).channel in (Channel.NONE, None)


@pytest.mark.parametrize(
    "text",
    [
        "I wasn't in touch with them yet",
        "wasn't really talking to anyone at that point",
        "Nobody from the company, only my landlord",
        "none, just my banking app",
        "not with them, a different app",
        "No contact with the supplier yet. It was an internal email from our finance team.",
        "In touch? With the insurer? No, I was mopping the floor.",
        "She texted me, but with the shop itself there was no contact yet.",
        "none yet",
        # Opening with "no contact", whatever medium the rest names.
        "No contact, I was only looking at my statement in the app.",
        "Not them, the app store review ⭐",
        "Nothing, I was just waiting for their reply.",
        "not yet, that was me at the bus stop",
        "wasnt yet 🤷",
        "🚫 no one",
        "None with the venue, I checked the council website myself.",
        "There was no contact at all, only their auto-reply email.",
        "We weren't in touch with them, just reading Reddit.",
        "didn't contact them, I just posted on Facebook about it",
    ],
)
def test_a_no_contact_answer_wins_over_media_named_in_passing(text: str) -> None:
    assert parse_channel(text) is Channel.NONE


@pytest.mark.parametrize(
    "text",
    [
        "waited for their email",
        "I waited for the letter they promised",
        "then we waited for the callback",
        "now I wait for the ombudsman to decide",
        "checked my banking app and saw the refund had landed",
        "saw two payments in my bank app",
        "waited. a letter came five weeks later.",
    ],
)
def test_waiting_for_a_contact_or_checking_ones_own_app_is_no_contact(text: str) -> None:
    assert understand(text).channel is Channel.NONE


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("left a glowing review on their website", Channel.WEBSITE),
        ("wrote a one-star review for the branch on their site", Channel.WEBSITE),
        ("left them a one-star review on trustpilot", Channel.OTHER),
    ],
)
def test_a_review_on_the_companys_own_site_is_the_website(text: str, expected: Channel) -> None:
    assert understand(text).channel is expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Filled in the contact form, because their phone line is only open 9 to 5",
            Channel.WEBSITE,
        ),
        (
            "I wanted to call them but there was no number, so I used the contact form",
            Channel.WEBSITE,
        ),
        ("i emailed support twice, so next i'm going to try phoning", Channel.EMAIL),
        ("he said the manager would call me back. nobody called.", Channel.NONE),
    ],
)
def test_reasons_plans_and_promises_are_not_the_contact(text: str, expected: Channel) -> None:
    assert understand(text).channel is expected


def test_reading_says_how_sure_and_why() -> None:
    sure = read_channel("rang them twice")
    assert (sure.channel, sure.sure, sure.cue) == (Channel.PHONE, True, "rang")
    incoming = read_channel("they emailed me a week later")
    assert incoming.channel is Channel.EMAIL and not incoming.sure
    weak = read_channel("something about the website")
    assert weak.channel is Channel.WEBSITE and not weak.sure
    assert read_channel("").channel is None
    assert read_channel("I didn't contact anyone").sure


@pytest.mark.parametrize(
    "text",
    [
        "Same call, she put me through to billing.",
        "still on the phone with him",
        "Still at the counter, same appointment.",
        "then she transferred me to the claims team",
        "The agent approved the refund straight away.",
        "He re-did the bill using my March reading.",
        "the adviser said the form had been lost",
    ],
)
def test_a_step_going_on_with_the_same_contact(text: str) -> None:
    assert continues_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "Rang them again the next morning.",
        "I emailed the complaints team.",
        "I noticed the charge on my statement.",
        "Waited three weeks for the letter.",
        "",
    ],
)
def test_a_new_contact_or_no_contact_is_no_continuation(text: str) -> None:
    assert not continues_contact(text)


@pytest.mark.parametrize(
    "text",
    [
        "she came round to the flat in the end",
        "The courier came to our door with the forms",
        "they finally showed up to the property",
        "at home",
        "Home visit.",
    ],
)
def test_someone_coming_to_the_customer_is_in_person(text: str) -> None:
    assert parse_channel(text) is Channel.IN_PERSON
