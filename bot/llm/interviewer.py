"""The interviewer model: one structured call per customer answer, and translations.

Nothing here decides the interview. :meth:`Interviewer.listen` turns one answer into
:class:`bot.messages.Hints` (validated facts, an allowed acknowledgement and probe) or
``None`` when anything goes wrong, and always returns the call's record. The engine
merges the hints with its own offline reading; ``None`` is exactly the offline turn.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from bot.llm.calls import CallRecord, Outcome, Pricing, classify_error, short_error
from bot.llm.guard import (
    allowed_acknowledgement,
    allowed_probe,
    allowed_translation,
    looks_like_injection,
)
from bot.llm.prompts import PromptTemplate, load_prompt
from bot.llm.redact import redact
from bot.llm.schema import ListenOutput, TranslationOutput, known_pains
from bot.messages import Hints
from bot.vocabulary import Channel


@dataclass(frozen=True)
class ListenContext:
    """The compact state the model sees: never the whole transcript.

    ``recent`` holds the last few (speaker, text) turns, oldest first; ``known`` what is
    already understood about the step being discussed.
    """

    company: str
    slot: str
    step: int | None
    question: str
    known: dict[str, Any]
    recent: tuple[tuple[str, str], ...]
    may_probe: bool
    extra_pains: tuple[str, ...] = ()


@dataclass(frozen=True)
class Listened:
    hints: Hints | None
    record: CallRecord
    language: str | None = None


class Interviewer:
    """Wraps a LangChain chat model (``ChatOpenAI`` in production, fakes in tests)."""

    def __init__(
        self,
        model: BaseChatModel,
        *,
        model_name: str,
        pricing: Pricing | None = None,
        prompt: PromptTemplate | None = None,
        clock: Callable[[], float] = time.perf_counter,
    ) -> None:
        self._model = model
        self._model_name = model_name
        self._pricing = pricing or Pricing()
        self._prompt = prompt or load_prompt("interviewer")
        self._clock = clock
        self._listen = model.with_structured_output(
            ListenOutput, method="function_calling", include_raw=True
        )
        self._translate = model.with_structured_output(
            TranslationOutput, method="function_calling", include_raw=True
        )

    @property
    def prompt_version(self) -> str:
        return self._prompt.label

    def listen(self, context: ListenContext, answer: str) -> Listened:
        """Read one answer. Injection attempts are caught before any call is made."""
        if looks_like_injection(answer):
            record = self._record("listen", Outcome.OK, error="answer held back: instructions")
            return Listened(hints=Hints(off_topic=True), record=record)
        messages = self._listen_messages(context, answer)
        output, record = self._call("listen", self._listen, messages, ListenOutput)
        if not isinstance(output, ListenOutput):
            return Listened(hints=None, record=record)
        return Listened(hints=_hints_from(output, context), record=record, language=output.language)

    def translate(self, texts: Sequence[str], language: str) -> tuple[list[str] | None, CallRecord]:
        """``texts`` in ``language``, each checked; None (use the originals) on any failure."""
        template = self._prompt.translate_system or ""
        messages: list[BaseMessage] = [
            SystemMessage(template.format(language=language)),
            HumanMessage(json.dumps({"texts": list(texts)}, ensure_ascii=False)),
        ]
        output, record = self._call("translate", self._translate, messages, TranslationOutput)
        if not isinstance(output, TranslationOutput) or len(output.texts) != len(texts):
            if record.outcome == Outcome.OK:
                record = _with_outcome(record, Outcome.INVALID_OUTPUT, "wrong number of texts")
            return None, record
        checked = [allowed_translation(o, t) for o, t in zip(texts, output.texts, strict=True)]
        if any(t is None for t in checked):
            return None, _with_outcome(record, Outcome.INVALID_OUTPUT, "translation not allowed")
        return [t for t in checked if t is not None], record

    # --- internals ---------------------------------------------------------------------

    def _listen_messages(self, context: ListenContext, answer: str) -> list[BaseMessage]:
        pains = sorted(known_pains(context.extra_pains))
        system = self._prompt.system.format(
            company=context.company,
            channels=", ".join(c.value for c in Channel),
            pains=", ".join(pains),
        )
        payload = {
            "slot": context.slot,
            "step": context.step,
            "question": context.question,
            "known_about_step": context.known,
            "recent_turns": [
                {"speaker": who, "text": redact(text).text} for who, text in context.recent
            ],
            "may_probe": context.may_probe,
            "customer_answer": redact(answer).text,
        }
        return [SystemMessage(system), HumanMessage(json.dumps(payload, ensure_ascii=False))]

    def _call(
        self, purpose: str, runnable: Any, messages: list[BaseMessage], schema: type[Any]
    ) -> tuple[Any, CallRecord]:
        started = self._clock()
        try:
            result = runnable.invoke(messages)
        except Exception as error:  # every failure is a fallback, never an error shown
            return None, self._record(
                purpose, classify_error(error), started=started, error=short_error(error)
            )
        raw, parsed = result.get("raw"), result.get("parsed")
        usage = getattr(raw, "usage_metadata", None) or {}
        tokens_in, tokens_out = (
            int(usage.get("input_tokens", 0)),
            int(usage.get("output_tokens", 0)),
        )
        refusal = getattr(raw, "additional_kwargs", {}).get("refusal")
        problem: str | None = None
        if refusal:
            outcome, problem = Outcome.REFUSED, "the model refused"
        elif result.get("parsing_error") is not None or not isinstance(parsed, schema):
            outcome, problem = Outcome.INVALID_OUTPUT, _parse_error(result.get("parsing_error"))
        else:
            outcome = Outcome.OK
        record = self._record(
            purpose,
            outcome,
            started=started,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            error=problem,
        )
        return (parsed if outcome == Outcome.OK else None), record

    def _record(
        self,
        purpose: str,
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
            prompt_version=self._prompt.label,
            model=self._model_name,
            outcome=outcome,
            tokens_in=tokens_in,
            tokens_out=tokens_out,
            latency_ms=round(latency, 1),
            cost_usd=self._pricing.cost(tokens_in, tokens_out),
            error=error,
        )


def _hints_from(output: ListenOutput, context: ListenContext) -> Hints:
    if not output.on_topic:
        return Hints(off_topic=True, language=output.language)
    allowed = known_pains(context.extra_pains)
    return Hints(
        channel=output.channel,
        feeling=output.feeling,
        duration_minutes=output.duration_minutes,
        people=tuple(dict.fromkeys(output.people)),
        tools=tuple(dict.fromkeys(output.tools)),
        pains=tuple(dict.fromkeys(p for p in output.pains if p in allowed)),
        ended=output.ended,
        acknowledgement=allowed_acknowledgement(output.acknowledgement),
        probe=allowed_probe(output.probe) if context.may_probe else None,
        language=output.language,
    )


def _with_outcome(record: CallRecord, outcome: Outcome, error: str) -> CallRecord:
    return replace(record, outcome=outcome, error=error)


def _parse_error(error: object) -> str:
    return "output did not match the schema" + (f": {str(error)[:160]}" if error else "")
