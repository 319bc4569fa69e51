"""Deleting everything stored about one person (found by ``storage.people``), table by
table, and the rule each table of the schema follows.

``TABLE_RULES`` names every table of ``Base.metadata`` with what an erasure does to it;
a test compares it with the metadata, so a table added later without a rule fails the
suite instead of keeping a person's words after their erasure. The deletes run in the
caller's transaction, children before parents, with explicit statements (no reliance
on database cascades, which SQLite only applies with foreign keys switched on).

Synthesis runs that quoted the person are **retired**, not re-rendered: a map is a
clustering of everyone's steps, and taking one person out changes stages, shares and
ranks in ways only a new run computes honestly. A retired run keeps its row, counts
and id counters (so the series' ids are never handed out again) and loses its map,
pain points, segment maps and interview ids; its review application (which quotes
evidence) goes, and the service deletes the files it wrote.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, delete, false, or_, select, update
from sqlalchemy.orm import Session

from storage.models import (
    ImportedInterview,
    Interview,
    Invite,
    LlmCall,
    Message,
    Participant,
    SlackEvent,
    StepRecord,
    SynthesisRun,
)
from storage.people import Person
from storage.privacy_models import SynthesisOutput
from storage.review_models import ReviewApplication, ReviewEdit, ReviewLayer
from storage.scheduler_models import (
    Invitation,
    InvitationMessage,
    ScheduledJob,
    TriggeredCase,
)
from storage.workspace_models import LoopSend


class Fate(StrEnum):
    ERASED = "erased"  # the person's rows are deleted
    RETIRED = "retired"  # rows that quote them are emptied and marked
    KEPT = "kept"  # holds nothing of a customer (the rule says why)


@dataclass(frozen=True)
class Rule:
    fate: Fate
    what: str


TABLE_RULES: dict[str, Rule] = {
    "participants": Rule(Fate.ERASED, "every row that is the person, in every campaign"),
    "interviews": Rule(Fate.ERASED, "their interviews: answers, consent, engine state"),
    "messages": Rule(Fate.ERASED, "every message of their interviews, in and out"),
    "step_records": Rule(Fate.ERASED, "the steps of their interviews, with provenance"),
    "imported_interviews": Rule(Fate.ERASED, "where their imported interviews came from"),
    "llm_calls": Rule(Fate.ERASED, "model calls made for their interviews"),
    "invites": Rule(Fate.ERASED, "their personal links"),
    "invitations": Rule(Fate.ERASED, "their invitations"),
    "invitation_messages": Rule(Fate.ERASED, "the ledger of messages sent to them"),
    "scheduled_jobs": Rule(Fate.ERASED, "send jobs of their invitations"),
    "triggered_cases": Rule(Fate.ERASED, "helpdesk cases that invited them"),
    "slack_events": Rule(Fate.ERASED, "their Slack deliveries (the text they typed)"),
    "review_edits": Rule(Fate.ERASED, "reviewers' pins of their quotes and edits of their steps"),
    "review_applications": Rule(Fate.ERASED, "the review report of each retired run"),
    "synthesis_outputs": Rule(Fate.ERASED, "the file records of each retired run"),
    "synthesis_runs": Rule(
        Fate.RETIRED, "runs that read their interviews: map, pain points and ids emptied"
    ),
    "suppressions": Rule(
        Fate.KEPT,
        "an opt-out is honoured after the erasure: the address stays on the "
        "do-not-contact list (exported, reported; `journeyline suppressions remove`)",
    ),
    "start_counters": Rule(Fate.KEPT, "keyed by a hashed client address or a campaign"),
    "campaigns": Rule(Fate.KEPT, "the researchers' campaign settings and consent text"),
    "invitation_waves": Rule(Fate.KEPT, "schedules, no person in them"),
    "message_templates": Rule(Fate.KEPT, "the campaign's own email wording"),
    "review_layers": Rule(Fate.KEPT, "a series' version counter"),
    "share_links": Rule(
        Fate.KEPT, "staff's read-only links to a run; a retired run's link shows no map"
    ),
    "erasures": Rule(Fate.KEPT, "the audit of erasures, which holds no personal data"),
    "loop_sends": Rule(Fate.ERASED, "their copies of close-the-loop messages"),
    "loop_messages": Rule(Fate.KEPT, "the team's own 'here is what we changed' wording"),
    "map_threads": Rule(Fate.KEPT, "discussion threads on map cells (staff's words)"),
    "map_comments": Rule(Fate.KEPT, "staff's comments; a comment never carries a quote"),
    "map_mentions": Rule(Fate.KEPT, "which staff member a comment mentions"),
    "map_approvals": Rule(Fate.KEPT, "a map version's review status"),
    "map_approval_events": Rule(Fate.KEPT, "who moved a map's review status, and why"),
    "map_actions": Rule(Fate.KEPT, "the team's actions on pain points and opportunities"),
    "console_users": Rule(Fate.KEPT, "staff accounts, not customers"),
    "console_sessions": Rule(Fate.KEPT, "staff sign-ins"),
    "console_api_keys": Rule(Fate.KEPT, "staff API keys"),
    "console_reset_links": Rule(Fate.KEPT, "staff password resets"),
    "console_failed_sign_ins": Rule(Fate.KEPT, "staff sign-in failures"),
    "console_sso_attempts": Rule(Fate.KEPT, "staff single sign-ons under way"),
}


@dataclass(frozen=True)
class OutputFiles:
    """Files a retired run wrote: ``folder`` (absolute) and names relative to it."""

    folder: str
    files: tuple[str, ...]


@dataclass
class Erased:
    """What the deletes did: rows per table, the runs retired, and what the caller must
    still delete outside the database (a run's files, the outbox's emails)."""

    counts: dict[str, int] = field(default_factory=dict)
    retired_runs: list[int] = field(default_factory=list)
    output_files: list[OutputFiles] = field(default_factory=list)
    email_message_ids: list[str] = field(default_factory=list)


def erase_person(session: Session, person: Person, *, erasure_id: str, now: datetime) -> Erased:
    """Delete ``person``'s rows and retire the runs that read their interviews, in the
    caller's transaction. Idempotent: a second call finds nothing more to do."""
    done = Erased()
    interviews = list(person.interview_ids)
    invitations = list(person.invitation_ids)
    done.email_message_ids = list(
        session.scalars(
            select(InvitationMessage.message_id).where(
                InvitationMessage.invitation_id.in_(invitations)
            )
        )
    )
    loop_sends = list(
        session.execute(
            select(LoopSend.id, LoopSend.message_id).where(
                LoopSend.participant_id.in_(person.participant_ids)
            )
        )
    )
    # Close-the-loop emails are outbox files named by their Message-ID too.
    done.email_message_ids += [message_id for _, message_id in loop_sends]
    _retire_runs(session, person, erasure_id=erasure_id, now=now, done=done)
    _drop_review_edits(session, person, done)

    def run(table: str, statement: Executable) -> None:
        done.counts[table] = done.counts.get(table, 0) + _rows(session, statement)

    run("llm_calls", delete(LlmCall).where(LlmCall.interview_id.in_(interviews)))
    # Replies point at the messages that caused them: unlink first, so the order of one
    # DELETE's rows never matters.
    session.execute(
        update(Message).where(Message.interview_id.in_(interviews)).values(in_reply_to_id=None)
    )
    run("messages", delete(Message).where(Message.interview_id.in_(interviews)))
    run("step_records", delete(StepRecord).where(StepRecord.interview_id.in_(interviews)))
    run(
        "imported_interviews",
        delete(ImportedInterview).where(ImportedInterview.interview_id.in_(interviews)),
    )
    run("slack_events", delete(SlackEvent).where(slack_events_of(person.slack_users)))
    run(
        "triggered_cases", delete(TriggeredCase).where(TriggeredCase.invitation_id.in_(invitations))
    )
    run("scheduled_jobs", delete(ScheduledJob).where(_send_jobs(invitations)))
    run(
        "invitation_messages",
        delete(InvitationMessage).where(InvitationMessage.invitation_id.in_(invitations)),
    )
    run("invitations", delete(Invitation).where(Invitation.id.in_(invitations)))
    run(
        "scheduled_jobs",
        delete(ScheduledJob).where(
            ScheduledJob.idempotency_key.in_([f"loop:{send_id}" for send_id, _ in loop_sends])
        ),
    )
    run("loop_sends", delete(LoopSend).where(LoopSend.id.in_([i for i, _ in loop_sends])))
    run("invites", delete(Invite).where(Invite.id.in_(person.invite_ids)))
    run("interviews", delete(Interview).where(Interview.id.in_(interviews)))
    run("participants", delete(Participant).where(Participant.id.in_(person.participant_ids)))
    session.flush()
    return done


