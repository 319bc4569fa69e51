"""Read-only share links of a map version: made, listed and revoked by those who may
share maps (``maps:share``), opened by anyone who has the link, without signing in.

A link is ``/share/TOKEN`` with 256 random bits; only the token's SHA-256 is stored.
What it shows is the run's curated map published with personal data redacted, whoever
made the link and whatever their role. A revoked, expired or unknown token is one and
the same answer (:meth:`ShareLinks.open` returns None), so a visitor cannot tell a link
that once worked from one that never did.

Making a link is idempotent: the console's form carries the token it will create (made
when the form was shown), so a form sent twice makes one link, and the answer to the
second is the first's.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.service.access_tokens import hash_token, new_token
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from storage import shares as store
from storage.share_models import ShareLink
from storage.types import utcnow

SHARE_PATH = "/share/"
MAX_NOTE = 500
# What new_token makes: 32 random bytes, URL-safe base64 without padding.
_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")


class ShareRefused(ValueError):
    """A share link that cannot be made or changed as asked (the message says why)."""


@dataclass(frozen=True)
class ShareConfig:
    default_days: int = 30
    max_days: int = 90


@dataclass(frozen=True)
class ShareLinkView:
    id: int
    run_id: int
    created_by: str
    note: str
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    revoked_by: str | None

    def state(self, now: datetime) -> str:
        """``active``, ``expired`` or ``revoked``."""
        if self.revoked_at is not None:
            return "revoked"
        return "expired" if now >= self.expires_at else "active"


@dataclass(frozen=True)
class NewShareLink:
    """A link just made: its token is shown to its maker, and stored nowhere."""

    link: ShareLinkView
    token: str


def _view(row: ShareLink) -> ShareLinkView:
    return ShareLinkView(
        id=row.id,
        run_id=row.run_id,
        created_by=row.created_by_name,
        note=row.note,
        created_at=row.created_at,
        expires_at=row.expires_at,
        revoked_at=row.revoked_at,
        revoked_by=row.revoked_by_name,
    )


def fresh_token() -> str:
    """A token for a link form to carry (nothing is stored until the form is sent)."""
    return new_token()


class ShareLinks:
    """Share links over one database; ``clock`` tells expiry (tests move it)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        review: ReviewService,
        config: ShareConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._review = review
        self.config = config or ShareConfig()
        self._clock = clock

    def now(self) -> datetime:
        return self._clock()

    def create(
        self, run_id: int, *, token: str, editor: Editor, note: str = "", days: int | None = None
    ) -> NewShareLink:
        """A link to run ``run_id`` that works for ``days`` (default the config's), made
        with ``token`` (from :func:`fresh_token`). Sent again with the same token, the
        link made the first time. Raises :class:`ShareRefused` and, for a missing run,
        the review service's ``MapNotFound``."""
        if not _TOKEN_SHAPE.fullmatch(token):
            raise ShareRefused("This form is broken: reload the page and try again.")
        lifetime = self.config.default_days if days is None else days
        if not 1 <= lifetime <= self.config.max_days:
            raise ShareRefused(
                f"A share link works from 1 to {self.config.max_days} days, not {lifetime}."
            )
        text = " ".join(note.split())
        if len(text) > MAX_NOTE:
            raise ShareRefused(f"Keep the note under {MAX_NOTE} characters.")
        self._review.library.run(run_id)  # MapNotFound for a run that is not stored
        token_hash = hash_token(token)
        now = self._clock()
        try:
            with self._sessions.begin() as session:
                found = store.link_by_hash(session, token_hash)
                if found is None:
                    found = store.add_link(
                        session,
                        token_hash=token_hash,
                        run_id=run_id,
                        created_by_id=editor.user_id,
                        created_by_name=editor.name,
                        note=text,
                        created_at=now,
                        expires_at=now + timedelta(days=lifetime),
                    )
                view = _view(found)
        except IntegrityError:  # the same form, sent twice at once: the other one won
            with self._sessions() as session:
                row = store.link_by_hash(session, token_hash)
                if row is None:
                    raise
                view = _view(row)
        if view.run_id != run_id:
            raise ShareRefused("This form is broken: reload the page and try again.")
        return NewShareLink(link=view, token=token)

    def links(self, run_id: int) -> list[ShareLinkView]:
        """The run's links, newest first, revoked and expired ones included."""
        with self._sessions() as session:
            return [_view(r) for r in store.links_of_runs(session, [run_id])]

    def revoke(self, run_id: int, link_id: int, *, editor: Editor) -> ShareLinkView:
        """Revoke the run's link ``link_id`` (again: nothing changes). Raises
        :class:`ShareRefused` for a link that is not this run's."""
        with self._sessions.begin() as session:
            row = store.link_by_id(session, link_id)
            if row is None or row.run_id != run_id:
                raise ShareRefused("There is no such share link on this map.")
            store.revoke_link(session, link_id=link_id, by_name=editor.name, now=self._clock())
            session.refresh(row)
            return _view(row)

    def open(self, token: str) -> ShareLinkView | None:
        """The link behind ``token`` while it works; None for an unknown, revoked or
        expired one (all alike)."""
        if not _TOKEN_SHAPE.fullmatch(token):
            return None
        with self._sessions() as session:
            row = store.link_by_hash(session, hash_token(token))
            view = None if row is None else _view(row)
        if view is None or view.state(self._clock()) != "active":
            return None
        return view
