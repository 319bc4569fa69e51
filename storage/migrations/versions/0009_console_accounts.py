"""Console accounts: users with roles, their sessions, API keys, reset links, failed
sign-ins and single sign-on attempts under way.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08

Secrets (session tokens, API keys, reset links, SSO state) are stored as SHA-256
hashes only; passwords as argon2id hashes.

Self-contained like 0001: no imports from the models.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | None = None
depends_on: str | None = None


def _big_id() -> sa.types.TypeEngine[int]:
    # SQLite only autoincrements a column declared exactly INTEGER PRIMARY KEY.
    return sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _utc() -> sa.types.TypeEngine[Any]:
    return sa.DateTime(timezone=True)


def _user_fk(table: str, column: str = "user_id", ondelete: str = "CASCADE") -> Any:
    return sa.ForeignKeyConstraint(
        [column],
        ["console_users.id"],
        name=op.f(f"fk_{table}_{column}_console_users"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    json_type = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
    op.create_table(
        "console_users",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=True),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=True),
        sa.Column("must_change_password", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("oidc_subject", sa.String(length=255), nullable=True),
        sa.Column("disabled_at", _utc(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("password_changed_at", _utc(), nullable=True),
        sa.Column("last_sign_in_at", _utc(), nullable=True),
        sa.CheckConstraint(
            "role IN ('admin', 'researcher', 'reviewer', 'viewer')",
            name=op.f("ck_console_users_role"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_users")),
        sa.UniqueConstraint("email", name=op.f("uq_console_users_email")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_seen_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=300), nullable=True),
        _user_fk("console_sessions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_sessions_token_hash")),
    )
    op.create_index(op.f("ix_console_sessions_user_id"), "console_sessions", ["user_id"])
    op.create_index(op.f("ix_console_sessions_expires_at"), "console_sessions", ["expires_at"])
    op.create_table(
        "console_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("prefix", sa.String(length=16), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("scopes", json_type, nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("last_used_at", _utc(), nullable=True),
        sa.Column("revoked_at", _utc(), nullable=True),
        _user_fk("console_api_keys"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_api_keys")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_api_keys_token_hash")),
    )
    op.create_index(op.f("ix_console_api_keys_user_id"), "console_api_keys", ["user_id"])
    op.create_table(
        "console_reset_links",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", _utc(), nullable=False),
        sa.Column("expires_at", _utc(), nullable=False),
        sa.Column("used_at", _utc(), nullable=True),
        _user_fk("console_reset_links"),
        _user_fk("console_reset_links", "created_by_id", "SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_reset_links")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_console_reset_links_token_hash")),
    )
    op.create_index(op.f("ix_console_reset_links_user_id"), "console_reset_links", ["user_id"])
    op.create_table(
        "console_failed_sign_ins",
        sa.Column("id", _big_id(), nullable=False),
        sa.Column("key", sa.String(length=400), nullable=False),
        sa.Column("at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_failed_sign_ins")),
    )
    op.create_index("ix_console_failed_sign_ins_key_at", "console_failed_sign_ins", ["key", "at"])
    op.create_table(
        "console_sso_attempts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("state_hash", sa.String(length=64), nullable=False),
        sa.Column("nonce", sa.String(length=100), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("created_at", _utc(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sso_attempts")),
        sa.UniqueConstraint("state_hash", name=op.f("uq_console_sso_attempts_state_hash")),
    )
    op.create_index(
        op.f("ix_console_sso_attempts_created_at"), "console_sso_attempts", ["created_at"]
    )


def downgrade() -> None:
    op.drop_table("console_sso_attempts")
    op.drop_table("console_failed_sign_ins")
    op.drop_table("console_reset_links")
    op.drop_table("console_api_keys")
    op.drop_table("console_sessions")
    op.drop_table("console_users")
