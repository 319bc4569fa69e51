"""Secret link tokens: 256 random bits, stored and compared only as SHA-256 hashes."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", errors="replace")).hexdigest()


def token_matches(token: str, expected_hash: str | None) -> bool:
    """Constant-time check that `token` hashes to `expected_hash` (False when None)."""
    return expected_hash is not None and hmac.compare_digest(expected_hash, hash_token(token))
