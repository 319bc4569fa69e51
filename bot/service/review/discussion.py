"""Discussion on a map: threads on its cells, replies, resolve and reopen, @mentions of
console users, and each user's "mentions for you".

A thread hangs on its map series and a cell's stable id (stage, pain point, opportunity,
emerging stage; a stage's lane by name), like the curation layer, so it stays on its
cell in every later run. Comments are plain text: pages escape them and nothing renders
Markdown. A mention is ``@`` and an email, or a name (``@Ana``, ``@ana.lima``); every
mention must name exactly one active console user, or nothing is stored and the error
says which did not. Each form carries a one-time key, so posting it twice stores one
comment. A mention is emailed (a scheduler job, once per mention) when the service is
told email is on.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.application import cell_names
from bot.service.review.errors import EditRefused, ReviewError
from bot.service.review.job_kinds import MENTION_EMAIL
from bot.service.review.layer import Editor
from bot.service.review.series_ref import series_ref
from bot.service.review.service import ReviewService
from storage import accounts, jobs
from storage import discussion as store
from storage.console_models import ConsoleUser
from storage.engines import write_session
from storage.types import utcnow
from storage.workspace_models import MapComment, MapThread

MAX_COMMENT = 4000
CELL_WORDS = {
    "stage": "stage",
    "pain": "pain point",
    "opportunity": "opportunity",
    "emerging": "emerging stage",
}
# A stage's lanes, in the map page's order (a thread may sit on one of them).
LANES = {
    "doing": "Doing",
    "thinking": "Thinking",
    "channels": "Channels",
    "people": "People",
    "tools": "Tools and systems",
    "time": "Time",
    "feeling": "Feeling",
    "pains": "Pains",
    "moments": "Moments of truth",
    "quotes": "Quotes",
}
# "@ana@example.com", "@ana.lima", "@Ana"; not the middle of an email (no word before).
_MENTION = re.compile(r"(?<![\w.@])@([\w.+-]+(?:@[\w-]+(?:\.[\w-]+)+)?)")


@dataclass(frozen=True)
class CommentView:
    id: int
    author: str
    body: str
    created_at: datetime
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class ThreadView:
    id: int
    cell_kind: str
    cell_id: str
    lane: str
    status: str
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    comments: tuple[CommentView, ...]
    # The cell's name on the map the thread is read with ("" when not known there).
    cell_name: str = ""

    @property
    def open(self) -> bool:
        return self.status == store.OPEN

    @property
    def where(self) -> str:
        """``stage “Waiting”, Feeling lane`` and the like (the id when the name is not
        known: a cell no longer on this run's map)."""
        lane = f", {LANES.get(self.lane, self.lane)} lane" if self.lane else ""
        name = f"“{self.cell_name}”" if self.cell_name else self.cell_id
        return f"{CELL_WORDS.get(self.cell_kind, self.cell_kind)} {name}{lane}"


@dataclass(frozen=True)
class MentionView:
    thread_id: int
    comment: CommentView
    cell_kind: str
    cell_id: str
    lane: str
    run_id: int | None
    campaign_id: int
    seen: bool
    cell_name: str = ""


class UnknownMentions(EditRefused):
    def __init__(self, names: Sequence[str], ambiguous: Sequence[str]) -> None:
        self.names = tuple(names)
        self.ambiguous = tuple(ambiguous)
        parts = []
        if names:
            parts.append("nobody in the console is called " + ", ".join(f"@{n}" for n in names))
        if ambiguous:
            parts.append(
                "more than one person answers to "
                + ", ".join(f"@{n}" for n in ambiguous)
                + " (use their email)"
            )
        super().__init__(
            "Your comment was not posted: " + "; ".join(parts) + ". Mention people by their "
            "email (@ana@example.com) or name (@Ana or @ana.lima)."
        )


def mention_keys(user: ConsoleUser) -> set[str]:
    """What ``@...`` may say to name ``user`` (compared lower-case)."""
    email = user.email.lower()
    keys = {email, email.partition("@")[0]}
    if user.display_name:
        name = user.display_name.strip().lower()
        words = name.split()
        keys.update({"".join(words), ".".join(words), "_".join(words), "-".join(words)})
        if words:
            keys.add(words[0])
    return keys


def resolve_mentions(text: str, users: Sequence[ConsoleUser]) -> list[ConsoleUser]:
    """The active users ``text`` mentions, in order; :class:`UnknownMentions` when a
    mention names nobody or more than one."""
    index: dict[str, list[ConsoleUser]] = {}
    for user in users:
        if user.disabled_at is None:
            for key in mention_keys(user):
                index.setdefault(key, []).append(user)
    found: dict[int, ConsoleUser] = {}
    unknown: list[str] = []
    ambiguous: list[str] = []
    for match in _MENTION.finditer(text):
        token = match.group(1).rstrip(".-")
        matches = index.get(token.lower(), [])
        if len(matches) == 1:
            found.setdefault(matches[0].id, matches[0])
        elif matches and token not in ambiguous:
            ambiguous.append(token)
        elif not matches and token not in unknown:
            unknown.append(token)
    if unknown or ambiguous:
        raise UnknownMentions(unknown, ambiguous)
    return list(found.values())


def new_request_key() -> str:
    """The one-time key a comment form carries."""
    return uuid.uuid4().hex


class Discussion:
    """Threads and mentions over the database of ``review`` (which checks the cells)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        review: ReviewService,
        email_mentions: bool = False,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self._sessions = sessions
        self._review = review
        self._email = email_mentions
        self._clock = clock

    def threads(
        self, run_id: int, *, cell: tuple[str, str] | None = None, open_only: bool = False
    ) -> list[ThreadView]:
        """Every thread of the run's series (or of one ``cell``: kind and id), oldest
        first, named as the run's map names their cells. ``open_only``: the open ones,
        without their comments (what the map page counts and lists)."""
        reviewed = self._review.reviewed(run_id, personal=True)
        names = cell_names(reviewed)
        with self._sessions() as session:
            ref = series_ref(session, reviewed.run.info)
            rows = store.series_threads(
                session,
                campaign_id=ref.campaign_id,
                segment=ref.segment,
                cell=cell,
                open_only=open_only,
            )
            views = _views(session, rows, comments=not open_only)
        return [replace(t, cell_name=names.get((t.cell_kind, t.cell_id), "")) for t in views]

    def start(
        self,
        run_id: int,
        *,
        editor: Editor,
        cell_kind: str,
        cell_id: str,
        lane: str,
        body: str,
        request_key: str,
    ) -> ThreadView:
        """Start a thread on a cell of the run's map with its first comment."""
        text = _body(body)
        reviewed = self._review.reviewed(run_id, personal=True)
        if (cell_kind, cell_id) not in cell_names(reviewed):
            raise EditRefused(
                f"There is no {CELL_WORDS.get(cell_kind, 'cell')} {cell_id[:40]!r} on this map."
            )
        if lane and (cell_kind != "stage" or lane not in LANES):
            raise EditRefused(f"A stage has no lane called {lane[:40]!r}.")
        now = self._clock()
        with write_session(self._sessions) as session:
            earlier = store.comment_by_key(session, request_key)
            if earlier is not None:  # the same form posted again
                return self._one(session, earlier.thread_id)
            mentioned = resolve_mentions(text, accounts.list_users(session))
            ref = series_ref(session, reviewed.run.info)
            thread = store.add_thread(
                session,
                campaign_id=ref.campaign_id,
                segment=ref.segment,
                cell_kind=cell_kind,
                cell_id=cell_id,
                lane=lane,
                run_id=run_id,
                now=now,
            )
            self._comment(session, thread.id, editor, text, request_key, mentioned, now)
            return self._one(session, thread.id)

    def reply(self, thread_id: int, *, editor: Editor, body: str, request_key: str) -> ThreadView:
        text = _body(body)
        now = self._clock()
        with write_session(self._sessions) as session:
            if store.comment_by_key(session, request_key) is not None:
                return self._one(session, thread_id)
            thread = store.get_thread(session, thread_id, for_update=True)
            if thread is None:
                raise ReviewError(f"There is no discussion {thread_id}.")
            mentioned = resolve_mentions(text, accounts.list_users(session))
            self._comment(session, thread.id, editor, text, request_key, mentioned, now)
            return self._one(session, thread.id)

    def set_open(self, thread_id: int, *, editor: Editor, open_: bool) -> ThreadView:
        """Reopen (``open_``) or resolve the thread; doing it twice changes nothing."""
        with write_session(self._sessions) as session:
            if store.get_thread(session, thread_id) is None:
                raise ReviewError(f"There is no discussion {thread_id}.")
            store.set_status(
                session,
                thread_id=thread_id,
                status=store.OPEN if open_ else store.RESOLVED,
                by_name=editor.name,
                now=self._clock(),
            )
            return self._one(session, thread_id)

    def thread(self, thread_id: int) -> ThreadView:
        with self._sessions() as session:
            return self._one(session, thread_id)

    def mentions_for(self, user_id: int, *, mark_seen: bool) -> list[MentionView]:
        """The user's mentions, newest first (then marked seen, with ``mark_seen``)."""
        with write_session(self._sessions) as session:
            rows = store.mentions_of(session, user_id)
            named = _mention_names(session, [c.id for _, c, _ in rows])
            views = [
                MentionView(
                    thread_id=t.id,
                    comment=_comment_view(c, named),
                    cell_kind=t.cell_kind,
                    cell_id=t.cell_id,
                    lane=t.lane,
                    run_id=t.run_id,
                    campaign_id=t.campaign_id,
                    seen=m.seen_at is not None,
                )
                for m, c, t in rows
            ]
            if mark_seen:
                store.mark_seen(session, user_id, now=self._clock())
        return [replace(v, cell_name=self._name(v)) for v in views]

    def _name(self, mention: MentionView) -> str:
        """The cell's name on the map the thread was started on ("" if that run is gone)."""
        if mention.run_id is None:
            return ""
        try:
            names = cell_names(self._review.reviewed(mention.run_id, personal=True))
        except ReviewError:
            return ""
        return names.get((mention.cell_kind, mention.cell_id), "")

    def unseen(self, user_id: int) -> int:
        with self._sessions() as session:
            return store.unseen_mentions(session, user_id)

    def _comment(
        self,
        session: Session,
        thread_id: int,
        editor: Editor,
        text: str,
        request_key: str,
        mentioned: list[ConsoleUser],
        now: datetime,
    ) -> None:
        comment = store.add_comment(
            session,
            thread_id=thread_id,
            body=text,
            author_id=editor.user_id,
            author_name=editor.name,
            request_key=request_key,
            mentioned=[u.id for u in mentioned if u.id != editor.user_id],
            now=now,
        )
        if self._email:
            for mention_id in store.mention_ids(session, comment.id):
                jobs.enqueue(
                    session,
                    kind=MENTION_EMAIL,
                    key=f"mention:{mention_id}",
                    run_at=now,
                    now=now,
                    payload={"mention": mention_id},
                )

    def _one(self, session: Session, thread_id: int) -> ThreadView:
        thread = store.get_thread(session, thread_id)
        if thread is None:
            raise ReviewError(f"There is no discussion {thread_id}.")
        return _views(session, [thread])[0]


def _body(body: str) -> str:
    text = body.strip().replace("\r\n", "\n")
    if not text:
        raise EditRefused("Write something first: the comment is empty.")
    if len(text) > MAX_COMMENT:
        raise EditRefused(f"Keep a comment under {MAX_COMMENT} characters.")
    return text


def _mention_names(session: Session, comment_ids: list[int]) -> dict[int, list[str]]:
    named: dict[int, list[str]] = {}
    for comment_id, user in store.mentions_in(session, comment_ids):
        named.setdefault(comment_id, []).append(user.display_name or user.email)
    return named


def _comment_view(row: MapComment, named: dict[int, list[str]]) -> CommentView:
    return CommentView(
        id=row.id,
        author=row.author_name,
        body=row.body,
        created_at=row.created_at,
        mentions=tuple(named.get(row.id, ())),
    )


def _views(
    session: Session, threads: Sequence[MapThread], *, comments: bool = True
) -> list[ThreadView]:
    rows = store.comments_of(session, [t.id for t in threads]) if comments else []
    return _with_comments(session, threads, rows)


def _with_comments(
    session: Session, threads: Sequence[MapThread], comments: Sequence[MapComment]
) -> list[ThreadView]:
    named = _mention_names(session, [c.id for c in comments])
    by_thread: dict[int, list[CommentView]] = {}
    for row in comments:
        by_thread.setdefault(row.thread_id, []).append(_comment_view(row, named))
    return [
        ThreadView(
            id=t.id,
            cell_kind=t.cell_kind,
            cell_id=t.cell_id,
            lane=t.lane,
            status=t.status,
            created_at=t.created_at,
            resolved_at=t.resolved_at,
            resolved_by=t.resolved_by_name,
            comments=tuple(by_thread.get(t.id, ())),
        )
        for t in threads
    ]
