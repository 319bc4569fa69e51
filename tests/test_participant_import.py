"""Participant lists: every bad row reported by line and column and left out, people
de-duplicated within the file and against the campaign, the suppression list applied."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.service.participant_rows import parse_participants
from bot.service.participants import Participants
from tests.scheduler_support import CAMPAIGN, make_campaign

LIST = """Email,Name,Language,Time zone,Plan,Region
ana@example.com,Ana,en,Europe/Berlin,pro,EU
not-an-email,Bob,en,UTC,free,US
cy@example.com,Cy,en,Mars/Olympus,free,US
,Dee,en,UTC,free,US
ANA@example.com,Ana twice,en,UTC,pro,EU
eve@example.com,"Eve, with a comma",pt-BR,America/Sao_Paulo,free,LATAM
fay@example.com,Fay,english!,UTC,free,EU
,,,,,
"""


def test_bad_rows_are_reported_by_line_and_column() -> None:
    parsed = parse_participants(LIST)
    assert [(r.line, r.email, r.attributes) for r in parsed.rows] == [
        (2, "ana@example.com", {"plan": "pro", "region": "EU"}),
        (7, "eve@example.com", {"plan": "free", "region": "LATAM"}),
    ]
    assert [(p.line, p.column) for p in parsed.problems] == [
        (3, "email"),
        (4, "time_zone"),
        (5, "email"),
        (6, "email"),
        (8, "language"),
    ]
    assert str(parsed.problems[3]) == "line 6, email: duplicate of line 2"
    assert "no email, slack_user_id or slack_email" in parsed.problems[2].message
    assert (
        parsed.rows[1].name == "Eve, with a comma"
        and parsed.rows[1].time_zone == "America/Sao_Paulo"
    )


def test_a_file_without_a_contact_column_is_one_problem() -> None:
    parsed = parse_participants("name,plan\nAna,pro\n")
    assert [(p.line, p.column) for p in parsed.problems] == [(1, "(header)")]
    assert parse_participants("").problems[0].message == "the file is empty"


def test_import_stores_good_rows_updates_known_people_and_skips_suppressed(
    session_factory: sessionmaker[Session],
) -> None:
    make_campaign(session_factory)
    people = Participants(session_factory)
    dry = people.import_csv(campaign_slug=CAMPAIGN, text=LIST, dry_run=True)
    assert (dry.added, len(dry.problems)) == (2, 5)
    assert people.statuses(campaign_slug=CAMPAIGN) == []
    report = people.import_csv(campaign_slug=CAMPAIGN, text=LIST)
    assert (report.added, report.updated, len(report.problems)) == (2, 0, 5)
    # The corrected file again: Ana is updated, not added twice.
    fixed = "email,name,plan,slack_user_id\nAna@Example.com,Ana B.,enterprise,U0ANA\n"
    again = people.import_csv(campaign_slug=CAMPAIGN, text=fixed)
    assert (again.added, again.updated) == (0, 1)
    detail = people.detail(campaign_slug=CAMPAIGN, participant="U0ANA")
    assert detail.participant.name == "Ana B."
    assert detail.participant.attributes == {"plan": "enterprise", "region": "EU"}
    assert (detail.language, detail.time_zone) == ("en", "Europe/Berlin")
    assert [s.status for s in people.statuses(campaign_slug=CAMPAIGN)] == ["not_invited"] * 2
