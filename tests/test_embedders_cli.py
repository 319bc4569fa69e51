"""`journeyline synthesize --embedder NAME` with the optional providers, configured by
JOURNEYLINE_* settings as a user would (SQLite in a temp dir, the fake OpenAI server)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fakes.openai_embeddings import fake_openai_server
from journeyline.cli.main import app
from tests.cli_support import seed_standard_interviews, use_temp_data_dir

runner = CliRunner()


@pytest.fixture(autouse=True)
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "LOCAL_EMBEDDING_MODEL"):
        monkeypatch.delenv(f"JOURNEYLINE_{name}", raising=False)
    data = use_temp_data_dir(tmp_path, monkeypatch)
    seed_standard_interviews()
    return data


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("openai") is None, reason="openai not installed")
def test_synthesize_with_openai_embeddings(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "map"
    args = ["synthesize", "--campaign", "synth", "--out", str(out), "--embedder", "openai"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 1 and "JOURNEYLINE_OPENAI_API_KEY" in missing.output
    with fake_openai_server() as server:
        monkeypatch.setenv("JOURNEYLINE_OPENAI_API_KEY", "test-key")
        monkeypatch.setenv("JOURNEYLINE_OPENAI_BASE_URL", server.base_url)
        monkeypatch.setenv("JOURNEYLINE_EMBEDDING_BATCH_SIZE", "10")
        result = runner.invoke(app, [*args, "--stages", "3"])
        assert result.exit_code == 0, result.output
        calls = len(server.calls)
        assert calls >= 2 and all(len(c["input"]) <= 10 for c in server.calls)
        again = runner.invoke(app, [*args, "--stages", "3"])
        assert again.exit_code == 0, again.output
        assert len(server.calls) == calls  # everything came from the cache
    data = json.loads((out / "map.json").read_text(encoding="utf-8"))
    assert data["embedder"] == "openai" and len(data["stages"]) == 3
    assert (data_dir / "embedding-cache" / "embeddings.sqlite").exists()


def test_synthesize_with_a_missing_local_model_says_what_to_set(tmp_path: Path) -> None:
    out = tmp_path / "map"
    args = ["synthesize", "--campaign", "synth", "--out", str(out)]
    result = runner.invoke(app, [*args, "--embedder", "sentence-transformers"])
    assert result.exit_code == 1 and "JOURNEYLINE_LOCAL_EMBEDDING_MODEL" in result.output
    unknown = runner.invoke(app, [*args, "--embedder", "word2vec"])
    assert (
        unknown.exit_code == 1 and "known: openai, sentence-transformers, tfidf" in unknown.output
    )
