"""The Slack adapter's pure parts: markup cleaning, Block Kit rendering, payload parsing,
and the per-conversation executor."""

from __future__ import annotations

import json
import threading
import time
from typing import Any
from urllib.parse import parse_qs

import pytest

from bot.conversation.messages import Choice, Reply
from bot.conversation.questions import CHANNEL_CHOICES, FEELING_CHOICES
from bot.slack.blocks import (
    fallback_text,
    reply_blocks,
    settled_blocks,
    without_buttons,
)
from bot.slack.events import (
    ButtonClick,
    EditedMessage,
    Ignored,
    TypedMessage,
    parse_click,
    parse_message_event,
)
from bot.slack.executor import KeyedExecutor
from bot.slack.markup import clean_markup
from fakes.slack import BOT_USER, block_actions, dm_event, event_callback


@pytest.mark.parametrize(
    ("wire", "readable"),
    [
        ("<@U123> helped", "@Ana helped"),
        ("<@U999> helped", "@U999 helped"),
        ("<@U999|sam> helped", "@sam helped"),
        (
            "see <https://x.example/a?b=1&amp;c=2|the form>",
            "see the form (https://x.example/a?b=1&c=2)",
        ),
        ("see <https://x.example/>", "see https://x.example/"),
        ("mail <mailto:help@acme.example|help@acme.example>", "mail help@acme.example"),
        ("in <#C1|support> and <!here>", "in #support and @here"),
        ("<!subteam^S1|@billing> never replied", "@billing never replied"),
        ("<!date^1392734382^{date}|Feb 18, 2014> it broke", "Feb 18, 2014 it broke"),
        ("5 &lt; 7 &amp;&amp; 8 &gt; 2, literally &amp;lt;", "5 < 7 && 8 > 2, literally &lt;"),
        ("plain text, no markup", "plain text, no markup"),
    ],
)
def test_clean_markup(wire: str, readable: str) -> None:
    names = {"U123": "Ana"}
    assert clean_markup(wire, user_name=names.get) == readable


def test_buttons_for_every_choice_with_feeling_emoji() -> None:
    reply = Reply(text="How did you feel?", slot="feeling", choices=FEELING_CHOICES)
    section, actions = reply_blocks(reply)
    assert section["text"]["text"] == "How did you feel?"
    assert [b["text"]["text"] for b in actions["elements"]] == [
        "😠 Very bad",
        "🙁 Bad",
        "😐 Okay",
        "🙂 Good",
        "😄 Great",
    ]
    assert [b["value"] for b in actions["elements"]] == ["1", "2", "3", "4", "5"]
    assert len({b["action_id"] for b in actions["elements"]}) == 5


def test_many_choices_and_long_labels_fit_slacks_limits() -> None:
    many = tuple(Choice(value=str(n), label=f"Option {n} " + "x" * 90) for n in range(30))
    blocks = reply_blocks(Reply(text="Pick", slot="x", choices=many))
    actions = [b for b in blocks if b["type"] == "actions"]
    assert [len(a["elements"]) for a in actions] == [25, 5]
    assert len({a["block_id"] for a in actions}) == 2
    assert all(len(e["text"]["text"]) <= 75 for a in actions for e in a["elements"])
    assert len(reply_blocks(Reply(text="Which channel?", choices=CHANNEL_CHOICES))) == 2


def test_playback_items_become_a_numbered_list_and_text_is_escaped() -> None:
    items = ("Called <support> & waited (phone)", "Got an email")
    text = "Here's your journey as I understood it:\n1. " + items[0] + "\n2. " + items[1]
    reply = Reply(text=text + "\n\nDid I get that right?", slot="playback", items=items)
    intro, listed, question = reply_blocks(reply)[:3]
    assert intro["text"]["text"] == "Here's your journey as I understood it:"
    assert listed["elements"][0]["style"] == "ordered"
    assert [e["elements"][0]["text"] for e in listed["elements"][0]["elements"]] == list(items)
    assert question["text"]["text"] == "Did I get that right?"
    assert "&lt;support&gt; &amp;" in fallback_text(reply)


def test_long_text_is_split_into_sections() -> None:
    blocks = reply_blocks(Reply(text=("word " * 1000).strip()))
    assert len(blocks) == 2 and all(len(b["text"]["text"]) <= 3000 for b in blocks)


def test_settled_question_keeps_text_drops_buttons_and_shows_the_choice() -> None:
    reply = Reply(text="Resolved?", slot="resolved", choices=(Choice(value="yes", label="Yes"),))
    blocks = settled_blocks(reply, note="✅ Yes")
    assert [b["type"] for b in blocks] == ["section", "context"]
    again = without_buttons(reply_blocks(reply), note="✅ Yes")
    assert again == blocks
    assert without_buttons(again, note="✅ No")[-1]["elements"][0]["text"] == "✅ No"


