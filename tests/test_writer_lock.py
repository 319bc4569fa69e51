"""The per-process SQLite writer lock: one holder at a time, urgent waiters first."""

from __future__ import annotations

import threading
import time

from storage.engines import WriterLock


def test_one_holder_and_no_wait_when_taken() -> None:
    lock = WriterLock()
    assert lock.acquire()
    assert not lock.acquire(blocking=False)
    started = time.monotonic()
    assert not lock.acquire(timeout=0.05)
    assert time.monotonic() - started >= 0.04
    lock.release()
    assert lock.acquire(blocking=False)
    lock.release()


def test_an_urgent_waiter_goes_before_the_others() -> None:
    lock = WriterLock()
    assert lock.acquire()
    order: list[str] = []
    waiting = threading.Barrier(3)

    def take(name: str, *, urgent: bool) -> None:
        waiting.wait()
        assert lock.acquire(urgent=urgent, timeout=5)
        order.append(name)
        lock.release()

    normal = threading.Thread(target=take, args=("turn",), kwargs={"urgent": False})
    normal.start()
    time.sleep(0.05)  # the turn waits first ...
    urgent = threading.Thread(target=take, args=("claim",), kwargs={"urgent": True})
    urgent.start()
    waiting.wait()
    deadline = time.monotonic() + 5
    while lock._urgent == 0:  # ... and the claim is waiting too
        assert time.monotonic() < deadline
        time.sleep(0.001)
    lock.release()
    normal.join(5)
    urgent.join(5)
    assert order == ["claim", "turn"]
