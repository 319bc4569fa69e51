"""Quotas per participant attribute: how many completed interviews each cell wants
(``plan=basic``: 20) and how many it has.

A full cell turns people of that cell away: their pending invitations are held back by
the scheduler's send path (``campaigns.sends``) and the open link shows them a kind
page. Everyone else goes on until the campaign's own target or end.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.service.errors import QuotaFull
from storage.campaign_quotas import completed_by_attribute
from storage.models import Campaign


@dataclass(frozen=True)
class QuotaCell:
    attribute: str
    value: str
    target: int
    completed: int

    @property
    def full(self) -> bool:
        return self.completed >= self.target

    @property
    def label(self) -> str:
        return f"{self.attribute}={self.value}"


def quota_cells(session: Session, campaign: Campaign) -> list[QuotaCell]:
    """Every quota cell of the campaign with its completed interviews, in the order the
    researcher wrote them."""
    quotas = campaign.quotas or {}
    if not quotas:
        return []
    done = completed_by_attribute(session, campaign_id=campaign.id, attributes=list(quotas))
    return [
        QuotaCell(attribute, value, int(target), done.get(attribute, {}).get(value, 0))
        for attribute, cells in quotas.items()
        for value, target in cells.items()
    ]


def quota_attributes(campaign: Campaign, given: Mapping[str, Any]) -> dict[str, str]:
    """Of attributes a visitor's link names (``/c/SLUG?plan=pro``), those that pick a
    quota cell of the campaign: nothing else a visitor types is stored about them."""
    quotas = campaign.quotas or {}
    return {
        name: str(value)
        for name, value in given.items()
        if name in quotas and str(value) in quotas[name]
    }


def refuse_full_cell(
    session: Session, campaign: Campaign, attributes: Mapping[str, Any] | None
) -> None:
    """Raise :class:`QuotaFull` when someone with ``attributes`` belongs to a full cell."""
    cell = full_cell_for(session, campaign, attributes)
    if cell is not None:
        raise QuotaFull(campaign.slug, cell.label)


def full_cell_for(
    session: Session, campaign: Campaign, attributes: Mapping[str, Any] | None
) -> QuotaCell | None:
    """The first full quota cell someone with ``attributes`` belongs to, or None (no
    quota on their attributes, or room left in every cell they are in)."""
    quotas = campaign.quotas or {}
    mine = {
        name: str(value)
        for name, value in (attributes or {}).items()
        if name in quotas and value is not None and str(value) in quotas[name]
    }
    if not mine:
        return None
    for cell in quota_cells(session, campaign):
        if mine.get(cell.attribute) == cell.value and cell.full:
            return cell
    return None
