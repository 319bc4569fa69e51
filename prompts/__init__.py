"""Prompt data: interview guides (YAML) and, later, LLM prompt templates. Data, not code."""
