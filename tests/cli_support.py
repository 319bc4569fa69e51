"""What the command-line tests share: a throw-away data folder as a user would have it,
and the standard synthetic interviews stored through the configured runtime."""

from __future__ import annotations

from pathlib import Path

import pytest

from journeyline.runtime import open_runtime
from journeyline.settings import load_settings
from tests.synthesis_data import add_standard_interviews, make_campaign


def use_temp_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point the commands at ``tmp_path/data`` (SQLite), away from any configured
    database and from a stray ``.env`` in the checkout; returns the data folder."""
    monkeypatch.setenv("JOURNEYLINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("JOURNEYLINE_DATABASE_URL", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path / "data"


def seed_standard_interviews() -> None:
    """Store ``add_standard_interviews`` in the campaign ``synth`` of the configured
    database."""
    rt = open_runtime(load_settings())
    try:
        with rt.sessions.begin() as session:
            add_standard_interviews(session, campaign=make_campaign(session))
    finally:
        rt.close()
