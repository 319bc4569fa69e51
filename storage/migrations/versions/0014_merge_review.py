"""Join the review workspace's branch (0011, from the console's 0009) with the rest
(0013). No schema change of its own.

Revision ID: 0014
Revises: 0011, 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

revision: str = "0014"
down_revision: tuple[str, ...] = ("0011", "0013")
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
