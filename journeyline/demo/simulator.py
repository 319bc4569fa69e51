"""A scripted customer that answers the interview bot from a `Persona`.

The simulator is channel-neutral like the engine: it reads the bot's `Reply` batch and
returns the customer's next `Inbound` (or None). It never assumes the slot order: the
engine skips slots it already understood, so the customer answers whatever the last
reply asks, and works out which journey step it is describing from the `step` and
`next_step` questions it has answered.

Runner contract::

    customer = SimulatedCustomer(persona, rng=random.Random(seed))
    replies = <bot's opening replies>          # or: message = customer.resume() ("hi")
    while True:
        message = customer.next_message(replies)
        if message is None:
            # PAUSED: the customer said "pause"; WAITING: the bot asked nothing.
            # Move the clock on (a different day after a pause), then resume.
            message = customer.resume()        # None once FINISHED
            if message is None:
                break
        replies = <bot's replies to message>

The customer is FINISHED once a `done` reply arrives, after it declined consent, or when
it gives up: more than `max_messages` messages, or the same question asked too many times
in a row, or the bot keeps sending nothing to answer. Giving up sends "stop" (pausing the
interview) so a broken engine can never make the loop run forever.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from enum import StrEnum

from bot.conversation.messages import Choice, Inbound, Reply
from bot.conversation.vocabulary import CHANNEL_LABELS, PAIN_LABELS, Channel, Slot
from journeyline.demo.personas import Persona, PersonaStep, Style

MAX_MESSAGES = 120
"""Default cap on messages one simulated customer sends in an interview."""

# A real customer who is asked the same thing twice rephrases plainly, then reaches for
# the buttons, then gives up on the question; after that the conversation is broken.
_PLAIN_AT = 2
_SKIP_AT = 5
_GIVE_UP_AFTER = 6
_MAX_NUDGES = 3

# How often a customer who normally types still clicks an obvious button ("yes", "last").
_CASUAL_CLICK_CHANCE = 0.4

_PER_STEP_SLOTS = frozenset(
    {
        Slot.STEP,
        Slot.CHANNEL,
        Slot.FEELING,
        Slot.THINKING,
        Slot.DURATION,
        Slot.PEOPLE_TOOLS,
        Slot.PAIN,
    }
)

_CHANNEL_WORDS: dict[Channel, str] = {
    Channel.PHONE: "on the phone",
    Channel.EMAIL: "by email",
    Channel.LIVE_CHAT: "live chat with a person",
    Channel.CHATBOT: "their chatbot",
    Channel.HELP_CENTER: "their help pages",
    Channel.MOBILE_APP: "in the app",
    Channel.WEBSITE: "on their website",
    Channel.SOCIAL_MEDIA: "on social media",
    Channel.IN_PERSON: "in person",
    Channel.SMS: "by text message",
    Channel.COMMUNITY_FORUM: "on the community forum",
    Channel.OTHER: "some other way",
    Channel.NONE: "I didn't contact them at that point",
}
_FEELING_WORDS = {1: "awful", 2: "pretty bad", 3: "okay I guess", 4: "good", 5: "great"}
_RESOLVED_WORDS = {"yes": "yes", "partly": "partly", "no": "no"}

_PHRASES: dict[str, dict[Style, tuple[str, ...]]] = {
    "consent": {
        Style.TERSE: ("yes", "ok", "sure"),
        Style.CHATTY: ("Yes of course, happy to help!", "Sure, go ahead, I've got a few mins"),
        Style.EMOJI: ("yes 👍", "sure 😊"),
        Style.TEXTING: ("ya ok", "sure go on"),
        Style.FORMAL: ("Yes, I consent.", "Yes, that is fine."),
        Style.BUTTONS: ("yes",),
        Style.NON_NATIVE: ("Yes, is okay for me", "ok, I agree"),
    },
    "decline": {
        Style.TERSE: ("no",),
        Style.CHATTY: ("Sorry, I'd rather not do this one",),
        Style.EMOJI: ("no thanks 🙅",),
        Style.TEXTING: ("nah",),
        Style.FORMAL: ("No, I do not consent.",),
        Style.BUTTONS: ("no",),
        Style.NON_NATIVE: ("No, thank you",),
    },
    "last": {
        Style.TERSE: ("that was it", "last one"),
        Style.CHATTY: ("That was the end of it really, nothing happened after that.",),
        Style.EMOJI: ("that was it 🙌", "nothing after that 🤷"),
        Style.TEXTING: ("thats it", "nah that was the last thing"),
        Style.FORMAL: ("That was the final step.",),
        Style.BUTTONS: ("that was it",),
        Style.NON_NATIVE: ("This was the last step", "after this nothing more"),
    },
    "confirm": {
        Style.TERSE: ("yes", "correct"),
        Style.CHATTY: ("Yes, that's pretty much exactly how it went!",),
        Style.EMOJI: ("yep 👍",),
        Style.TEXTING: ("ya thats right",),
        Style.FORMAL: ("Yes, that is accurate.",),
        Style.BUTTONS: ("yes",),
        Style.NON_NATIVE: ("Yes, this is correct",),
    },
    "nothing_else": {
        Style.TERSE: ("no",),
        Style.CHATTY: ("No, I think I've said everything! Thanks for listening.",),
        Style.EMOJI: ("nope 👋",),
        Style.TEXTING: ("nope thats all",),
        Style.FORMAL: ("No, nothing further. Thank you.",),
        Style.BUTTONS: ("no",),
        Style.NON_NATIVE: ("No, this is all, thank you",),
    },
    "no_pain": {
        Style.TERSE: ("nothing", "no"),
        Style.CHATTY: ("Nothing really, that part was actually fine.",),
        Style.EMOJI: ("nothing really 👌",),
        Style.TEXTING: ("nothin really", "nah that bit was fine"),
        Style.FORMAL: ("Nothing in particular.",),
        Style.BUTTONS: ("none",),
        Style.NON_NATIVE: ("Nothing, this part was ok",),
    },
    # Said about a step the persona has no particular thought for (low / high feeling).
    "thought_low": {
        Style.TERSE: ("just wanted it fixed",),
        Style.CHATTY: ("Mostly just 'please can someone sort this out', honestly.",),
        Style.EMOJI: ("just wanted it sorted 🙏",),
        Style.TEXTING: ("just wanted it sorted tbh",),
        Style.FORMAL: ("I simply wanted the matter resolved.",),
        Style.BUTTONS: ("wanted it fixed",),
        Style.NON_NATIVE: ("I only want that they fix it",),
    },
    "thought_high": {
        Style.TERSE: ("good, done",),
        Style.CHATTY: ("Honestly, 'oh thank goodness, that was easier than I expected'.",),
        Style.EMOJI: ("finally 😌",),
        Style.TEXTING: ("ok good finally",),
        Style.FORMAL: ("That it was handled sensibly.",),
        Style.BUTTONS: ("fine",),
        Style.NON_NATIVE: ("Ok, now is good",),
    },
    "unknown": {
        Style.TERSE: ("not sure",),
        Style.CHATTY: ("Hmm, honestly nothing comes to mind for that one.",),
        Style.EMOJI: ("not sure tbh 🤔",),
        Style.TEXTING: ("dunno really",),
        Style.FORMAL: ("I have no particular view on that.",),
        Style.BUTTONS: ("not sure",),
        Style.NON_NATIVE: ("I don't know, sorry",),
    },
    "greeting": {
        Style.TERSE: ("hi",),
        Style.CHATTY: ("Hi there!",),
        Style.EMOJI: ("hi 👋",),
        Style.TEXTING: ("hey",),
        Style.FORMAL: ("Hello.",),
        Style.BUTTONS: ("hi",),
        Style.NON_NATIVE: ("Hello",),
    },
    "nudge": {
        Style.TERSE: ("hello?",),
        Style.CHATTY: ("Hello? Are you still there?",),
        Style.EMOJI: ("hello? 👀",),
        Style.TEXTING: ("hello??",),
        Style.FORMAL: ("Hello, is there anything else you need from me?",),
        Style.BUTTONS: ("hello?",),
        Style.NON_NATIVE: ("Hello? I am still here",),
    },
}

RESUME_TEXT = "hi, back again"


class CustomerState(StrEnum):
    """What the simulated customer is doing between messages."""

    ACTIVE = "active"  # answering questions
    PAUSED = "paused"  # said "pause"; waiting for resume()
    WAITING = "waiting"  # the bot asked nothing (or nothing yet); resume() speaks first
    FINISHED = "finished"  # done, declined, or gave up


# Identifies one question: slot, the step it is about (-1 for whole-journey slots) and
# the playback phase, so a genuine re-ask can be told from the next step's question.
_Key = tuple[str, int, str]


class SimulatedCustomer:
    """Answers the interview bot as `persona` would; see the module docstring for the loop.

    `rng` only varies small things (typed "that was it" or the `last` button, which stock
    phrase): the same persona, seed and bot replies give the same messages. `max_messages`
    caps everything the customer sends; the message after the cap is "stop".
    """

    def __init__(
        self, persona: Persona, *, rng: random.Random, max_messages: int = MAX_MESSAGES
    ) -> None:
        self._persona = persona
        self._rng = rng
        self._max_messages = max_messages
        self._sent: list[Inbound] = []
        self._state = CustomerState.WAITING
        self._gave_up = False
        self._declined = False
        # Index of the persona step being described; -1 until the first step is asked.
        self._step = -1
        # Step index before each answer, so "back" can undo a step advance.
        self._history: list[int] = []
        self._last_key: _Key | None = None
        self._repeats = 0
        self._nudges = 0
        self._paused_once = False
        self._back_armed = False
        self._back_done = False
        self._playback = "start"  # start -> fix_sent -> corrected -> confirmed

    @property
    def persona(self) -> Persona:
        return self._persona

    @property
    def state(self) -> CustomerState:
        return self._state

    @property
    def finished(self) -> bool:
        return self._state is CustomerState.FINISHED

    @property
    def gave_up(self) -> bool:
        """True if the customer ended the interview with "stop" instead of reaching done."""
        return self._gave_up

    @property
    def sent(self) -> tuple[Inbound, ...]:
        """Every message sent so far, in order."""
        return tuple(self._sent)

    @property
    def step_index(self) -> int:
        """0-based index of the persona step being described; -1 before the first."""
        return self._step

    def next_message(self, replies: Sequence[Reply]) -> Inbound | None:
        """Answer the bot's latest batch of replies.

        Returns the customer's message, or None when there is nothing to say now: the
        interview is over (a `done` reply, a declined consent, giving up), the customer
        is paused, or the last reply asks nothing. `state` tells which; after PAUSED or
        WAITING the runner calls `resume()`.
        """
        if self._state is CustomerState.FINISHED:
            return None
        if any(reply.slot == Slot.DONE for reply in replies):
            self._state = CustomerState.FINISHED
            return None
        if self._state is CustomerState.PAUSED:
            return None
        question = replies[-1] if replies else None
        if question is None or question.slot is None:
            self._state = CustomerState.FINISHED if self._declined else CustomerState.WAITING
            return None
        self._state = CustomerState.ACTIVE
        self._nudges = 0
        if len(self._sent) >= self._max_messages:
            return self._give_up()
        return self._respond(question)

    def resume(self) -> Inbound | None:
        """Speak first: come back after a pause, open the chat, or nudge a silent bot.

        Returns "hi, back again" when PAUSED, a greeting before anything was said, a
        "hello?" when the bot left the customer WAITING (giving up after a few), and None
        when ACTIVE (call `next_message`) or FINISHED.
        """
        if self._state is CustomerState.PAUSED:
            self._state = CustomerState.ACTIVE
            return self._send(Inbound(text=RESUME_TEXT))
        if self._state is not CustomerState.WAITING:
            return None
        if len(self._sent) >= self._max_messages or self._nudges >= _MAX_NUDGES:
            return self._give_up()
        if not self._sent:
            return self._send(Inbound(text=self._phrase("greeting")))
        self._nudges += 1
        return self._send(Inbound(text=self._phrase("nudge")))

    # -- one question -----------------------------------------------------------------

    def _respond(self, question: Reply) -> Inbound:
        slot = str(question.slot)
        if self._back_armed:
            return self._go_back()
        if slot == self._persona.pause_after_slot and not self._paused_once:
            self._paused_once = True
            self._state = CustomerState.PAUSED
            self._last_key = None
            return self._send(Inbound(text="pause"))

        key = self._key(slot)
        self._repeats = self._repeats + 1 if key == self._last_key else 1
        self._last_key = key
        if self._repeats > _GIVE_UP_AFTER:
            return self._give_up()

        self._history.append(self._step)
        if self._repeats >= _PLAIN_AT:
            return self._send(self._reanswer(slot, question))
        if slot == self._persona.back_after_slot and not self._back_done:
            self._back_armed = True
            assert self._persona.mistaken_answer is not None  # checked by Persona
            return self._send(self._say(question, self._persona.mistaken_answer))
        if slot in self._persona.skip_slots:
            return self._send(Inbound(text="skip"))
        return self._send(self._answer(slot, question))

    def _key(self, slot: str) -> _Key:
        step = max(self._step, 0) if slot in _PER_STEP_SLOTS else -1
        if slot == Slot.NEXT_STEP:
            step = self._step
        return (slot, step, self._playback if slot == Slot.PLAYBACK else "")

    def _go_back(self) -> Inbound:
        # Undo the mistaken answer, including any step it moved us to; the bot re-asks
        # that question and the customer then answers it properly.
        self._back_armed = False
        self._back_done = True
        if self._history:
            self._step = self._history.pop()
        self._last_key = None
        return self._send(Inbound(text="back"))

    def _answer(self, slot: str, question: Reply) -> Inbound:
        persona = self._persona
        if slot == Slot.CONSENT:
            if persona.declines_consent:
                self._declined = True
                return self._say(question, self._phrase("decline"), value="no")
            return self._say(question, self._phrase("consent"), value="yes", casual=True)
        if slot == Slot.PROBLEM:
            return Inbound(text=persona.problem)
        if slot == Slot.STEP:
            self._step = max(self._step, 0)
            return Inbound(text=self._current().doing)
        if slot in _PER_STEP_SLOTS:
            self._step = max(self._step, 0)
            step = self._current()
            value = self._step_value(slot, step, question.choices)
            return self._say(question, self._step_text(slot, step), value=value)
        if slot == Slot.NEXT_STEP:
            if self._step + 1 < len(persona.steps):
                self._step += 1
                return Inbound(text=self._current().doing)
            value = self._end_value(question.choices)
            return self._say(question, self._phrase("last"), value=value, casual=True)
        if slot == Slot.CONFIRM:
            return self._check_reading(question)
        if slot == Slot.CONFIRM_MOMENT:
            truth = persona.moment_of_truth
            value = f"step:{truth}" if isinstance(truth, int) else None
            choice = _find(question.choices, value) if value else None
            return _click(choice or _find(question.choices, "yes") or question.choices[0])
        if slot == Slot.CLARIFY_NOTHING:
            more = self._step + 1 < len(persona.steps)
            return _click(_find(question.choices, "wait" if more else "end") or question.choices[0])
        if slot == Slot.PLAYBACK:
            return self._answer_playback(question)
        if slot == Slot.MOMENT_OF_TRUTH:
            if isinstance(persona.moment_of_truth, int):
                n = persona.moment_of_truth
                return self._say(question, f"step {n} I think", value=f"step:{n}", casual=True)
            return Inbound(text=persona.moment_of_truth)
        if slot == Slot.RESOLVED:
            text = persona.resolved_answer or _RESOLVED_WORDS[persona.resolved]
            return self._say(question, text, value=persona.resolved)
        if slot == Slot.EFFORT:
            text = persona.effort_answer or str(persona.effort)
            return self._say(question, text, value=str(persona.effort))
        if slot == Slot.IMPROVEMENT:
            return Inbound(text=persona.improvement or "skip")
        if slot == Slot.ANYTHING_ELSE:
            if persona.anything_else:
                return Inbound(text=persona.anything_else)
            return self._say(question, self._phrase("nothing_else"), value="no", casual=True)
        # A guide question outside the standard slots: a short, plausible free-text answer.
        return Inbound(text=persona.extra_answers.get(slot) or self._phrase("unknown"))

    def _check_reading(self, question: Reply) -> Inbound:
        """What the bot understood of the step, against the truth: yes when it is all
        right, the right words for one wrong fact, "Fix it" for more."""
        step = self._current()
        shown = question.understood
        wrong: list[str] = []
        if shown is not None:
            if shown.channel is not None and shown.channel != step.channel:
                wrong.append(Slot.CHANNEL)
            if shown.feeling is not None and abs(shown.feeling - step.feeling) > 1:
                wrong.append(Slot.FEELING)
            minutes = shown.duration_minutes
            if minutes is not None and (step.minutes is None or not _close(minutes, step.minutes)):
                wrong.append(Slot.DURATION)
            if any(pain not in step.pains for pain in shown.pains):
                wrong.append(Slot.PAIN)
        if not wrong:
            return self._say(question, self._phrase("consent"), value="yes", casual=True)
        if len(wrong) == 1:
            return Inbound(text=self._step_text(wrong[0], step))
        return _click(_find(question.choices, "fix") or question.choices[-1])

    def _step_text(self, slot: str, step: PersonaStep) -> str:
        """How this customer types the answer to a per-step slot."""
        if slot == Slot.CHANNEL:
            return step.channel_answer or _CHANNEL_WORDS[step.channel]
        if slot == Slot.FEELING:
            return step.feeling_answer or _FEELING_WORDS[step.feeling]
        if slot == Slot.THINKING:
            if step.thinking:
                return step.thinking
            # Half the time a customer with nothing particular in mind skips; otherwise
            # they say something generic, as real interviewees do.
            if self._rng.random() < 0.5:
                return "skip"
            return self._phrase("thought_low" if step.feeling <= 3 else "thought_high")
        if slot == Slot.DURATION:
            return step.duration or (_humanise(step.minutes) if step.minutes else "skip")
        if slot == Slot.PEOPLE_TOOLS:
            return step.people_tools or "skip"
        typed = step.pain or ", ".join(PAIN_LABELS.get(p, p).lower() for p in step.pains)
        return typed or self._phrase("no_pain")

    @staticmethod
    def _step_value(slot: str, step: PersonaStep, choices: Sequence[Choice]) -> str | None:
        """The button value that means the same as the truth for a per-step slot."""
        if slot == Slot.CHANNEL:
            return step.channel.value
        if slot == Slot.FEELING:
            return str(step.feeling)
        if slot == Slot.DURATION:
            return _nearest_duration(step.minutes, choices)
        if slot == Slot.PEOPLE_TOOLS:
            return None if step.people_tools else "none"
        if slot == Slot.PAIN:
            # The first true pain the bot offers, or "none" for a painless step.
            if not step.pains:
                return "none"
            offered = {choice.value for choice in choices}
            return next((pain for pain in step.pains if pain in offered), None)
        return None

    def _answer_playback(self, question: Reply) -> Inbound:
        fix = self._persona.fix_step_in_playback
        offers_fix = any(choice.value.startswith("fix:") for choice in question.choices)
        if fix and self._playback == "start":
            self._playback = "fix_sent"
            n = fix[0]
            choice = _find(question.choices, f"fix:{n}")
            if choice is not None:
                return _click(choice)
            return Inbound(text=f"step {n} isn't quite right")
        if self._playback == "fix_sent" and fix and not offers_fix:
            # No fix buttons: this is the "what should step N say?" question.
            self._playback = "corrected"
            return Inbound(text=fix[1])
        self._playback = "confirmed"
        if any(choice.value.startswith("step:") for choice in question.choices):
            # The playback also asks for the make-or-break moment: name it right away.
            return self._answer(Slot.MOMENT_OF_TRUTH, question)
        return self._say(question, self._phrase("confirm"), value="yes", casual=True)

    def _reanswer(self, slot: str, question: Reply) -> Inbound:
        """Answer a question the bot keeps re-asking: plainer words, then a button, then skip.

        The second time, a button-backed answer is retyped in its plainest form and a
        free-text answer is simply repeated; from the third time the customer clicks the
        matching (or else the first) choice, and from the fifth types "skip".
        """
        value = self._canonical_value(slot, question.choices)
        if self._repeats == _PLAIN_AT:
            if value is not None and slot not in _NO_PLAIN_WORDS:
                return Inbound(text=_plain_words(slot, value))
            return self._answer(slot, question)
        if self._repeats < _SKIP_AT and question.choices:
            choice = _find(question.choices, value) if value else None
            return _click(choice or question.choices[0])
        return Inbound(text="skip")

    def _end_value(self, choices: Sequence[Choice]) -> str:
        """The end button that also says how it ended, when one is offered; else "last"."""
        with_outcome = f"last:{self._persona.resolved}"
        return with_outcome if _find(choices, with_outcome) is not None else "last"

    def _canonical_value(self, slot: str, choices: Sequence[Choice]) -> str | None:
        persona = self._persona
        if slot == Slot.CONFIRM:
            return "fix"  # asked again: the reading is off, answer question by question
        if slot in _PER_STEP_SLOTS and slot != Slot.STEP:
            return self._step_value(slot, self._current(), choices)
        values: dict[str, str | None] = {
            Slot.CONSENT: "no" if persona.declines_consent else "yes",
            Slot.NEXT_STEP: self._end_value(choices),
            Slot.PLAYBACK: "yes",
            Slot.RESOLVED: persona.resolved,
            Slot.EFFORT: str(persona.effort),
            Slot.ANYTHING_ELSE: "no",
            Slot.MOMENT_OF_TRUTH: (
                f"step:{persona.moment_of_truth}"
                if isinstance(persona.moment_of_truth, int)
                else None
            ),
        }
        return values.get(slot)

    # -- helpers ----------------------------------------------------------------------

    def _current(self) -> PersonaStep:
        steps = self._persona.steps
        return steps[min(max(self._step, 0), len(steps) - 1)]

    def _say(
        self, question: Reply, text: str, *, value: str | None = None, casual: bool = False
    ) -> Inbound:
        """Type `text`, or click the choice whose value is `value` when this customer would.

        Button users always click a matching choice; others sometimes click the obvious
        ones (`casual`: yes / last / no) and otherwise type.
        """
        choice = _find(question.choices, value) if value is not None else None
        if choice is None:
            choice = _find(question.choices, text) if self._persona.uses_buttons else None
        if choice is not None and (self._persona.uses_buttons or self._casual_click(casual)):
            return _click(choice)
        return Inbound(text=text)

    def _casual_click(self, casual: bool) -> bool:
        return casual and self._rng.random() < _CASUAL_CLICK_CHANCE

    def _phrase(self, kind: str) -> str:
        return self._rng.choice(_PHRASES[kind][self._persona.style])

    def _send(self, message: Inbound) -> Inbound:
        self._sent.append(message)
        return message

    def _give_up(self) -> Inbound:
        self._gave_up = True
        self._state = CustomerState.FINISHED
        return self._send(Inbound(text="stop"))


# Slots whose canonical value is already how people type it; rephrasing adds nothing.
_NO_PLAIN_WORDS = frozenset({Slot.CONSENT, Slot.PLAYBACK, Slot.MOMENT_OF_TRUTH})


def _plain_words(slot: str, value: str) -> str:
    """The plainest typed form of a button value, used when the bot did not understand."""
    if slot == Slot.CHANNEL:
        return CHANNEL_LABELS[Channel(value)].lower()
    if slot == Slot.FEELING:
        return f"{value}/5"
    if slot == Slot.DURATION and value.isdigit():
        return _humanise(int(value))
    if slot == Slot.NEXT_STEP:
        return "that was the last step"
    if slot == Slot.PAIN:
        return "nothing" if value == "none" else PAIN_LABELS.get(value, value).lower()
    if slot == Slot.PEOPLE_TOOLS:
        return "just me"
    return value


def _find(choices: Sequence[Choice], wanted: str) -> Choice | None:
    wanted = wanted.strip().lower()
    for choice in choices:
        if wanted in (choice.value.lower(), choice.label.strip().lower()):
            return choice
    return None


def _click(choice: Choice) -> Inbound:
    return Inbound(text=choice.label, choice=choice.value)


def _humanise(minutes: int) -> str:
    if minutes < 60:
        return f"about {minutes} minutes"
    if minutes < 1440:
        hours = round(minutes / 60, 1)
        return f"about {hours:g} hour{'s' if hours != 1 else ''}"
    days = round(minutes / 1440)
    return f"about {days} day{'s' if days != 1 else ''}"


def _nearest_duration(minutes: int | None, choices: Sequence[Choice]) -> str | None:
    """The minute-count choice closest to `minutes` on a log scale (5 vs 30 vs 240...)."""
    if minutes is None:
        return None
    numeric = [c.value for c in choices if c.value.isdigit() and int(c.value) > 0]
    if not numeric:
        return str(minutes)
    return min(numeric, key=lambda v: abs(math.log(int(v)) - math.log(minutes)))


def _close(minutes: int, truth: int) -> bool:
    """Whether a duration shown back is what the customer would let stand (a quarter
    either way, or five minutes)."""
    return abs(minutes - truth) <= max(truth / 4, 5)
