"""The erasure acceptance test, on SQLite and PostgreSQL: after erasing Erin, not one
column of one table, not one stored run and not one file under the data folder (the
SQLite database file and its log included) or the map's output folder holds her email,
phone number or words; Otto, interviewed alongside her, is all still there.

Also: every table of the metadata has an erasure rule, the audit holds no personal
data, the export has everything before, and a second erasure does nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.service.privacy import NobodyFound
from journeyline.cli.synthesize import synthesize_to
from journeyline.runtime import Runtime, open_runtime
from journeyline.settings import Settings
from storage.erasure import TABLE_RULES, Fate
from storage.invitations import suppress
from storage.models import Base, SynthesisRun
from storage.people import NoOneAsked, Who
from storage.privacy_models import ErasureRecord, SynthesisOutput
from storage.types import utcnow
from synthesis.runs import RunRetired, list_run_infos, load_run
from tests.privacy_support import (
    ALPHA,
    ERIN,
    OTTO,
    World,
    build_world,
    needles_in_database,
    needles_in_files,
)


@pytest.fixture
def runtime(db_url: str, tmp_path: Path) -> Iterator[Runtime]:
    settings = Settings(
        database_url=db_url,
        data_dir=tmp_path / "data",
        rate_limit_per_client=0,
        rate_limit_per_token=1000,
        public_url="https://research.example.com",
    )
    opened = open_runtime(settings, migrate=False)
    yield opened
    opened.close()


@pytest.fixture
def world(runtime: Runtime, tmp_path: Path) -> World:
    return build_world(runtime, data_dir=tmp_path / "data", out=tmp_path / "map")


def _everywhere(world: World, person: object) -> list[str]:
    from tests.privacy_support import Someone

    assert isinstance(person, Someone)
    found = needles_in_database(world.sessions, person)
    found += needles_in_files(world.data_dir, person)
    found += needles_in_files(world.out, person)
    folder = world.database_folder()
    if folder is not None:
        found += needles_in_files(folder, person)
    return found


def test_every_table_has_an_erasure_rule() -> None:
    assert set(TABLE_RULES) == set(Base.metadata.tables), (
        "a table without a rule in storage.erasure.TABLE_RULES (or a rule for a table "
        "that is gone): decide what an erasure does to it"
    )
    assert all(rule.what for rule in TABLE_RULES.values())


def test_erasing_a_person_leaves_no_trace_and_everyone_else_in_place(world: World) -> None:
    # The data set holds Erin everywhere it can: the test can fail.
    before = _everywhere(world, ERIN)
    for needle in ERIN.marks:
        assert any(hit.endswith(f": {needle}") for hit in before), f"{needle} never stored"
    assert any(str(world.out) in hit for hit in before), "the map's files do not quote her"
    assert any("synthesis_runs.journey_map" in hit for hit in before)
    assert any("outbox" in hit for hit in before)
    otto_before = _everywhere(world, OTTO)

    report = world.privacy().erase(Who(email=ERIN.email.upper()), actor="cli")

    assert {m.campaign for m in report.matches} == {ALPHA, "beta"}
    assert _everywhere(world, ERIN) == []
    # Otto is untouched, but for the run and its files that quoted both of them.
    otto_after = _everywhere(world, OTTO)
    assert otto_after
    # (The database file's bytes move between the file and its log: compared by column.)
    gone = sorted(h for h in set(otto_before) - set(otto_after) if "journeyline.db" not in h)
    assert all(str(world.out) in hit or "synthesis_runs." in hit for hit in gone), gone
    assert any("interviews.problem" in hit for hit in otto_after)
    assert any("outbox" in hit for hit in otto_after)
    assert any("slack_events.payload" in hit for hit in otto_after)

    # What went, per table, in the audit; nothing in the audit about her.
    counts = report.counts
    for table in (
        "participants", "interviews", "messages", "step_records", "invites", "invitations",
        "invitation_messages", "scheduled_jobs", "slack_events", "llm_calls", "synthesis_runs",
        "synthesis_outputs", "review_edits", "triggered_cases",
    ):  # fmt: skip
        assert counts.get(table, 0) > 0, table
    assert counts["participants"] == 3 and counts["interviews"] == 2  # 3: the case's row
    assert counts["files_deleted"] == len(report.files_deleted) > 1
    with world.sessions() as session:
        (audit,) = session.scalars(select(ErasureRecord)).all()
        assert audit.erasure_id == report.erasure_id and len(audit.erasure_id) == 32
        assert audit.actor == "cli" and audit.counts == counts
        run = session.scalar(select(SynthesisRun))
        assert run is not None and run.retired_by == report.erasure_id
        assert run.journey_map == {} and run.interview_ids == []
        assert session.scalars(select(SynthesisOutput)).all() == []
    assert report.retired_runs == [run.id]
    with world.sessions() as session:
        assert list_run_infos(session) == []
        with pytest.raises(RunRetired, match=r"retired .* by erasure"):
            load_run(session, run.id)
    # Nothing is done twice: a retried erasure finds nobody.
    with pytest.raises(NobodyFound):
        world.privacy().erase(Who(email=ERIN.email), actor="cli")


def test_the_export_holds_everything_stored_about_the_person(world: World) -> None:
    document = world.privacy().export(Who(slack_user_id=ERIN.slack_user))
    text = json.dumps(document, ensure_ascii=False)
    for needle in ERIN.marks:
        assert needle in text
    for needle in OTTO.marks:
        assert needle not in text
    assert [p["campaign"] for p in document["participants"]] == [ALPHA, "beta", "beta"]
    assert len(document["interviews"]) == 2
    interview = document["interviews"][0]
    assert interview["messages"] and interview["steps"] and interview["model_calls"]
    assert interview["steps"][0]["provenance"]
    assert all("access_token_hash" not in i for i in document["interviews"])
    assert [c["consent"] for c in document["consent"]] == [True, True]
    assert document["invitations"][0]["messages"][0]["state"] == "sent"
    assert "link_salt" not in document["invitations"][0]
    assert len(document["slack_events"]) == 1 and len(document["invites"]) == 3
    saved = world.written.saved
    assert saved is not None
    assert [m["run_id"] for m in document["maps_quoting_them"]] == [saved.id]
    assert [i["status"] for i in document["invitations"]] == ["sent", "pending"]
    # By participant id: widened to the same person in the other campaign.
    first = document["participants"][0]["id"]
    again = world.privacy().export(Who(participant_id=first))
    assert [p["id"] for p in again["participants"]] == [p["id"] for p in document["participants"]]


def test_nobody_and_no_one_are_clear_errors(world: World) -> None:
    with pytest.raises(NobodyFound, match="no participant matches email someone@else"):
        world.privacy().export(Who(email="someone@else"))
    with pytest.raises(NoOneAsked):
        Who()
    assert Fate.KEPT.value == "kept"


def test_files_a_later_run_wrote_again_are_left_alone(world: World) -> None:
    # A map of Otto alone (his segment), written later into the same folder: the files
    # on disk are then his run's, and erasing Erin must not delete them.
    later = synthesize_to(
        world.sessions,
        campaign=ALPHA,
        out=world.out,
        segment=("phone", OTTO.phone),
        include_personal_data=True,
        formats=["json", "markdown"],
    )
    assert later.saved is not None
    report = world.privacy().erase(Who(email=ERIN.email), actor="cli")
    assert later.saved.id not in report.retired_runs
    assert sorted(p.name for p in world.out.iterdir() if p.is_file()) == ["map.json", "map.md"]
    assert needles_in_files(world.out, ERIN) == []
    assert needles_in_files(world.out, OTTO) != []
    with world.sessions() as session:
        assert [r.id for r in list_run_infos(session)] == [later.saved.id]


def test_an_address_on_the_suppression_list_stays_there(world: World) -> None:
    with world.sessions.begin() as session:
        suppress(session, kind="email", value=OTTO.email, reason="opt_out", now=utcnow())
    report = world.privacy().erase(Who(email=OTTO.email), actor="cli")
    assert report.kept_suppressions == 1
    left = needles_in_database(world.sessions, OTTO)
    assert left == [f"suppressions.value: {OTTO.email}"]
