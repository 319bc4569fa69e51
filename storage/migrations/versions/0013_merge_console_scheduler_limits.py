"""Join the branches that grew side by side from 0008: the scheduler (0010) and the
console with the shared start budgets (0009, 0012). No schema change of its own.

Revision ID: 0013
Revises: 0010, 0012
Create Date: 2026-12-06
"""

from __future__ import annotations

revision: str = "0013"
down_revision: tuple[str, ...] = ("0010", "0012")
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
