"""Actions on a map series: what the company will do about a pain point or an
opportunity, with a title, an owner (a console user), a status (open, in progress,
done, dropped), a due date and the pain points it addresses.

Actions hang on the series and the stable ids of their cells, like the curation layer,
so they survive re-synthesis: a later run shows them on the same pain points. Creating
one carries the form's one-time key (a form posted twice makes one action); changing one
carries the version its page showed (a change made meanwhile is refused, not lost).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.application import cell_names
from bot.service.review.errors import ChangedMeanwhile, EditRefused, ReviewError
from bot.service.review.layer import Editor
from bot.service.review.series_ref import SeriesRef, series_ref
from bot.service.review.service import ReviewService
from storage import accounts
from storage import map_actions as store
from storage.engines import write_session
from storage.types import utcnow
from storage.workspace_models import MapAction

STATUSES = {"open": "Open", "in_progress": "In progress", "done": "Done", "dropped": "Dropped"}
SOURCES = ("pain", "opportunity")
MAX_TITLE = 200


@dataclass(frozen=True)
class ActionView:
    id: int
    title: str
    source_kind: str
    source_id: str
    pains: tuple[str, ...]
    owner_id: int | None
    owner_name: str
    status: str
    due_on: date | None
    version: int
    created_by: str
    created_at: datetime
    updated_at: datetime

    @property
    def status_label(self) -> str:
        return STATUSES.get(self.status, self.status)

    def overdue(self, today: date) -> bool:
        return (
            self.due_on is not None
            and self.due_on < today
            and self.status
            in {
                "open",
                "in_progress",
            }
        )


@dataclass(frozen=True)
class ActionFilters:
    status: str | None = None
    owner_id: int | None = None
    pain: str | None = None

    def keep(self, action: ActionView) -> bool:
        return (
            (self.status is None or action.status == self.status)
            and (self.owner_id is None or action.owner_id == self.owner_id)
            and (self.pain is None or self.pain in action.pains)
        )


def action_view(row: MapAction) -> ActionView:
    return ActionView(
        id=row.id,
        title=row.title,
        source_kind=row.source_kind,
        source_id=row.source_id,
        pains=tuple(row.pains or ()),
        owner_id=row.owner_id,
        owner_name=row.owner_name,
        status=row.status,
        due_on=row.due_on,
        version=row.version,
        created_by=row.created_by_name,
        created_at=row.created_at,
        updated_at=row.updated_at,
    )


def parse_due(value: str) -> date | None:
    """``YYYY-MM-DD`` (the date input's format), or None for no due date."""
    text = value.strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise EditRefused(f"A due date is a day like 2026-12-31, not {text[:20]!r}.") from None


class Actions:
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

    def owners(self) -> list[tuple[int, str]]:
        """Who may own an action: the active console users, by name."""
        with self._sessions() as session:
            users = [u for u in accounts.list_users(session) if u.disabled_at is None]
        return sorted(
            ((u.id, u.display_name or u.email) for u in users), key=lambda x: x[1].lower()
        )

    def list(self, run_id: int, filters: ActionFilters | None = None) -> list[ActionView]:
        """The actions of the run's series that pass ``filters``, oldest first."""
        info = self._review.library.run(run_id).info
        with self._sessions() as session:
            ref = series_ref(session, info)
            rows = store.series_actions(session, campaign_id=ref.campaign_id, segment=ref.segment)
            views = [action_view(r) for r in rows]
        wanted = filters or ActionFilters()
        return [a for a in views if wanted.keep(a)]

    def get(self, run_id: int, action_id: int) -> ActionView:
        """Action ``action_id``, if it belongs to the run's series."""
        info = self._review.library.run(run_id).info
        with self._sessions() as session:
            ref = series_ref(session, info)
            row = store.get_action(session, action_id)
            if row is None or (row.campaign_id, row.segment) != (ref.campaign_id, ref.segment):
                raise ReviewError(f"This map has no action {action_id}.")
            return action_view(row)

    def create(
        self,
        run_id: int,
        *,
        editor: Editor,
        source_kind: str,
        source_id: str,
        title: str,
        owner_id: int | None,
        due_on: str,
        pains: Sequence[str],
        request_key: str,
    ) -> ActionView:
        """A new open action on a pain point or opportunity of the run's map (the same
        action again when ``request_key`` was used before)."""
        reviewed = self._review.reviewed(run_id, personal=True)
        names = cell_names(reviewed)
        if source_kind not in SOURCES or (source_kind, source_id) not in names:
            raise EditRefused("Actions are made on a pain point or an opportunity of this map.")
        addressed = _pains(pains, names, also=source_id if source_kind == "pain" else None)
        due = parse_due(due_on)
        name = _title(title)
        now = self._clock()
        with write_session(self._sessions) as session:
            earlier = store.action_by_key(session, request_key)
            if earlier is not None:
                return action_view(earlier)
            ref: SeriesRef = series_ref(session, reviewed.run.info)
            owner = _owner(session, owner_id)
            row = store.add_action(
                session,
                MapAction(
                    campaign_id=ref.campaign_id,
                    segment=ref.segment,
                    title=name,
                    source_kind=source_kind,
                    source_id=source_id,
                    pains=addressed,
                    owner_id=owner[0],
                    owner_name=owner[1],
                    status="open",
                    due_on=due,
                    version=1,
                    created_by_name=editor.name,
                    created_at=now,
                    updated_at=now,
                    run_id=run_id,
                    request_key=request_key,
                ),
            )
            return action_view(row)

    def change(
        self,
        run_id: int,
        action_id: int,
        *,
        expected: int,
        title: str,
        owner_id: int | None,
        status: str,
        due_on: str,
        pains: Sequence[str],
    ) -> ActionView:
        """Change the action as its form says, if nobody changed it since version
        ``expected`` (else :class:`ChangedMeanwhile`)."""
        current = self.get(run_id, action_id)
        if status not in STATUSES:
            raise EditRefused(
                f"An action is open, in progress, done or dropped, not {status[:20]!r}."
            )
        names = cell_names(self._review.reviewed(run_id, personal=True))
        # Pain points that left the map since keep their place on the action.
        known = {*names, *(("pain", p) for p in current.pains)}
        addressed = _pains(
            pains, known, also=current.source_id if current.source_kind == "pain" else None
        )
        values: dict[str, Any] = {
            "title": _title(title),
            "status": status,
            "due_on": parse_due(due_on),
            "pains": addressed,
        }
        with write_session(self._sessions) as session:
            owner = _owner(session, owner_id)
            values.update(owner_id=owner[0], owner_name=owner[1])
            changed = store.change_action(
                session, action_id=action_id, expected=expected, values=values, now=self._clock()
            )
        if not changed:
            now = self.get(run_id, action_id)
            raise ChangedMeanwhile(
                f"Someone changed this action meanwhile (it is {now.status_label.lower()}, "
                f"owned by {now.owner_name}). Nothing was saved: look again and save yours."
            )
        return self.get(run_id, action_id)


def _title(title: str) -> str:
    name = " ".join(title.split())
    if not name:
        raise EditRefused("Give the action a title: what will be done?")
    if len(name) > MAX_TITLE:
        raise EditRefused(f"Keep the title under {MAX_TITLE} characters.")
    return name


def _pains(pains: Sequence[str], names: Any, *, also: str | None) -> list[str]:
    chosen = list(dict.fromkeys([*([also] if also else []), *(p for p in pains if p)]))
    unknown = [p for p in chosen if ("pain", p) not in names]
    if unknown:
        raise EditRefused(f"This map has no pain point {unknown[0][:40]!r}.")
    return chosen


def _owner(session: Session, owner_id: int | None) -> tuple[int, str]:
    user = None if owner_id is None else accounts.get_user(session, owner_id)
    if user is None or user.disabled_at is not None:
        raise EditRefused("Choose an owner: someone with an active console account.")
    return user.id, user.display_name or user.email