def _retire_runs(
    session: Session, person: Person, *, erasure_id: str, now: datetime, done: Erased
) -> None:
    """Empty and mark the runs whose interviews include the person's."""
    theirs = set(person.interview_public_ids)
    if not theirs:
        return
    candidates = session.execute(
        select(SynthesisRun.id, SynthesisRun.interview_ids).where(
            SynthesisRun.campaign_id.in_(person.campaign_ids)
        )
    ).all()
    retired = [row.id for row in candidates if theirs & set(row.interview_ids or ())]
    if not retired:
        return
    outputs = list(
        session.scalars(select(SynthesisOutput).where(SynthesisOutput.run_id.in_(retired)))
    )
    for output in outputs:
        overwritten = _overwritten_later(session, output, retired=retired)
        files = tuple(f for f in output.files if f not in overwritten)
        done.output_files.append(OutputFiles(output.folder, files))
    done.counts["review_applications"] = _rows(
        session, delete(ReviewApplication).where(ReviewApplication.run_id.in_(retired))
    )
    done.counts["synthesis_outputs"] = _rows(
        session, delete(SynthesisOutput).where(SynthesisOutput.run_id.in_(retired))
    )
    session.execute(
        update(SynthesisRun)
        .where(SynthesisRun.id.in_(retired))
        .values(
            journey_map={},
            pain_points=[],
            segment_maps=None,
            interview_ids=[],
            retired_at=now,
            retired_by=erasure_id,
        )
    )
    done.retired_runs = retired
    done.counts["synthesis_runs"] = len(retired)


