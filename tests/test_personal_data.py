"""The shared redactor (bot.understanding.personal_data) and the text helpers every
output is written through (synthesis.plain_text, markdown_text, spreadsheet_text)."""

from __future__ import annotations

import pytest
from markdown_it import MarkdownIt

from bot.understanding.personal_data import given_names, redact
from synthesis.markdown_text import markdown_code, markdown_text
from synthesis.plain_text import one_line, visible_text
from synthesis.spreadsheet_text import spreadsheet_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("write to jo.bloggs@example.com", "write to [email]"),
        ("call +44 7700 900123 or 07700 900456", "call [phone] or [phone]"),
        ("card 5555-5555-5555-4444 twice", "card [card] twice"),
        ("IBAN DE89 3704 0044 0532 0130 00 for the refund", "IBAN [iban] for the refund"),
        ("iban gb82 west 1234 5698 7654 32 thanks", "iban [iban] thanks"),
        ("my name is sarah and my bank is awful", "my name is [name] and my bank is awful"),
        ("Hi, I'm Ana Lima from Leeds", "Hi, I'm [name] [name] from Leeds"),
        ("This is Bob. I called them", "This is [name]. I called them"),
        ("They never called.\nThanks,\nAna", "They never called.\nThanks,\n[name]"),
        ("waited a week\n- Priya", "waited a week\n- [name]"),
        ("Cheers, Mike!", "Cheers, [name]!"),
        ("my name's O'Brien", "my name's [name]"),
    ],
)
def test_each_kind_is_replaced(text: str, expected: str) -> None:
    assert redact(text).text == expected


@pytest.mark.parametrize(
    "text",
    [
        "I'm Not sure it helped",
        "I am Frustrated, Really",
        "call me back tomorrow",
        "it took ages - Two hours",
        "Thanks, Bye",
        "the agent Sam was lovely",
        "order 1234567890123, ticket 55512, 12.03.2024, paid 129.99",
        "I'm English and live in Leeds",
    ],
)
def test_what_is_not_personal_data_stays(text: str) -> None:
    assert redact(text).text == text


def test_a_given_name_is_masked_wherever_it_appears() -> None:
    names = given_names(["hello, my name is ana", "Thanks, Jo Bloggs"])
    assert names >= {"ana", "Ana", "Jo", "Bloggs"}
    assert redact("Ana here again, Anabel is not", names=names).text == (
        "[name] here again, Anabel is not"
    )
    counted = redact("Bloggs at jo@x.io", names=names)
    assert counted.counts == {"email": 1, "name": 1}


def test_visible_text_drops_what_cannot_be_seen() -> None:
    assert visible_text("a\u202eevil\u202c b\u200bc\ufeff\x00\x1b[0m") == "aevil bc[0m"
    assert visible_text("tab\there\r\nline\u2028x") == "tab here\nline\nx"
    assert visible_text("tab\there", tabs=True) == "tab\there"
    assert visible_text("👩\u200d💻 and a\u200db") == "👩\u200d💻 and ab"
    assert visible_text("lone \ud800 surrogate\ufffe") == "lone  surrogate"
    assert visible_text("e" + "\u0301" * 30) == "e" + "\u0301" * 4
    assert one_line("  two\n\nlines\u3164 ") == "two lines"


def test_markdown_text_renders_as_the_text_itself() -> None:
    md = MarkdownIt("commonmark").enable("table")
    for text in [
        "\\<img src=x onerror=alert(1)>",
        "[link](javascript:alert(1)) ![i](http://x) <http://x> &lt; # h",
        "*a* _b_ `c` ~~d~~ | e \\",
    ]:
        html = md.render(markdown_text(text))
        assert "<a" not in html and "<img" not in html and "<em>" not in html
        assert md.renderInline(markdown_text(text)) == md.utils.escapeHtml(text)
    assert md.renderInline(markdown_code("a `tick` b")) == "<code>a `tick` b</code>"
    assert md.renderInline(markdown_code("`")) == "<code>`</code>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("called them;=1+1", "called them;'=1+1"),
        ("a, @SUM(1)", "a, '@SUM(1)"),
        ("+cmd", "'+cmd"),
        ("-2+3", "'-2+3"),
        ("\t=1", " '=1"),
        ("\r=1", "\n'=1"),
        ('x;"=1"', 'x;"\'=1"'),
        ("first\n-2", "first\n'-2"),
        ("called them, waited", "called them, waited"),
    ],
)
def test_spreadsheet_text_guards_every_piece(text: str, expected: str) -> None:
    assert spreadsheet_text(text) == expected
