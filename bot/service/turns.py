"""A customer's message in, the bot's replies out: the turn, with every guarantee
channel adapters rely on.

- the customer's message is stored before any reply is returned, in the same
  transaction as the facts and replies it led to;
- the same `channel_message_id` delivered twice stores nothing twice and returns the
  replies stored the first time (retries, double clicks, Slack redeliveries);
- the turn is computed outside any transaction, then committed in one short write
  that checks the interview's revision: a turn that lost a race is computed again on
  the new state, so a slow turn (a language model, a busy machine) holds no lock and
  two processes answering one interview never overwrite each other;
- a bug in the engine never loses the customer's words: they are stored with an
  apology and the same question again.
"""

from __future__ import annotations

import dataclasses
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError

from bot.conversation import engine
from bot.conversation.guide import Guide
from bot.conversation.messages import PENDING_MESSAGE_ID, Hints, Inbound, Reply
from bot.conversation.progress import progress
from bot.conversation.sanitize import TextProblem, clean_text
from bot.conversation.state import InterviewState, cite_stored_message, next_position
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus, Slot
from bot.service.access_tokens import token_matches
from bot.service.campaign_guides import guide_from_source
from bot.service.errors import InterviewFinished, InterviewFull, InterviewNotFound, TurnBusy
from bot.service.interview_cache import CachedInterview, InterviewCache
from bot.service.limits import InterviewCaps
from bot.service.refusals import DECLINED_CHOICE, DECLINED_TEXT, choice_only, declines
from bot.service.results import TurnResult, reply_from_message, reply_row
from bot.service.step_rows import step_record
from storage.turn_store import (
    Committed,
    Conflict,
    InboundMessage,
    InterviewUpdate,
    ModelCallRow,
    ReplyRow,
    StoreBusy,
    TurnStore,
    TurnWrites,
)

log = logging.getLogger(__name__)

ERROR_REPLY = "Sorry, something went wrong on our side. Your answer is saved; let's try that again."
FULL_REPLY = (
    "Thank you: this interview has reached its length limit, so nothing more can be added. "
    "Everything you said before is saved."
)
# Times a turn is computed again after losing a race for its interview before it gives
# up (TurnBusy): each loss means another turn of the same interview was stored.
MAX_ATTEMPTS = 8

EngineHandler = Callable[[InterviewState, Inbound, Guide], engine.EngineResult]


@dataclass(frozen=True)
class TurnInput:
    """One delivery, cleaned: what the turn works from."""

    text: str
    problem: TextProblem | None
    choice: str | None
    delivery_id: str
    reject_if_finished: bool
    access_token: str | None
    hints: Hints | None = None
    # A language model's calls for this turn, stored with it.
    model_calls: tuple[ModelCallRow, ...] = ()


@dataclass(frozen=True)
class _Computed:
    """A turn computed on one revision of the interview, ready to commit."""

    replies: tuple[Reply, ...]
    # None: the interview row is left as it was (the turn changed no state).
    state: InterviewState | None


