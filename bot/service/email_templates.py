"""The wording of invitation and reminder emails: Jinja2 templates, the built-in ones
or a campaign's own, rendered sandboxed.

A campaign's templates are written by researchers, so they render in Jinja2's sandbox
(no attribute tricks reach Python) with strict variables (a misspelt name fails when the
template is saved, not when 10,000 emails go out). The HTML part is autoescaped: a
participant called ``<b>Ana</b>`` reads as typed, never as markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

from jinja2 import StrictUndefined, Template, TemplateError
from jinja2.sandbox import SandboxedEnvironment

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"
KINDS = ("invitation", "reminder")
DEFAULT_SUBJECTS = {
    "invitation": "{{ company | capfirst }} would like to hear about your last support experience",
    "reminder": "A reminder: {{ company }} would still like to hear from you",
}
# What a template can use (documented in the README; `check` renders with these).
SAMPLE_VALUES: dict[str, Any] = {
    "name": "Ana",
    "campaign": "Support study",
    "company": "Northwind",
    "link": "https://example.com/i/TOKEN",
    "opt_out_link": "https://example.com/o/TOKEN",
    "expires": "10 December 2026",
    "reminder": 1,
    "sender": "The research team",
}


class InvalidTemplate(ValueError):
    """A campaign template that does not render (the message says where)."""


@dataclass(frozen=True)
class Wording:
    """The templates of one kind of email: subject, plain text, HTML (optional)."""

    subject: str
    text: str
    html: str | None


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str | None


def capfirst(value: Any) -> str:
    """The text with its first letter upper-case and the rest as it was, for a name
    that opens a sentence ("the company" -> "The company"; ``capitalize`` would also
    lower-case "Bank" in "Northwind Bank")."""
    text = str(value)
    return text[:1].upper() + text[1:]


@cache
def _environment(*, html: bool) -> SandboxedEnvironment:
    environment = SandboxedEnvironment(
        autoescape=html, undefined=StrictUndefined, keep_trailing_newline=True
    )
    environment.filters["capfirst"] = capfirst
    return environment


@lru_cache(maxsize=256)
def _compiled(source: str, *, html: bool) -> Template:
    # Compiling is most of a render's cost; a wave renders the same few sources.
    return _environment(html=html).from_string(source)


@cache
def default_wording(kind: str) -> Wording:
    """The built-in wording of ``kind`` (``invitation`` or ``reminder``)."""
    if kind not in KINDS:
        raise ValueError(f"unknown kind of email {kind!r}: use invitation or reminder")
    return Wording(
        subject=DEFAULT_SUBJECTS[kind],
        text=(TEMPLATES_DIR / f"{kind}.txt").read_text(encoding="utf-8"),
        html=(TEMPLATES_DIR / f"{kind}.html").read_text(encoding="utf-8"),
    )


def render(wording: Wording, values: Mapping[str, Any]) -> RenderedEmail:
    """The email ``wording`` says for ``values``; the subject on one line."""
    try:
        subject = _compiled(wording.subject, html=False).render(values)
        text = _compiled(wording.text, html=False).render(values)
        html = None if wording.html is None else _compiled(wording.html, html=True).render(values)
    except TemplateError as error:
        raise InvalidTemplate(f"the email template does not render: {error}") from None
    # A header is one line: a newline in a subject would be a header injection.
    return RenderedEmail(" ".join(subject.split()), text, html)


def check(wording: Wording) -> None:
    """Raise `InvalidTemplate` unless ``wording`` renders with every documented value,
    and its text carries the interview link and the opt-out link."""
    rendered = render(wording, SAMPLE_VALUES)
    for name in ("link", "opt_out_link"):
        if str(SAMPLE_VALUES[name]) not in rendered.text:
            raise InvalidTemplate(f"the plain-text part must contain {{{{ {name} }}}}")
