"""Prompt templates: data in ``prompts/llm/*.yaml``, each with an id and a version."""

from __future__ import annotations

from functools import cache
from importlib import resources

import yaml
from pydantic import BaseModel, ConfigDict


class PromptTemplate(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    version: str
    system: str
    translate_system: str | None = None

    @property
    def label(self) -> str:
        """``id@version``, as recorded with every call."""
        return f"{self.id}@{self.version}"


@cache
def load_prompt(name: str) -> PromptTemplate:
    """The packaged template ``prompts/llm/{name}.yaml`` (validated)."""
    text = resources.files("prompts").joinpath("llm", f"{name}.yaml").read_text("utf-8")
    return PromptTemplate.model_validate(yaml.safe_load(text))
