"""The one permission table: which role may do which action.

Every console route and every console API call names the action it needs
(``bot.web.console.guard``); API keys carry a subset of these actions as scopes. A
role's power is only ever read from ``ROLE_ACTIONS``.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"
    RESEARCHER = "researcher"
    REVIEWER = "reviewer"
    VIEWER = "viewer"


class Action(StrEnum):
    """What a route does, in the words of the permission table."""

    # Your own account: password, sessions, API keys. Every signed-in user.
    OWN_ACCOUNT = "account:own"
    CAMPAIGNS_READ = "campaigns:read"
    CAMPAIGNS_WRITE = "campaigns:write"
    MAPS_READ = "maps:read"
    MAPS_REVIEW = "maps:review"
    # Read-only links to a map that work without signing in (always redacted).
    MAPS_SHARE = "maps:share"
    # Approve a map version, and reopen an approved one (curation of an approved version
    # waits until it is reopened).
    MAPS_APPROVE = "maps:approve"
    # Customers' personal data in maps and transcripts (names, emails, phone and card
    # numbers in their words). Without it they are masked.
    PERSONAL_DATA_READ = "personal-data:read"
    # Export everything stored about one customer, or erase it (access and erasure
    # requests). Admins only: an erasure cannot be undone.
    PERSONAL_DATA_MANAGE = "personal-data:manage"
    USERS_MANAGE = "users:manage"
    SETTINGS_MANAGE = "settings:manage"


ROLE_LABELS: dict[Role, str] = {
    Role.ADMIN: "Admin",
    Role.RESEARCHER: "Researcher",
    Role.REVIEWER: "Reviewer",
    Role.VIEWER: "Viewer",
}

ROLE_SUMMARIES: dict[Role, str] = {
    Role.ADMIN: "Everything, plus accounts, settings and customers' data requests.",
    Role.RESEARCHER: "Plans and runs campaigns; reads and curates maps.",
    Role.REVIEWER: "Reads campaigns; reviews and approves journey maps.",
    Role.VIEWER: "Reads campaigns and maps, customers' personal data masked; changes nothing.",
}

_READ = frozenset({Action.OWN_ACCOUNT, Action.CAMPAIGNS_READ, Action.MAPS_READ})

# Viewers read maps with customers' personal data masked; everyone who works with the
# interviews themselves sees them as the customers wrote them.
ROLE_ACTIONS: dict[Role, frozenset[Action]] = {
    Role.ADMIN: frozenset(Action),
    Role.RESEARCHER: _READ
    | {
        Action.CAMPAIGNS_WRITE,
        Action.MAPS_REVIEW,
        Action.MAPS_SHARE,
        Action.PERSONAL_DATA_READ,
    },
    Role.REVIEWER: _READ
    | {Action.MAPS_REVIEW, Action.MAPS_APPROVE, Action.MAPS_SHARE, Action.PERSONAL_DATA_READ},
    Role.VIEWER: _READ,
}

ACTION_LABELS: dict[Action, str] = {
    Action.OWN_ACCOUNT: "manage their own account",
    Action.CAMPAIGNS_READ: "read campaigns and their progress",
    Action.CAMPAIGNS_WRITE: "create and change campaigns",
    Action.MAPS_READ: "read journey maps",
    Action.MAPS_REVIEW: "edit and discuss journey maps, and put them in review",
    Action.MAPS_APPROVE: "approve journey maps and reopen approved ones",
    Action.MAPS_SHARE: "share journey maps by read-only links",
    Action.PERSONAL_DATA_READ: "see customers' personal data",
    Action.PERSONAL_DATA_MANAGE: "export or erase a customer's data",
    Action.USERS_MANAGE: "manage accounts",
    Action.SETTINGS_MANAGE: "change settings",
}

# What an API key may be given: the actions about the product's data. Managing one's
# own account (passwords, sessions, keys) stays with a signed-in person, and so does
# sharing a map with people outside (the console's share pages have no API).
KEY_SCOPES: tuple[Action, ...] = tuple(
    a for a in Action if a not in (Action.OWN_ACCOUNT, Action.MAPS_SHARE)
)


def allowed(role: Role | str, action: Action) -> bool:
    """Whether ``role`` may do ``action`` (an unknown role may do nothing)."""
    try:
        return action in ROLE_ACTIONS[Role(role)]
    except ValueError:
        return False


def key_scopes_for(role: Role | str) -> tuple[Action, ...]:
    """The scopes a user of ``role`` may give an API key: their permissions, in order."""
    return tuple(scope for scope in KEY_SCOPES if allowed(role, scope))
