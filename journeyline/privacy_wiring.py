"""Building the privacy service from settings: the outbox folder its erasures clean."""

from __future__ import annotations

from pathlib import Path

from bot.service.privacy import PersonalData
from campaigns.outbox import file_name
from journeyline.runtime import Runtime
from journeyline.scheduler_wiring import outbox_folder


def make_personal_data(runtime: Runtime) -> PersonalData:
    """Export and erasure on the runtime's database, deleting invitation emails from the
    data folder's outbox (the SMTP channel keeps no copies)."""
    folder = outbox_folder(runtime.settings)

    def outbox_file(message_id: str) -> Path:
        return folder / file_name(message_id)

    return PersonalData(runtime.sessions, outbox_file=outbox_file)
