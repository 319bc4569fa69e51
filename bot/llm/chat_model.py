"""Building the chat model for an OpenAI-compatible endpoint (through langchain-openai)."""

from __future__ import annotations

from dataclasses import dataclass

from langchain_core.language_models import BaseChatModel


@dataclass(frozen=True)
class ModelConfig:
    model: str
    api_key: str
    base_url: str | None = None
    timeout_seconds: float = 8.0


def chat_model(config: ModelConfig) -> BaseChatModel:
    """A ``ChatOpenAI`` for the endpoint: no retries (a failed turn goes offline instead
    of keeping the customer waiting), temperature 0, the Chat Completions API (which every
    OpenAI-compatible server speaks)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as error:  # pragma: no cover - a core dependency
        raise RuntimeError(
            "the language model needs langchain-openai: pip install langchain-openai"
        ) from error
    return ChatOpenAI(
        model=config.model,
        api_key=config.api_key,
        base_url=config.base_url,
        timeout=config.timeout_seconds,
        max_retries=0,
        temperature=0,
        use_responses_api=False,
    )
