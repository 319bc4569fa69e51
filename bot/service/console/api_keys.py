"""API keys for automation: ``jl_`` + 256 random bits, shown once, stored as SHA-256.

A key's scopes are a subset of its owner's permissions when it is made; at each use the
owner's role of the moment is checked too (``Principal.may``), so demoting or disabling
the owner takes power away from their keys without touching them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token, new_token
from bot.service.console.accounts import user_view
from bot.service.console.config import ConsoleConfig
from bot.service.console.errors import ApiKeyRefused, InvalidUserInput, ScopeNotAllowed
from bot.service.console.permissions import Action, key_scopes_for
from bot.service.console.views import ApiKeyView, NewApiKey, Principal
from storage import accounts
from storage.console_models import ApiKey

KEY_PREFIX = "jl_"
# Characters of the key kept in the clear, to recognise it in a list ("jl_" + 6).
SHOWN_CHARACTERS = 9
MAX_KEY_NAME = 100
UNKNOWN_KEY = "This API key is not valid: it is unknown or was revoked."


def key_view(row: ApiKey) -> ApiKeyView:
    return ApiKeyView(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=tuple(row.scopes),
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        revoked_at=row.revoked_at,
    )


class ApiKeys:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        config: ConsoleConfig,
        clock: Callable[[], datetime],
        read_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions or sessions
        self._config = config
        self._clock = clock

    def create(self, user_id: int, *, name: str, scopes: Iterable[str]) -> NewApiKey:
        """A new key for the user with ``scopes``, each of which the user's role must
        allow; raises :class:`ScopeNotAllowed` or :class:`InvalidUserInput`."""
        label = name.strip()
        if not label:
            raise InvalidUserInput("Give the key a name, such as the script that will use it.")
        if len(label) > MAX_KEY_NAME:
            raise InvalidUserInput(f"Keep the key's name under {MAX_KEY_NAME} characters.")
        wanted = sorted(set(scopes))
        if not wanted:
            raise InvalidUserInput("Choose at least one thing the key may do.")
        with self._sessions.begin() as session:
            owner = accounts.get_user(session, user_id)
            if owner is None or owner.disabled_at is not None:
                raise ApiKeyRefused("Only an active user can make API keys.")
            allowed = {scope.value for scope in key_scopes_for(owner.role)}
            refused = [scope for scope in wanted if scope not in allowed]
            if refused:
                raise ScopeNotAllowed(
                    f"Your role ({owner.role}) cannot give a key {', '.join(refused)}; "
                    f"it may give {', '.join(sorted(allowed)) or 'nothing'}."
                )
            token = KEY_PREFIX + new_token()
            row = accounts.add_api_key(
                session,
                user_id=user_id,
                name=label,
                prefix=token[:SHOWN_CHARACTERS],
                token_hash=hash_token(token),
                scopes=wanted,
                now=self._clock(),
            )
            return NewApiKey(key=key_view(row), token=token)

    def list_for(self, user_id: int) -> list[ApiKeyView]:
        with self._read_sessions.begin() as session:
            return [key_view(row) for row in accounts.list_api_keys(session, user_id)]

    def revoke(self, user_id: int, key_id: int) -> bool:
        """Revoke one of the user's keys; False when it was not theirs or already revoked."""
        with self._sessions.begin() as session:
            return accounts.revoke_api_key(
                session, key_id=key_id, user_id=user_id, now=self._clock()
            )

    def authenticate(self, token: str) -> Principal:
        """Who a bearer key speaks for, with its scopes; :class:`ApiKeyRefused` for an
        unknown or revoked key or a disabled owner. Records the use (at most once a
        ``config.touch_every``)."""
        if not token.startswith(KEY_PREFIX):
            raise ApiKeyRefused(UNKNOWN_KEY)
        now = self._clock()
        with self._read_sessions.begin() as session:
            found = accounts.api_key_with_owner(session, hash_token(token))
            if found is None or found[0].revoked_at is not None:
                raise ApiKeyRefused(UNKNOWN_KEY)
            key, owner = found
            if owner.disabled_at is not None:
                raise ApiKeyRefused("The owner of this API key is disabled.")
            principal = Principal(
                user=user_view(owner),
                api_key_id=key.id,
                scopes=frozenset(Action(scope) for scope in key.scopes if scope in _SCOPES),
            )
            last_used = key.last_used_at
        touch_before = now - self._config.touch_every
        if last_used is None or last_used < touch_before:
            with self._sessions.begin() as session:
                accounts.mark_api_key_used(session, key_id=key.id, now=now, before=touch_before)
        return principal


_SCOPES = {action.value for action in Action}
