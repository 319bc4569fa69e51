"""`journeyline llm usage`: what the language model has cost and how its calls ended."""

from __future__ import annotations

import typer
from rich.table import Column, Table

from journeyline.cli.common import abort, console, runtime
from storage import llm_calls as llm_storage
from storage import queries

app = typer.Typer(help="The optional language model: usage and spend.", no_args_is_help=True)


@app.command("usage")
def usage(
    interview: str | None = typer.Option(None, "--interview", help="Only this interview's calls."),
) -> None:
    """Model calls by purpose and outcome: tokens, mean latency and estimated cost."""
    with runtime() as rt, rt.sessions() as session:
        interview_key: int | None = None
        if interview is not None:
            found = queries.get_interview(session, interview)
            if found is None:
                raise abort(f"no interview with id {interview!r}")
            interview_key = found.id
        rows = llm_storage.usage(session, interview_id=interview_key)
        enabled = rt.settings.llm_enabled
    if not rows:
        state = "on" if enabled else "off (JOURNEYLINE_LLM_API_KEY is not set)"
        console.print(f"No model calls recorded. The language model is {state}.")
        return
    table = Table("calls", "tokens in", "tokens out", "mean ms", "USD")
    # Purpose and outcome are vocabulary words a reader searches for: never wrapped.
    table.columns.insert(0, Column("outcome", no_wrap=True))
    table.columns.insert(0, Column("purpose", no_wrap=True))
    for r in rows:
        table.add_row(
            r.purpose,
            r.outcome,
            f"{r.calls:,}",
            f"{r.tokens_in:,}",
            f"{r.tokens_out:,}",
            f"{r.mean_latency_ms:,.0f}",
            f"{r.cost_usd:.4f}",
        )
    total = sum(r.cost_usd for r in rows)
    calls = sum(r.calls for r in rows)
    failed = sum(r.calls for r in rows if r.outcome not in ("ok", "over_budget"))
    console.print(table)
    console.print(f"{calls:,} calls, {failed:,} fell back offline, estimated ${total:.4f} in all.")
