"""Channel-neutral message types that flow in and out of the conversation engine."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Choice(BaseModel):
    """A quick reply: `value` is what comes back as `Inbound.choice`, `label` is shown."""

    model_config = ConfigDict(frozen=True)

    value: str
    label: str


class Reply(BaseModel):
    """One message from the bot.

    `slot` names what the message asks for: a `Slot` value (the public contract) or, for a
    researcher's extra question, that question's id. Informational messages
    (acknowledgements, help) carry `slot=None`. `choices` are quick replies; free text is
    always accepted as well. `items` are numbered things the message lists (the journey
    playback's steps), for channels that can show them as a list; `text` always contains
    them too, for channels that cannot.
    """

    model_config = ConfigDict(frozen=True)

    text: str
    slot: str | None = None
    choices: tuple[Choice, ...] = ()
    items: tuple[str, ...] = ()


class Inbound(BaseModel):
    """One message from the customer: typed `text`, a clicked `choice` value, or both.

    `message_id` is the storage id of the already-stored message, so facts can cite the
    words they came from. The engine never needs anything else about the channel.
    """

    model_config = ConfigDict(frozen=True)

    text: str = ""
    choice: str | None = None
    message_id: int | None = None
