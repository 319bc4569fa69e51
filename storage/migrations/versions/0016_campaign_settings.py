"""A campaign's schedule, targets and stop rules, edited in the console.

Revision ID: 0016
Revises: 0014
Create Date: 2026-12-06

``campaigns`` gains:

- ``status`` (``open`` or ``closed``) with when and why it closed (``closed_at``,
  ``closed_reason``: ``manual``, ``end_date``, ``target`` or ``saturation``;
  ``closed_note``: the sentence the console shows);
- ``starts_at`` / ``ends_at`` (UTC) and the ``time_zone`` they were typed in;
- ``target_completes`` (close at this many completed interviews), ``quotas`` (attribute
  -> value -> completed interviews wanted, JSON) and ``saturation_n`` (close when the
  last N completed interviews added no new pain point);
- ``languages`` (BCP 47 tags, JSON), ``guide_customisation`` (the ``extends:`` YAML the
  researcher typed; the resolved guide stays in ``guide_source``) and ``updated_at``.

Existing campaigns are open, with no dates, target, quotas or saturation rule.
Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0016"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("campaigns") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="open"))
        batch.add_column(sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("closed_reason", sa.String(20), nullable=True))
        batch.add_column(sa.Column("closed_note", sa.Text(), nullable=True))
        batch.add_column(sa.Column("starts_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("ends_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("time_zone", sa.String(64), nullable=False, server_default="UTC")
        )
        batch.add_column(sa.Column("target_completes", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("quotas", json_type, nullable=True))
        batch.add_column(sa.Column("saturation_n", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("languages", json_type, nullable=True))
        batch.add_column(sa.Column("guide_customisation", sa.Text(), nullable=True))
        batch.add_column(sa.Column("updated_at", sa.DateTime(timezone=True), nullable=True))
        batch.create_check_constraint(op.f("ck_campaigns_status"), "status IN ('open', 'closed')")


def downgrade() -> None:
    with op.batch_alter_table("campaigns") as batch:
        batch.drop_constraint(op.f("ck_campaigns_status"), type_="check")
        for column in (
            "updated_at",
            "guide_customisation",
            "languages",
            "saturation_n",
            "quotas",
            "target_completes",
            "time_zone",
            "ends_at",
            "starts_at",
            "closed_note",
            "closed_reason",
            "closed_at",
            "status",
        ):
            batch.drop_column(column)
