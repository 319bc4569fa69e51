"""The stage frame a campaign's map is drawn in: the one its stored guide declares."""

from __future__ import annotations

from sqlalchemy.orm import Session

from bot.conversation.guide import GuideError, load_guide_text
from bot.conversation.map_frame import MapFrame
from storage import synthesis_inputs as inputs
from synthesis.observations import SynthesisInputError


def campaign_frame(session: Session, campaign_slug: str) -> MapFrame | None:
    """The frame of the campaign's guide; None when the guide declares none or the
    campaign has no guide (imported transcripts): its stages are then discovered."""
    source = inputs.guide_source(session, campaign_slug)
    if source is None or source.strip() in ("", "{}"):
        return None
    try:
        return load_guide_text(source, source=f"campaign {campaign_slug!r}").map
    except GuideError as error:
        raise SynthesisInputError(f"the campaign's stored guide is invalid: {error}") from None
