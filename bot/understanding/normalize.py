"""Text clean-up shared by every parser: one canonical, lower-case form of a chat answer.

Customers type on phones: curly apostrophes, dashes, missing apostrophes ("didnt"),
doubled spaces, the odd typo. Every rule downstream is written against the output of
:func:`normalize`, so the rules stay simple and only this module knows about the mess.
"""

from __future__ import annotations

import re
import unicodedata

# Long pastes are cut rather than rejected: a chat answer longer than this is a transcript
# dump, and the first part is where the customer answers the question that was asked.
MAX_CHARS = 20_000

_PUNCT_MAP = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "`": "'",
        "´": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "−": "-",
        "…": "...",
        "½": ".5",
        "¼": ".25",
        "¾": ".75",
        "\u00a0": " ",
        "\u2009": " ",
        "\u202f": " ",
    }
)

# Only very frequent words are corrected: a misspelt channel or unit word costs a whole
# answer, while a general spell checker would be slow and would "fix" brand names.
_TYPOS: dict[str, str] = {
    "emial": "email",
    "emal": "email",
    "emai": "email",
    "eamil": "email",
    "e-mail": "email",
    "e-mails": "emails",
    "e-mailed": "emailed",
    "emialed": "emailed",
    "emial'd": "emailed",
    "email'd": "emailed",
    "e-mail'd": "emailed",
    "emailled": "emailed",
    "phonned": "phoned",
    "phoend": "phoned",
    "fone": "phone",
    "foned": "phoned",
    "calld": "called",
    "txt": "text",
    "txted": "texted",
    "txt'd": "texted",
    "txtd": "texted",
    "text'd": "texted",
    "whats-app": "whatsapp",
    "watsapp": "whatsapp",
    "whatsap": "whatsapp",
    "facebok": "facebook",
    "instagarm": "instagram",
    "webiste": "website",
    "websit": "website",
    "wesbite": "website",
    "minuets": "minutes",
    "mintues": "minutes",
    "minites": "minutes",
    "minuts": "minutes",
    "mnts": "minutes",
    "hourse": "hours",
    "hrous": "hours",
    "waitted": "waited",
    "wiated": "waited",
    "recieved": "received",
    "didnt": "didn't",
    "couldnt": "couldn't",
    "wouldnt": "wouldn't",
    "shouldnt": "shouldn't",
    "wasnt": "wasn't",
    "werent": "weren't",
    "isnt": "isn't",
    "arent": "aren't",
    "doesnt": "doesn't",
    "dont": "don't",
    "havent": "haven't",
    "hasnt": "hasn't",
    "hadnt": "hadn't",
    "cant": "can't",
    "wont": "won't",
    "thats": "that's",
    "im": "i'm",
    "ive": "i've",
    "theyd": "they'd",
    "theyre": "they're",
    "u": "you",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
    "tho": "though",
}
_TYPO_RE = re.compile(r"(?<![\w'])(" + "|".join(map(re.escape, _TYPOS)) + r")(?![\w'])")

_SPACES_RE = re.compile(r"[ \t\r\f\v]+")


def _clean_char(ch: str) -> str:
    # Control and format characters (zero-width joiners, BOMs, NULs) carry no meaning
    # for us and break word boundaries; line breaks are kept as clause ends.
    if ch == "\n":
        return ch
    category = unicodedata.category(ch)
    if category in ("Cc", "Cf", "Zl", "Zp"):
        return " "
    return ch


def normalize(text: str) -> str:
    """Return ``text`` in the canonical form every rule matches against.

    Lower-cased, typographic quotes and dashes made ASCII, control characters turned
    into spaces, common texting contractions and typos repaired, runs of spaces
    collapsed. Never raises; non-``str`` input is not expected but is stringified.
    """
    if not isinstance(text, str):
        text = str(text)
    text = text[:MAX_CHARS]
    if not text.isascii():
        text = text.translate(_PUNCT_MAP)
        text = "".join(_clean_char(ch) for ch in text)
    elif any(ord(ch) < 32 for ch in text):
        text = "".join(_clean_char(ch) for ch in text)
    text = text.lower()
    text = _TYPO_RE.sub(lambda m: _TYPOS[m.group(1)], text)
    return _SPACES_RE.sub(" ", text).strip()
