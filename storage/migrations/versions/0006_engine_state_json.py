"""Engine state as checked JSON text on PostgreSQL (``json``, lz4-compressed), not JSONB.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03

Every chat turn rewrites the interview's engine state whole (several kB), and nothing
queries inside it. As JSONB, PostgreSQL converted each write to its binary form and
compressed it with pglz; as ``json`` compressed with lz4, an update of the demo states
(7 kB median) takes 0.46-0.61x the server's CPU (bench/state_column.py, bench/RESULTS.md).
SQLite stores JSON as text already: nothing changes there.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | None = None
depends_on: str | None = None


def _has_lz4() -> bool:
    # PostgreSQL 14+ built with lz4 lists it among the TOAST compression methods.
    found = op.get_bind().execute(
        sa.text("SELECT enumvals FROM pg_settings WHERE name = 'default_toast_compression'")
    )
    row = found.first()
    return row is not None and "lz4" in list(row[0] or [])


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.alter_column(
        "interviews",
        "engine_state",
        type_=sa.JSON(),
        existing_type=postgresql.JSONB(),
        existing_nullable=False,
        postgresql_using="engine_state::json",
    )
    if _has_lz4():
        op.execute("ALTER TABLE interviews ALTER COLUMN engine_state SET COMPRESSION lz4")


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("ALTER TABLE interviews ALTER COLUMN engine_state SET COMPRESSION DEFAULT")
    op.alter_column(
        "interviews",
        "engine_state",
        type_=postgresql.JSONB(),
        existing_type=sa.JSON(),
        existing_nullable=False,
        postgresql_using="engine_state::jsonb",
    )
