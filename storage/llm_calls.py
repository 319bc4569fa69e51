"""Storage for the language-model layer: the call log (``llm_calls``), the last few turns
a model sees of an interview, and replies rewritten in the customer's language."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from storage.models import LlmCall, Message


@dataclass(frozen=True)
class CallRow:
    """What storage keeps of one call (the LLM layer's record, without its types)."""

    purpose: str
    prompt_version: str
    model: str
    outcome: str
    tokens_in: int
    tokens_out: int
    latency_ms: float
    cost_usd: float
    error: str | None = None


def record_calls(
    session: Session,
    *,
    calls: Iterable[CallRow],
    interview_id: int | None = None,
    run_id: str | None = None,
) -> int:
    """Add one row per call for an interview or a synthesis run; returns how many."""
    rows = [
        LlmCall(
            interview_id=interview_id,
            run_id=run_id,
            purpose=c.purpose,
            prompt_version=c.prompt_version,
            model=c.model,
            outcome=c.outcome,
            tokens_in=c.tokens_in,
            tokens_out=c.tokens_out,
            latency_ms=c.latency_ms,
            cost_usd=c.cost_usd,
            error=(c.error or None) and c.error[:300],
        )
        for c in calls
    ]
    session.add_all(rows)
    return len(rows)


def interview_cost(session: Session, *, interview_id: int) -> float:
    """Estimated US dollars spent on model calls for one interview so far."""
    total = session.scalar(
        select(func.coalesce(func.sum(LlmCall.cost_usd), 0.0)).where(
            LlmCall.interview_id == interview_id
        )
    )
    return float(total or 0.0)


def interview_calls(session: Session, *, interview_id: int) -> list[LlmCall]:
    """The interview's calls, oldest first."""
    query = select(LlmCall).where(LlmCall.interview_id == interview_id).order_by(LlmCall.id)
    return list(session.scalars(query))


def recent_messages(session: Session, *, interview_id: int, limit: int) -> list[Message]:
    """The interview's last ``limit`` messages, oldest first (a compact context)."""
    newest = (
        select(Message)
        .where(Message.interview_id == interview_id)
        .order_by(Message.id.desc())
        .limit(limit)
    )
    return list(reversed(list(session.scalars(newest))))


def rewrite_replies(
    session: Session,
    *,
    texts: Mapping[int, str],
    choices: Mapping[int, list[dict[str, str]] | None],
) -> None:
    """Replace the text (and quick-reply labels) of stored bot messages by id: the
    customer's language replaces ours, so the transcript shows what they were sent."""
    for message_id, text in texts.items():
        values: dict[str, object] = {"text": text}
        if choices.get(message_id) is not None:
            values["choices"] = choices[message_id]
        session.execute(update(Message).where(Message.id == message_id).values(**values))


@dataclass(frozen=True)
class UsageRow:
    """Calls of one purpose and outcome: how many, tokens, latency and cost."""

    purpose: str
    outcome: str
    calls: int
    tokens_in: int
    tokens_out: int
    mean_latency_ms: float
    cost_usd: float


def usage(session: Session, *, interview_id: int | None = None) -> list[UsageRow]:
    """Model calls grouped by purpose and outcome (of one interview, or all)."""
    query = select(
        LlmCall.purpose,
        LlmCall.outcome,
        func.count(),
        func.coalesce(func.sum(LlmCall.tokens_in), 0),
        func.coalesce(func.sum(LlmCall.tokens_out), 0),
        func.coalesce(func.avg(LlmCall.latency_ms), 0.0),
        func.coalesce(func.sum(LlmCall.cost_usd), 0.0),
    ).group_by(LlmCall.purpose, LlmCall.outcome)
    if interview_id is not None:
        query = query.where(LlmCall.interview_id == interview_id)
    rows = session.execute(query.order_by(LlmCall.purpose, LlmCall.outcome))
    return [
        UsageRow(
            purpose=str(p),
            outcome=str(o),
            calls=int(n),
            tokens_in=int(ti),
            tokens_out=int(to),
            mean_latency_ms=float(lat),
            cost_usd=float(cost),
        )
        for p, o, n, ti, to, lat, cost in rows
    ]
