"""The in-process timer sweep of the embedded default."""
from __future__ import annotations

import time

import pytest

from engine.jobs.sweep import TimerSweep

pytestmark = pytest.mark.dates  # `make test` runs these again at other dates


class CountingPathways:
    def __init__(self, fail=False):
        self.calls = 0
        self.fail = fail

    def run_due_timers(self):
        self.calls += 1
        if self.fail:
            raise RuntimeError("database went away")
        return 2


def test_sweep_once_counts_fired_timers():
    sweep = TimerSweep(CountingPathways(), interval_seconds=1)
    assert sweep.sweep_once() == 2 and sweep.fired == 2


def test_a_failing_sweep_is_recorded_not_raised():
    sweep = TimerSweep(CountingPathways(fail=True), interval_seconds=1)
    assert sweep.sweep_once() == 0
    assert "database went away" in sweep.last_error


def test_thread_sweeps_repeatedly_until_stopped():
    pathways = CountingPathways()
    with TimerSweep(pathways, interval_seconds=0.01) as sweep:
        deadline = time.monotonic() + 5
        while pathways.calls < 3 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert sweep.running
    assert not sweep.running
    assert pathways.calls >= 3


def test_interval_must_be_positive():
    with pytest.raises(ValueError):
        TimerSweep(CountingPathways(), interval_seconds=0)

