"""Erasure at scale: how long erasing one person takes in a SQLite database of N
interviews (with a stored map that quotes them), and how much of it is rebuilding the
file (``VACUUM``) so their bytes are gone.

Run: ``.venv/bin/python -m bench.erasure [--sizes 1000 10000]``

Per size a fresh SQLite file is filled with generated interviews (the bulk path of
``bench.synthesis_speed``), one of them is given a participant with an email address,
the campaign is synthesized and stored (a run that reads every interview, so the
erasure retires it), and ``PersonalData.erase`` is timed. The rebuild is timed again on
its own afterwards (a second ``VACUUM`` of the same file) as the baseline: the rest of
the erasure is the deletes in one transaction.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import select, update

from bench.review import synthesize
from bench.synthesis_speed import fill
from bot.service.privacy import PersonalData, Who
from storage.engines import make_engine, make_session_factory, sqlite_url_for_dir
from storage.models import Interview, Participant
from storage.secure_delete import compact

EMAIL = "erase.me@example.org"


def one_size(size: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        url = sqlite_url_for_dir(Path(folder))
        fill(url, size)
        engine = make_engine(url)
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            first = session.scalar(select(Interview).order_by(Interview.id).limit(1))
            assert first is not None
            person = Participant(campaign_id=first.campaign_id, external_id="x", email=EMAIL)
            session.add(person)
            session.flush()
            session.execute(
                update(Interview).where(Interview.id == first.id).values(participant_id=person.id)
            )
        synthesize(url)
        database = Path(folder) / "journeyline.db"
        megabytes = database.stat().st_size / 1e6
        started = time.perf_counter()
        report = PersonalData(sessions).erase(Who(email=EMAIL), actor="bench")
        erase_seconds = time.perf_counter() - started
        assert report.counts["interviews"] == 1 and report.retired_runs
        started = time.perf_counter()
        compact(engine)
        vacuum_seconds = time.perf_counter() - started
        engine.dispose()
    return {"size": size, "mb": megabytes, "erase": erase_seconds, "vacuum": vacuum_seconds}


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    args = parser.parse_args(argv)
    print("interviews  database MB  erasure s  of which VACUUM s (alone)")
    for size in args.sizes:
        row = one_size(size)
        print(f"{row['size']:>10}  {row['mb']:>11.1f}  {row['erase']:>9.2f}  {row['vacuum']:>8.2f}")


if __name__ == "__main__":
    main()
