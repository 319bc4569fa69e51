"""Wiring the language model (when configured) into the interviewer and the analyst.

Built here, in the composition root, so ``bot`` and ``synthesis`` never read settings and
the offline path imports none of the model packages.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import TypeVar

from pydantic import BaseModel

from bot.llm.caller import StructuredCaller
from bot.llm.calls import Pricing
from bot.llm.chat_model import ModelConfig, chat_model
from bot.understanding.personal_data import redact
from journeyline.settings import Settings
from storage.llm_calls import CallRow
from synthesis.analyst import Analyst, StructuredCall

S = TypeVar("S", bound=BaseModel)


def structured_caller(settings: Settings) -> StructuredCaller:
    """The caller for the configured endpoint (settings.llm_enabled must be true)."""
    if settings.llm_api_key is None:
        raise RuntimeError("no language model is configured (JOURNEYLINE_LLM_API_KEY)")
    model = chat_model(
        ModelConfig(
            model=settings.llm_model,
            api_key=settings.llm_api_key.get_secret_value(),
            base_url=settings.llm_base_url,
            timeout_seconds=settings.llm_timeout_seconds,
        )
    )
    pricing = Pricing(
        input_per_million=settings.llm_price_input_per_million,
        output_per_million=settings.llm_price_output_per_million,
    )
    return StructuredCaller(model, model_name=settings.llm_model, pricing=pricing)


def analyst_call(caller: StructuredCaller) -> StructuredCall:
    """The caller as the analyst sees it: records as storage rows."""

    def call(
        *, purpose: str, prompt_version: str, system: str, user: str, schema: type[S]
    ) -> tuple[S | None, CallRow]:
        parsed, record = caller.call(
            purpose=purpose, prompt_version=prompt_version, system=system, user=user, schema=schema
        )
        return parsed, CallRow(**asdict(record))

    return call


def make_analyst(
    settings: Settings, *, company: str, caller: StructuredCaller | None = None
) -> Analyst:
    """The analyst for the configured model, within the per-run spending cap."""
    caller = caller or structured_caller(settings)
    return Analyst(
        analyst_call(caller),
        model_name=caller.model_name,
        redact=lambda text: redact(text).text,
        max_usd=settings.llm_max_usd_per_run,
        company=company,
    )
