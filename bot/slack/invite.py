"""Invitation DMs: a short note and a Start button that starts (or resumes) the interview."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.service.slack_directory import SlackDirectory
from bot.slack.blocks import invitation_blocks, invitation_text
from bot.slack.users import SlackUser, SlackUserNotFound


@dataclass(frozen=True)
class Invitation:
    user_id: str
    channel_id: str
    ts: str


def send_invitation(
    *,
    client: WebClient,
    directory: SlackDirectory,
    team_id: str,
    campaign_slug: str,
    user: SlackUser,
) -> Invitation:
    """Register ``user`` as a participant of the campaign and DM them the invitation.

    The participant is stored before anything is sent, so an unknown campaign
    (``CampaignNotFound``) sends nothing. An unknown user raises ``SlackUserNotFound``.
    """
    campaign = directory.register(
        campaign_slug=campaign_slug,
        team_id=team_id,
        user_id=user.id,
        display_name=user.name,
        email=user.email,
    )
    try:
        opened = client.conversations_open(users=user.id)
    except SlackApiError as error:
        code = str(error.response.get("error") or error)
        if code == "user_not_found":
            raise SlackUserNotFound(user.id, code) from None
        raise
    channel_id = str(opened["channel"]["id"])
    posted = client.chat_postMessage(
        channel=channel_id,
        text=invitation_text(campaign.name),
        blocks=invitation_blocks(campaign_name=campaign.name, campaign_slug=campaign.slug),
    )
    return Invitation(user.id, channel_id, str(posted["ts"]))
