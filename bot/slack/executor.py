"""The work after the ack: on a thread pool, one task at a time per conversation.

Slack needs an answer within three seconds whatever the interview service is doing, so
listeners only ack and queue. Tasks for one key (one customer) run in the order they
arrived, so two quick messages are never answered out of order; different customers
run in parallel.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

log = logging.getLogger(__name__)

Task = Callable[[], None]


class KeyedExecutor:
    """A thread pool that serialises the tasks submitted under the same key."""

    def __init__(self, *, max_workers: int = 8, name: str = "journeyline-slack") -> None:
        self._pool = ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix=name)
        self._lock = threading.Lock()
        self._idle = threading.Condition(self._lock)
        self._queues: dict[str, deque[Task]] = {}
        self._unfinished = 0
        self._closed = False

    def submit(self, key: str, task: Task) -> None:
        """Queue ``task`` behind the unfinished tasks of ``key``; returns at once."""
        with self._lock:
            if self._closed:
                raise RuntimeError("the executor is shut down")
            self._unfinished += 1
            queue = self._queues.get(key)
            if queue is not None:  # a drainer for this key is running and will pick it up
                queue.append(task)
                return
            self._queues[key] = deque([task])
        self._pool.submit(self._drain, key)

    @property
    def unfinished(self) -> int:
        """Tasks submitted and not yet finished (queued or running)."""
        with self._lock:
            return self._unfinished

    def join(self, timeout: float | None = None) -> bool:
        """Wait until every submitted task has finished; False if ``timeout`` ran out."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout=timeout)

    def shutdown(self, *, wait: bool = True) -> None:
        """Stop taking tasks; drop the queued ones unless ``wait``; finish running ones."""
        with self._lock:
            self._closed = True
            if not wait:
                dropped = sum(len(q) for q in self._queues.values())
                for queue in self._queues.values():
                    queue.clear()
                self._unfinished -= dropped
                self._idle.notify_all()
        self._pool.shutdown(wait=wait, cancel_futures=not wait)

    def _drain(self, key: str) -> None:
        while True:
            with self._lock:
                queue = self._queues[key]
                if not queue:
                    del self._queues[key]
                    return
                task = queue.popleft()
            try:
                task()
            except Exception:
                # One failed delivery must not stop the customer's next ones.
                log.exception("Slack task for %s failed", key)
            finally:
                with self._lock:
                    self._unfinished -= 1
                    if self._unfinished == 0:
                        self._idle.notify_all()
