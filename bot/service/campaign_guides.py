"""A campaign's interview guide, parsed once per process.

Campaigns store their resolved guide (YAML) so an interview under way never changes
when guide files do; parsing and validating it on every turn would dominate the turn's
cost, hence the cache.
"""

from __future__ import annotations

from functools import lru_cache

from bot.conversation.guide import Guide, load_guide_text
from storage.models import Campaign


def guide_for(campaign: Campaign) -> Guide:
    """The campaign's guide (stored with it), with the campaign's consent wording."""
    return guide_from_source(campaign.guide_source, campaign.consent_text)


@lru_cache(maxsize=64)
def guide_from_source(source: str, consent_text: str) -> Guide:
    """The guide a campaign stores (`source`, resolved YAML) with its consent wording."""
    # Parsing and validating YAML on every turn would dominate the turn's cost; campaigns
    # are few and their stored guide never changes, so a small cache is always right.
    guide = load_guide_text(source)
    if consent_text and consent_text != guide.texts.consent:
        texts = guide.texts.model_copy(update={"consent": consent_text})
        guide = guide.model_copy(update={"texts": texts})
    return guide
