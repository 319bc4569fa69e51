"""A simulated customer who takes one scripted interview through the web JSON API.

The customer follows the protocol of ``bench/data/README.md``: whatever the bot asks, it
answers with the matching answer of the labelled step it is on; a question the bot does
not ask is not answered. It moves to the next labelled step when the bot asks "what
happened next?" (the ``next_step`` slot); after the last labelled step it clicks "That
was the last step" or types the interview's ``ending``. It consents and confirms the
playback with a click, as most people do.

Which step the bot asks about comes from the API itself: the reply's ``slot`` says what
is asked, the response's ``progress.step`` which step (the ordinal the step has, or will
get once told). So the customer can record, for every step the bot stores, which
labelled step it was telling when that step was created: the alignment a scorer needs to
compare stored steps with the labels, also when the bot ends the steps early or turns
the typed ending into a step of its own. A step made from the ending's words has no
labelled step; asked about it, the customer has nothing to add but the ending again.
"""

from __future__ import annotations

import time
import typing
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

from bench.fact_checks import duration_close, polarity
from bench.scripted_interviews import PainKey, ScriptedInterview, ScriptedStep, StepAnswers
from bot.conversation.vocabulary import Slot

Ending = Literal["click", "typed"]
ENDINGS: tuple[Ending, ...] = ("click", "typed")
# A whole interview takes well under a hundred turns even at the step cap; more means
# the bot and the customer are going round in circles.
MAX_TURNS = 300
BUSY_RETRIES = 5

# The questions about one step, each answered by the `StepAnswers` field of its name.
STEP_QUESTIONS = frozenset(
    {Slot.CHANNEL, Slot.FEELING, Slot.THINKING, Slot.DURATION, Slot.PEOPLE_TOOLS, Slot.PAIN}
)
# Answered with a click on the button of this value.
_CLICKS: dict[str, str] = {Slot.CONSENT: "yes", Slot.PLAYBACK: "yes"}


class ApiResponse(Protocol):
    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


class ApiClient(Protocol):
    """What the driver needs of an HTTP client: Starlette's ``TestClient`` on the app, or
    an ``httpx.Client`` with a running server's base URL. (The test client is built on
    ``httpx2``, whose responses are not ``httpx``'s: the shapes are what count.)"""

    def post(
        self, url: str, *, json: Any = None, headers: dict[str, str] | None = None
    ) -> ApiResponse: ...


class DriverError(RuntimeError):
    """The interview could not be driven (an API error, a question with no answer)."""


@dataclass(frozen=True)
class Question:
    """One question the bot asked: its slot, the step it is about, its quick replies."""

    slot: str
    step: int | None  # the step's ordinal (None outside the steps)
    text: str
    choices: tuple[tuple[str, str], ...] = ()  # (value, label)
    # What a `confirm` question shows back (the reply's `understood`), else None.
    understood: Mapping[str, Any] | None = None
    # A second step question the same message asks (the reply's `also`), else None.
    also: str | None = None

    @property
    def slots(self) -> tuple[str, ...]:
        """Every question this message asks: its slot, and `also`."""
        return (self.slot,) if self.also is None else (self.slot, self.also)


@dataclass(frozen=True)
class Sent:
    """One customer message: the question it answers, what was typed or clicked."""

    question: Question
    text: str
    choice: str | None = None


@dataclass
class DrivenInterview:
    """One scripted interview as it went through the API."""

    interview_id: str
    scripted_id: str
    ending: Ending
    status: str
    sent: list[Sent] = field(default_factory=list)
    # For each step the bot asked for, by the ordinal it gave it: the index (from 0) of
    # the labelled step the customer told then, or None for the ending's words. A stored
    # step with ordinal k was created from told[k].
    told: dict[int, int | None] = field(default_factory=dict)
    # (step ordinal, fact) shown wrong in a confirmation: the customer had to fix them.
    shown_wrong: set[tuple[int, str]] = field(default_factory=set)
    # (step ordinal, fact) shown in a confirmation at all.
    shown: set[tuple[int, str]] = field(default_factory=set)
    # Why the customer left a loop (the same question asked `STUCK_AFTER` times), or None.
    stuck: str | None = None

    @property
    def messages_sent(self) -> int:
        return len(self.sent)

    @property
    def questions(self) -> list[Question]:
        """Every question asked, in order (one message answers each)."""
        return [message.question for message in self.sent]

    @property
    def slots_asked(self) -> list[str]:
        return [question.slot for question in self.questions]

    def times_asked(self, slot: str, step: int | None) -> int:
        """How often the question ``slot`` was asked about step ``step``."""
        return self._asked()[(slot, step)]

    @property
    def distinct_questions(self) -> int:
        return len(self._asked())

    @property
    def asked_twice(self) -> int:
        """Questions (slot and step) asked more than once."""
        return sum(1 for count in self._asked().values() if count > 1)

    def label_of(self, ordinal: int) -> int | None:
        """The labelled step (index from 0) stored step ``ordinal`` was made from; None for
        a step made from the ending's words (or one the customer never told)."""
        return self.told.get(ordinal)

    def _asked(self) -> Counter[tuple[str, int | None]]:
        return Counter((slot, q.step) for q in self.questions for slot in q.slots)


