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
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot import engine
from bot.campaign_guide import guide_for
from bot.guide import Guide
from bot.messages import Choice, Hints, Inbound, Reply
from bot.progress import Progress, progress
from bot.sanitize import DEFAULT_MAX_CHARS, TextProblem, clean_text
from bot.snapshots import InterviewSnapshot, snapshot_of
from bot.state import InterviewState, StepDraft, next_position
from bot.tokens import token_matches
from bot.vocabulary import FINISHED_STATUSES, InterviewStatus, Slot
from storage import queries
from storage.models import Campaign, Interview, Message, Participant
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
    ) -> None:
        self._sessions = session_factory
        # Transcript and status reads; on SQLite these need not queue for the writer.
        self.read_sessions = read_sessions or session_factory
        self._max_chars = max_message_chars
        self._clock = clock
        self._handle = handler
        # SQLite has one writer at a time; threads of one process that wait for it in
        # SQLite's busy handler sleep in growing steps and wake late. Queuing them on a
        # lock here hands the database over without gaps. (PostgreSQL locks rows instead.)
        self._write_lock: AbstractContextManager[object] = (
            threading.Lock() if serialize_writes else nullcontext()
        )

    @contextmanager
    def _write(self) -> Iterator[Session]:
        """One write transaction (committed on success), queued behind this process's others
        when writes are serialised."""
        with self._write_lock, self._sessions.begin() as session:
            yield session

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
        cleaned = clean_text(text, max_chars=self._max_chars)
        delivery_id = channel_message_id or uuid.uuid4().hex
        turn = _TurnInput(
            cleaned.text,
            cleaned.problem,
            choice,
            delivery_id,
            reject_if_finished,
            access_token,
            hints,
        )
        try:
            try:
                return self._turn(interview_id, turn)
            except StaleDataError:
                # Another writer changed the interview between our read and write (only
                # possible where row locks are unavailable): redo the turn on fresh state.
                return self._turn(interview_id, turn)
        except IntegrityError:
            # A concurrent delivery of the same message won the race: answer as it did.
            return self._replay(interview_id, delivery_id)
        except (InterviewNotFound, CampaignNotFound, InterviewFinished):
            raise
        except Exception:
            log.exception("turn failed for interview %s; storing the message alone", interview_id)
            return self._store_after_failure(interview_id, cleaned.text, choice, delivery_id)

    def _turn(self, interview_id: str, turn: _TurnInput) -> TurnResult:
        text, problem, choice, delivery_id = turn.text, turn.problem, turn.choice, turn.delivery_id
        # No autoflush: the turn's rows reach the database in one flush at commit instead of
        # one per query, which keeps the write lock short.
        with self._write() as session, session.no_autoflush:
            interview = self._load(session, interview_id, lock=True)
            if turn.access_token is not None and not token_matches(
                turn.access_token, interview.access_token_hash
            ):
                raise InterviewNotFound(interview_id)
            earlier = queries.find_inbound(
                session, interview_id=interview.id, channel_message_id=delivery_id
            )
            if earlier is not None:
                return _replayed(interview, earlier, queries.replies_to(session, earlier.id))
            guide = guide_for(interview.campaign)
            state = InterviewState.model_validate(interview.engine_state)
            status = InterviewStatus(interview.status)
            if turn.reject_if_finished and status in FINISHED_STATUSES:
                raise InterviewFinished(interview.public_id, status)
            if status == InterviewStatus.DECLINED:
                # Nothing but the refusal is ever kept for a declined interview.
                reply = Reply(text=guide.say("already_finished"), slot=Slot.DONE)
                return TurnResult(interview.public_id, status, (reply,))
            if problem == TextProblem.EMPTY and choice is None:
                # Nothing to store; say so and ask again.
                replies = _note_then_question(guide, state, "empty_message")
                return TurnResult(interview.public_id, status, replies)
            inbound = queries.add_message(
                session,
                interview=interview,
                direction=queries.INBOUND,
                text=text,
                choice=choice,
                slot=next_position(state, guide).slot if status not in FINISHED_STATUSES else None,
                channel_message_id=delivery_id,
            )
            if problem == TextProblem.TOO_LONG:
                replies = _note_then_question(guide, state, "too_long", max_chars=self._max_chars)
                new_state = state
            else:
                result = self._handle(
                    state,
                    Inbound(text=text, choice=choice, message_id=inbound.id, hints=turn.hints),
                    guide,
                )
                replies, new_state = result.replies, result.state
            for reply in replies:
                _store_reply(session, interview, reply, in_reply_to=inbound)
            self._apply_state(session, interview, new_state, inbound, previous=state)
            return TurnResult(
                interview.public_id, new_state.status, replies, progress=progress(new_state, guide)
            )

    def _apply_state(
        self,
        session: Session,
        interview: Interview,
        state: InterviewState,
        inbound: Message,
        *,
        previous: InterviewState,
    ) -> None:
        """Write the engine state and everything it understood into the interview's rows."""
        now = self._clock()
        previous_consent = interview.consent
        interview.engine_state = state.model_dump(mode="json")
        interview.status = state.status
        interview.consent = state.consent
        if state.consent is not None and previous_consent is None:
            interview.consent_at = now
        interview.problem = state.problem
        interview.moment_of_truth = state.moment_of_truth
        interview.moment_of_truth_step = state.moment_of_truth_step
        interview.resolved = state.resolved
        interview.effort = state.effort
        interview.improvement = state.improvement
        interview.anything_else = state.anything_else
        interview.extra_answers = dict(state.extra_answers)
        interview.updated_at = now
        if state.status == InterviewStatus.COMPLETED and interview.completed_at is None:
            interview.completed_at = now
        before = {step.ordinal: step for step in previous.steps}
        ordinals = {step.ordinal for step in state.steps}
        queries.save_steps(
            session,
            interview_id=interview.id,
            changed=[_step_record(s) for s in state.steps if before.get(s.ordinal) != s],
            removed=[ordinal for ordinal in before if ordinal not in ordinals],
        )
        if state.status == InterviewStatus.DECLINED:
            queries.redact_inbound_except(session, interview=interview, keep_message_id=inbound.id)

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


_STEP_RECORD_FIELDS = tuple(field.name for field in dataclasses.fields(queries.StepRecordData))


def _step_record(step: StepDraft) -> queries.StepRecordData:
    """The engine's step as the row storage keeps (same field names; lists frozen)."""
    values: dict[str, Any] = {}
    for name in _STEP_RECORD_FIELDS:
        value = getattr(step, name)
        values[name] = tuple(value) if isinstance(value, list) else value
    return queries.StepRecordData(**values)


def _note_then_question(
    guide: Guide, state: InterviewState, key: str, **values: object
) -> tuple[Reply, ...]:
    return (Reply(text=guide.say(key, **values)), *engine.current_question(state, guide))


def _store_reply(
    session: Session, interview: Interview, reply: Reply, *, in_reply_to: Message | None
) -> None:
    queries.add_message(
        session,
        interview=interview,
        direction=queries.OUTBOUND,
        text=reply.text,
        slot=reply.slot,
        choices=[choice.model_dump() for choice in reply.choices] or None,
        items=list(reply.items) or None,
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


def reply_from_message(message: Message) -> Reply:
    """A stored outbound message as the `Reply` it was."""
    return Reply(
        text=message.text,
        slot=message.slot,
        choices=tuple(Choice(**c) for c in (message.choices or [])),
        items=tuple(message.items or ()),
    )
