"""Customer words in Markdown as text, whatever the renderer.

CommonMark shows any backslash-escaped ASCII punctuation character as itself, and an
escaped character starts nothing: no tag, link, image, autolink, entity, emphasis,
code span, heading, list, quote or table cell. So :func:`markdown_text` puts everything
on one line (a block can only start at a line's start, and every line of a report starts
with the report's own words) and escapes every ASCII punctuation character that any
common Markdown flavour reads as markup, the backslash first among them. ``.`` ``:``
and ``@`` are escaped too, which keeps GitHub's and markdown-it's bare-URL and e-mail
autolinks (``www.x.io``, ``https://x.io``, ``a@x.io``) from seeing a link.

Left as they are, for a readable file: ``, ; ? ' " / %``, which start markup in no
flavour of Markdown (quotes only matter inside a link, whose ``[`` is escaped).
"""

from __future__ import annotations

import re

from synthesis.plain_text import one_line

_MARKUP = re.compile(r"""([!#$&()*+\-.:<=>@\[\\\]^_`{|}~])""")


def markdown_text(text: str) -> str:
    """``text`` on one line, with every character that could start markup escaped."""
    return _MARKUP.sub(r"\\\1", one_line(text))


def markdown_code(text: str) -> str:
    """``text`` on one line as a code span, which CommonMark shows exactly as written:
    the fence is one backtick longer than the longest run of backticks inside. Not for
    table cells (GitHub splits a cell at a ``|`` even inside a code span)."""
    flat = one_line(text)
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    # A space each side keeps a backtick at either end from joining the fence (CommonMark
    # strips one such space again).
    padded = f" {flat} " if flat.startswith("`") or flat.endswith("`") else flat
    return f"{fence}{padded}{fence}" if flat else "` `"