# Times a customer answers the same question with the script's words before giving up.
GIVE_UP_AFTER = 2
# Asked the same question this often, the customer is stuck in a loop and leaves: the
# interview is scored as far as it got and counted as stuck.
STUCK_AFTER = 6


class ScriptedCustomer:
    """Answers the bot's questions from one scripted interview."""

    def __init__(self, scripted: ScriptedInterview, ending: Ending) -> None:
        self.scripted = scripted
        self.ending = ending
        self.current = -1  # the labelled step being told (index from 0); -1 before any
        self.told: dict[int, int | None] = {}
        self.asked: dict[tuple[str, int | None], int] = {}
        self.shown: set[tuple[int, str]] = set()
        self.shown_wrong: set[tuple[int, str]] = set()

    def answer(self, question: Question) -> Sent:
        """The message that answers ``question``; raises ``DriverError`` when the script
        has nothing for it. Asked the same question a third time, the customer gives up
        on it and types "skip", as a person would rather than repeat the same words."""
        slot = question.slot
        key = (str(slot), question.step)
        self.asked[key] = self.asked.get(key, 0) + 1
        if self.asked[key] > GIVE_UP_AFTER and slot not in _CLICKS:
            return Sent(question, "skip")
        if slot == Slot.PLAYBACK and not any(value == "yes" for value, _ in question.choices):
            # "Which step should I change?" when nothing was wrong: say so.
            return Sent(question, "None of them, it's all right.")
        if slot == Slot.PLAYBACK and _asks_moment(question):
            # "If that's right: which step was the make-or-break moment?"
            return Sent(question, self.scripted.moment_of_truth.answer)
        if slot in _CLICKS:
            return _click(question, _CLICKS[slot])
        if slot in (Slot.STEP, Slot.NEXT_STEP):
            return self._tell_step(question)
        if slot == Slot.CONFIRM:
            return self._check_reading(question)
        if slot == Slot.CONFIRM_MOMENT:
            return self._check_moment(question)
        if slot == Slot.CLARIFY_NOTHING:
            # "Nothing" was this labelled step's story (a pause): more is to come, unless
            # it was the typed ending.
            ordinal = _step_of(question, self.scripted.id)
            return _click(question, "end" if self.told.get(ordinal) is None else "wait")
        if slot in STEP_QUESTIONS:
            return Sent(question, self._step_answer(question))
        text = self._wrap_up_answer(slot)
        if text is None:
            raise DriverError(f"{self.scripted.id}: no scripted answer for the slot {slot!r}")
        return Sent(question, text)

    def _tell_step(self, question: Question) -> Sent:
        ordinal = _step_of(question, self.scripted.id)
        if ordinal in self.told:
            # Only a language model's follow-up question asks about a told step again,
            # and the script has no answer for those: the benchmark runs offline.
            raise DriverError(f"{self.scripted.id}: step {ordinal} asked for twice")
        self.current += 1
        if self.current < len(self.scripted.steps):
            self.told[ordinal] = self.current
            return Sent(question, self.scripted.steps[self.current].answers.step)
        self.told[ordinal] = None  # if the bot makes a step of the ending, it has no label
        if self.ending == "click":
            # End buttons that also say how it ended: the customer taps the true one.
            with_outcome = f"last:{self.scripted.resolved.label}"
            if any(value == with_outcome for value, _ in question.choices):
                return _click(question, with_outcome)
            return _click(question, "last")
        return Sent(question, self.scripted.ending)

    def _check_reading(self, question: Question) -> Sent:
        """A confirmation: yes when every fact shown matches the labels; one wrong fact
        is corrected by typing that question's answer; more, "Fix it" and answer each."""
        ordinal = _step_of(question, self.scripted.id)
        index = self.told.get(ordinal)
        if index is None:
            return _click(question, "fix")  # a step made of the ending: nothing is right
        step = self.scripted.steps[index]
        wrong = [
            fact
            for fact, value in (question.understood or {}).items()
            if value not in (None, []) and not reading_right(fact, value, step)
        ]
        for fact, value in (question.understood or {}).items():
            if value not in (None, []):
                self.shown.add((ordinal, _FACT_NAMES.get(fact, fact)))
        self.shown_wrong.update((ordinal, _FACT_NAMES.get(fact, fact)) for fact in wrong)
        if not wrong:
            return _click(question, "yes")
        if len(wrong) == 1:
            return Sent(question, step_answer(step.answers, _FACT_SLOTS[wrong[0]]))
        return _click(question, "fix")

    def _check_moment(self, question: Question) -> Sent:
        """ "Do you mean step n?": yes when step n was told from the labelled moment, else
        the button of the step that was, else "none"."""
        wanted = self.scripted.moment_of_truth.step  # 1-based labelled step, or None
        ordinal = next(
            (o for o, index in self.told.items() if wanted is not None and index == wanted - 1),
            None,
        )
        if ordinal is None:
            return Sent(question, "none of those")
        # The step asked about is the one without a button of its own.
        if any(value == f"step:{ordinal}" for value, _ in question.choices):
            return _click(question, f"step:{ordinal}")
        return _click(question, "yes")

    def _step_answer(self, question: Question) -> str:
        """The step's answer to the question; to a message asking two ("how were you in
        touch, and how long did it take?"), both answers in one message, in that order."""
        ordinal = _step_of(question, self.scripted.id)
        if ordinal not in self.told:
            raise DriverError(f"{self.scripted.id}: asked about step {ordinal} before it")
        index = self.told[ordinal]
        if index is None:
            return self.scripted.ending  # a step made of the ending: nothing else to say
        answers = self.scripted.steps[index].answers
        return joined_answers([step_answer(answers, slot) for slot in question.slots])

    def _wrap_up_answer(self, slot: str) -> str | None:
        scripted = self.scripted
        answers: dict[str, str] = {
            Slot.PROBLEM: scripted.problem,
            Slot.MOMENT_OF_TRUTH: scripted.moment_of_truth.answer,
            Slot.RESOLVED: scripted.resolved.answer,
            Slot.EFFORT: scripted.effort.answer,
            Slot.IMPROVEMENT: scripted.improvement,
            Slot.ANYTHING_ELSE: scripted.anything_else,
        }
        return answers.get(slot)


