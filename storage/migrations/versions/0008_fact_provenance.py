"""Every step fact says how it came to be known: said, confirmed, inferred or corrected.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06

``step_records.provenance`` maps a fact's name (channel, feeling, duration, people,
tools, pains) to how the interview learnt it. Steps stored before this revision get an
empty map: their provenance is unknown, and synthesis treats them as it always did.
``messages.understood`` keeps what a confirmation question showed back, so a redelivered
answer is answered with the very replies of its first delivery.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("step_records") as batch:
        batch.add_column(
            sa.Column("provenance", json_type, nullable=False, server_default=sa.text("'{}'"))
        )
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("understood", json_type, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("understood")
    with op.batch_alter_table("step_records") as batch:
        batch.drop_column("provenance")
