"""Slack deliveries name their customer, so a new one never overtakes an older one.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06

A process that died leaves its customers' deliveries held until the hold lapses. A
message the customer sends meanwhile must wait behind them; the claim finds them by
``customer`` (team and user, the queue key), indexed. Rows stored before this revision
keep NULL there: they are re-driven as before, by the customer in their payload.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("slack_events") as batch:
        batch.add_column(sa.Column("customer", sa.String(length=100), nullable=True))
    op.create_index("ix_slack_events_customer", "slack_events", ["customer"])


def downgrade() -> None:
    op.drop_index("ix_slack_events_customer", table_name="slack_events")
    with op.batch_alter_table("slack_events") as batch:
        batch.drop_column("customer")
