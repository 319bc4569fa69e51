"""LangChain fake chat models for the LLM tests (GUIDE §4): scripted tool-call answers.

``ScriptedChat`` answers each call with the next scripted item: a dict becomes one tool
call of the requested schema (as an OpenAI model answering with function calling would),
an exception is raised, and every prompt it was sent is kept in ``sent``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable


class ScriptedChat(GenericFakeChatModel):
    sent: list[list[BaseMessage]] = []  # noqa: RUF012 - pydantic copies field defaults
    tool_name: str = ""

    def bind_tools(self, tools: Sequence[Any], **kwargs: Any) -> Runnable[Any, Any]:
        # One schema per structured runnable: remember which, so answers name it.
        names = [getattr(t, "__name__", "") for t in tools]
        bound = self.model_copy(update={"tool_name": names[0] if names else ""})
        return bound

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self.sent.append(list(messages))
        item = next(self.messages)
        if isinstance(item, BaseException):
            raise item
        message = item if isinstance(item, AIMessage) else AIMessage(content=str(item))
        return ChatResult(generations=[ChatGeneration(message=message)])


def tool_answer(
    args: dict[str, Any], *, name: str, tokens: tuple[int, int] = (300, 40)
) -> AIMessage:
    return AIMessage(
        content="",
        tool_calls=[{"name": name, "args": args, "id": "call_1", "type": "tool_call"}],
        usage_metadata={
            "input_tokens": tokens[0],
            "output_tokens": tokens[1],
            "total_tokens": sum(tokens),
        },
    )


def scripted(answers: Sequence[AIMessage | BaseException]) -> ScriptedChat:
    """A fake model answering with ``answers`` in order (it shares one ``sent`` list)."""
    model = ScriptedChat(messages=iter(answers))
    model.sent = []
    return model
