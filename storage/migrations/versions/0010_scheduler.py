"""The scheduler: durable jobs, invitation waves, invitations and their messages, the
suppression list, campaign email templates, support cases that triggered invitations;
participants' language, time zone and
Slack email; expiry and revocation of personal links.

Revision ID: 0010
Revises: 0008
Create Date: 2026-12-06

Revises 0008, not 0009: the sign-in tables (0009) are written at the same time, and a
merge revision joins the two branches once both have landed.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0010"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def _big_id() -> sa.types.TypeEngine[int]:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def _json() -> sa.types.TypeEngine[Any]:
    return sa.JSON().with_variant(postgresql.JSONB(), "postgresql")


def upgrade() -> None:
    """Add the scheduler's tables and the new participant and invite columns."""
    with op.batch_alter_table("participants") as batch:
        batch.add_column(sa.Column("language", sa.String(length=35), nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("slack_email", sa.String(length=320), nullable=True))
    op.create_index("ix_participants_campaign_id_email", "participants", ["campaign_id", "email"])
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("expires_at", _utc(), nullable=True))
        batch.add_column(sa.Column("revoked_at", _utc(), nullable=True))

    op.create_table(
        "scheduled_jobs",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("payload", _json(), nullable=False),
        sa.Column("run_at", _utc(), nullable=False),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("max_attempts", sa.Integer(), server_default=sa.text("8"), nullable=False),
        sa.Column("locked_by", sa.String(length=100), nullable=True),
        sa.Column("locked_until", _utc(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=200), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("done_at", _utc(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_jobs")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_scheduled_jobs_idempotency_key")),
    )
    op.create_index("ix_scheduled_jobs_state_run_at", "scheduled_jobs", ["state", "run_at"])

    op.create_table(
        "invitation_waves",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), server_default="wave", nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("scheduled_at", _utc(), nullable=False),
        sa.Column("time_zone", sa.String(length=64), nullable=False),
        sa.Column("local_time", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("rate_per_second", sa.Float(), nullable=False),
        sa.Column("remind_after_seconds", sa.Integer(), nullable=True),
        sa.Column("max_reminders", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("expire_after_seconds", sa.Integer(), nullable=True),
        sa.Column("delay_seconds", sa.Integer(), nullable=True),
        sa.Column("sample_rate", sa.Float(), nullable=True),
        sa.Column("cooldown_days", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=12), nullable=False),
        sa.Column("next_send_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("started_at", _utc(), nullable=True),
        sa.Column("revoked_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_invitation_waves_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_waves")),
    )
    op.create_index(op.f("ix_invitation_waves_campaign_id"), "invitation_waves", ["campaign_id"])

    op.create_table(
        "invitations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("channel", sa.String(length=10), nullable=False),
        sa.Column("invite_id", sa.Integer(), nullable=True),
        sa.Column("link_salt", sa.String(length=32), nullable=False),
        sa.Column("optout_token_hash", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("reminders_sent", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_invitations_campaign_id_campaigns")
        ),
        sa.ForeignKeyConstraint(
            ["invite_id"],
            ["invites.id"],
            name=op.f("fk_invitations_invite_id_invites"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_invitations_participant_id_participants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["invitation_waves.id"],
            name=op.f("fk_invitations_wave_id_invitation_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("optout_token_hash", name=op.f("uq_invitations_optout_token_hash")),
        sa.UniqueConstraint(
            "wave_id", "participant_id", name=op.f("uq_invitations_wave_id_participant_id")
        ),
    )
    op.create_index(op.f("ix_invitations_campaign_id"), "invitations", ["campaign_id"])
    op.create_index(op.f("ix_invitations_invite_id"), "invitations", ["invite_id"])
    op.create_index(op.f("ix_invitations_participant_id"), "invitations", ["participant_id"])

    op.create_table(
        "invitation_messages",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("message_id", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("started_at", _utc(), nullable=False),
        sa.Column("sent_at", _utc(), nullable=True),
        sa.Column("detail", sa.String(length=300), nullable=True),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_invitation_messages_invitation_id_invitations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitation_messages")),
        sa.UniqueConstraint(
            "invitation_id", "number", name=op.f("uq_invitation_messages_invitation_id_number")
        ),
    )

    op.create_table(
        "suppressions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("value", sa.String(length=320), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suppressions")),
        sa.UniqueConstraint("kind", "value", name=op.f("uq_suppressions_kind_value")),
    )

    op.create_table(
        "message_templates",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("campaign_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("body_text", sa.Text(), nullable=False),
        sa.Column("body_html", sa.Text(), nullable=True),
        sa.Column("updated_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaigns.id"],
            name=op.f("fk_message_templates_campaign_id_campaigns"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_templates")),
        sa.UniqueConstraint(
            "campaign_id", "kind", name=op.f("uq_message_templates_campaign_id_kind")
        ),
    )

    op.create_table(
        "triggered_cases",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("wave_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.String(length=200), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("invitation_id", sa.Integer(), nullable=True),
        sa.Column("received_at", _utc(), nullable=False),
        sa.ForeignKeyConstraint(
            ["invitation_id"],
            ["invitations.id"],
            name=op.f("fk_triggered_cases_invitation_id_invitations"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["wave_id"],
            ["invitation_waves.id"],
            name=op.f("fk_triggered_cases_wave_id_invitation_waves"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triggered_cases")),
        sa.UniqueConstraint("wave_id", "case_id", name=op.f("uq_triggered_cases_wave_id_case_id")),
    )


def downgrade() -> None:
    """Remove what upgrade added."""
    op.drop_table("triggered_cases")
    op.drop_table("message_templates")
    op.drop_table("suppressions")
    op.drop_table("invitation_messages")
    op.drop_index(op.f("ix_invitations_participant_id"), table_name="invitations")
    op.drop_index(op.f("ix_invitations_invite_id"), table_name="invitations")
    op.drop_index(op.f("ix_invitations_campaign_id"), table_name="invitations")
    op.drop_table("invitations")
    op.drop_index(op.f("ix_invitation_waves_campaign_id"), table_name="invitation_waves")
    op.drop_table("invitation_waves")
    op.drop_index("ix_scheduled_jobs_state_run_at", table_name="scheduled_jobs")
    op.drop_table("scheduled_jobs")
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("revoked_at")
        batch.drop_column("expires_at")
    op.drop_index("ix_participants_campaign_id_email", table_name="participants")
    with op.batch_alter_table("participants") as batch:
        batch.drop_column("slack_email")
        batch.drop_column("time_zone")
        batch.drop_column("language")
