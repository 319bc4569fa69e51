"""The interview service: the thin layer that loads an interview, runs the engine and
stores the whole turn (inbound message, facts, replies) in one transaction.

Guarantees every channel adapter relies on:
- the customer's message is stored before any reply is returned;
- the same `channel_message_id` delivered twice stores nothing twice and returns the
  replies stored the first time (retries, double clicks, Slack redeliveries);
- a crash mid-turn rolls the whole turn back, so a redelivery redoes it cleanly, and an
  interview always resumes from storage at its pending question;
- a bug in the engine never loses the customer's words: they are stored on their own and
  the customer gets an apology and the same question again.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.guide import Guide
from bot.conversation.messages import Choice, Hints, Inbound, Reply
from bot.conversation.progress import Progress, progress
from bot.conversation.sanitize import DEFAULT_MAX_CHARS, TextProblem, clean_text
from bot.conversation.state import InterviewState, next_position
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus, Slot
from bot.service.access_tokens import token_matches
from bot.service.campaign_guides import guide_for, guide_from_source
from bot.service.interview_cache import CachedInterview, InterviewCache
from bot.service.step_rows import step_record
from bot.service.transcripts import InterviewSnapshot, StoredMessage, snapshot_of
from storage import queries, turns
from storage.engines import TURN_CONNECTIONS, make_turn_engine
from storage.models import Campaign, Interview, Message, Participant
from storage.turns import WriteWouldWait
from storage.types import utcnow

log = logging.getLogger(__name__)

ERROR_REPLY = "Sorry, something went wrong on our side. Your answer is saved; let's try that again."


class InterviewNotFound(LookupError):
    def __init__(self, interview_id: str) -> None:
        self.interview_id = interview_id
        super().__init__(f"no interview with id {interview_id!r}")


class InterviewFinished(RuntimeError):
    def __init__(self, interview_id: str, status: str) -> None:
        self.interview_id = interview_id
        self.status = status
        super().__init__(f"interview {interview_id} is {status}: it takes no more answers")


class CampaignNotFound(LookupError):
    def __init__(self, slug: str) -> None:
        self.slug = slug
        super().__init__(f"no campaign with slug {slug!r} (see `journeyline campaigns list`)")


class CampaignClosed(PermissionError):
    def __init__(self, slug: str) -> None:
        super().__init__(f"campaign {slug!r} does not accept interviews from an open link")


@dataclass(frozen=True)
class TurnResult:
    """What a channel adapter needs after a turn."""

    interview_id: str
    status: InterviewStatus
    replies: tuple[Reply, ...]
    # True when this delivery was seen before: `replies` are the ones stored back then.
    duplicate: bool = False
    progress: Progress | None = None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


@dataclass(frozen=True)
class _TurnInput:
    text: str
    problem: TextProblem | None
    choice: str | None
    delivery_id: str
    reject_if_finished: bool
    access_token: str | None
    hints: Hints | None = None


EngineHandler = Callable[[InterviewState, Inbound, Guide], engine.EngineResult]


def campaign_and_participant(
    session: Session,
    *,
    campaign_slug: str,
    external_id: str | None,
    display_name: str | None = None,
    email: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> tuple[Campaign, Participant | None]:
    """The campaign (or `CampaignNotFound`) and, given an external id, its participant
    (created on first sight; a given name, email or attributes update the stored ones)."""
    campaign = queries.get_campaign_by_slug(session, campaign_slug)
    if campaign is None:
        raise CampaignNotFound(campaign_slug)
    if external_id is None:
        return campaign, None
    participant = queries.get_or_create_participant(
        session,
        campaign=campaign,
        external_id=external_id,
        display_name=display_name,
        email=email,
        attributes=dict(attributes or {}),
    )
    return campaign, participant


class InterviewService:
    """Starts interviews and handles customer messages, whatever the channel."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        *,
        max_message_chars: int = DEFAULT_MAX_CHARS,
        clock: Callable[[], datetime] = utcnow,
        handler: EngineHandler = engine.handle,
        serialize_writes: bool = False,
        read_sessions: sessionmaker[Session] | None = None,
        cache: InterviewCache | None = None,
        turn_connections: int = TURN_CONNECTIONS,
    ) -> None:
        self._sessions = session_factory
        bind = session_factory.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the session factory must be bound to an Engine (see storage.engines)")
        # The turn's hot path runs on driver connections of its own engine (`storage.turns`).
        self._engine: Engine = make_turn_engine(bind, connections=turn_connections)
        # Parsed interviews as this process last committed them (revision-checked).
        self._cache = cache if cache is not None else InterviewCache()
        # Transcript and status reads; on SQLite these need not queue for the writer.
        self.read_sessions = read_sessions or session_factory
        self._max_chars = max_message_chars
        self._clock = clock
        self._handle = handler
        # SQLite has one writer at a time; threads of one process that wait for it in
        # SQLite's busy handler sleep in growing steps and wake late. Queuing them on a
        # lock here hands the database over without gaps. (PostgreSQL locks rows instead.)
        self._write_lock: threading.Lock | None = threading.Lock() if serialize_writes else None

    @property
    def turn_engine(self) -> Engine:
        """The engine the turn's own statements run on (see `storage.engines.make_turn_engine`)."""
        return self._engine

    @property
    def answers_without_waiting(self) -> bool:
        """Whether `handle_message_now` can answer at all: on SQLite, where a turn waits
        on nothing but the one write lock, and without a language model to wait for."""
        return self._write_lock is not None

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction (committed on success), queued behind this process's others
        when writes are serialised."""
        with self._write_lock or nullcontext(), self._sessions.begin() as session:
            yield session

    @contextmanager
    def _write_connection(self, *, wait: bool = True) -> Iterator[turns.TurnConnection]:
        """Like `_write`, on the database driver's connection (see `storage.turns`). With
        `wait=False`, raises `WriteWouldWait` (having done nothing) instead of waiting for
        another writer of this process or of another one, and whenever this service does
        not answer without waiting at all (`answers_without_waiting`)."""
        if not wait and not self.answers_without_waiting:
            raise WriteWouldWait("this service's turns may wait: run them in a thread")
        lock = self._write_lock
        if lock is not None and not lock.acquire(blocking=wait):
            raise WriteWouldWait("another turn of this process is writing")
        try:
            with turns.begin(self._engine, wait=wait) as connection:
                yield connection
        finally:
            if lock is not None:
                lock.release()

    # --- starting and reading ------------------------------------------------------

    def start_interview(
        self,
        *,
        campaign_slug: str,
        channel: str,
        participant_external_id: str | None = None,
        participant_attributes: Mapping[str, Any] | None = None,
        display_name: str | None = None,
        email: str | None = None,
        access_token_hash: str | None = None,
    ) -> TurnResult:
        """Create an interview and store the bot's opening (introduction, consent question).

        `access_token_hash` is the hash of the secret that opens it on the web, if any.
        """
        with self._write() as session:
            campaign, participant = campaign_and_participant(
                session,
                campaign_slug=campaign_slug,
                external_id=participant_external_id,
                display_name=display_name,
                email=email,
                attributes=participant_attributes,
            )
            interview, replies = self.open_interview(
                session,
                campaign=campaign,
                participant=participant,
                channel=channel,
                access_token_hash=access_token_hash,
            )
            return TurnResult(interview.public_id, InterviewStatus(interview.status), replies)

    def start_anonymous(
        self,
        *,
        campaign_slug: str,
        channel: str,
        access_token_hash: str | None,
        wait: bool = True,
    ) -> InterviewSnapshot:
        """Start an anonymous interview from a campaign's open link; its snapshot.

        The web's hot start: Core statements, no re-read for the snapshot (it is the
        opening just stored), and the interview goes into the cache for its first turn.
        Raises `CampaignNotFound`, or `CampaignClosed` when the campaign has no open link;
        with `wait=False` (see `handle_message_now`), `WriteWouldWait` when the database is
        being written by someone else, or when this service never answers without waiting.
        """
        now = self._clock()
        with self._write_connection(wait=wait) as connection:
            campaign = turns.campaign_by_slug(connection, campaign_slug)
            if campaign is None:
                raise CampaignNotFound(campaign_slug)
            if not campaign.open_link:
                raise CampaignClosed(campaign_slug)
            guide = guide_from_source(campaign.guide_source, campaign.consent_text)
            result = engine.start(guide)
            state = result.state
            interview_id, public_id = turns.insert_interview(
                connection,
                campaign_id=campaign.id,
                channel=channel,
                status=state.status,
                engine_state_json=state.model_dump_json(),
                access_token_hash=access_token_hash,
                now=now,
            )
            ids = turns.insert_replies(
                connection,
                interview_id=interview_id,
                in_reply_to_id=None,
                replies=[_reply_row(reply) for reply in result.replies],
                now=now,
                returning_ids=True,
            )
        status = InterviewStatus(state.status)
        self._cache.put(
            CachedInterview(
                id=interview_id,
                public_id=public_id,
                revision=0,
                status=status,
                state=state,
                guide=guide,
                consent=None,
                completed=False,
                access_token_hash=access_token_hash,
            )
        )
        messages = tuple(
            StoredMessage(
                id=message_id,
                direction=queries.OUTBOUND,
                text=reply.text,
                slot=reply.slot,
                choices=reply.choices,
                items=reply.items,
                created_at=now,
            )
            for message_id, reply in zip(ids, result.replies, strict=True)
        )
        return InterviewSnapshot(
            interview_id=public_id,
            status=status,
            messages=messages,
            pending=tuple(engine.current_question(state, guide)),
            progress=progress(state, guide),
        )

    def open_interview(
        self,
        session: Session,
        *,
        campaign: Campaign,
        participant: Participant | None,
        channel: str,
        access_token_hash: str | None = None,
    ) -> tuple[Interview, tuple[Reply, ...]]:
        """Create an interview inside the caller's transaction and store the opening."""
        result = engine.start(guide_for(campaign))
        interview = queries.create_interview(
            session,
            campaign=campaign,
            participant=participant,
            channel=channel,
            status=result.state.status,
            engine_state=result.state.model_dump(mode="json"),
        )
        interview.started_at = self._clock()
        interview.access_token_hash = access_token_hash
        for reply in result.replies:
            _store_reply(session, interview, reply, in_reply_to=None)
        return interview, result.replies

    def pending(self, interview_id: str) -> TurnResult:
        """The question the interview waits on (to resume after a restart). Stores nothing."""
        with self.read_sessions() as session:
            interview = self._load(session, interview_id, lock=False)
            state = InterviewState.model_validate(interview.engine_state)
            replies = engine.current_question(state, guide_for(interview.campaign))
            return TurnResult(
                interview.public_id, InterviewStatus(interview.status), tuple(replies)
            )

    def snapshot(self, interview_id: str) -> InterviewSnapshot:
        """Everything a client shows: transcript, status, pending question and progress."""
        with self.read_sessions() as session:
            interview = self._load(session, interview_id, lock=False)
            return snapshot_of(session, interview)

    # --- the turn --------------------------------------------------------------------

    def handle_message(
        self,
        *,
        interview_id: str,
        text: str | bytes = "",
        choice: str | None = None,
        channel_message_id: str | None = None,
        reject_if_finished: bool = False,
        access_token: str | None = None,
        hints: Hints | None = None,
    ) -> TurnResult:
        """Store one customer message, run the engine, store and return the replies.

        `channel_message_id` is the channel's id for this delivery (Slack event id, the web
        client's message id); give it whenever the channel can redeliver. Raises
        `InterviewNotFound` for an unknown interview; with `reject_if_finished`, raises
        `InterviewFinished` (storing nothing) instead of answering a finished interview,
        unless the message is a redelivery of one it already answered. With
        `access_token`, the interview must be the one that token opens (checked in the same
        transaction), else `InterviewNotFound`. `hints` are a language model's validated
        reading of the text (see `bot.llm`), given to the engine with the message.
        """
        turn = self._turn_input(
            text, choice, channel_message_id, reject_if_finished, access_token, hints
        )
        try:
            return self._turn(interview_id, turn)
        except IntegrityError:
            # A concurrent delivery of the same message won the race: answer as it did.
            return self._replay(interview_id, turn.delivery_id)
        except (InterviewNotFound, CampaignNotFound, InterviewFinished):
            raise
        except Exception:
            log.exception("turn failed for interview %s; storing the message alone", interview_id)
            return self._store_after_failure(interview_id, turn.text, choice, turn.delivery_id)

    def handle_message_now(
        self,
        *,
        interview_id: str,
        text: str | bytes = "",
        choice: str | None = None,
        channel_message_id: str | None = None,
        reject_if_finished: bool = False,
        access_token: str | None = None,
    ) -> TurnResult | None:
        """`handle_message` for a caller that must not block (the web server's event
        loop): the same turn, when it can run at once. None, with nothing stored, when
        it would have to wait (another writer holds the database) or went wrong in any
        way the caller did not ask about (a racing redelivery, an engine failure): then
        call `handle_message` from a worker thread, which waits for the database and
        handles those cases. Always None unless `answers_without_waiting`."""
        if not self.answers_without_waiting:
            return None
        turn = self._turn_input(
            text, choice, channel_message_id, reject_if_finished, access_token, hints=None
        )
        try:
            return self._turn(interview_id, turn, wait=False)
        except (InterviewNotFound, CampaignNotFound, InterviewFinished):
            raise
        except Exception:  # WriteWouldWait, or a case handle_message handles: rolled back
            return None

    def _turn_input(
        self,
        text: str | bytes,
        choice: str | None,
        channel_message_id: str | None,
        reject_if_finished: bool,
        access_token: str | None,
        hints: Hints | None,
    ) -> _TurnInput:
        cleaned = clean_text(text, max_chars=self._max_chars)
        return _TurnInput(
            cleaned.text,
            cleaned.problem,
            choice,
            channel_message_id or uuid.uuid4().hex,
            reject_if_finished,
            access_token,
            hints,
        )

    def _turn(self, interview_id: str, turn: _TurnInput, *, wait: bool = True) -> TurnResult:
        try:
            return self._turn_once(interview_id, turn, wait=wait)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # The database dropped the connection (PostgreSQL restarted, say) and the pool
            # has been emptied. The turn was rolled back; or, had its commit gone through
            # just before, the same delivery now answers as it did. Either way, once more.
            # Only the driver's first line: the statement's parameters are customer text.
            reason = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
            log.warning("database connection lost during a turn (%s); running it again", reason)
            return self._turn_once(interview_id, turn, wait=wait)

    def _turn_once(self, interview_id: str, turn: _TurnInput, *, wait: bool) -> TurnResult:
        # The hot path: a few statements on the driver's connection (no ORM session), and
        # the interview's parsed state from the cache when its revision proves it current.
        now = self._clock()
        with self._write_connection(wait=wait) as connection:
            entry, claim = self._claim(connection, interview_id, turn, now=now)
            result, committed = self._turn_on(connection, entry, turn, claim, now=now)
        if committed is not None:
            self._cache.put(committed)
        return result

    def _claim(
        self,
        connection: turns.TurnConnection,
        interview_id: str,
        turn: _TurnInput,
        *,
        now: datetime,
    ) -> tuple[CachedInterview, turns.Claim | None]:
        """The interview, locked for this transaction, as the database holds it now; and,
        when the cached copy proved current, the customer's message stored along with
        taking the lock (on PostgreSQL one statement, so one round trip, instead of two).
        No claim: the caller stores the message, if it stores it at all."""
        cached = self._cache.get(interview_id)
        if cached is not None and _opens(cached, turn) and _stores(cached, turn):
            claim = turns.lock_and_insert_inbound(
                connection,
                interview_id=cached.id,
                expected_revision=cached.revision,
                text=turn.text,
                choice=turn.choice,
                slot=_inbound_slot(cached),
                channel_message_id=turn.delivery_id,
                now=now,
            )
            if claim.revision == cached.revision:
                return cached, claim
            # Changed by another process since (or gone): read it afresh, still locked.
        entry = self._current(connection, interview_id)
        if not _opens(entry, turn):
            raise InterviewNotFound(interview_id)
        return entry, None

    def _current(self, connection: turns.TurnConnection, interview_id: str) -> CachedInterview:
        """The interview, locked for this transaction, as the database holds it now."""
        entry = self._cache.get(interview_id)
        if entry is not None and turns.lock_revision(connection, entry.id) == entry.revision:
            return entry
        row = turns.load_interview(connection, interview_id, lock=True)
        if row is None:
            self._cache.forget(interview_id)
            raise InterviewNotFound(interview_id)
        entry = CachedInterview(
            id=row.id,
            public_id=row.public_id,
            revision=row.revision,
            status=InterviewStatus(row.status),
            state=InterviewState.model_validate(row.engine_state),
            guide=guide_from_source(row.guide_source, row.consent_text),
            consent=row.consent,
            completed=row.completed,
            access_token_hash=row.access_token_hash,
        )
        self._cache.put(entry)
        return entry

    def _turn_on(
        self,
        connection: turns.TurnConnection,
        entry: CachedInterview,
        turn: _TurnInput,
        claim: turns.Claim | None,
        *,
        now: datetime,
    ) -> tuple[TurnResult, CachedInterview | None]:
        """The turn inside its transaction, which it commits: the result, and the
        interview as this turn leaves it (None when it stored nothing). ``claim``: the
        message was already offered to storage (see `_claim`)."""
        text, problem, choice, delivery_id = turn.text, turn.problem, turn.choice, turn.delivery_id
        guide, state = entry.guide, entry.state
        if claim is not None:
            inbound_id = claim.inbound_id
        else:
            if not _stores(entry, turn):
                answered = self._answer_unstored(connection, entry, turn)
                if answered is not None:
                    return answered, None
                # A finished interview that still takes messages: stored; the engine answers.
            inbound_id = self._insert_inbound(connection, entry, turn, now=now)
        if inbound_id is None:  # this delivery was stored before: answer as back then
            earlier = turns.find_inbound_id(
                connection, interview_id=entry.id, channel_message_id=delivery_id
            )
            assert earlier is not None
            return self._replayed_core(connection, entry, earlier), None
        if problem == TextProblem.TOO_LONG:
            replies = _note_then_question(guide, state, "too_long", max_chars=self._max_chars)
            new_state = state
        else:
            result = self._handle(
                state,
                Inbound(text=text, choice=choice, message_id=inbound_id, hints=turn.hints),
                guide,
            )
            replies, new_state = result.replies, result.state
        with connection.last_writes():  # the rest only writes, then commits
            turns.insert_replies(
                connection,
                interview_id=entry.id,
                in_reply_to_id=inbound_id,
                replies=[_reply_row(reply) for reply in replies],
                now=now,
            )
            committed = self._write_state(connection, entry, new_state, inbound_id, now=now)
        return (
            TurnResult(
                entry.public_id, new_state.status, replies, progress=progress(new_state, guide)
            ),
            committed,
        )

    def _answer_unstored(
        self, connection: turns.TurnConnection, entry: CachedInterview, turn: _TurnInput
    ) -> TurnResult | None:
        """The rare turns that store nothing (see `_stores`), or None when this one is to be
        stored after all (a finished interview that still takes messages). A redelivery
        still gets its first answer."""
        guide, state, status = entry.guide, entry.state, entry.status
        earlier = turns.find_inbound_id(
            connection, interview_id=entry.id, channel_message_id=turn.delivery_id
        )
        if earlier is not None:
            return self._replayed_core(connection, entry, earlier)
        if turn.reject_if_finished and status in FINISHED_STATUSES:
            raise InterviewFinished(entry.public_id, status)
        if status == InterviewStatus.DECLINED:
            # Nothing but the refusal is ever kept for a declined interview.
            reply = Reply(text=guide.say("already_finished"), slot=Slot.DONE)
            return TurnResult(entry.public_id, status, (reply,))
        if turn.problem == TextProblem.EMPTY and turn.choice is None:
            # Nothing to store; say so and ask again.
            return TurnResult(
                entry.public_id, status, _note_then_question(guide, state, "empty_message")
            )
        return None

    @staticmethod
    def _insert_inbound(
        connection: turns.TurnConnection,
        entry: CachedInterview,
        turn: _TurnInput,
        *,
        now: datetime,
    ) -> int | None:
        return turns.insert_inbound(
            connection,
            interview_id=entry.id,
            text=turn.text,
            choice=turn.choice,
            slot=_inbound_slot(entry),
            channel_message_id=turn.delivery_id,
            now=now,
        )

    def _write_state(
        self,
        connection: turns.TurnConnection,
        entry: CachedInterview,
        state: InterviewState,
        inbound_id: int,
        *,
        now: datetime,
    ) -> CachedInterview:
        """Write the engine state and everything it understood into the interview's rows;
        return the interview as it will be once the transaction commits."""
        values: dict[str, Any] = {
            "engine_state": state.model_dump_json(),
            "status": state.status.value,
            "consent": state.consent,
            "problem": state.problem,
            "moment_of_truth": state.moment_of_truth,
            "moment_of_truth_step": state.moment_of_truth_step,
            "resolved": state.resolved,
            "effort": state.effort,
            "improvement": state.improvement,
            "anything_else": state.anything_else,
            "extra_answers": dict(state.extra_answers),
            "updated_at": now,
        }
        if state.consent is not None and entry.consent is None:
            values["consent_at"] = now
        completed = entry.completed
        if state.status == InterviewStatus.COMPLETED and not completed:
            values["completed_at"] = now
            completed = True
        revision = entry.revision + 1
        turns.update_interview(connection, interview_id=entry.id, revision=revision, values=values)
        before = {step.ordinal: step for step in entry.state.steps}
        ordinals = {step.ordinal for step in state.steps}
        turns.save_steps(
            connection,
            interview_id=entry.id,
            changed=[step_record(s) for s in state.steps if before.get(s.ordinal) != s],
            removed=[ordinal for ordinal in before if ordinal not in ordinals],
        )
        if state.status == InterviewStatus.DECLINED:
            turns.redact_inbound_except(
                connection, interview_id=entry.id, keep_message_id=inbound_id
            )
        return dataclasses.replace(
            entry,
            revision=revision,
            status=InterviewStatus(state.status),
            state=state,
            consent=state.consent,
            completed=completed,
        )

    def _replayed_core(
        self, connection: turns.TurnConnection, entry: CachedInterview, inbound_id: int
    ) -> TurnResult:
        return TurnResult(
            interview_id=entry.public_id,
            status=entry.status,
            replies=tuple(reply_from_message(r) for r in turns.replies_to(connection, inbound_id)),
            duplicate=True,
            progress=progress(entry.state, entry.guide),
        )

    def _replay(self, interview_id: str, delivery_id: str) -> TurnResult:
        with self._write() as session:
            interview = self._load(session, interview_id, lock=False)
            earlier = queries.find_inbound(
                session, interview_id=interview.id, channel_message_id=delivery_id
            )
            if earlier is None:  # the IntegrityError was something else: surface it
                raise RuntimeError(f"could not store message for interview {interview_id}")
            return _replayed(interview, earlier, queries.replies_to(session, earlier.id))

    def _store_after_failure(
        self, interview_id: str, text: str, choice: str | None, delivery_id: str
    ) -> TurnResult:
        """The engine failed: keep the words, apologise, ask the pending question again."""
        with self._write() as session:
            interview = self._load(session, interview_id, lock=True)
            earlier = queries.find_inbound(
                session, interview_id=interview.id, channel_message_id=delivery_id
            )
            inbound = earlier or queries.add_message(
                session,
                interview=interview,
                direction=queries.INBOUND,
                text=text,
                choice=choice,
                channel_message_id=delivery_id,
            )
            state = InterviewState.model_validate(interview.engine_state)
            question = engine.current_question(state, guide_for(interview.campaign))
            replies = (Reply(text=ERROR_REPLY), *question)
            for reply in replies:
                _store_reply(session, interview, reply, in_reply_to=inbound)
            return TurnResult(interview.public_id, InterviewStatus(interview.status), replies)

    @staticmethod
    def _load(session: Session, interview_id: str, *, lock: bool) -> Interview:
        interview = queries.get_interview(session, interview_id, for_update=lock)
        if interview is None:
            raise InterviewNotFound(interview_id)
        return interview


