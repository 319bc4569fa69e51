"""What the console service hands out: plain values, never ORM rows, so the web routes
and the CLI need nothing from storage."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.service.console.permissions import Action, Role, allowed


@dataclass(frozen=True)
class UserView:
    id: int
    email: str
    display_name: str | None
    role: Role
    disabled: bool
    must_change_password: bool
    has_password: bool
    created_at: datetime
    last_sign_in_at: datetime | None

    @property
    def name(self) -> str:
        return self.display_name or self.email


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user (``session_id``) or a program with an API key
    (``api_key_id`` and its ``scopes``)."""

    user: UserView
    session_id: int | None = None
    api_key_id: int | None = None
    scopes: frozenset[Action] | None = None

    def may(self, action: Action) -> bool:
        """The role allows it, and for an API key, so do the key's scopes."""
        if not allowed(self.user.role, action):
            return False
        return self.scopes is None or action in self.scopes


@dataclass(frozen=True)
class SignedIn:
    """A new session: the token goes into the cookie and nowhere else."""

    token: str
    user: UserView
    expires_at: datetime


@dataclass(frozen=True)
class SessionView:
    id: int
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    method: str
    client_address: str | None
    user_agent: str | None
    current: bool


@dataclass(frozen=True)
class ApiKeyView:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


@dataclass(frozen=True)
class NewApiKey:
    """A key just made: ``token`` is shown once and never stored."""

    key: ApiKeyView
    token: str


@dataclass(frozen=True)
class CampaignSummary:
    slug: str
    name: str
    guide: str
    open_link: bool
    created_at: datetime
    participants: int
    interviews: int
    completed: int
    in_progress: int
    declined: int
    last_activity_at: datetime | None
    # "open", "not_started" (before its start date) or "closed".
    status: str = "open"
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str = "UTC"
    target_completes: int | None = None
    closed_reason: str | None = None

    @property
    def completion_rate(self) -> float | None:
        """Completed share of the interviews that are finished or under way."""
        return self.completed / self.interviews if self.interviews else None