class Turns:
    """Takes customer messages: computes each turn and commits it (see the module)."""

    def __init__(
        self,
        store: TurnStore,
        *,
        cache: InterviewCache,
        clock: Callable[[], datetime],
        handler: EngineHandler,
        max_message_chars: int,
        caps: InterviewCaps | None = None,
    ) -> None:
        self._store = store
        self._cache = cache
        self._clock = clock
        self._handle = handler
        self._max_chars = max_message_chars
        self._caps = caps or InterviewCaps()

    @property
    def answers_without_waiting(self) -> bool:
        """Whether `handle_message_now` can answer at all: where a turn's storage waits
        on nothing but the database's one write lock (SQLite)."""
        return self._store.answers_without_waiting

    def turn_input(
        self,
        *,
        text: str | bytes,
        choice: str | None,
        channel_message_id: str | None,
        reject_if_finished: bool,
        access_token: str | None,
        hints: Hints | None = None,
    ) -> TurnInput:
        """The delivery cleaned for a turn (a delivery without an id gets a fresh one)."""
        cleaned = clean_text(text, max_chars=self._max_chars)
        return TurnInput(
            cleaned.text,
            cleaned.problem,
            choice,
            channel_message_id or uuid.uuid4().hex,
            reject_if_finished,
            access_token,
            hints,
        )

    def handle(self, interview_id: str, turn: TurnInput) -> TurnResult:
        """The turn, waiting for the database as long as it takes. Raises
        `InterviewNotFound`, `InterviewFinished` (see `InterviewService.handle_message`),
        or `TurnBusy` when the interview kept changing under it."""
        try:
            return self._with_reconnect(interview_id, turn, wait=True)
        except (InterviewNotFound, InterviewFinished, InterviewFull, TurnBusy):
            raise
        except Exception:
            log.exception("turn failed for interview %s; storing the message alone", interview_id)
            return self._store_after_failure(interview_id, turn)

    def handle_now(self, interview_id: str, turn: TurnInput) -> TurnResult | None:
        """The turn if it can be stored without waiting for another writer; None, with
        nothing stored, when it would have to wait or went wrong in any way the caller
        did not ask about (then call `handle` from a worker thread, which waits and
        handles those cases)."""
        if not self.answers_without_waiting:
            return None
        try:
            return self._attempts(interview_id, turn, wait=False)
        except (InterviewNotFound, InterviewFinished, InterviewFull):
            raise
        except Exception:  # StoreBusy, or a case `handle` handles: nothing was stored
            return None

    # --- the optimistic turn ----------------------------------------------------------

    def _with_reconnect(self, interview_id: str, turn: TurnInput, *, wait: bool) -> TurnResult:
        try:
            return self._attempts(interview_id, turn, wait=wait)
        except DBAPIError as error:
            if not error.connection_invalidated:
                raise
            # The database dropped the connection (PostgreSQL restarted, say) and the
            # store's pool has been emptied. Nothing was stored; or, had the commit gone
            # through just before, the same delivery now answers as it did. Once more.
            # Only the driver's first line: the statement's parameters are customer text.
            reason = (str(error.orig).strip().splitlines() or [type(error.orig).__name__])[0]
            log.warning("database connection lost during a turn (%s); running it again", reason)
            return self._attempts(interview_id, turn, wait=wait)

    def _attempts(self, interview_id: str, turn: TurnInput, *, wait: bool) -> TurnResult:
        entry = self.current(interview_id)
        for _ in range(MAX_ATTEMPTS):
            if not _opens(entry, turn):
                raise InterviewNotFound(interview_id)
            result = self._attempt(entry, turn, wait=wait)
            if not isinstance(result, Conflict):
                return result
            # Another turn of this interview was stored since `entry` was read.
            entry = self._reload(interview_id)
        raise TurnBusy(f"interview {interview_id} kept changing; the turn was not stored")

    def _attempt(
        self, entry: CachedInterview, turn: TurnInput, *, wait: bool
    ) -> TurnResult | Conflict:
        """Compute the turn on ``entry`` and commit it; `Conflict` when ``entry`` is no
        longer the interview's revision (nothing stored)."""
        if not _stores(entry, turn):
            answered = self._answer_unstored(entry, turn)
            if answered is not None:
                return answered
            # A finished interview that still takes messages: stored; the engine answers.
        elif self._caps.refuses(
            stored_messages=entry.inbound_messages, stored_chars=entry.inbound_chars, text=turn.text
        ):
            return self._refuse_full(entry, turn)
        computed = self._compute(entry, turn)
        if declines(entry.status, computed.state):
            # A refusal keeps the choice, never the words (bot.service.refusals).
            assert computed.state is not None
            turn = dataclasses.replace(turn, text=DECLINED_TEXT, choice=DECLINED_CHOICE, hints=None)
            computed = _Computed(computed.replies, choice_only(computed.state))
        return self._commit(entry, turn, computed, wait=wait)

    def _refuse_full(self, entry: CachedInterview, turn: TurnInput) -> TurnResult:
        """Store nothing more in an interview at its caps: a redelivery still gets its
        first answer; a channel that asked for errors gets `InterviewFull`, the others
        a reply saying so."""
        earlier = self._store.earlier_replies(entry.id, turn.delivery_id)
        if earlier is not None:
            return self._replayed(entry, earlier)
        if turn.reject_if_finished:
            raise InterviewFull(entry.public_id)
        return TurnResult(entry.public_id, entry.status, (Reply(text=FULL_REPLY),))

    def _compute(self, entry: CachedInterview, turn: TurnInput) -> _Computed:
        guide, state = entry.guide, entry.state
        if turn.problem == TextProblem.TOO_LONG:
            note = _note_then_question(guide, state, "too_long", max_chars=self._max_chars)
            return _Computed(note, state)
        inbound = Inbound(
            text=turn.text, choice=turn.choice, message_id=PENDING_MESSAGE_ID, hints=turn.hints
        )
        result = self._handle(state, inbound, guide)
        return _Computed(result.replies, result.state)

    def _commit(
        self, entry: CachedInterview, turn: TurnInput, computed: _Computed, *, wait: bool
    ) -> TurnResult | Conflict:
        inbound = InboundMessage(
            interview_id=entry.id,
            expected_revision=entry.revision,
            text=turn.text,
            choice=turn.choice,
            slot=_inbound_slot(entry),
            channel_message_id=turn.delivery_id,
            now=self._clock(),
        )
        committed_state: list[InterviewState] = []

        def writes_for(inbound_id: int) -> TurnWrites:
            state = computed.state
            if state is not None and state is not entry.state:
                cite_stored_message(state, inbound_id)
                committed_state.append(state)
            return self._writes(entry, computed, inbound, inbound_id, turn.model_calls)

        try:
            outcome = self._store.commit_turn(inbound, writes_for, wait=wait)
        except StoreBusy:
            raise TurnBusy("the database is busy with another writer") from None
        if isinstance(outcome, Conflict):
            return outcome
        if not isinstance(outcome, Committed):  # a redelivery: answer as back then
            return self._replayed(entry, outcome.replies)
        state = committed_state[0] if committed_state else entry.state
        counted = dataclasses.replace(
            entry,
            inbound_messages=entry.inbound_messages + 1,
            inbound_chars=entry.inbound_chars + len(turn.text),
        )
        if computed.state is not None and committed_state:
            self._cache.put(_after(counted, state, outcome.revision))
        else:
            # The interview's state (and revision) stayed; its counts did not.
            self._cache.put(counted)
        return TurnResult(
            entry.public_id,
            InterviewStatus(state.status),
            computed.replies,
            progress=progress(state, entry.guide),
        )

    def _writes(
        self,
        entry: CachedInterview,
        computed: _Computed,
        inbound: InboundMessage,
        inbound_id: int,
        model_calls: tuple[ModelCallRow, ...],
    ) -> TurnWrites:
        replies = [reply_row(reply) for reply in computed.replies]
        state = computed.state
        if state is None or state is entry.state:
            return TurnWrites(replies=replies, model_calls=model_calls)
        before = {step.ordinal: step for step in entry.state.steps}
        ordinals = {step.ordinal for step in state.steps}
        now = inbound.now
        completed = state.status == InterviewStatus.COMPLETED
        update = InterviewUpdate(
            engine_state_json=state.model_dump_json(),
            status=state.status.value,
            consent=state.consent,
            hear_back=state.hear_back,
            problem=state.problem,
            moment_of_truth=state.moment_of_truth,
            moment_of_truth_step=state.moment_of_truth_step,
            resolved=state.resolved,
            effort=state.effort,
            improvement=state.improvement,
            anything_else=state.anything_else,
            extra_answers=state.extra_answers,
            consent_at=now if state.consent is not None else None,
            completed_at=now if completed else None,
        )
        return TurnWrites(
            replies=replies,
            interview=update,
            changed_steps=[step_record(s) for s in state.steps if before.get(s.ordinal) != s],
            removed_steps=[ordinal for ordinal in before if ordinal not in ordinals],
            redact_other_inbound=state.status == InterviewStatus.DECLINED,
            model_calls=model_calls,
        )

    def _answer_unstored(self, entry: CachedInterview, turn: TurnInput) -> TurnResult | None:
        """The rare turns that store nothing (see `_stores`), or None when this one is to
        be stored after all. A redelivery still gets its first answer."""
        guide, state, status = entry.guide, entry.state, entry.status
        earlier = self._store.earlier_replies(entry.id, turn.delivery_id)
        if earlier is not None:
            return self._replayed(entry, earlier)
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

    def _store_after_failure(self, interview_id: str, turn: TurnInput) -> TurnResult:
        """The engine failed: keep the words, apologise, ask the pending question again.
        The interview's state stays as it was."""
        for _ in range(MAX_ATTEMPTS):
            entry = self._reload(interview_id)
            question = engine.current_question(entry.state, entry.guide)
            computed = _Computed((Reply(text=ERROR_REPLY), *question), None)
            result = self._commit(entry, turn, computed, wait=True)
            if not isinstance(result, Conflict):
                return dataclasses.replace(result, progress=None)
        raise TurnBusy(f"interview {interview_id} kept changing; the message was not stored")

    def _replayed(self, entry: CachedInterview, replies: list[ReplyRow]) -> TurnResult:
        return TurnResult(
            interview_id=entry.public_id,
            status=entry.status,
            replies=tuple(reply_from_message(r) for r in replies),
            duplicate=True,
            progress=progress(entry.state, entry.guide),
        )

    # --- reading the interview --------------------------------------------------------

    def current(self, interview_id: str) -> CachedInterview:
        """The interview as this process last committed it, else as stored. A cached
        copy may be stale: the commit's revision check finds out."""
        entry = self._cache.get(interview_id)
        return entry if entry is not None else self._reload(interview_id)

    def _reload(self, interview_id: str) -> CachedInterview:
        row = self._store.load(interview_id)
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
            inbound_messages=row.inbound_messages,
            inbound_chars=row.inbound_chars,
        )
        self._cache.put(entry)
        return entry


def _after(entry: CachedInterview, state: InterviewState, revision: int) -> CachedInterview:
    """The interview as a committed turn leaves it."""
    return dataclasses.replace(
        entry,
        revision=revision,
        status=InterviewStatus(state.status),
        state=state,
        consent=state.consent if entry.consent is None else entry.consent,
        completed=entry.completed or state.status == InterviewStatus.COMPLETED,
    )


def _opens(entry: CachedInterview, turn: TurnInput) -> bool:
    """Whether the turn's access token, if it has one, is the interview's."""
    return turn.access_token is None or token_matches(turn.access_token, entry.access_token_hash)


def _stores(entry: CachedInterview, turn: TurnInput) -> bool:
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
    guide: Guide, state: InterviewState, key: str, **values: Any
) -> tuple[Reply, ...]:
    return (Reply(text=guide.say(key, **values)), *engine.current_question(state, guide))