def _overwritten_later(
    session: Session, output: SynthesisOutput, *, retired: list[int]
) -> set[str]:
    """Files of ``output`` a run that is not retired wrote again afterwards into the
    same folder: what is on disk now is that run's, which does not quote the person."""
    later = session.scalars(
        select(SynthesisOutput.files).where(
            SynthesisOutput.folder == output.folder,
            SynthesisOutput.written_at > output.written_at,
            SynthesisOutput.run_id.not_in(retired),
        )
    )
    return {name for files in later for name in files}


def _drop_review_edits(session: Session, person: Person, done: Erased) -> None:
    """Delete the edits that point into the person's interviews: pins of their messages
    (``payload.interview_id``) and edits of their steps (target ``PUBLIC_ID#ORDINAL``)."""
    theirs = set(person.interview_public_ids)
    if not theirs:
        return
    edits = session.execute(
        select(ReviewEdit.id, ReviewEdit.target_kind, ReviewEdit.target_id, ReviewEdit.payload)
        .join(ReviewLayer, ReviewLayer.id == ReviewEdit.layer_id)
        .where(ReviewLayer.campaign_id.in_(person.campaign_ids))
    ).all()
    doomed = [
        e.id
        for e in edits
        if str((e.payload or {}).get("interview_id", "")) in theirs
        or (e.target_kind == "step" and e.target_id.partition("#")[0] in theirs)
    ]
    done.counts["review_edits"] = _rows(
        session, delete(ReviewEdit).where(ReviewEdit.id.in_(doomed))
    )


def slack_events_of(users: Iterable[tuple[str, str]]) -> ColumnElement[bool]:
    """``slack_events.customer`` is ``TEAM:USER`` (``bot.slack.events.Customer``)."""
    conditions = [
        SlackEvent.customer == f"{team}:{user}" if team else SlackEvent.customer.like(f"%:{user}")
        for team, user in users
    ]
    return or_(false(), *conditions)


def _send_jobs(invitation_ids: Iterable[int]) -> ColumnElement[bool]:
    """An invitation's send jobs are keyed ``invitation:<id>:<number>``
    (``campaigns.sends.send_job_key``)."""
    return or_(
        false(), *(ScheduledJob.idempotency_key.like(f"invitation:{i}:%") for i in invitation_ids)
    )


def _rows(session: Session, statement: Executable) -> int:
    """Run a DELETE or UPDATE; how many rows it touched."""
    return cast("CursorResult[Any]", session.execute(statement)).rowcount or 0
