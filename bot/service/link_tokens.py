"""Tokens derived from a server secret: the personal link and the opt-out link of an
invitation, made again whenever a message needs them.

A stored invitation keeps a random salt and only the SHA-256 of each token (as every
link token, see ``bot.service.access_tokens``). The token itself is an HMAC of the salt
under the link secret, which lives outside the database: a reminder sent days later
carries the same link as the invitation, and a copy of the database alone opens
nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from bot.service.access_tokens import hash_token

LINK = "link"
OPT_OUT = "optout"


def new_salt() -> str:
    return secrets.token_hex(16)


@dataclass(frozen=True)
class LinkTokens:
    """Makes an invitation's tokens from ``secret``; ``public_url`` is where they work."""

    secret: bytes
    public_url: str

    def token(self, salt: str, purpose: str) -> str:
        """The token for ``purpose`` (``LINK`` or ``OPT_OUT``): 256 bits, URL-safe."""
        mac = hmac.new(self.secret, f"{purpose}:{salt}".encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(mac).rstrip(b"=").decode("ascii")

    def hashes(self, salt: str) -> tuple[str, str]:
        """What is stored for a new invitation: the link's and the opt-out's hashes."""
        return hash_token(self.token(salt, LINK)), hash_token(self.token(salt, OPT_OUT))

    def interview_link(self, salt: str) -> str:
        return f"{self.public_url.rstrip('/')}/i/{self.token(salt, LINK)}"

    def opt_out_link(self, salt: str) -> str:
        return f"{self.public_url.rstrip('/')}/o/{self.token(salt, OPT_OUT)}"


class LinkSecretChanged(RuntimeError):
    def __init__(self) -> None:
        super().__init__(
            "this invitation's link was made with another link secret "
            "(JOURNEYLINE_LINK_SECRET, or the link-secret file in the data folder): "
            "restore that secret, or every sent link stops matching"
        )
