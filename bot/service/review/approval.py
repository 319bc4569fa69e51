"""The review status of each map version (run): draft -> in review -> approved, and
back to draft with a reason. Who may make which move is the permission table's
(``maps:review`` submits and withdraws, ``maps:approve`` approves and reopens); who and
when is logged with the curation layer version the move was made on.

An approved version is read-only to curation: edits and undos are refused until
someone who may approve reopens it (back to draft, with a reason). Only a series'
latest run changes status (edits are made on it); a new run of the series starts as a
draft of its own, and earlier runs keep the status they were left with.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.console.permissions import ACTION_LABELS, Action
from bot.service.review.errors import ChangedMeanwhile, EditRefused, NotPermitted
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from storage import approvals as store
from storage.engines import write_session
from storage.types import utcnow

DRAFT = "draft"
IN_REVIEW = "in_review"
APPROVED = "approved"
STATUS_LABELS = {DRAFT: "Draft", IN_REVIEW: "In review", APPROVED: "Approved"}
# (from, to) -> the permission the move needs, and whether it needs a reason.
MOVES: dict[tuple[str, str], tuple[Action, bool]] = {
    (DRAFT, IN_REVIEW): (Action.MAPS_REVIEW, False),
    (IN_REVIEW, APPROVED): (Action.MAPS_APPROVE, False),
    (IN_REVIEW, DRAFT): (Action.MAPS_REVIEW, True),
    (APPROVED, DRAFT): (Action.MAPS_APPROVE, True),
}
MAX_REASON = 500


@dataclass(frozen=True)
class StatusView:
    run_id: int
    status: str
    changed_at: datetime | None
    changed_by: str
    layer_version: int

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def approved(self) -> bool:
        return self.status == APPROVED


@dataclass(frozen=True)
class StatusEvent:
    run_id: int
    from_status: str
    to_status: str
    reason: str
    actor: str
    at: datetime
    layer_version: int

    @property
    def words(self) -> str:
        to = STATUS_LABELS.get(self.to_status, self.to_status).lower()
        if self.to_status == DRAFT:
            return "reopened as a draft" if self.from_status == APPROVED else "sent back to draft"
        return "approved" if self.to_status == APPROVED else f"put {to}"


def moves_from(status: str, may: Callable[[Action], bool]) -> list[str]:
    """The statuses the caller may move a version in ``status`` to."""
    return [to for (frm, to), (action, _) in MOVES.items() if frm == status and may(action)]


class Approvals:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        review: ReviewService,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._review = review
        self._clock = clock

    def status(self, run_id: int) -> StatusView:
        return self.statuses([run_id])[run_id]

    def statuses(self, run_ids: Collection[int]) -> dict[int, StatusView]:
        """Every run's status (a run nobody has moved is a draft)."""
        with self._sessions() as session:
            rows = store.statuses(session, run_ids)
        return {
            run_id: StatusView(run_id, DRAFT, None, "", 0)
            if (row := rows.get(run_id)) is None
            else StatusView(
                run_id, row.status, row.changed_at, row.changed_by_name, row.layer_version
            )
            for run_id in run_ids
        }

    def events(self, run_ids: Collection[int]) -> list[StatusEvent]:
        """The status changes of these runs, newest first."""
        with self._sessions() as session:
            return [
                StatusEvent(
                    e.run_id,
                    e.from_status,
                    e.to_status,
                    e.reason,
                    e.actor_name,
                    e.created_at,
                    e.layer_version,
                )
                for e in store.events(session, run_ids)
            ]

    def move(
        self,
        run_id: int,
        *,
        editor: Editor,
        expected: str,
        to: str,
        reason: str,
        may: Callable[[Action], bool],
    ) -> StatusView:
        """Move the run from ``expected`` (the status its page showed) to ``to``.
        :class:`EditRefused` for a move that does not exist or is not the caller's to
        make, or without a reason it needs; :class:`ChangedMeanwhile` when the status
        is no longer ``expected``."""
        rule = MOVES.get((expected, to))
        if rule is None:
            raise EditRefused(
                f"A map cannot go from {STATUS_LABELS.get(expected, expected[:20]).lower()} "
                f"to {STATUS_LABELS.get(to, to[:20]).lower()}."
            )
        action, needs_reason = rule
        if not may(action):
            raise NotPermitted(f"Your role may not {ACTION_LABELS[action]}.")
        why = " ".join(reason.split())
        if needs_reason and not why:
            raise EditRefused("Say why it goes back to draft: the history keeps it.")
        if len(why) > MAX_REASON:
            raise EditRefused(f"Keep the reason under {MAX_REASON} characters.")
        run = self._review.library.run(run_id)
        latest = self._review.library.series_of(run.info).latest.id
        if latest != run_id:
            raise EditRefused(
                f"This is an earlier run of the map: its status stays as it was; review "
                f"the latest, run {latest}."
            )
        version = self._review.layers.read(run.info).version
        with write_session(self._sessions) as session:
            moved = store.move(
                session,
                run_id=run_id,
                from_status=expected,
                to_status=to,
                reason=why,
                actor_id=editor.user_id,
                actor_name=editor.name,
                layer_version=version,
                now=self._clock(),
            )
        if not moved:
            now = self.status(run_id)
            raise ChangedMeanwhile(
                f"{now.changed_by or 'Someone'} changed this map's status meanwhile: it is "
                f"{now.label.lower()} now. Nothing was changed; look again and choose."
            )
        return self.status(run_id)
