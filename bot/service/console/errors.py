"""What the console service refuses, in words a person can act on.

The web routes and the CLI show ``str(error)``; none of them imports storage.
"""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of the console's refusals: the message is meant for the person."""


class SignInRefused(ConsoleError):
    """Wrong email or password (deliberately not saying which), or a disabled account."""


class SignInThrottled(ConsoleError):
    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        minutes = max(1, round(retry_after / 60))
        super().__init__(
            "Too many failed sign-ins. Wait "
            f"{minutes} minute{'s' if minutes != 1 else ''} and try again, or ask an admin "
            "to reset your password."
        )


class PasswordRejected(ConsoleError):
    """A new password that does not meet the policy, or a wrong current password."""


class UserNotFound(ConsoleError):
    def __init__(self, who: str) -> None:
        super().__init__(f"No console user {who}.")


class EmailTaken(ConsoleError):
    def __init__(self, email: str) -> None:
        super().__init__(f"There is already a user with the email {email}.")


class InvalidUserInput(ConsoleError):
    """An email, role, name or key name that cannot be used as given."""


class LastAdmin(ConsoleError):
    def __init__(self) -> None:
        super().__init__("That would leave no active admin. Make someone else an admin first.")


class ResetLinkInvalid(ConsoleError):
    def __init__(self) -> None:
        super().__init__(
            "This password reset link is not valid any more: it was used, replaced by a "
            "newer one, or it expired. Ask an admin for a new link."
        )


class ApiKeyRefused(ConsoleError):
    """An API key that is unknown, revoked, or whose owner is disabled."""


class ScopeNotAllowed(ConsoleError):
    """An API key asked for a scope its owner does not have."""


class SsoFailed(ConsoleError):
    """Single sign-on did not work: the message says why, without secrets."""
