"""Start budgets shared by every server process, and the segment maps of stored runs.

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-06

``start_counters`` holds one row per budget (a hashed client address, a campaign's open
link, all open links) with the count of interviews started in its current window.
``synthesis_runs.segment_maps`` keeps the per-segment maps of a ``--segment-by`` run
(NULL for runs without segments and runs stored before this revision).

(Numbered 0012 after the console's 0009; a scheduler branch had taken 0010.)

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0009"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "start_counters",
        sa.Column("key", sa.String(80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name="pk_start_counters"),
    )
    op.create_index("ix_start_counters_window_start", "start_counters", ["window_start"])
    with op.batch_alter_table("synthesis_runs") as batch:
        batch.add_column(sa.Column("segment_maps", json_type, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("synthesis_runs") as batch:
        batch.drop_column("segment_maps")
    op.drop_index("ix_start_counters_window_start", table_name="start_counters")
    op.drop_table("start_counters")
