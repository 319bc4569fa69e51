"""`journeyline understand`: the offline understanding layer as a Unix filter."""

from __future__ import annotations

import json
import sys

import typer

from bot.understanding import understand


def understand_command(
    pretty: bool = typer.Option(False, "--pretty", help="Indent the JSON for reading."),
) -> None:
    """Read one answer per line on stdin; print one JSON object per line.

    Fields: channel, feeling (1-5 or null), duration_minutes, people, tools, pains, ended.
    """
    for line in sys.stdin:
        text = line.rstrip("\n")
        result = understand(text).to_json_dict()
        print(json.dumps(result, ensure_ascii=False, indent=2 if pretty else None), flush=True)
