"""A language model listening to the customer (GUIDE §3 with one more step).

A turn with a model configured:

1. a short read (outside any write transaction): the interview, its pending question,
   the last few messages; a redelivery, a wrong link token, a click or an interview over
   its spending cap skip the model;
2. one structured model call (``Interviewer.listen``), within its timeout;
3. the ordinary turn of :class:`bot.service.interviews.InterviewService`, given the hints: the
   customer's message, the facts and the replies stored in one transaction;
4. for a customer writing in another language, a second call translates the replies;
5. one more write transaction records every call in ``llm_calls`` (outcome, cost) and
   rewrites the stored replies as translated (on any failure they stay in the guide's
   language).

The model is never called inside a write transaction, so a slow model holds no lock, and
every failure ends the same way: the offline turn, which always answers.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace

from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.messages import Choice, Reply
from bot.conversation.sanitize import DEFAULT_MAX_CHARS
from bot.conversation.state import InterviewState, PendingProbe, next_position
from bot.conversation.vocabulary import FINISHED_STATUSES, InterviewStatus
from bot.llm.calls import CallRecord, Outcome
from bot.llm.guard import looks_like_injection
from bot.llm.interviewer import Interviewer, ListenContext, Listened
from bot.llm.policy import worth_a_call
from bot.service.access_tokens import token_matches
from bot.service.campaign_guides import guide_for
from bot.service.interviews import InterviewService
from bot.service.listener import Heard
from bot.service.results import TurnResult
from bot.service.turns import TurnInput
from storage import llm_calls as llm_storage
from storage import queries
from storage.models import Interview

log = logging.getLogger(__name__)

RECENT_MESSAGES = 4  # the model sees the last two exchanges, never the whole transcript
GUIDE_LANGUAGE = "en"


@dataclass(frozen=True)
class _Notes:
    """What `ModelListener.listen` leaves for `after`."""

    started: float
    records: list[CallRecord]
    language: str | None


class ModelListener:
    """A `bot.service.listener.Listener` that asks a model what each answer says.

    ``sessions`` write the model's records (and translated replies) after the turn;
    ``read_sessions`` read what the model is shown before it.
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        interviewer: Interviewer,
        max_usd_per_interview: float,
        turn_budget_seconds: float = 8.0,
        monotonic: Callable[[], float] = time.monotonic,
        read_sessions: sessionmaker[Session] | None = None,
    ) -> None:
        self._sessions = sessions
        self.read_sessions = read_sessions or sessions
        self._interviewer = interviewer
        self._cap = max_usd_per_interview
        self._budget = turn_budget_seconds
        self._monotonic = monotonic

    def listen(self, interview_id: str, turn: TurnInput) -> Heard:
        started = self._monotonic()
        records: list[CallRecord] = []
        wants_model = turn.choice is None and turn.problem is None
        listened, language = self._listen(
            interview_id,
            turn.text if wants_model else None,
            delivery_id=turn.delivery_id,
            access_token=turn.access_token,
        )
        hints = turn.hints
        if listened is not None:
            records.append(listened.record)
            hints = listened.hints
        return Heard(turn=replace(turn, hints=hints), notes=_Notes(started, records, language))

    def after(self, interview_id: str, heard: Heard, result: TurnResult) -> TurnResult:
        notes = heard.notes
        assert isinstance(notes, _Notes)
        started, records = notes.started, notes.records
        language = engine.next_language(notes.language, heard.turn.text, heard.turn.hints)
        translated: tuple[Reply, ...] | None = None
        if not result.duplicate and language not in (None, GUIDE_LANGUAGE):
            elapsed = self._monotonic() - started
            if elapsed < self._budget / 2:  # a slow model already used the turn's time
                translated = self._translate(result.replies, language or "", records)
        stored = bool(records) and self._store_after_turn(
            result, heard.turn.delivery_id, translated, records
        )
        if stored and translated is not None:
            result = replace(result, replies=translated)
        return result

    # --- the steps around the turn -----------------------------------------------------

    def _listen(
        self, interview_id: str, text: str | None, *, delivery_id: str, access_token: str | None
    ) -> tuple[Listened | None, str | None]:
        """The model's reading of ``text`` (None: go offline, or no text such as a click)
        and the language the interview is held in."""
        with self.read_sessions() as session:
            interview = queries.get_interview(session, interview_id)
            if interview is None or interview.status in FINISHED_STATUSES:
                return None, None
            if access_token is not None and not token_matches(
                access_token, interview.access_token_hash
            ):
                return None, None
            if queries.find_inbound(
                session, interview_id=interview.id, channel_message_id=delivery_id
            ):
                return None, None  # a redelivery is answered from storage
            state = InterviewState.model_validate(interview.engine_state)
            if text is None:
                return None, state.language
            if state.consent is not True or interview.status == InterviewStatus.PAUSED:
                return None, state.language  # consent and resuming stay the engine's
            if llm_storage.interview_cost(session, interview_id=interview.id) >= self._cap:
                record = CallRecord(
                    purpose="listen",
                    prompt_version=self._interviewer.prompt_version,
                    model="-",
                    outcome=Outcome.OVER_BUDGET,
                )
                return Listened(hints=None, record=record), state.language
            context = self._context(session, interview, state)
        if not looks_like_injection(text) and not worth_a_call(
            context.slot, text, probing=state.probe is not None
        ):
            return None, state.language
        return self._interviewer.listen(context, text), state.language

    def _context(
        self, session: Session, interview: Interview, state: InterviewState
    ) -> ListenContext:
        guide = guide_for(interview.campaign)
        position = next_position(state, guide)
        probe: PendingProbe | None = state.probe
        slot = probe.slot.value if probe else position.slot
        step_number = probe.step if probe else position.step
        question = engine.current_question(state, guide)
        step = state.step(step_number) if step_number is not None else None
        recent = llm_storage.recent_messages(
            session, interview_id=interview.id, limit=RECENT_MESSAGES
        )
        known = (
            step.model_dump(
                mode="json",
                include={"doing", "channel", "feeling", "duration_minutes", "pains"},
                exclude_defaults=True,
            )
            if step is not None
            else {}
        )
        return ListenContext(
            company=guide.company,
            slot=slot,
            step=step_number,
            question=question[-1].text if question else "",
            known=known,
            recent=tuple(
                ("bot" if m.direction == queries.OUTBOUND else "customer", m.text) for m in recent
            ),
            may_probe=engine.may_probe(state, position),
            extra_pains=tuple(guide.extra_pain_keywords()),
        )

    def _translate(
        self, replies: tuple[Reply, ...], language: str, records: list[CallRecord]
    ) -> tuple[Reply, ...] | None:
        """The replies in ``language`` (None: keep ours); the call joins ``records``."""
        translated, record = self._interviewer.translate(_texts_of(replies), language)
        records.append(record)
        return None if translated is None else _with_texts(replies, translated)

    def _store_after_turn(
        self,
        result: TurnResult,
        delivery_id: str,
        translated: tuple[Reply, ...] | None,
        records: Sequence[CallRecord],
    ) -> bool:
        """In one write transaction: the model calls' records and, when the replies were
        translated, the stored replies rewritten as the customer will see them. False when
        nothing could be stored (the turn's replies, in our language, stand)."""
        try:
            with self._sessions.begin() as session:
                interview = queries.get_interview(session, result.interview_id)
                if interview is None:
                    return False
                llm_storage.record_calls(
                    session,
                    interview_id=interview.id,
                    calls=[llm_storage.CallRow(**asdict(r)) for r in records],
                )
                if translated is None:
                    return True
                inbound = queries.find_inbound(
                    session, interview_id=interview.id, channel_message_id=delivery_id
                )
                stored = [] if inbound is None else queries.replies_to(session, inbound.id)
                if len(stored) != len(translated):
                    return False  # the records still commit; the replies stay ours
                llm_storage.rewrite_replies(
                    session,
                    texts={m.id: r.text for m, r in zip(stored, translated, strict=True)},
                    choices={
                        m.id: [c.model_dump() for c in r.choices] if r.choices else None
                        for m, r in zip(stored, translated, strict=True)
                    },
                )
                return True
        except Exception:  # an audit row or a translation must never fail the turn
            log.exception("could not store what the model added to %s", result.interview_id)
            return False


