"""The curation layer through the review service (SQLite and PostgreSQL): every kind of
edit, who / when / why, undo, optimistic concurrency (a 409-style conflict, never a lost
edit), and the layer re-applied to a new run of the series: a moved step stays moved, a
renamed stage keeps its name, a rejected pain stays rejected, and an edit whose target
vanished is reported."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.service.review.errors import EditConflict, EditRefused
from bot.service.review.evidence import Filters
from bot.service.review.layer import Editor
from bot.service.review.service import ReviewService
from storage import queries
from synthesis.curation.edits import step_text
from synthesis.model import JourneyMap
from synthesis.runs import SavedRun
from tests.console_support import Clock
from tests.review_data import add_more, seeded, synthesize_run

RAE = Editor(user_id=None, name="Rae Reviewer")
SAM = Editor(user_id=None, name="Sam Researcher")


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def service(session_factory: sessionmaker[Session], clock: Clock) -> ReviewService:
    return ReviewService(session_factory, clock=clock)


@pytest.fixture
def run(session_factory: sessionmaker[Session]) -> SavedRun:
    return seeded(session_factory, count=9)


def _edit(
    service: ReviewService,
    run_id: int,
    kind: str,
    target_kind: str,
    target_id: str,
    *,
    who: Editor = RAE,
    reason: str = "the team agreed",
    **payload: Any,
) -> int:
    version = service.layers.read(service.library.run(run_id).info).version
    made = service.edit(
        run_id,
        editor=who,
        expected=version,
        kind=kind,
        target_kind=target_kind,
        target_id=target_id,
        payload=payload,
        reason=reason,
    )
    return made.id


def _map(service: ReviewService, run_id: int) -> JourneyMap:
    return service.journey_map(run_id, personal=True)


def _stage_of(journey_map: JourneyMap) -> dict[tuple[str, int], str]:
    return {(r.interview_id, r.ordinal): s.id for s in journey_map.stages for r in s.steps}


def test_rename_and_describe_a_stage_and_a_pain_point_recording_who_when_why(
    service: ReviewService, run: SavedRun, clock: Clock
) -> None:
    _edit(service, run.id, "rename", "stage", "wait", name="On hold", reason="customers say so")
    clock.advance(minutes=3)
    pain = next(p for p in run.journey_map.pain_points if p.label == "No follow up")
    _edit(
        service, run.id, "rename", "pain", pain.id, who=SAM,
        name="Promised call-back never came", description="They said they would call.",
    )  # fmt: skip
    m = _map(service, run.id)
    wait = next(s for s in m.stages if s.id == "wait")
    assert wait.name == "On hold" and wait.description  # the frame's description stays
    point = next(p for p in m.pain_points if p.id == pain.id)
    assert point.label == "Promised call-back never came"
    assert point.summary == "They said they would call."
    layer = service.layers.read(service.library.run(run.id).info)
    assert layer.version == 2
    first, second = layer.edits
    assert (first.author, first.edit.reason, first.version) == (
        "Rae Reviewer",
        "customers say so",
        1,
    )
    assert second.author == "Sam Researcher" and second.edit.created_at == clock.now
    assert second.edit.created_at != first.edit.created_at


def test_move_a_step_and_every_count_follows_it(service: ReviewService, run: SavedRun) -> None:
    before = _map(service, run.id)
    stage_of = _stage_of(before)
    step = next(k for k, s in stage_of.items() if s == "reach_out")
    _edit(service, run.id, "move", "step", step_text(step), to="wait")
    after = _map(service, run.id)
    assert _stage_of(after)[step] == "wait"
    sizes = {s.id: s.step_count for s in before.stages}
    moved = {s.id: s.step_count for s in after.stages}
    assert moved["wait"] == sizes["wait"] + 1 and moved["reach_out"] == sizes["reach_out"] - 1
    wait = next(s for s in after.stages if s.id == "wait")
    assert sum(c.count for c in wait.channel_mix) == wait.step_count
    assert wait.feeling.rated == sum(wait.feeling.distribution.values())
    assert sum(s.step_count for s in after.stages) == before.step_count


def test_merge_and_split_stages(service: ReviewService, run: SavedRun) -> None:
    before = _map(service, run.id)
    handoff = next(s for s in before.stages if s.id == "handoff")
    explain = next(s for s in before.stages if s.id == "explain")
    _edit(service, run.id, "merge", "stage", "handoff", into="explain")
    merged = _map(service, run.id)
    assert "handoff" not in {s.id for s in merged.stages}
    new_explain = next(s for s in merged.stages if s.id == "explain")
    assert new_explain.step_count == explain.step_count + handoff.step_count
    assert all(p.stages and "handoff" not in p.stages for p in merged.pain_points)
    leaving = [step_text((r.interview_id, r.ordinal)) for r in new_explain.steps[:2]]
    split = _edit(
        service, run.id, "split", "stage", "explain", steps=leaving, name="Proving who I am"
    )
    after = _map(service, run.id)
    ids = [s.id for s in after.stages]
    assert ids[ids.index("explain") + 1] == f"RS{split}"
    new = next(s for s in after.stages if s.id == f"RS{split}")
    assert new.name == "Proving who I am" and new.step_count == 2
    assert new.frame_stage is None and new.quotes
    everything = [step_text((r.interview_id, r.ordinal)) for r in new.steps]
    with pytest.raises(EditRefused, match="Leave at least one step"):
        _edit(service, run.id, "split", "stage", f"RS{split}", steps=everything, name="All")


def test_merge_and_split_pain_points_and_decide_on_them(
    service: ReviewService, run: SavedRun
) -> None:
    points = {p.label: p for p in run.journey_map.pain_points}
    wait, follow = points["Long wait"], points["No follow up"]
    _edit(service, run.id, "merge", "pain", follow.id, into=wait.id)
    merged = next(p for p in _map(service, run.id).pain_points if p.id == wait.id)
    assert merged.evidence == wait.evidence + follow.evidence
    assert set(merged.tags) == {"long_wait", "no_follow_up"}
    assert merged.rank == 1 and merged.score >= wait.score
    leaving = [step_text((r.interview_id, r.ordinal)) for r in follow.steps]
    split = _edit(service, run.id, "split", "pain", wait.id, steps=leaving, name="Nobody called")
    after = {p.id: p for p in _map(service, run.id).pain_points}
    assert after[f"RP{split}"].evidence == follow.evidence
    assert after[wait.id].evidence == wait.evidence
    transferred = points["Transferred"]
    _edit(service, run.id, "decide", "pain", transferred.id, decision="rejected")
    reviewed = service.reviewed(run.id, personal=True)
    assert transferred.id not in {p.id for p in reviewed.curated.journey_map.pain_points}
    assert [p.id for p in reviewed.curated.rejected_pains] == [transferred.id]
    assert [p.rank for p in reviewed.curated.journey_map.pain_points] == list(
        range(1, len(reviewed.curated.journey_map.pain_points) + 1)
    )
    _edit(service, run.id, "decide", "pain", wait.id, decision="accepted")
    assert service.reviewed(run.id, personal=True).curated.decisions[("pain", wait.id)] == (
        "accepted"
    )
    with pytest.raises(EditRefused, match="accepted already"):
        _edit(service, run.id, "decide", "pain", wait.id, decision="accepted")


def test_accept_an_emerging_stage_and_reject_an_opportunity(
    service: ReviewService, run: SavedRun
) -> None:
    [emerging] = run.journey_map.emerging_stages
    _edit(service, run.id, "decide", "emerging", emerging.id, decision="accepted")
    m = _map(service, run.id)
    stage = next(s for s in m.stages if s.id == emerging.id)
    assert stage.step_count == emerging.step_count and stage.name == emerging.name
    assert emerging.id not in {e.id for e in m.emerging_stages}
    ids = [s.id for s in m.stages]
    assert ids.index(emerging.id) < ids.index("resolve")  # placed by journey position
    # The accepted stage is a stage like the others now: it can be renamed.
    _edit(service, run.id, "rename", "stage", emerging.id, name="Going in person")
    opportunity = run.journey_map.opportunities[-1]
    _edit(service, run.id, "decide", "opportunity", opportunity.id, decision="rejected")
    reviewed = service.reviewed(run.id, personal=True)
    assert opportunity.id not in {o.id for o in reviewed.curated.journey_map.opportunities}
    assert [o.id for o in reviewed.curated.rejected_opportunities] == [opportunity.id]
    assert next(s for s in reviewed.curated.journey_map.stages if s.id == emerging.id).name == (
        "Going in person"
    )


def test_pin_a_key_quote(service: ReviewService, run: SavedRun) -> None:
    wait = next(s for s in run.journey_map.stages if s.id == "wait")
    page = service.evidence(
        run.id, kind="stage", item_id="wait", filters=Filters(), page=1, personal=True
    )
    chosen = next(
        i.quote for i in page.items if i.quote and i.quote.message_id != wait.quotes[0].message_id
    )
    _edit(
        service, run.id, "pin", "stage", "wait",
        message_id=chosen.message_id, interview_id=chosen.interview_id, step=chosen.step_ordinal,
    )  # fmt: skip
    reviewed = service.reviewed(run.id, personal=True)
    stage = next(s for s in reviewed.curated.journey_map.stages if s.id == "wait")
    assert stage.quotes[0] == chosen
    assert reviewed.curated.pinned[("stage", "wait")] == chosen.message_id
    with pytest.raises(EditRefused, match="no longer evidence"):  # not a message of the step
        _edit(
            service, run.id, "pin", "stage", "wait",
            message_id=chosen.message_id + 100_000, interview_id=chosen.interview_id,
            step=chosen.step_ordinal,
        )  # fmt: skip
    other = next(s for s in run.journey_map.stages if s.id == "notice")
    with pytest.raises(EditRefused, match="no longer evidence"):
        _edit(
            service, run.id, "pin", "stage", "notice",
            message_id=chosen.message_id, interview_id=chosen.interview_id,
            step=chosen.step_ordinal,
        )  # fmt: skip
    assert other.quotes


def test_edits_that_do_not_fit_are_refused_with_the_reason(
    service: ReviewService, run: SavedRun
) -> None:
    step = step_text(next(iter(_stage_of(run.journey_map))))
    refused: list[tuple[str, str, str, dict[str, Any], str]] = [
        ("rename", "stage", "no-such-stage", {"name": "x"}, "is not in this run"),
        ("merge", "stage", "wait", {"into": "wait"}, "into itself"),
        ("move", "step", step, {"to": "nowhere"}, "is not in this run"),
        ("move", "step", "someone#99", {"to": "wait"}, "is not in this run"),
        ("decide", "pain", "P1", {"decision": "maybe"}, "Accept or reject"),
        ("rename", "stage", "wait", {}, "new name or a description"),
        ("explode", "stage", "wait", {}, "no kind of edit"),
    ]
    for kind, target_kind, target, payload, message in refused:
        with pytest.raises(EditRefused, match=message):
            _edit(service, run.id, kind, target_kind, target, **payload)
    with pytest.raises(EditRefused, match="Say why"):
        _edit(service, run.id, "rename", "stage", "wait", reason="  ", name="x")
    assert service.layers.read(service.library.run(run.id).info).version == 0


def test_undo_restores_the_map_and_keeps_the_edit_in_the_log(
    service: ReviewService, run: SavedRun
) -> None:
    before = _map(service, run.id)
    first = _edit(service, run.id, "merge", "stage", "handoff", into="explain")
    second = _edit(service, run.id, "rename", "stage", "wait", name="On hold")
    info = service.library.run(run.id).info
    service.undo(run.id, first, editor=SAM, expected=2)
    after = _map(service, run.id)
    assert [s.id for s in after.stages] == [s.id for s in before.stages]
    assert next(s for s in after.stages if s.id == "wait").name == "On hold"
    layer = service.layers.read(info)
    assert layer.version == 3
    undone = next(e for e in layer.edits if e.id == first)
    assert undone.undone_by == "Sam Researcher" and undone.undone_version == 3
    assert [e.id for e in layer.edits if e.active] == [second]
    with pytest.raises(EditRefused, match="undone already"):
        service.undo(run.id, first, editor=SAM, expected=3)


def test_two_reviewers_at_once_one_gets_a_conflict_and_no_edit_is_lost(
    service: ReviewService, run: SavedRun
) -> None:
    info = service.library.run(run.id).info
    seen = service.layers.read(info).version  # both opened the map at this version
    service.edit(
        run.id, editor=RAE, expected=seen, kind="rename", target_kind="stage",
        target_id="wait", payload={"name": "On hold"}, reason="Rae's reading",
    )  # fmt: skip
    with pytest.raises(EditConflict) as conflict:
        service.edit(
            run.id, editor=SAM, expected=seen, kind="rename", target_kind="stage",
            target_id="wait", payload={"name": "Waiting around"}, reason="Sam's reading",
        )  # fmt: skip
    assert conflict.value.expected == seen and conflict.value.current == seen + 1
    assert [e.author for e in conflict.value.since] == ["Rae Reviewer"]
    assert "Rae Reviewer changed this map" in str(conflict.value)
    # Sam saves again on the version that now shows: both edits are in the log.
    service.edit(
        run.id, editor=SAM, expected=seen + 1, kind="rename", target_kind="stage",
        target_id="wait", payload={"name": "Waiting around"}, reason="Sam's reading",
    )  # fmt: skip
    layer = service.layers.read(info)
    assert [e.edit.payload["name"] for e in layer.edits] == ["On hold", "Waiting around"]
    with pytest.raises(EditConflict):
        service.undo(run.id, layer.edits[0].id, editor=RAE, expected=seen)


def test_simultaneous_edits_from_threads_never_both_claim_a_version(
    service: ReviewService, run: SavedRun
) -> None:
    info = service.library.run(run.id).info
    results: list[str] = []
    barrier = threading.Barrier(4)

    def reviewer(n: int) -> None:
        barrier.wait()
        try:
            service.layers.add(
                info, editor=Editor(None, f"reviewer {n}"), expected=0, kind="rename",
                target_kind="stage", target_id="wait", payload={"name": f"name {n}"},
                reason="race",
            )  # fmt: skip
            results.append("saved")
        except EditConflict:
            results.append("conflict")

    threads = [threading.Thread(target=reviewer, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == ["conflict"] * 3 + ["saved"]
    layer = service.layers.read(info)
    assert layer.version == 1 and len(layer.edits) == 1


def test_a_new_run_keeps_every_edit_and_reports_new_evidence_and_what_no_longer_holds(
    session_factory: sessionmaker[Session], service: ReviewService, run: SavedRun
) -> None:
    stage_of = _stage_of(run.journey_map)
    step = next(k for k, s in stage_of.items() if s == "reach_out")
    _edit(service, run.id, "rename", "stage", "wait", name="On hold")
    _edit(service, run.id, "move", "step", step_text(step), to="wait")
    transferred = next(p for p in run.journey_map.pain_points if p.label == "Transferred")
    _edit(service, run.id, "decide", "pain", transferred.id, decision="rejected")
    _edit(service, run.id, "merge", "stage", "handoff", into="explain")
    [emerging] = run.journey_map.emerging_stages
    _edit(service, run.id, "decide", "emerging", emerging.id, decision="accepted")
    # An edit whose target will vanish: a step of an interview the next run leaves out.
    gone = run.journey_map.interview_ids[-1]
    _edit(service, run.id, "move", "step", f"{gone}#1", to="wait")
    with session_factory.begin() as session:
        interview = queries.get_interview(session, gone)
        assert interview is not None
        interview.status = "paused"  # unfinished: the next map leaves it out
    added = add_more(session_factory, count=20, start=9)
    second = synthesize_run(session_factory)
    application = service.reapply(second.id)
    after = service.reviewed(second.id, personal=True)
    m = after.curated.journey_map
    assert next(s for s in m.stages if s.id == "wait").name == "On hold"
    assert _stage_of(m)[step] == "wait"
    assert transferred.id not in {p.id for p in m.pain_points}
    assert transferred.id in {p.id for p in after.curated.rejected_pains}
    assert "handoff" not in {s.id for s in m.stages}
    accepted = next(s for s in m.stages if s.id == emerging.id)
    new_in_emerging = [r for r in accepted.steps if r.interview_id in set(added)]
    assert new_in_emerging  # the new interviews' depot visits landed in the accepted stage
    report = application.report
    assert application.layer_version == 6 and application.held == 5 and application.broken == 1
    [broken] = report["no_longer_holds"]
    assert "is not in this run" in broken["why"] and gone[:8] in broken["edit"]
    assert report["new_interviews"] == 20
    landed = {(e["kind"], e["id"]): e for e in report["new_evidence"]}
    assert landed[("stage", emerging.id)]["steps"] == len(new_in_emerging)
    assert ("stage", "handoff") not in landed and ("stage", "explain") in landed
    assert sum(e["steps"] for e in report["new_evidence"] if e["kind"] == "stage") == sum(
        1 for s in m.stages for r in s.steps if r.interview_id in set(added)
    )
    assert service.application(second.id) == application
