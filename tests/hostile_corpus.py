"""Hostile customer text, generated family by family, for the output tests (issue 19).

Each family crosses a few attack payloads with the places they can hide in (the start of
a field, after a separator, inside a sentence, at a line's start), so the corpus is
systematic rather than a list of favourites. ``secrets`` are the parts of an input that
must not appear in any output unless personal data is asked for.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hostile:
    family: str
    text: str
    secrets: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return self.family


def _html_js() -> list[str]:
    payloads = ["alert(1)", "window.__pwned=1"]
    shapes = [
        "<script>{js}</script>",
        "<img src=x onerror={js}>",
        '<img src="x" onerror="{js}">',
        "<svg onload={js}>",
        "<svg><script>{js}</script></svg>",
        "<iframe src=javascript:{js}></iframe>",
        '<a href="javascript:{js}">click</a>',
        "<body onload={js}>",
        "<details open ontoggle={js}>",
        '"><script>{js}</script>',
        "'><img src=x onerror={js}>",
        "</textarea></title></style><script>{js}</script>",
        "<math><mtext><table><mglyph><style><img src=x onerror={js}>",
        "<!--<img src=x onerror={js}>-->",
        "<object data=javascript:{js}></object>",
        "<input autofocus onfocus={js}>",
        "<video><source onerror={js}></video>",
        "<form action=javascript:{js}><button>go</button></form>",
        "<meta http-equiv=refresh content=0;url=javascript:{js}>",
        "I called them <b onmouseover={js}>twice</b> and waited",
    ]
    return [shape.format(js=js) for js in payloads for shape in shapes]


def _markdown_links() -> list[str]:
    links = [
        "[link](javascript:alert(1))",
        "[link](http://evil.example)",
        "![img](http://evil.example/x.png)",
        "[x][ref]\n\n[ref]: http://evil.example",
        "<http://evil.example>",
        "<mailto:help@evil.example>",
        "<help@evil.example>",
        "https://evil.example/path?q=1",
        "www.evil.example",
        "[x](<javascript:alert(1)>)",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![x](javascript:alert(1))",
        "[![img](http://evil.example/i.png)](http://evil.example)",
        '[x]( javascript:alert(1) "title")',
    ]
    return [*links, *(f"I clicked {link} and nothing happened" for link in links)]


def _backslashes() -> list[str]:
    tricks = [
        "\\<img src=x onerror=alert(1)>",
        "\\\\<script>alert(1)</script>",
        "\\[x](javascript:alert(1))",
        "\\\\[x](javascript:alert(1))",
        "\\![x](http://evil.example/x.png)",
        "\\",
        "\\\\\\\\",
        "ends with a backslash\\",
        "\\*\\*not bold\\*\\*",
        "\\&lt;script\\&gt;",
        "\\\\<b>bold</b>",
        "\\`code\\`",
    ]
    return [*tricks, *(f"they said {t} twice" for t in tricks)]


def _entities() -> list[str]:
    return [
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "&#x3C;img src=x onerror=alert(1)&#x3E;",
        "&amp;lt;b&amp;gt;",
        "&nbsp;&nbsp;spaced",
        "&#0;&#x0;",
        "&#x202E;reversed",
        "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;",
        "%3Cscript%3Ealert(1)%3C/script%3E",
        "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;",
        "&copy; &euro; &hellip;",
        "&#106;avascript:alert(1)",
    ]


def _markdown_blocks() -> list[str]:
    return [
        "# heading",
        "first line\n# heading",
        "text\n===",
        "text\n---",
        "- item\n- item",
        "1. item\n2) item",
        "> quoted\n> more",
        "    indented code",
        "```js\nalert(1)\n```",
        "~~~\nfenced\n~~~",
        "***",
        "<div>\n*x*\n</div>",
        "*emph* _emph_ **strong** __strong__ ~~strike~~ `code`",
        "footnote[^1]\n\n[^1]: a note",
        "$x^2$ and $$\\frac{1}{2}$$",
        "{: .class #id}",
        "<!-- hidden comment -->",
        "line one  \nline two with a hard break",
    ]


def _table_pipes() -> list[str]:
    return [
        "a | b",
        "|",
        "||||",
        "a \\| b",
        "| --- | --- |",
        "x|y|z",
        "| a | b |\n|---|---|\n| c | d |",
        "`a|b`",
    ]


BIDI = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]


def _bidi() -> list[str]:
    return [
        *(f"invoice{c}fdp.exe{c}" for c in BIDI),
        *(f"“I loved it” — interview {c}1 weiv ret{c} by Ana" for c in BIDI),
    ]


INVISIBLE = [
    "\u200b",  # zero-width space
    "\u200c",  # zero-width non-joiner
    "\u200d",  # zero-width joiner
    "\u2060",  # word joiner
    "\ufeff",  # byte order mark
    "\u180e",  # Mongolian vowel separator
    "\u00ad",  # soft hyphen
    "\u2061",  # function application
    "\u2064",  # invisible plus
    "\u3164",  # Hangul filler
    "\u115f",  # Hangul choseong filler
    "\u1160",  # Hangul jungseong filler
    "\uffa0",  # halfwidth Hangul filler
    "\U000e0041",  # tag letter A (invisible "ASCII smuggling")
    "\u200e",  # left-to-right mark
]


def _zero_width() -> list[str]:
    return [
        *(f"jav{c}ascript:alert(1)" for c in INVISIBLE),
        *(f"<scr{c}ipt>alert(1)</scr{c}ipt>" for c in INVISIBLE),
    ]


def _controls() -> list[str]:
    return [
        "nul\x00byte",
        "bell\x07",
        "back\x08space",
        "vertical\x0btab",
        "form\x0cfeed",
        "carriage\rreturn=1+1",
        "\x1b[31mred\x1b[0m terminal",
        "delete\x7f",
        "next line\x85=1+1",
        "c1 csi\x9b31m",
        "line\u2028separator",
        "paragraph\u2029separator",
        "lone \ud800 surrogate",
        "nonchar \ufffe\uffff",
    ]


FORMULAS = [
    "=1+1",
    "+1+1",
    "-2+3",
    "@SUM(1)",
    '=HYPERLINK("http://evil.example","x")',
    "=cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]
FORMULA_PLACES = [
    "{f}",
    "called them;{f}",
    "called them; {f}",
    "a, {f}",
    "first line\n{f}",
    'said "{f}"',
    'x;"{f}"',
]


def _csv_formulas() -> list[str]:
    return [place.format(f=f) for f in FORMULAS for place in FORMULA_PLACES]


def _mermaid() -> list[str]:
    return [
        "journey",
        "journeys were long",
        "title pwned",
        "Section pwned",
        "accTitle: pwned",
        "accDescr { pwned }",
        '%%{init: {"theme":"dark"}}%%',
        "x %% comment",
        "a: 5: b",
        "a;b",
        "#comment",
        "click x call alert(1)",
        "classDef x fill:red",
        '"quoted"',
        "`markdown string`",
        "<br/>line",
        "::: ;;; ###",
        "x\n    section injected\n      task: 5: me",
    ]


def _long() -> list[str]:
    return [
        "a" * 10_000,
        "word " * 4_000,
        "<b>" * 2_000,
        "[a](" * 1_000,
        "=" * 500,
    ]


def _unicode() -> list[str]:
    return [
        "👩‍💻 was furious 😡 🇬🇧",
        "👨‍👩‍👧‍👦 family plan",
        "Z" + "\u0335\u0321\u031b" * 20 + "algo",
        "👍🏽 thumbs",
        "⚠️ warning sign",
        "在线客服 回复很慢",
        "مرحبا שלום",
        "नमस्ते सहायता",
    ]


def _maths() -> list[str]:
    return ["$\\frac{1}{$", "$x$ and $y$", "$$", "\\$ escaped", "$\\alpha$ and a lone $"]


PERSONAL = [
    Hostile("email", "write to jo.bloggs@example.com please", ("jo.bloggs@example.com",)),
    Hostile(
        "email", "My email: ANA+support@mail.example.co.uk", ("ANA+support@mail.example.co.uk",)
    ),
    Hostile("phone", "call me on +44 7700 900123 after six", ("7700 900123",)),
    Hostile("phone", "my mobile is 07700 900456", ("07700 900456",)),
    Hostile("phone", "ring (415) 555-2671 or 415.555.2671", ("555-2671", "555.2671")),
    Hostile("card", "card 4111 1111 1111 1111 was charged twice", ("4111 1111 1111 1111",)),
    Hostile("card", "used 5555-5555-5555-4444 then", ("5555-5555-5555-4444",)),
    Hostile("card", "amex 378282246310005", ("378282246310005",)),
    Hostile("iban", "refund to DE89 3704 0044 0532 0130 00 please", ("3704 0044 0532",)),
    Hostile("iban", "GB82WEST12345698765432 is my account", ("GB82WEST12345698765432",)),
    Hostile("iban", "iban gb82 west 1234 5698 7654 32 thanks", ("1234 5698 7654",)),
    Hostile("name", "Hi, my name is Ana Lima and I waited", ("Ana", "Lima")),
    Hostile("name", "I'm Priya. The app crashed", ("Priya",)),
    Hostile("name", "They never called back.\nThanks, Sam Okafor", ("Sam", "Okafor")),
    Hostile("name", "waited a week\n- Jo Bloggs", ("Jo", "Bloggs")),
    Hostile(
        "mixed",
        "This is Mara. Do not contact me at mara@example.org or +49 30 901820",
        ("Mara", "mara@example.org", "901820"),
    ),
]


def corpus() -> list[Hostile]:
    """Every hostile input, family by family (over 200)."""
    families = {
        "html_js": _html_js(),
        "markdown_link": _markdown_links(),
        "backslash": _backslashes(),
        "entity": _entities(),
        "markdown_block": _markdown_blocks(),
        "table_pipe": _table_pipes(),
        "bidi": _bidi(),
        "zero_width": _zero_width(),
        "control": _controls(),
        "csv_formula": _csv_formulas(),
        "mermaid": _mermaid(),
        "long": _long(),
        "unicode": _unicode(),
        "maths": _maths(),
    }
    found = [Hostile(name, text) for name, texts in families.items() for text in texts]
    return [*found, *PERSONAL]


CORPUS = corpus()
CORPUS_IDS = [f"{h.family}-{n}" for n, h in enumerate(CORPUS)]
