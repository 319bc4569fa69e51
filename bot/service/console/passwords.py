"""Passwords: argon2id hashes (argon2-cffi) and the rules a new password must meet.

Only hashes are stored. A sign-in for an email nobody has still runs one verification
against a fixed hash, so the answer's timing does not tell which emails exist.
"""

from __future__ import annotations

import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from bot.service.console.errors import PasswordRejected

MIN_LENGTH = 10
# argon2 hashes whatever it is given; a megabyte "password" would only cost CPU.
MAX_LENGTH = 256
# Words of a generated temporary password: 4 groups of 4 from an alphabet without
# look-alikes (0/O, 1/l/I): about 80 bits, readable aloud over the phone.
_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class Passwords:
    """Hashing and checking passwords with one argon2 configuration.

    ``hasher`` defaults to argon2-cffi's ``PasswordHasher()`` (argon2id, RFC 9106's
    low-memory profile). Tests pass a cheaper one; hashes made with other parameters
    still verify, and are upgraded at the next successful sign-in.
    """

    def __init__(self, hasher: PasswordHasher | None = None) -> None:
        self.hasher = hasher or PasswordHasher()
        self._dummy: str | None = None  # made at the first sign-in, not at start-up

    def hash(self, password: str) -> str:
        return self.hasher.hash(password)

    def verify(self, password_hash: str | None, password: str) -> bool:
        """Whether ``password`` matches; with no hash (unknown user, SSO-only account),
        a verification against a dummy hash is still run and False returned."""
        if password_hash is None and self._dummy is None:
            self._dummy = self.hasher.hash(secrets.token_urlsafe(16))
        try:
            ok = self.hasher.verify(password_hash or self._dummy or "", password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False
        return ok and password_hash is not None

    def needs_rehash(self, password_hash: str) -> bool:
        return self.hasher.check_needs_rehash(password_hash)


def check_new_password(password: str, *, email: str) -> None:
    """Raise :class:`PasswordRejected` naming the rule a new password breaks."""
    if len(password) < MIN_LENGTH:
        raise PasswordRejected(
            f"Choose a password of at least {MIN_LENGTH} characters (a few words work well)."
        )
    if len(password) > MAX_LENGTH:
        raise PasswordRejected(f"Choose a password of at most {MAX_LENGTH} characters.")
    if not password.strip():
        raise PasswordRejected("A password cannot be only spaces.")
    lowered = password.lower()
    if lowered == email.lower() or lowered == email.split("@", 1)[0].lower():
        raise PasswordRejected("Choose a password that is not your email address.")
    if len(set(password)) < 4:
        raise PasswordRejected("Choose a password with more different characters.")


def temporary_password() -> str:
    """A random password an admin hands over: ``xxxx-xxxx-xxxx-xxxx``."""
    groups = ("".join(secrets.choice(_ALPHABET) for _ in range(4)) for _ in range(4))
    return "-".join(groups)
