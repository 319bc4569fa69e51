"""Channel-neutral message types that flow in and out of the conversation engine."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from bot.conversation.vocabulary import Channel


class Choice(BaseModel):
    """A quick reply: `value` is what comes back as `Inbound.choice`, `label` is shown."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: str


class Understood(BaseModel):
    """The facts of one step the bot read from the customer's words and shows back for
    a one-tap confirmation (the ``confirm`` question). Empty fields were not read."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel | None = None
    feeling: int | None = None
    duration_minutes: int | None = None
    pains: tuple[str, ...] = ()

    def facts(self) -> tuple[str, ...]:
        """The names (as in `PROVENANCE_FACTS`) of the facts this reading holds."""
        names: list[str] = []
        if self.channel is not None:
            names.append("channel")
        if self.feeling is not None:
            names.append("feeling")
        if self.duration_minutes is not None:
            names.append("duration")
        if self.pains:
            names.append("pains")
        return tuple(names)

    def without(self, *facts: str) -> Understood | None:
        """This reading less `facts`; None when nothing is left."""
        update: dict[str, object] = {}
        for fact in facts:
            if fact == "duration":
                update["duration_minutes"] = None
            elif fact == "pains":
                update["pains"] = ()
            else:
                update[fact] = None
        left = self.model_copy(update=update)
        return left if left.facts() else None


class Reply(BaseModel):
    """One message from the bot.

    `slot` names what the message asks for: a `Slot` value (the public contract) or, for a
    researcher's extra question, that question's id. Informational messages
    (acknowledgements, help) carry `slot=None`. `choices` are quick replies; free text is
    always accepted as well. `items` are numbered things the message lists (the journey
    playback's steps), for channels that can show them as a list; `text` always contains
    them too, for channels that cannot. `understood` is what a ``confirm`` question
    shows back, for clients that render it themselves. `also` names a second step
    question the same message asks (``duration`` with ``channel``); `choices` answer
    `slot` alone.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    slot: str | None = None
    choices: tuple[Choice, ...] = ()
    items: tuple[str, ...] = ()
    understood: Understood | None = None
    also: str | None = None


class Hints(BaseModel):
    """What a language model read from an answer, already validated (see ``bot.llm``).

    The engine fills only what its own offline reading left open, so hints can add facts
    but never override what the customer's words plainly say. ``acknowledgement`` and
    ``probe`` passed the output checks; ``off_topic`` marks an answer that tried to
    instruct the bot. ``language`` is the ISO 639-1 code the customer wrote in.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    channel: Channel | None = None
    feeling: int | None = None
    duration_minutes: int | None = None
    people: tuple[str, ...] = ()
    tools: tuple[str, ...] = ()
    pains: tuple[str, ...] = ()
    ended: bool = False
    acknowledgement: str | None = None
    probe: str | None = None
    off_topic: bool = False
    language: str | None = None

    @property
    def has_step_facts(self) -> bool:
        return any((self.channel, self.feeling, self.duration_minutes is not None, self.pains))


# The id a turn's facts cite for the message being answered until storage gives it one:
# the turn is computed before it is stored (see `state.cite_stored_message`). Storage
# ids start at 1.
PENDING_MESSAGE_ID = -1


class Inbound(BaseModel):
    """One message from the customer: typed `text`, a clicked `choice` value, or both.

    `message_id` is the storage id of the message, or `PENDING_MESSAGE_ID` while it is
    not stored yet, so facts can cite the words they came from. `hints` are a language
    model's reading of the text, when one is configured and answered in time. The
    engine never needs anything else.
    """

    model_config = ConfigDict(frozen=True)

    text: str = ""
    choice: str | None = None
    message_id: int | None = None
    hints: Hints | None = None
