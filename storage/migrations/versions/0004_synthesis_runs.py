"""Stored synthesis runs and the provenance of imported interviews.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Create synthesis_runs and imported_interviews."""
    op.create_table(
        "synthesis_runs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("previous_run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("code_version", sa.String(length=40), nullable=False),
        sa.Column("schema_version", sa.String(length=20), nullable=False),
        sa.Column("parameters", _json(), nullable=False),
        sa.Column("interview_ids", _json(), nullable=False),
        sa.Column("interview_count", sa.Integer(), nullable=False),
        sa.Column("step_count", sa.Integer(), nullable=False),
        sa.Column("stage_count", sa.Integer(), nullable=False),
        sa.Column("pain_point_count", sa.Integer(), nullable=False),
        sa.Column("elapsed_seconds", sa.Float(), nullable=True),
        sa.Column("next_ids", _json(), nullable=False),
        sa.Column("journey_map", _json(), nullable=False),
        sa.Column("pain_points", _json(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_synthesis_runs_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["previous_run_id"],
            ["synthesis_runs.id"],
            name=op.f("fk_synthesis_runs_previous_run_id_synthesis_runs"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_synthesis_runs")),
    )
    op.create_index("ix_synthesis_runs_series", "synthesis_runs", ["campaign_id", "segment", "id"])
    op.create_table(
        "imported_interviews",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("external_id", sa.String(length=200), nullable=False),
        sa.Column("interview_id", sa.Integer(), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_imported_interviews_campaign_id_campaigns"),
        ),
        sa.ForeignKeyConstraint(
            ["interview_id"],
            ["interviews.id"],
            name=op.f("fk_imported_interviews_interview_id_interviews"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_imported_interviews")),
        sa.UniqueConstraint(
            "campaign_id",
            "external_id",
            name=op.f("uq_imported_interviews_campaign_id_external_id"),
        ),
        sa.UniqueConstraint("interview_id", name=op.f("uq_imported_interviews_interview_id")),
    )


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_table("imported_interviews")
    op.drop_index("ix_synthesis_runs_series", table_name="synthesis_runs")
    op.drop_table("synthesis_runs")