# The reading's field names, as facts and as the questions that ask them.
_FACT_NAMES = {"duration_minutes": "duration"}
_FACT_SLOTS: dict[str, str] = {
    "channel": Slot.CHANNEL,
    "feeling": Slot.FEELING,
    "duration_minutes": Slot.DURATION,
    "pains": Slot.PAIN,
}


def reading_right(fact: str, value: Any, step: ScriptedStep) -> bool:
    """Whether a fact the bot showed back is what the customer would call right: the
    labelled channel, the feeling's polarity, a duration within 25 % or 5 minutes, and
    no pain the labels do not have (pains outside the labels' taxonomy pass)."""
    labels = step.labels
    if fact == "channel":
        return bool(value == labels.channel)
    if fact == "feeling":
        return labels.feeling is not None and polarity(int(value)) == polarity(labels.feeling)
    if fact == "duration_minutes":
        wanted = labels.duration_minutes
        if wanted is None:
            return False
        return duration_close(int(value), wanted)
    if fact == "pains":
        known = set(typing.get_args(PainKey))
        return all(pain in labels.pains or pain not in known for pain in value)
    return True


def step_answer(answers: StepAnswers, slot: str) -> str:
    """The answer to the step question ``slot`` (its field has the slot's name)."""
    text: str = getattr(answers, slot)
    return text