def _opens(entry: CachedInterview, turn: _TurnInput) -> bool:
    """Whether the turn's access token, if it has one, is the interview's."""
    return turn.access_token is None or token_matches(turn.access_token, entry.access_token_hash)


def _stores(entry: CachedInterview, turn: _TurnInput) -> bool:
    """Whether the turn stores the customer's message (rare exceptions: a finished
    interview, an empty message)."""
    return entry.status not in FINISHED_STATUSES and not (
        turn.problem == TextProblem.EMPTY and turn.choice is None
    )


def _inbound_slot(entry: CachedInterview) -> str | None:
    """The slot a customer message answers: the question the interview waits on."""
    if entry.status in FINISHED_STATUSES:
        return None
    return next_position(entry.state, entry.guide).slot


def _note_then_question(
    guide: Guide, state: InterviewState, key: str, **values: object
) -> tuple[Reply, ...]:
    return (Reply(text=guide.say(key, **values)), *engine.current_question(state, guide))


def _reply_row(reply: Reply) -> turns.ReplyRow:
    return turns.ReplyRow(
        text=reply.text,
        slot=reply.slot,
        choices=[choice.model_dump() for choice in reply.choices] or None,
        items=list(reply.items) or None,
    )


def _store_reply(
    session: Session, interview: Interview, reply: Reply, *, in_reply_to: Message | None
) -> None:
    row = _reply_row(reply)
    queries.add_message(
        session,
        interview=interview,
        direction=queries.OUTBOUND,
        text=row.text,
        slot=row.slot,
        choices=row.choices,
        items=row.items,
        in_reply_to=in_reply_to,
        flush=False,  # nobody needs the reply's id before the turn commits
    )


def _replayed(interview: Interview, inbound: Message, replies: list[Message]) -> TurnResult:
    state = InterviewState.model_validate(interview.engine_state)
    return TurnResult(
        interview_id=interview.public_id,
        status=InterviewStatus(interview.status),
        replies=tuple(reply_from_message(m) for m in replies),
        duplicate=True,
        progress=progress(state, guide_for(interview.campaign)),
    )


def reply_from_message(message: Message | turns.ReplyRow) -> Reply:
    """A stored outbound message (ORM row or Core row) as the `Reply` it was."""
    return Reply(
        text=message.text,
        slot=message.slot,
        choices=tuple(Choice(**c) for c in (message.choices or [])),
        items=tuple(message.items or ()),
    )
