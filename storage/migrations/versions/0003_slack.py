"""Slack: the workspace of a participant's Slack user id, and the deliveries outbox.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None


def _big_id() -> sa.types.TypeEngine[int]:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add participants.slack_team_id (indexed with slack_user_id) and slack_events."""
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("slack_team_id", sa.String(length=40), nullable=True))
    op.create_index(
        "ix_participants_slack_team_id_user_id",
        "participants",
        ["slack_team_id", "slack_user_id"],
        unique=False,
    )
    op.create_table(
        "slack_events",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("key", sa.String(length=255), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("payload", _json(), nullable=True),
        sa.Column("done_at", _utc(), nullable=True),
        sa.Column("picked_at", _utc(), nullable=True),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_slack_events")),
        sa.UniqueConstraint("key", name=op.f("uq_slack_events_key")),
    )
    op.create_index(op.f("ix_slack_events_created_at"), "slack_events", ["created_at"])
    op.create_index(op.f("ix_slack_events_done_at"), "slack_events", ["done_at"])


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_index(op.f("ix_slack_events_done_at"), table_name="slack_events")
    op.drop_index(op.f("ix_slack_events_created_at"), table_name="slack_events")
    op.drop_table("slack_events")
    op.drop_index("ix_participants_slack_team_id_user_id", table_name="participants")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("slack_team_id")
