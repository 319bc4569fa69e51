"""Read-only share links of stored maps: the token's hash, the run, who made it, a
note, when it expires and when it was revoked.

Revision ID: 0018
Revises: 0014
Create Date: 2026-12-06

A sibling of the other branches made from 0014; a merge revision joins them.
Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "share_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_name", sa.String(length=320), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.Column("revoked_by_name", sa.String(length=320), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"],
            ["synthesis_runs.id"],
            name=op.f("fk_share_links_run_id_synthesis_runs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["console_users.id"],
            name=op.f("fk_share_links_created_by_id_console_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_share_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_share_links_token_hash")),
    )
    op.create_index(op.f("ix_share_links_run_id"), "share_links", ["run_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_share_links_run_id"), table_name="share_links")
    op.drop_table("share_links")