def test_parse_message_events() -> None:
    body = json.loads(event_callback(dm_event("hi", user="U1", ts="1.2"), event_id="Ev1"))
    parsed = parse_message_event(body, bot_user_id=BOT_USER)
    assert isinstance(parsed, TypedMessage)
    assert (parsed.key, parsed.message_id) == ("event:T0TEAM:Ev1", "slack:DU1:1.2")
    assert parsed.customer.queue_key == "T0TEAM:U1"

    def parsed_as(**fields: Any) -> object:
        event = dm_event("x", user="U1", **fields)
        return parse_message_event(
            json.loads(event_callback(event, event_id="Ev2")), bot_user_id=BOT_USER
        )

    assert isinstance(parsed_as(channel_type="channel"), Ignored)
    assert isinstance(parsed_as(subtype="message_deleted"), Ignored)
    assert isinstance(parsed_as(subtype="channel_join"), Ignored)
    assert isinstance(parsed_as(bot_id="B1"), Ignored)
    thread_reply = parsed_as(thread_ts="0.1")
    assert isinstance(thread_reply, TypedMessage)
    with_file = parsed_as(subtype="file_share", files=[{"name": "a.pdf"}, {"title": "b"}])
    assert isinstance(with_file, TypedMessage)
    assert with_file.text == "x\n[file: a.pdf]\n[file: b]"
    edit = parsed_as(
        subtype="message_changed",
        message={"user": "U1", "text": "new"},
        previous_message={"user": "U1", "text": "old"},
    )
    assert isinstance(edit, EditedMessage)
    unfurl = parsed_as(
        subtype="message_changed",
        message={"user": "U1", "text": "same", "attachments": [{}]},
        previous_message={"user": "U1", "text": "same"},
    )
    assert isinstance(unfurl, Ignored)


def test_parse_click_keys_on_the_message_not_the_click() -> None:
    message = {"ts": "9.9", "blocks": reply_blocks(Reply(text="Q", choices=FEELING_CHOICES))}
    first, second = (
        parse_click(
            json.loads(parse_qs(block_actions(user="U1", message=message, value=v))["payload"][0])
        )
        for v in ("2", "4")
    )
    assert isinstance(first, ButtonClick) and isinstance(second, ButtonClick)
    assert (first.value, first.label) == ("2", "🙁 Bad")
    assert first.key == second.key and first.message_id == second.message_id
    assert isinstance(parse_click({"type": "block_actions", "actions": []}), Ignored)


def test_keyed_executor_runs_one_key_in_order_and_keys_in_parallel() -> None:
    executor = KeyedExecutor(max_workers=4)
    seen: list[str] = []
    gate = threading.Event()
    try:

        def slow_first() -> None:
            gate.wait(5)
            seen.append("a1")

        def failing() -> None:
            raise ZeroDivisionError

        executor.submit("a", slow_first)
        executor.submit("a", lambda: seen.append("a2"))
        executor.submit("b", lambda: seen.append("b1"))  # not stuck behind "a"
        deadline = time.monotonic() + 5
        while "b1" not in seen and time.monotonic() < deadline:
            time.sleep(0.01)
        assert seen == ["b1"]
        gate.set()
        assert executor.join(5)
        assert seen == ["b1", "a1", "a2"]
        executor.submit("c", failing)  # a failing task is logged, not fatal
        executor.submit("c", lambda: seen.append("c2"))
        assert executor.join(5)
        assert seen[-1] == "c2"
    finally:
        executor.shutdown()
    with pytest.raises(RuntimeError):
        executor.submit("d", lambda: None)


def test_work_items_survive_the_trip_through_their_json_payload() -> None:
    from bot.slack.outbox import from_payload, to_payload

    message = parse_message_event(
        json.loads(event_callback(dm_event("hi <@U2>", user="U1"), event_id="Ev1")),
        bot_user_id=BOT_USER,
    )
    click = parse_click(
        json.loads(
            parse_qs(
                block_actions(
                    user="U1", message={"ts": "1.2", "blocks": []}, value="yes", label="Yes"
                )
            )["payload"][0]
        )
    )
    assert isinstance(message, TypedMessage) and isinstance(click, ButtonClick)
    for item in (message, click, EditedMessage(message.customer, "event:T:Ev2")):
        payload = json.loads(json.dumps(to_payload(item)))
        assert from_payload(payload) == item
    assert to_payload(click)["kind"] == "click"
    assert from_payload({"v": 99, "kind": "message"}) is None
    assert from_payload(None) is None
