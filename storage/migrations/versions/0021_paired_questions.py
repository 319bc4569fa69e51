"""A bot message may ask two step questions at once: ``messages.also_asks``.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06

"How were you in touch, and roughly how long did it take?" asks for the channel (the
message's ``slot``) and the duration (``also_asks``). It is stored so a redelivered answer
is answered with the very replies of its first delivery. Messages stored before this
revision asked one question each: null.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.add_column(sa.Column("also_asks", sa.String(30), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("messages") as batch:
        batch.drop_column("also_asks")
