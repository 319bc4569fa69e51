"""One record per model call: what was asked, what it cost, how it ended.

Outcomes are a small closed vocabulary so reports can count them; the error text is kept
short and never contains the customer's words.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Outcome(StrEnum):
    OK = "ok"
    TIMEOUT = "timeout"
    RATE_LIMITED = "rate_limited"
    HTTP_ERROR = "http_error"
    INVALID_OUTPUT = "invalid_output"
    REFUSED = "refused"
    CONNECTION_ERROR = "connection_error"
    OVER_BUDGET = "over_budget"
    ERROR = "error"


@dataclass(frozen=True)
class Pricing:
    """US dollars per million tokens (input, output), for cost estimates."""

    input_per_million: float = 0.15
    output_per_million: float = 0.60

    def cost(self, tokens_in: int, tokens_out: int) -> float:
        return (
            tokens_in * self.input_per_million + tokens_out * self.output_per_million
        ) / 1_000_000


@dataclass(frozen=True)
class CallRecord:
    purpose: str  # "listen", "translate", "analyse", ...
    prompt_version: str
    model: str
    outcome: Outcome
    tokens_in: int = 0
    tokens_out: int = 0
    latency_ms: float = 0.0
    cost_usd: float = 0.0
    error: str | None = None


def classify_error(error: BaseException) -> Outcome:
    """The outcome an exception from the model client stands for."""
    try:
        import openai
    except ImportError:  # pragma: no cover - langchain-openai depends on openai
        return Outcome.ERROR
    if isinstance(error, openai.APITimeoutError | TimeoutError):
        return Outcome.TIMEOUT
    if isinstance(error, openai.RateLimitError):
        return Outcome.RATE_LIMITED
    if isinstance(error, openai.APIStatusError):
        return Outcome.HTTP_ERROR
    if isinstance(error, openai.APIConnectionError):
        return Outcome.CONNECTION_ERROR
    if isinstance(error, openai.LengthFinishReasonError | openai.ContentFilterFinishReasonError):
        return Outcome.REFUSED
    if isinstance(error, openai.APIResponseValidationError | ValueError):
        return Outcome.INVALID_OUTPUT  # a body that is not the API's JSON (a proxy page)
    return Outcome.ERROR


def short_error(error: BaseException) -> str:
    """The exception's type and the start of its message (for the call record)."""
    return f"{type(error).__name__}: {str(error)[:200]}"
