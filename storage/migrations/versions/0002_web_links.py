"""Web links: invite tokens, interview access tokens, listed items on messages.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add invites, interviews.access_token_hash and messages.items."""
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(sa.Column("access_token_hash", sa.String(length=64), nullable=True))
        batch.create_unique_constraint(
            op.f("uq_interviews_access_token_hash"), ["access_token_hash"]
        )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("items", _json(), nullable=True))
    op.create_table(
        "invites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_invites_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_invites_participant_id_participants"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_invites_interview_id_interviews"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invites")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invites_token_hash")),
        sa.UniqueConstraint("interview_id", name=op.f("uq_invites_interview_id")),
    )
    op.create_index(op.f("ix_invites_campaign_id"), "invites", ["campaign_id"], unique=False)
    op.create_index(op.f("ix_invites_participant_id"), "invites", ["participant_id"], unique=False)


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_table("invites")
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("items")
    with op.batch_alter_table("interviews") as batch:
        batch.drop_constraint(op.f("uq_interviews_access_token_hash"), type_="unique")
        batch.drop_column("access_token_hash")
