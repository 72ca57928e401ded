"""The in-process timer sweep of the embedded default: a daemon thread firing due timers every few seconds.

With a broker configured, Celery beat and workers do this job instead; without one, the web app and
`carepath serve` start this thread so that a single process needs no other service. `TimerSweep` fires timers
only; engine.jobs.inprocess.InProcessScheduler extends it with the rest of the background work (stored jobs,
notifications).
"""
from __future__ import annotations

import logging
import threading

log = logging.getLogger(__name__)


class TimerSweep:
    def __init__(self, service, interval_seconds: float = 5.0):
        if interval_seconds <= 0:
            raise ValueError("the sweep interval must be positive")
        self.service = service
        self.interval = interval_seconds
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.sweeps = 0
        self.fired = 0
        self.last_error: str | None = None

    def sweep_once(self) -> int:
        """Fire what is due now; a failure is logged and kept, never raised into the thread."""
        try:
            fired = self.work()
            self.last_error = None
        except Exception as exc:  # the sweep must outlive a bad instance or a database hiccup
            log.exception("timer sweep failed")
            self.last_error = f"{type(exc).__name__}: {exc}"
            fired = 0
        self.sweeps += 1
        self.fired += fired
        return fired

    def work(self) -> int:
        """One sweep's work; returns the timers fired."""
        return self.service.run_due_timers()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sweep_once()
            self._stop.wait(self.interval)

    def start(self) -> TimerSweep:
        if self._thread is not None and self._thread.is_alive():
            return self
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="carepath-timer-sweep", daemon=True)
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def __enter__(self) -> TimerSweep:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
