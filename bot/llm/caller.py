"""One structured model call, timed, priced and classified: the plumbing every LLM
feature shares (the interviewer here, the analyst in ``synthesis`` through the
composition root).

``StructuredCaller.call`` never raises for a model failure: it returns ``None`` and a
record whose outcome says what happened, so each caller falls back in its own way.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import Runnable
from pydantic import BaseModel

from bot.llm.calls import CallRecord, Outcome, Pricing, classify_error, short_error

Schema = TypeVar("Schema", bound=BaseModel)


class StructuredCaller:
    """Calls a LangChain chat model for a pydantic schema (function calling)."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        model_name: str,
        pricing: Pricing | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._model = model
        self.model_name = model_name
        self.pricing = pricing or Pricing()
        self._clock = clock
        self._runnables: dict[type[BaseModel], Runnable[Any, Any]] = {}

    def call(
        self,
        *,
        purpose: str,
        prompt_version: str,
        system: str,
        user: str,
        schema: type[Schema],
    ) -> tuple[Schema | None, CallRecord]:
        """The parsed answer (None on any failure) and the call's record."""
        return self.call_messages(
            purpose=purpose,
            prompt_version=prompt_version,
            messages=[SystemMessage(system), HumanMessage(user)],
            schema=schema,
        )

    def call_messages(
        self,
        *,
        purpose: str,
        prompt_version: str,
        messages: list[BaseMessage],
        schema: type[Schema],
    ) -> tuple[Schema | None, CallRecord]:
        runnable = self._runnables.get(schema)
        if runnable is None:
            structured: Runnable[Any, Any] = self._model.with_structured_output(
                schema, method="function_calling", include_raw=True
            )
            runnable = self._runnables[schema] = structured
        started = self._clock()
        try:
            # include_raw=True: a dict with "raw", "parsed" and "parsing_error".
            result: dict[str, Any] = runnable.invoke(messages)
        except Exception as error:  # every failure is a fallback, never an error shown
            record = self.record(
                purpose,
                prompt_version,
                classify_error(error),
                started=started,
                error=short_error(error),
            )
            return None, record
        raw, parsed = result.get("raw"), result.get("parsed")
        usage = getattr(raw, "usage_metadata", None) or {}
        tokens_in = int(usage.get("input_tokens", 0))
        tokens_out = int(usage.get("output_tokens", 0))
        refusal = getattr(raw, "additional_kwargs", {}).get("refusal")
        problem: str | None = None
        if refusal:
            outcome, problem = Outcome.REFUSED, "the model refused"
        elif result.get("parsing_error") is not None or not isinstance(parsed, schema):
            outcome, problem = Outcome.INVALID_OUTPUT, _parse_error(result.get("parsing_error"))
        else:
            outcome = Outcome.OK
        record = self.record(
            purpose,
            prompt_version,
            outcome,
            started=started,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            error=problem,
        )
        return (parsed if outcome == Outcome.OK and isinstance(parsed, schema) else None), record

    def record(
        self,
        purpose: str,
        prompt_version: str,
        outcome: Outcome,
        *,
        started: float | None = None,
        tokens_in: int = 0,
        tokens_out: int = 0,
        error: str | None = None,
    ) -> CallRecord:
        latency = 0.0 if started is None else (self._clock() - started) * 1000
        return CallRecord(
            purpose=purpose,
            prompt_version=prompt_version,
            model=self.model_name,
            outcome=outcome,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_ms=round(latency, 1),
            cost_usd=self.pricing.cost(tokens_in, tokens_out),
            error=error,
        )


def _parse_error(error: object) -> str:
    return "output did not match the schema" + (f": {str(error)[:160]}" if error else "")
