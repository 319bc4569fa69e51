"""`fakes.deadlines`: waits end on their signal, and their deadlines grow with the load."""

from __future__ import annotations

import itertools

import pytest

from fakes.deadlines import SCALE_ENV, WORKER_COUNT_ENV, NotReady, scaled, wait_until


@pytest.fixture
def one_core(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.setattr("fakes.deadlines._cores", lambda: 1)
    monkeypatch.delenv(SCALE_ENV, raising=False)
    monkeypatch.delenv(WORKER_COUNT_ENV, raising=False)
    return monkeypatch


def test_deadlines_scale_with_the_env_var_and_workers_per_core(
    one_core: pytest.MonkeyPatch,
) -> None:
    assert scaled(30) == 30
    one_core.setenv(SCALE_ENV, "2.5")
    assert scaled(30) == 75
    one_core.setenv(WORKER_COUNT_ENV, "4")  # four workers on one core: each a quarter of it
    assert scaled(30) == 300
    one_core.setattr("fakes.deadlines._cores", lambda: 8)  # fewer workers than cores
    assert scaled(30) == 75
    one_core.setenv(SCALE_ENV, "0")
    with pytest.raises(ValueError, match=SCALE_ENV):
        scaled(1)


def test_a_wait_returns_on_its_signal_and_fails_with_the_output(
    one_core: pytest.MonkeyPatch,
) -> None:
    polls = itertools.count(1)
    wait_until(lambda: next(polls) == 3, what="thing", base_seconds=5, poll_seconds=0)
    assert next(polls) == 4  # asked three times, then returned

    with pytest.raises(NotReady, match=r"(?s)server: the process exited with 3.*Traceback"):
        wait_until(
            lambda: False,
            what="server",
            base_seconds=5,
            exit_code=lambda: 3,
            output=lambda: "Traceback: port in use",
        )
    one_core.setenv(SCALE_ENV, "0.01")
    with pytest.raises(NotReady, match=rf"(?s)not ready after 0.0 s .*{SCALE_ENV}.*still starting"):
        wait_until(lambda: False, what="server", base_seconds=1, output=lambda: "still starting")
