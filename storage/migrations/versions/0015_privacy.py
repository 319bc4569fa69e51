"""Privacy: the erasure audit, where runs wrote their files, retired runs, retention.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06

``erasures`` records that an erasure happened (a random id, when, who acted, rows per
table) and nothing about whom. ``synthesis_outputs`` records each writing of a run's
files (folder and file names), so an erasure finds the files that quote the person.
``synthesis_runs.retired_at`` / ``retired_by`` mark a run whose map an erasure emptied.
``campaigns.retention_days`` deletes transcripts that many days after an interview ended
(NULL: kept); ``interviews.transcript_deleted_at`` says when it did.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("erasure_id", sa.String(32), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(40), nullable=False),
        sa.Column("counts", json_type, nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_erasures"),
        sa.UniqueConstraint("erasure_id", name="uq_erasures_erasure_id"),
    )
    op.create_table(
        "synthesis_outputs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("folder", sa.Text(), nullable=False),
        sa.Column("files", json_type, nullable=False),
        sa.Column("written_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["synthesis_runs.id"],
            name="fk_synthesis_outputs_run_id_synthesis_runs",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_synthesis_outputs"),
    )
    op.create_index("ix_synthesis_outputs_run_id", "synthesis_outputs", ["run_id"])
    with op.batch_alter_table("synthesis_runs") as batch:
        batch.add_column(sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("retired_by", sa.String(32), nullable=True))
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("retention_days", sa.Integer(), nullable=True))
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(
            sa.Column("transcript_deleted_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("transcript_deleted_at")
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_column("retention_days")
    with op.batch_alter_table("synthesis_runs") as batch:
        batch.drop_column("retired_by")
        batch.drop_column("retired_at")
    op.drop_index("ix_synthesis_outputs_run_id", table_name="synthesis_outputs")
    op.drop_table("synthesis_outputs")
    op.drop_table("erasures")
