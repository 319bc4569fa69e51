"""The review workspace: the curation layer of each map series (versioned for
optimistic concurrency), its edits (who, when, why, undone), and the layer's
application to each stored run.

Revision ID: 0011
Revises: 0009
Create Date: 2026-12-09

Branches from 0009 (the console's accounts, which edits name their authors by); 0010
branches from 0008 in parallel, and a merge revision joins them.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0011"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "review_layers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_review_layers_campaign_id_campaigns"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_layers")),
        sa.UniqueConstraint(
            "campaign_id", "segment", name=op.f("uq_review_layers_campaign_id_segment")
        ),
    )
    op.create_table(
        "review_edits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("layer_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("target_kind", sa.String(length=20), nullable=False),
        sa.Column("target_id", sa.String(length=300), nullable=False),
        sa.Column("payload", json_type, nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=320), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("undone_at", _utc(), nullable=True),
        sa.Column("undone_by_id", sa.Integer(), nullable=True),
        sa.Column("undone_by_name", sa.String(length=320), nullable=True),
        sa.Column("undone_version", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["layer_id"],
            ["review_layers.id"],
            name=op.f("fk_review_edits_layer_id_review_layers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["author_id"],
            ["console_users.id"],
            name=op.f("fk_review_edits_author_id_console_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["synthesis_runs.id"],
            name=op.f("fk_review_edits_run_id_synthesis_runs"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["undone_by_id"],
            ["console_users.id"],
            name=op.f("fk_review_edits_undone_by_id_console_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_edits")),
    )
    op.create_index("ix_review_edits_layer_id_id", "review_edits", ["layer_id", "id"])
    op.create_table(
        "review_applications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("layer_version", sa.Integer(), nullable=False),
        sa.Column("applied_at", _utc(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("broken", sa.Integer(), nullable=False),
        sa.Column("report", json_type, nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["synthesis_runs.id"],
            name=op.f("fk_review_applications_run_id_synthesis_runs"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_applications")),
        sa.UniqueConstraint("run_id", name=op.f("uq_review_applications_run_id")),
    )


def downgrade() -> None:
    op.drop_table("review_applications")
    op.drop_index("ix_review_edits_layer_id_id", table_name="review_edits")
    op.drop_table("review_edits")
    op.drop_table("review_layers")
