"""Typed ORM model of read-only share links: a stored map run anyone with the link may
read, redacted, until the link expires or is revoked.

Only the SHA-256 of a link's token is stored (as for sessions and API keys), so the
database never holds a working link. Revoked and expired links are kept, so the map's
list of links says what was shared, by whom and until when.

The table hangs on ``storage.models.Base`` (``storage.models`` imports this module at
its end).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base
from storage.types import UTCDateTime, utcnow


class ShareLink(Base):
    __tablename__ = "share_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    run_id: Mapped[int] = mapped_column(
        ForeignKey("synthesis_runs.id", ondelete="CASCADE"), index=True
    )
    # Who made it (kept as a name too, so the list still reads after the account goes).
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("console_users.id", ondelete="SET NULL")
    )
    created_by_name: Mapped[str] = mapped_column(String(320))
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_by_name: Mapped[str | None] = mapped_column(String(320))
