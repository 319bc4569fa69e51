"""The demo's invitations: a few made-up people invited by email through the real
scheduler, written to the data folder's outbox as .eml files (no mail server needed)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from bot.service.campaigns import create_campaign
from bot.service.invitations import Invitations
from bot.service.participants import Participants
from journeyline.runtime import Runtime
from journeyline.scheduler_wiring import build_worker, outbox_folder
from storage import queries
from storage.engines import write_session
from storage.types import utcnow

CAMPAIGN = "demo-invitations"
PEOPLE = """email,name,language,time_zone,plan
ana.silva@example.com,Ana Silva,pt-BR,America/Sao_Paulo,consumer
jonas.weber@example.com,Jonas Weber,de,Europe/Berlin,business
mei.chen@example.com,Mei Chen,en,Asia/Singapore,consumer
olu.adeyemi@example.com,Olú Adéyemí,en,Africa/Lagos,business
"""


def invite_demo_people(runtime: Runtime) -> tuple[int, Path] | None:
    """Invite the demo people who were not invited yet; (how many, the outbox folder).
    None when an SMTP server is configured: the demo never mails anyone."""
    if runtime.settings.smtp_host:
        return None
    with write_session(runtime.sessions) as session:
        if queries.get_campaign_by_slug(session, CAMPAIGN) is None:
            create_campaign(session, slug=CAMPAIGN, name="Demo invitations", company="Northwind")
    Participants(runtime.sessions).import_csv(campaign_slug=CAMPAIGN, text=PEOPLE)
    Invitations(runtime.sessions).schedule_wave(
        campaign_slug=CAMPAIGN, channel="email", at=utcnow(), rate_per_second=20,
        remind_after=timedelta(days=3), expire_after=timedelta(days=14),
    )  # fmt: skip
    worker = build_worker(runtime)
    try:
        worker.run_until_idle()
    finally:
        worker.stopping.set()
    sent = [
        p
        for p in Participants(runtime.sessions).statuses(campaign_slug=CAMPAIGN)
        if p.status == "sent"
    ]
    return len(sent), outbox_folder(runtime.settings)
