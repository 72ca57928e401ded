"""Imported at start-up by every Python process a test run `--at` another moment starts (this folder is put on
PYTHONPATH): the process's wall clock is moved by the test run's offset, so a worker or a demo run in a
subprocess agrees with the tests on the date. Monotonic clocks, sleeps and timeouts stay real."""
import os

_offset = os.environ.get("CAREPATH_TEST_CLOCK_OFFSET")
if _offset:
    from datetime import datetime, timedelta, timezone

    import time_machine

    time_machine.travel(datetime.now(timezone.utc) + timedelta(seconds=float(_offset)), tick=True).start()
