"""The review team's workspace around a map: discussion threads on cells (comments,
mentions), the review status of each map version and its log, actions with owners, and
closing the loop (the message, one send per person); and ``interviews.hear_back``, the
customer's "tell me what you change" given with their consent.

Revision ID: 0017
Revises: 0014
Create Date: 2026-12-06

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0017"
down_revision: str | None = "0014"
branch_labels: str | None = None
depends_on: str | None = None


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    with op.batch_alter_table("interviews") as batch:
        batch.add_column(
            sa.Column("hear_back", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    op.create_table(
        "map_threads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("cell_kind", sa.String(length=20), nullable=False),
        sa.Column("cell_id", sa.String(length=200), nullable=False),
        sa.Column("lane", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("resolved_at", _utc(), nullable=True),
        sa.Column("resolved_by_name", sa.String(length=320), nullable=True),
        _fk("map_threads", "campaign_id", "campaigns", "CASCADE"),
        _fk("map_threads", "run_id", "synthesis_runs", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_threads")),
    )
    op.create_index(
        "ix_map_threads_series_cell", "map_threads", ["campaign_id", "segment", "cell_kind"]
    )
    op.create_table(
        "map_comments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("author_id", sa.Integer(), nullable=True),
        sa.Column("author_name", sa.String(length=320), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        _fk("map_comments", "thread_id", "map_threads", "CASCADE"),
        _fk("map_comments", "author_id", "console_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_comments")),
        sa.UniqueConstraint("request_key", name=op.f("uq_map_comments_request_key")),
    )
    op.create_index("ix_map_comments_thread_id_id", "map_comments", ["thread_id", "id"])
    op.create_table(
        "map_mentions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("comment_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("seen_at", _utc(), nullable=True),
        _fk("map_mentions", "comment_id", "map_comments", "CASCADE"),
        _fk("map_mentions", "user_id", "console_users", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_mentions")),
        sa.UniqueConstraint(
            "comment_id", "user_id", name=op.f("uq_map_mentions_comment_id_user_id")
        ),
    )
    op.create_index(op.f("ix_map_mentions_user_id"), "map_mentions", ["user_id"])
    op.create_table(
        "map_approvals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("layer_version", sa.Integer(), nullable=False),
        sa.Column("changed_at", _utc(), nullable=False),
        sa.Column("changed_by_name", sa.String(length=320), nullable=False),
        _fk("map_approvals", "run_id", "synthesis_runs", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_approvals")),
        sa.UniqueConstraint("run_id", name=op.f("uq_map_approvals_run_id")),
    )
    op.create_table(
        "map_approval_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_name", sa.String(length=320), nullable=False),
        sa.Column("layer_version", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        _fk("map_approval_events", "run_id", "synthesis_runs", "CASCADE"),
        _fk("map_approval_events", "actor_id", "console_users", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_approval_events")),
    )
    op.create_index("ix_map_approval_events_run_id_id", "map_approval_events", ["run_id", "id"])
    op.create_table(
        "map_actions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("segment", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("source_kind", sa.String(length=20), nullable=False),
        sa.Column("source_id", sa.String(length=200), nullable=False),
        sa.Column("pains", json_type, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("owner_name", sa.String(length=320), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_by_name", sa.String(length=320), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=True),
        sa.Column("request_key", sa.String(length=64), nullable=False),
        _fk("map_actions", "campaign_id", "campaigns", "CASCADE"),
        _fk("map_actions", "owner_id", "console_users", "SET NULL"),
        _fk("map_actions", "run_id", "synthesis_runs", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_map_actions")),
        sa.UniqueConstraint("request_key", name=op.f("uq_map_actions_request_key")),
    )
    op.create_index("ix_map_actions_series", "map_actions", ["campaign_id", "segment"])
    op.create_table(
        "loop_messages",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("action_id", sa.Integer(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("edited_by_name", sa.String(length=320), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.Column("queued_at", _utc(), nullable=True),
        sa.Column("queued_by_name", sa.String(length=320), nullable=True),
        _fk("loop_messages", "action_id", "map_actions", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_messages")),
        sa.UniqueConstraint("action_id", name=op.f("uq_loop_messages_action_id")),
    )
    op.create_table(
        "loop_sends",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("loop_message_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.Column("message_id", sa.String(length=200), nullable=False),
        sa.Column("updated_at", _utc(), nullable=False),
        _fk("loop_sends", "loop_message_id", "loop_messages", "CASCADE"),
        _fk("loop_sends", "participant_id", "participants", "CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_loop_sends")),
        sa.UniqueConstraint(
            "loop_message_id",
            "participant_id",
            name=op.f("uq_loop_sends_loop_message_id_participant_id"),
        ),
    )
    op.create_index(op.f("ix_loop_sends_participant_id"), "loop_sends", ["participant_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_loop_sends_participant_id"), table_name="loop_sends")
    op.drop_table("loop_sends")
    op.drop_table("loop_messages")
    op.drop_index("ix_map_actions_series", table_name="map_actions")
    op.drop_table("map_actions")
    op.drop_index("ix_map_approval_events_run_id_id", table_name="map_approval_events")
    op.drop_table("map_approval_events")
    op.drop_table("map_approvals")
    op.drop_index(op.f("ix_map_mentions_user_id"), table_name="map_mentions")
    op.drop_table("map_mentions")
    op.drop_index("ix_map_comments_thread_id_id", table_name="map_comments")
    op.drop_table("map_comments")
    op.drop_index("ix_map_threads_series_cell", table_name="map_threads")
    op.drop_table("map_threads")
    with op.batch_alter_table("interviews") as batch:
        batch.drop_column("hear_back")