def joined_answers(parts: Sequence[str]) -> str:
    """Several answers as one chat message, as a person writes them: "Phone, about 20
    minutes" (a comma after a part that does not end a sentence)."""
    text = ""
    for part in (p.strip() for p in parts if p.strip()):
        if text:
            text += " " if text[-1] in ".!?…" else ", "
        text += part
    return text


def drive_interview(
    client: ApiClient, scripted: ScriptedInterview, ending: Ending, *, campaign: str
) -> DrivenInterview:
    """Start an interview on the open-link campaign ``campaign`` and answer every question
    from ``scripted`` until the bot says goodbye, ending the steps as ``ending`` says.

    ``client`` is a ``TestClient`` on the app, or an ``httpx.Client`` with a server's base
    URL. Returns what was sent and asked, and which labelled step each stored step
    came from; raises ``DriverError`` on an API error or a question the script cannot
    answer.
    """
    started = _post(client, "/api/v1/interviews", {"campaign": campaign}, token=None)
    interview_id, token = str(started["interview_id"]), str(started["token"])
    customer = ScriptedCustomer(scripted, ending)
    driven = DrivenInterview(interview_id, scripted.id, ending, str(started["status"]))
    question = _question(started["pending"], started.get("progress"), previous=None)
    while question is not None and question.slot != Slot.DONE:
        if len(driven.sent) >= MAX_TURNS:
            raise DriverError(f"{scripted.id}: still asking after {MAX_TURNS} answers")
        key = (str(question.slot), question.step)
        if customer.asked.get(key, 0) >= STUCK_AFTER:
            driven.stuck = f"{question.slot} asked {STUCK_AFTER} times: {question.text!r}"
            break
        message = customer.answer(question)
        driven.sent.append(message)
        body = {
            "text": message.text,
            "choice": message.choice,
            "client_message_id": f"m{len(driven.sent)}",
        }
        turn = _post(client, f"/api/v1/interviews/{interview_id}/messages", body, token=token)
        driven.status = str(turn["status"])
        question = _question(turn["replies"], turn.get("progress"), previous=question)
    driven.told = dict(customer.told)
    driven.shown = set(customer.shown)
    driven.shown_wrong = set(customer.shown_wrong)
    return driven


def _question(
    replies: Sequence[Mapping[str, Any]],
    progress: Mapping[str, Any] | None,
    previous: Question | None,
) -> Question | None:
    """The question the replies end with (the last one with a slot), about the step the
    progress names; None when the bot asks nothing (it has finished)."""
    asking = [reply for reply in replies if reply.get("slot")]
    if not asking:
        return None
    reply = asking[-1]
    slot = str(reply["slot"])
    if progress is not None:
        step = progress.get("step")
    else:
        # No progress after a failed turn: the same question is asked again.
        step = previous.step if previous is not None and previous.slot == slot else None
    choices = tuple((str(c["value"]), str(c["label"])) for c in reply.get("choices", []))
    understood = reply.get("understood")
    also = reply.get("also")
    return Question(
        slot=slot,
        step=step,
        text=str(reply["text"]),
        choices=choices,
        understood=understood,
        also=None if also is None else str(also),
    )


def _step_of(question: Question, scripted_id: str) -> int:
    if question.step is None:
        raise DriverError(f"{scripted_id}: {question.slot!r} asked with no step in progress")
    return question.step


def _asks_moment(question: Question) -> bool:
    """A playback that also asks for the make-or-break moment (it offers the steps)."""
    return any(value.startswith("step:") for value, _label in question.choices)


def _click(question: Question, value: str) -> Sent:
    """Click the quick reply ``value``: its label as the text, as the web chat sends it."""
    for offered, label in question.choices:
        if offered == value:
            return Sent(question, label, value)
    raise DriverError(f"no {value!r} button offered with {question.slot!r}: {question.text!r}")


def _post(
    client: ApiClient, url: str, body: Mapping[str, Any], *, token: str | None
) -> dict[str, Any]:
    headers = {} if token is None else {"Authorization": f"Bearer {token}"}
    for _ in range(BUSY_RETRIES):
        response = client.post(url, json=dict(body), headers=headers)
        if response.status_code != 503:
            break
        # Busy: nothing was stored. The same body (same client_message_id) is sent again.
        time.sleep(float(response.headers.get("Retry-After", "1")))
    if response.status_code not in (200, 201):
        raise DriverError(f"POST {url}: {response.status_code} {response.text[:300]}")
    payload: dict[str, Any] = response.json()
    return payload
