"""The curation layer of a map series, stored: reading its edits, adding one, undoing
one, each under optimistic concurrency (the version the page showed must still be the
layer's, or :class:`EditConflict`: nothing is stored and nothing is lost)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.errors import EditConflict, EditRefused, MapNotFound
from storage import queries
from storage import review as store
from storage.review_models import ReviewEdit
from synthesis.curation.edits import Edit
from synthesis.runs import RunInfo

MAX_REASON = 500


@dataclass(frozen=True)
class Editor:
    """Who makes a change: their account id and the name the log shows."""

    user_id: int | None
    name: str


@dataclass(frozen=True)
class EditView:
    """One edit of the log, as stored."""

    edit: Edit
    version: int
    run_id: int | None
    undone_at: datetime | None
    undone_by: str | None
    undone_version: int | None

    @property
    def id(self) -> int:
        return self.edit.id

    @property
    def author(self) -> str:
        return self.edit.author

    @property
    def active(self) -> bool:
        return self.undone_at is None


@dataclass(frozen=True)
class LayerView:
    """A series' layer: its version and its whole log, oldest first."""

    version: int
    edits: tuple[EditView, ...]

    @property
    def active(self) -> list[Edit]:
        return [e.edit for e in self.edits if e.active]

    def since(self, version: int) -> list[EditView]:
        """The changes made after ``version`` (edits, and undos as their edits)."""
        return [e for e in self.edits if e.version > version or (e.undone_version or 0) > version]


EMPTY = LayerView(version=0, edits=())


def edit_view(row: ReviewEdit) -> EditView:
    return EditView(
        edit=Edit(
            id=row.id,
            kind=row.kind,  # type: ignore[arg-type]  # written only by check_shape's kinds
            target_kind=row.target_kind,  # type: ignore[arg-type]
            target_id=row.target_id,
            payload=dict(row.payload),
            reason=row.reason,
            author=row.author_name,
            created_at=row.created_at,
        ),
        version=row.version,
        run_id=row.run_id,
        undone_at=row.undone_at,
        undone_by=row.undone_by_name,
        undone_version=row.undone_version,
    )


class Layers:
    """Reads layers through ``read_sessions``, writes through ``sessions``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        read_sessions: sessionmaker[Session],
        clock: Callable[[], datetime],
    ) -> None:
        self._sessions = sessions
        self._read_sessions = read_sessions
        self._clock = clock
        # The last log read per series: every change moves the version, so a log read at
        # the layer's current version is still the log (each page reads one number).
        self._known: dict[tuple[str, str], LayerView] = {}

    def read(self, info: RunInfo) -> LayerView:
        """The layer of the run's series (empty if nobody has edited it yet)."""
        with self._read_sessions() as session:
            return self._read(session, info)

    def _read(self, session: Session, info: RunInfo) -> LayerView:
        campaign = queries.get_campaign_by_slug(session, info.campaign)
        if campaign is None:
            raise MapNotFound(info.id)
        layer = store.get_layer(session, campaign_id=campaign.id, segment=info.segment)
        if layer is None:
            return EMPTY
        series = (info.campaign, info.segment)
        known = self._known.get(series)
        if known is not None and known.version == layer.version:
            return known
        rows = store.list_edits(session, layer.id)
        view = LayerView(version=layer.version, edits=tuple(edit_view(r) for r in rows))
        self._known[series] = view
        return view

    def add(
        self,
        info: RunInfo,
        *,
        editor: Editor,
        expected: int,
        kind: str,
        target_kind: str,
        target_id: str,
        payload: Mapping[str, Any],
        reason: str,
    ) -> EditView:
        """Store an edit made on the page of layer version ``expected``; raises
        :class:`EditConflict` when the layer moved on meanwhile."""
        why = _reason(reason)
        with self._sessions.begin() as session:
            layer_id = self._claim(session, info, expected)
            row = store.add_edit(
                session,
                layer_id=layer_id,
                kind=kind,
                target_kind=target_kind,
                target_id=target_id,
                payload=payload,
                reason=why,
                author_id=editor.user_id,
                author_name=editor.name,
                run_id=info.id,
                version=expected + 1,
                now=self._clock(),
            )
            return edit_view(row)

    def undo(self, info: RunInfo, edit_id: int, *, editor: Editor, expected: int) -> EditView:
        """Mark an edit undone (it stays in the log); :class:`EditConflict` as for
        :meth:`add`, :class:`EditRefused` for an unknown or already undone edit."""
        with self._sessions.begin() as session:
            layer_id = self._claim(session, info, expected)
            row = store.get_edit(session, layer_id=layer_id, edit_id=edit_id)
            if row is None:
                raise EditRefused(f"This map has no edit {edit_id}.")
            if row.undone_at is not None:
                raise EditRefused(f"Edit {edit_id} was undone already, by {row.undone_by_name}.")
            store.mark_undone(
                session,
                row,
                by_id=editor.user_id,
                by_name=editor.name,
                version=expected + 1,
                now=self._clock(),
            )
            return edit_view(row)

    def _claim(self, session: Session, info: RunInfo, expected: int) -> int:
        campaign = queries.get_campaign_by_slug(session, info.campaign)
        if campaign is None:
            raise MapNotFound(info.id)
        layer = store.ensure_layer(
            session, campaign_id=campaign.id, segment=info.segment, now=self._clock()
        )
        if not store.claim_version(
            session, layer_id=layer.id, expected=expected, now=self._clock()
        ):
            current = store.current_version(session, layer.id)
            view = self._read(session, info)
            raise EditConflict(expected=expected, current=current, since=list(view.since(expected)))
        return layer.id


def _reason(reason: str) -> str:
    why = " ".join(reason.split())
    if not why:
        raise EditRefused("Say why, in a few words: the log keeps it with your edit.")
    if len(why) > MAX_REASON:
        raise EditRefused(f"Keep the reason under {MAX_REASON} characters.")
    return why