def _texts_of(replies: Sequence[Reply]) -> list[str]:
    """Reply texts, then every quick-reply label, in order (one list to translate)."""
    texts = [r.text for r in replies]
    for reply in replies:
        texts.extend(c.label for c in reply.choices)
    return texts


def _with_texts(replies: Sequence[Reply], texts: Sequence[str]) -> tuple[Reply, ...]:
    labels = iter(texts[len(replies) :])
    out: list[Reply] = []
    for reply, text in zip(replies, texts, strict=False):
        choices = tuple(Choice(value=c.value, label=next(labels)) for c in reply.choices)
        out.append(reply.model_copy(update={"text": text, "choices": choices}))
    return tuple(out)


def listening_service(
    sessions: sessionmaker[Session],
    *,
    interviewer: Interviewer,
    max_usd_per_interview: float,
    turn_budget_seconds: float = 8.0,
    monotonic: Callable[[], float] = time.monotonic,
    read_sessions: sessionmaker[Session] | None = None,
    max_message_chars: int = DEFAULT_MAX_CHARS,
) -> InterviewService:
    """An interview service whose turns a model listens to (see `ModelListener`)."""
    listener = ModelListener(
        sessions,
        interviewer=interviewer,
        max_usd_per_interview=max_usd_per_interview,
        turn_budget_seconds=turn_budget_seconds,
        monotonic=monotonic,
        read_sessions=read_sessions,
    )
    return InterviewService(
        sessions,
        read_sessions=read_sessions,
        listener=listener,
        max_message_chars=max_message_chars,
    )
