"""The interview service: the one door channel adapters use (web, Slack, terminal).

It composes the service's jobs (starting interviews, taking turns, reading them back)
over one turn store, one cache of interviews under way and one clock. A language model,
when configured, is a `Listener` passed in: it reads the customer's words before the
turn and may translate the replies after it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.conversation import engine
from bot.conversation.messages import Hints, Reply
from bot.conversation.sanitize import DEFAULT_MAX_CHARS
from bot.service.errors import TurnBusy
from bot.service.interview_cache import InterviewCache
from bot.service.limits import InterviewCaps, StartLimits
from bot.service.listener import Listener
from bot.service.log_context import interview_logging
from bot.service.results import TurnResult
from bot.service.slack_directory import SlackDirectory
from bot.service.starts import Starts
from bot.service.transcripts import CampaignFaces, InterviewSnapshot, Transcripts
from bot.service.turns import EngineHandler, Turns
from storage.models import Campaign, Interview, Participant
from storage.slack_deliveries import SlackDeliveryStore
from storage.turn_store import TurnStore, open_turn_store
from storage.types import utcnow


class InterviewService:
    """Starts interviews and handles customer messages, whatever the channel.

    ``store`` defaults to the turn store of the sessions' engine; ``read_sessions``
    (transcripts, status) to ``sessions``: on SQLite, a read-only factory's reads need
    not queue for the writer (``storage.engines.make_read_session_factory``).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        store: TurnStore | None = None,
        read_sessions: sessionmaker[Session] | None = None,
        listener: Listener | None = None,
        max_message_chars: int = DEFAULT_MAX_CHARS,
        clock: Callable[[], datetime] = utcnow,
        handler: EngineHandler = engine.handle,
        cache: InterviewCache | None = None,
        start_limits: StartLimits | None = None,
        caps: InterviewCaps | None = None,
    ) -> None:
        bind = sessions.kw.get("bind")
        if not isinstance(bind, Engine):
            raise TypeError("the session factory must be bound to an Engine")
        if store is None:
            store = open_turn_store(bind)
        cache = cache if cache is not None else InterviewCache()
        self._engine = bind
        self.store = store
        self.clock = clock
        self._slack: SlackDirectory | None = None
        self.sessions = sessions
        self.read_sessions = read_sessions or sessions
        self._listener = listener
        self._turns = Turns(
            store,
            cache=cache,
            clock=clock,
            handler=handler,
            max_message_chars=max_message_chars,
            caps=caps,
        )
        self.starts = Starts(
            store, sessions=sessions, cache=cache, clock=clock, limits=start_limits
        )
        self.transcripts = Transcripts(self.read_sessions)
        self.campaigns = CampaignFaces(self.read_sessions)

    @property
    def slack(self) -> SlackDirectory:
        """The Slack side: which interview a Slack user is in, starting one, and the
        store of Slack deliveries (made on first use)."""
        if self._slack is None:
            self._slack = SlackDirectory(
                sessions=self.sessions,
                read_sessions=self.read_sessions,
                starts=self.starts,
                deliveries=SlackDeliveryStore(self._engine),
                clock=self.clock,
            )
        return self._slack

    @property
    def listens(self) -> bool:
        """Whether a language model listens to the customers' answers."""
        return self._listener is not None

    @property
    def answers_without_waiting(self) -> bool:
        """Whether `handle_message_now` can answer at all: on SQLite, where a turn's
        commit waits on nothing but the one write lock, and without a language model."""
        return self._listener is None and self._turns.answers_without_waiting

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
        """Create an interview and store the bot's opening (see `Starts.for_participant`)."""
        return self.starts.for_participant(
            campaign_slug=campaign_slug,
            channel=channel,
            participant_external_id=participant_external_id,
            participant_attributes=participant_attributes,
            display_name=display_name,
            email=email,
            access_token_hash=access_token_hash,
        )

    def start_anonymous(
        self,
        *,
        campaign_slug: str,
        channel: str,
        access_token_hash: str | None,
        wait: bool = True,
        client: str | None = None,
        attributes: Mapping[str, Any] | None = None,
    ) -> InterviewSnapshot:
        """Start an anonymous interview from a campaign's open link (see
        `Starts.anonymous`: ``client`` is the address its budget counts, `StartRefused`
        when a budget is used up, ``attributes`` pick a quota cell); with `wait=False`,
        `TurnBusy` unless it can start at once."""
        if not wait and not self.answers_without_waiting:
            raise TurnBusy("this service's starts may wait: run them in a thread")
        return self.starts.anonymous(
            campaign_slug=campaign_slug,
            channel=channel,
            access_token_hash=access_token_hash,
            wait=wait,
            client=client,
            attributes=attributes,
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
        return self.starts.open_in(
            session,
            campaign=campaign,
            participant=participant,
            channel=channel,
            access_token_hash=access_token_hash,
        )

    def pending(self, interview_id: str) -> TurnResult:
        """The question the interview waits on (to resume after a restart). Stores nothing."""
        return self.transcripts.pending(interview_id)

    def snapshot(self, interview_id: str) -> InterviewSnapshot:
        """Everything a client shows: transcript, status, pending question and progress."""
        return self.transcripts.snapshot(interview_id)

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
        `access_token`, the interview must be the one that token opens, else
        `InterviewNotFound`. `hints` are a language model's validated reading of the text
        (see `bot.llm`); without them, the listener (if any) is asked for them. Raises
        `TurnBusy` (nothing stored) in the rare case the interview kept changing under
        the turn.
        """
        turn = self._turns.turn_input(
            text=text,
            choice=choice,
            channel_message_id=channel_message_id,
            reject_if_finished=reject_if_finished,
            access_token=access_token,
            hints=hints,
        )
        with interview_logging(interview_id):
            listener = self._listener
            if listener is None or hints is not None:
                return self._turns.handle(interview_id, turn)
            heard = listener.listen(interview_id, turn)
            result = self._turns.handle(interview_id, heard.turn)
            return listener.after(interview_id, heard, result)

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
        loop): the same turn, when it can be stored at once. None, with nothing stored,
        when it would have to wait (another writer holds the database) or went wrong in
        any way the caller did not ask about: then call `handle_message` from a worker
        thread. Always None unless `answers_without_waiting`."""
        if not self.answers_without_waiting:
            return None
        turn = self._turns.turn_input(
            text=text,
            choice=choice,
            channel_message_id=channel_message_id,
            reject_if_finished=reject_if_finished,
            access_token=access_token,
        )
        with interview_logging(interview_id):
            return self._turns.handle_now(interview_id, turn)
