"""The interviewer model: one structured call per customer answer, and translations.

Nothing here decides the interview. :meth:`Interviewer.listen` turns one answer into
:class:`bot.conversation.messages.Hints` (validated facts, an allowed acknowledgement and probe) or
``None`` when anything goes wrong, and always returns the call's record. The engine
merges the hints with its own offline reading; ``None`` is exactly the offline turn.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage

from bot.conversation.messages import Hints
from bot.conversation.vocabulary import Channel
from bot.llm.caller import StructuredCaller
from bot.llm.calls import CallRecord, Outcome, Pricing
from bot.llm.guard import (
    allowed_acknowledgement,
    allowed_probe,
    allowed_translation,
    looks_like_injection,
)
from bot.llm.hints_schema import ListenOutput, TranslationOutput, known_pains
from bot.llm.prompts import PromptTemplate, load_prompt
from bot.understanding.personal_data import redact


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
        model: BaseChatModel | StructuredCaller,
        *,
        model_name: str = "",
        pricing: Pricing | None = None,
        prompt: PromptTemplate | None = None,
    ) -> None:
        self._caller = (
            model
            if isinstance(model, StructuredCaller)
            else StructuredCaller(model, model_name=model_name, pricing=pricing)
        )
        self._prompt = prompt or load_prompt("interviewer")

    @property
    def prompt_version(self) -> str:
        return self._prompt.label

    def listen(self, context: ListenContext, answer: str) -> Listened:
        """Read one answer. Injection attempts are caught before any call is made."""
        if looks_like_injection(answer):
            record = self._caller.record(
                "listen", self.prompt_version, Outcome.OK, error="answer held back: instructions"
            )
            return Listened(hints=Hints(off_topic=True), record=record)
        output, record = self._caller.call_messages(
            purpose="listen",
            prompt_version=self.prompt_version,
            messages=self._listen_messages(context, answer),
            schema=ListenOutput,
        )
        if output is None:
            return Listened(hints=None, record=record)
        return Listened(hints=_hints_from(output, context), record=record, language=output.language)

    def translate(self, texts: Sequence[str], language: str) -> tuple[list[str] | None, CallRecord]:
        """``texts`` in ``language``, each checked; None (use the originals) on any failure."""
        template = self._prompt.translate_system or ""
        output, record = self._caller.call(
            purpose="translate",
            prompt_version=self.prompt_version,
            system=template.format(language=language),
            user=json.dumps({"texts": list(texts)}, ensure_ascii=False),
            schema=TranslationOutput,
        )
        if output is None or len(output.texts) != len(texts):
            if record.outcome == Outcome.OK:
                record = replace(
                    record, outcome=Outcome.INVALID_OUTPUT, error="wrong number of texts"
                )
            return None, record
        checked = [allowed_translation(o, t) for o, t in zip(texts, output.texts, strict=True)]
        if any(t is None for t in checked):
            failed = replace(
                record, outcome=Outcome.INVALID_OUTPUT, error="translation not allowed"
            )
            return None, failed
        return [t for t in checked if t is not None], record

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
