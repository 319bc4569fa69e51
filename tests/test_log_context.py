"""bot.service.log_context: the interview id on every record logged inside its block,
and never on a record of another block, thread or task."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
from collections.abc import Iterator

import pytest

from bot.service.log_context import (
    LogContextFilter,
    current_fields,
    interview_logging,
    logging_context,
)

log = logging.getLogger("tests.log_context")


class Records(logging.Handler):
    """Keeps the records it handles, with the context filter a real handler has."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []
        self.addFilter(LogContextFilter())

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)

    def ids(self) -> dict[str, str | None]:
        """Message -> the interview id its record carries (None: no id)."""
        return {r.getMessage(): getattr(r, "interview_id", None) for r in self.records}


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    log.addHandler(handler)
    log.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        log.removeHandler(handler)


def test_a_record_logged_inside_carries_the_id(records: Records) -> None:
    log.info("before")
    with interview_logging("iv-1"):
        log.warning("inside")
        assert current_fields() == {"interview_id": "iv-1"}
    log.info("after")
    assert records.ids() == {"before": None, "inside": "iv-1", "after": None}
    assert current_fields() == {}


def test_nested_blocks_add_fields_and_give_the_outer_ones_back(records: Records) -> None:
    with interview_logging("outer"), logging_context(channel="web"):
        log.info("outer")
        with interview_logging("inner"):
            log.info("inner")
        log.info("outer again")
    assert records.ids() == {"outer": "outer", "inner": "inner", "outer again": "outer"}
    assert [getattr(r, "channel", None) for r in records.records] == ["web"] * 3


def test_a_block_left_by_an_exception_leaves_no_id_behind(records: Records) -> None:
    with pytest.raises(RuntimeError), interview_logging("failing"):
        raise RuntimeError("turn failed")
    log.info("after")
    assert records.ids() == {"after": None}


def test_an_id_given_with_extra_is_kept(records: Records) -> None:
    with interview_logging("context"):
        log.info("explicit", extra={"interview_id": "given"})
    assert records.ids() == {"explicit": "given"}


def test_the_fields_cannot_be_changed_from_outside() -> None:
    with interview_logging("iv"):
        fields = current_fields()
        with pytest.raises(TypeError):
            fields["interview_id"] = "other"  # type: ignore[index]


def test_threads_do_not_see_each_others_ids(records: Records) -> None:
    # Both threads are inside their blocks at the same time, logging in turns.
    barrier = threading.Barrier(2)

    def turn(interview_id: str) -> None:
        with interview_logging(interview_id):
            for step in range(3):
                barrier.wait(timeout=5)
                log.info("%s step %d", interview_id, step)

    threads = [threading.Thread(target=turn, args=(f"iv-{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert len(records.records) == 6
    for message, interview_id in records.ids().items():
        assert message.startswith(f"{interview_id} ")


def test_a_new_thread_starts_without_the_id_unless_given_the_context(
    records: Records,
) -> None:
    with interview_logging("parent"):
        plain = threading.Thread(target=log.info, args=("plain thread",))
        copied = contextvars.copy_context()
        handed = threading.Thread(target=copied.run, args=(log.info, "copied context"))
        for thread in (plain, handed):
            thread.start()
            thread.join(timeout=10)
    assert records.ids() == {"plain thread": None, "copied context": "parent"}


def test_asyncio_tasks_keep_their_own_ids(records: Records) -> None:
    async def turn(interview_id: str) -> None:
        with interview_logging(interview_id):
            for step in range(3):
                await asyncio.sleep(0)  # the other task runs here, inside its own block
                log.info("%s step %d", interview_id, step)

    async def both() -> None:
        await asyncio.gather(turn("a"), turn("b"))
        log.info("after both")

    asyncio.run(both())
    ids = records.ids()
    assert ids.pop("after both") is None
    assert len(ids) == 6
    for message, interview_id in ids.items():
        assert message.startswith(f"{interview_id} ")


def test_a_task_inherits_its_creators_id_but_its_own_stays_in_it(records: Records) -> None:
    async def child() -> None:
        log.info("child, inherited")
        with interview_logging("child"):
            log.info("child, own")

    async def parent() -> None:
        with interview_logging("parent"):
            await asyncio.create_task(child())
            log.info("parent, after the child")
            await asyncio.to_thread(log.info, "worker thread")

    asyncio.run(parent())
    assert records.ids() == {
        "child, inherited": "parent",
        "child, own": "child",
        "parent, after the child": "parent",
        "worker thread": "parent",
    }
