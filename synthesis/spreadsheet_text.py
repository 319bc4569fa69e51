"""Text for a CSV cell that no spreadsheet runs as a formula.

A spreadsheet runs a cell that starts with ``= + - @`` (or a tab or carriage return
before one). Where a cell starts is not only the start of our field: a spreadsheet set to
split on ``;`` (the default in many European locales) opens our comma-separated file and
starts a new cell after every ``;`` of the text, one set to ``,`` after every comma of a
joined list, and either starts a new row at a line break inside a quoted field when it
does not read the quotes as we wrote them. So :func:`spreadsheet_text` puts an
apostrophe (the usual guard: the cell is text) before a formula character at every such
start: the field's, and after each ``,`` ``;`` or line break, past any spaces or
quotation marks. Tabs and carriage returns go (as :func:`visible_text` does), so they
cannot hide a formula either.
"""

from __future__ import annotations

import re

from synthesis.plain_text import visible_text

# A piece starts at the text's start or after , ; or a line break; spaces and quote
# characters in front of the formula character do not stop a spreadsheet.
_FORMULA_PIECE = re.compile(r"""(^|[,;\n])([\s"']*)(?=[=+\-@])""")


def spreadsheet_text(text: str) -> str:
    """``text`` visible, with an apostrophe before every formula character that starts a
    cell, in a ``,`` or a ``;`` reading of the file."""
    return _FORMULA_PIECE.sub(r"\1\2'", visible_text(text))
