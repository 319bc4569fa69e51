"""Join this wave's branches, each made from 0014 in parallel: privacy (0015), campaign
settings (0016), the review workspace (0017) and share links (0018). No schema change of its own.

Revision ID: 0020
Revises: 0015, 0016, 0017, 0018
Create Date: 2026-12-06
"""

from __future__ import annotations

revision: str = "0020"
down_revision: tuple[str, ...] = ("0015", "0016", "0017", "0018")
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
